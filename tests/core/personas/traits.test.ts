import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_TRAITS,
  describeLevel,
  levelInstruction,
  roleOf,
  ROLES,
  TRAIT_MAX,
  TRAIT_MIN,
  TRAIT_NAMES,
  TRAITS,
} from '../../../src/core/personas/traits.ts';
import { agendaParamsFromTraits } from '../../../src/core/users/agenda.ts';

describe('trait space', () => {
  it('defines each trait once, with anchors for 1, 3 and 5', () => {
    expect(new Set(TRAIT_NAMES).size).toBe(TRAITS.length);
    expect(TRAIT_NAMES).toHaveLength(11);
    for (const t of TRAITS) for (const level of [1, 3, 5] as const) expect(t.anchors[level].length).toBeGreaterThan(0);
  });

  it('anchors every level with a different message and renders five different instructions', () => {
    for (const t of TRAITS) {
      expect(new Set([t.anchors[1], t.anchors[3], t.anchors[5]]).size, t.name).toBe(3);
      expect(t.instructions).toHaveLength(5);
      expect(new Set(t.instructions).size, t.name).toBe(5);
      expect(levelInstruction(t.name, 1)).toBe(t.instructions[0]);
      expect(levelInstruction(t.name, 9)).toBe(t.instructions[4]);
      expect(describeLevel(t.name, 3)).toBe(t.anchors[3]);
      expect(describeLevel(t.name, 2)).toContain(t.anchors[1]);
    }
  });

  it('is documented in docs/personas.md: every trait, label, anchor and role', () => {
    const doc = readFileSync(new URL('../../../docs/personas.md', import.meta.url), 'utf8');
    for (const t of TRAITS) {
      expect(doc, t.name).toContain(`\`${t.name}\``);
      expect(doc).toContain(t.label);
      for (const level of [1, 3, 5] as const) expect(doc, `${t.name} ${level}`).toContain(t.anchors[level]);
    }
    for (const r of ROLES) {
      expect(doc).toContain(`\`${r.id}\``);
      expect(doc).toContain(r.asks);
    }
  });

  it('maps free-text roles onto the vocabulary and leaves others alone', () => {
    expect(roleOf('caregiver')?.id).toBe('caregiver');
    expect(roleOf('busy professional')?.id).toBe('professional');
    expect(roleOf('Regular customer')?.id).toBe('regular');
    expect(roleOf('small-business owner')?.id).toBe('business-owner');
    expect(roleOf('retired teacher')).toBeUndefined();
  });

  it('gives the baseline a value in range for every trait', () => {
    expect(Object.keys(BASELINE_TRAITS).sort()).toEqual([...TRAIT_NAMES].sort());
    for (const v of Object.values(BASELINE_TRAITS)) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(TRAIT_MIN);
      expect(v).toBeLessThanOrEqual(TRAIT_MAX);
    }
  });
});

describe('agendaParamsFromTraits', () => {
  const params = (patch: Partial<typeof BASELINE_TRAITS>) => agendaParamsFromTraits({ ...BASELINE_TRAITS, ...patch });

  it('maps each trait in the documented direction', () => {
    expect(params({ patience: 1 }).patienceTurns).toBeLessThan(params({ patience: 5 }).patienceTurns);
    expect(params({ verbosity: 1 }).maxActsPerTurn).toBeLessThan(params({ verbosity: 5 }).maxActsPerTurn);
    expect(params({ cooperativeness: 1 }).deflectRate).toBeGreaterThan(0);
    expect(params({ cooperativeness: 5 }).deflectRate).toBe(0);
    expect(params({ cooperativeness: 5 }).volunteer).toBe(true);
    expect(params({ cooperativeness: 3 }).volunteer).toBe(false);
    expect(params({ clarity: 1 }).vagueOpening).toBe(true);
    expect(params({ clarity: 5 }).vagueOpening).toBe(false);
    expect(params({ formality: 1 }).style.register).toBe('casual');
    expect(params({ formality: 5 }).style.register).toBe('formal');
    expect(params({ noise: 1 }).style.typoRate).toBe(0);
    expect(params({ noise: 5 }).style.typoRate).toBeGreaterThan(0);
    expect(params({ proficiency: 1 }).style.learner).toBe(true);
  });

  it('keeps parameters in their ranges across the whole trait space corners', () => {
    for (const v of [1, 5]) {
      const all = Object.fromEntries(TRAIT_NAMES.map((n) => [n, v])) as typeof BASELINE_TRAITS;
      const p = agendaParamsFromTraits(all);
      expect(p.maxActsPerTurn).toBeGreaterThanOrEqual(1);
      expect(p.maxActsPerTurn).toBeLessThanOrEqual(4);
      expect(p.deflectRate).toBeLessThanOrEqual(1);
      expect(p.temper).toBeGreaterThan(0);
      expect(p.temper).toBeLessThanOrEqual(1);
    }
  });
});

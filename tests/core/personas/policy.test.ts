import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Json, Persona, PersonaSet, ScenarioPack, TraitName, TraitValues } from '../../../src/core/model/types.ts';
import { addTypos, exampleLines, renderControlUpdate, renderPolicy } from '../../../src/core/personas/policy.ts';
import { generatePopulation } from '../../../src/core/personas/population.ts';
import { renderPersonaInstructions } from '../../../src/core/personas/render.ts';
import { BASELINE_TRAITS, levelInstruction, ROLES, TRAIT_NAMES, TRAITS } from '../../../src/core/personas/traits.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

const packsDir = new URL('../../../public/packs/', import.meta.url);
const core = JSON.parse(readFileSync(new URL('../../../public/personas/core.json', import.meta.url), 'utf8')) as PersonaSet;

/** Every string (and long number) inside a JSON value. */
function strings(v: Json | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number') return [String(v)];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/** The facts of every built-in task: known values and gold-action argument values over 3 characters. */
function builtinFacts(): { task: string; facts: string[] }[] {
  // Other packs are being added: read whatever is there now.
  const files = readdirSync(packsDir).filter((f) => f.endsWith('.json'));
  return files.flatMap((f) => {
    const pack = JSON.parse(readFileSync(new URL(f, packsDir), 'utf8')) as ScenarioPack;
    return pack.tasks.map((t) => ({
      task: `${f}:${t.id}`,
      facts: [...Object.values(t.user.knownInfo), ...t.evaluation.goldActions.flatMap((a) => strings(a.arguments))].filter((s) => s.length > 3),
    }));
  });
}

const uniform = (v: number): TraitValues => Object.fromEntries(TRAIT_NAMES.map((n) => [n, v])) as TraitValues;
const persona = (id: string, traits: TraitValues, extra: Partial<Persona> = {}): Persona => ({
  id,
  name: id,
  summary: 's',
  traits,
  role: 'regular',
  background: 'Has used this service for years.',
  ...extra,
});

/** Personas across the space: the core set, corners, every role, and generated populations. */
function manyPersonas(): Persona[] {
  const out: Persona[] = [...core.personas];
  for (const v of [1, 2, 3, 4, 5]) out.push(persona(`uniform-${v}`, uniform(v)));
  for (const r of ROLES) out.push(persona(`role-${r.id}`, BASELINE_TRAITS, { role: r.id }));
  for (const seed of [1, 2, 3]) out.push(...generatePopulation({ size: 40, seed }).personas);
  return out;
}

describe('roleplay policies', () => {
  const facts = builtinFacts();
  const personas = manyPersonas();

  it('reads at least the bookshop pack, with facts to check', () => {
    expect(facts.length).toBeGreaterThanOrEqual(10);
    expect(facts.some((f) => f.facts.includes('ana.souza@example.com'))).toBe(true);
  });

  /** Each text that holds a task fact, as a word or phrase of its own ("read" is not in "already"). */
  function leaks(texts: { id: string; text: string }[]): string[] {
    const out: string[] = [];
    for (const { task, facts: list } of facts) {
      for (const fact of list) {
        const re = new RegExp(`(^|[^a-z0-9])${fact.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9])`);
        for (const { id, text } of texts) if (re.test(text.toLowerCase())) out.push(`${id} contains "${fact}" of ${task}`);
      }
    }
    return out;
  }

  it('never contains a built-in task fact, for any persona', () => {
    const texts = personas.map((p) => ({ id: p.id, text: renderPolicy(p) }));
    // The mid-session notes of dynamic controls, for every trait at every level, too.
    for (const t of TRAIT_NAMES) for (const v of [1, 2, 3, 4, 5]) texts.push({ id: `update ${t}=${v}`, text: renderControlUpdate([{ trait: t, from: 3, to: v }]) });
    expect(leaks(texts)).toEqual([]);
  });

  it('the check would catch a leak: a background naming a task fact shows up', () => {
    const leaky = persona('leaky', BASELINE_TRAITS, { background: 'Usually signs as Ana Souza, email ana.souza@example.com.' });
    expect(leaks([{ id: 'leaky', text: renderPolicy(leaky) }])).toEqual(
      expect.arrayContaining([expect.stringContaining('"Ana Souza"'), expect.stringContaining('"ana.souza@example.com"')]),
    );
  });

  it('renders one concrete instruction per trait, the role, the background and two example lines', () => {
    const p = core.personas.find((x) => x.id === 'upset-learner')!;
    const text = renderPolicy(p);
    for (const t of TRAITS) expect(text).toContain(levelInstruction(t.name, p.traits[t.name]));
    expect(text).toContain(ROLES.find((r) => r.id === 'caregiver')!.asks);
    expect(text).toContain(p.background);
    const [open, react] = exampleLines(p);
    expect(text).toContain(`"${open}"`);
    expect(text).toContain(`"${react}"`);
    expect(text).toMatch(/never what you want or know/);
    expect(text).toMatch(/type names, numbers, codes and email addresses exactly right/);
  });

  it('changes with every trait', () => {
    const base = renderPolicy(persona('p', BASELINE_TRAITS));
    for (const t of TRAIT_NAMES) {
      const moved = { ...BASELINE_TRAITS, [t]: BASELINE_TRAITS[t] >= 3 ? 1 : 5 };
      expect(renderPolicy(persona('p', moved)), t).not.toEqual(base);
    }
  });

  it('example lines follow the voice: terse, formal, learner, guarded, shouting', () => {
    const lines = (patch: Partial<Record<TraitName, number>>) => exampleLines(persona('x', { ...BASELINE_TRAITS, noise: 1, ...patch }));
    expect(lines({ verbosity: 1 })[0].split(' ').length).toBeLessThan(lines({ verbosity: 5 })[0].split(' ').length);
    expect(lines({ formality: 5 })[0]).toMatch(/^Good afternoon\./);
    expect(lines({ formality: 1 })[0]).toBe(lines({ formality: 1 })[0].toLowerCase());
    expect(lines({ proficiency: 1 })[1]).not.toEqual(lines({ proficiency: 5 })[1]);
    expect(lines({ cooperativeness: 1 })[1]).toMatch(/why/i);
    const shout = lines({ patience: 1, emotion: 5, noise: 5 })[1];
    expect(shout).toBe(shout.toUpperCase());
  });

  it('the same persona renders the same policy; typos grow with noise and spare digits', () => {
    const p = generatePopulation({ size: 5, seed: 3 }).personas[0]!;
    expect(renderPolicy(p)).toEqual(renderPolicy(structuredClone(p)));
    const text = 'Please confirm the following information carefully before continuing with 12345';
    expect(addTypos(text, 1, mulberry32(1))).toBe(text);
    const noisy = addTypos(text, 5, mulberry32(1));
    expect(noisy).not.toBe(text);
    expect(noisy).toContain('12345');
  });

  it('uses a hand-written policy as written, unless asked to render from the traits', () => {
    const p = persona('own', BASELINE_TRAITS, { policy: 'Speak only in questions.' });
    expect(renderPolicy(p)).toBe('Speak only in questions.');
    expect(renderPolicy(p, { fromTraits: true })).toContain(levelInstruction('patience', 5));
    // The interim name still works for its callers.
    expect(renderPersonaInstructions(p)).toBe('Speak only in questions.');
  });
});

/**
 * The agenda user hears a value the way a person reads it in a code: "40 L" in
 * "P120-OLIVE-40L", and a one-letter size only as a word of its own ("L" is not said in
 * "forest" or "will"). Both in the matching helpers and in what it answers to a confirmation.
 */
import { describe, expect, it } from 'vitest';
import type { Turn } from '../../../src/core/model/types.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { statedCompact, statedPart } from '../../../src/core/users/nlu.ts';
import { converse, PERSONAS, say, scenarioWith, scripted, userTurns } from '../fixtures.ts';

describe('agenda NLU: values said in codes', () => {
  it('hears a measure with a digit without its space or dash, not inside a longer number', () => {
    expect(statedCompact('new variant id p120-olive-40l', '40 L')).toBe(true);
    expect(statedCompact('new variant id p120-olive-140l', '40 L')).toBe(false);
    expect(statedCompact('size 10w please', '10 W')).toBe(true);
    // Words without digits are left to plain matching.
    expect(statedCompact('forest green', 'forestgreen')).toBe(false);
  });

  it('hears a one- or two-character value only as a word of its own', () => {
    expect(statedPart('i will exchange it for p102-forest-m', 'l')).toBe(false);
    expect(statedPart('i will exchange it for p102-forest-l', 'l')).toBe(true);
    expect(statedPart('size 10 in grey', '10')).toBe(true);
    expect(statedPart('order 2104', '10')).toBe(false);
    expect(statedPart('the summit daypack', 'summit daypack')).toBe(true);
  });
});

describe('agenda user: confirmations of values written as codes', () => {
  const confirmThen = (...summaries: string[]) =>
    scripted(
      'agent',
      summaries.map((summary) => say(`Shall I ${summary}?`, { acts: [{ act: 'confirm', slot: 'set_plan', value: summary }] })),
      { fallback: say('Is there anything else I can help with?', { acts: [{ act: 'reqmore' }] }) },
    );
  const replyTo = (turns: readonly Turn[], text: string) => turns[turns.findIndex((t) => t.content.includes(text)) + 1]!;

  it('affirms "40 L" stated as P120-OLIVE-40L', async () => {
    const scenario = scenarioWith((s) => {
      s.user.knownInfo['plan'] = '40 L';
    });
    const r = await converse(createAgendaUser({ role: 'user', scenario, persona: PERSONAS.baseline }), confirmThen('switch account A1 to P120-OLIVE-40L'), { seed: 1, scenario, maxTurns: 6 });
    expect(replyTo(r.turns, 'P120-OLIVE-40L').acts?.[0]).toEqual({ act: 'affirm' });
  });

  it('negates size "L" for P102-FOREST-M and affirms it for P102-FOREST-L', async () => {
    const scenario = scenarioWith((s) => {
      s.user.knownInfo['plan'] = 'L';
    });
    const r = await converse(
      createAgendaUser({ role: 'user', scenario, persona: PERSONAS.baseline }),
      // "well" and "hoodie" hold an l: a letter inside a word is no size.
      confirmThen('switch account A1 to P102-FOREST-M as well', 'switch account A1 to P102-FOREST-L as well'),
      { seed: 2, scenario, maxTurns: 8 },
    );
    expect(replyTo(r.turns, 'P102-FOREST-M').acts?.[0]).toEqual({ act: 'negate' });
    expect(replyTo(r.turns, 'P102-FOREST-L').acts?.[0]).toEqual({ act: 'affirm' });
    expect(userTurns(r.turns).length).toBeGreaterThan(1);
  });
});

/**
 * The optional `clarification` field on tasks and scenarios: accepted when its three parts
 * agree, refused with the path and the reason otherwise, and published in the JSON Schemas.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateScenario, validateScenarioPack } from '../../../src/core/model/schema.ts';
import { ValidationError } from '../../../src/core/model/validation.ts';
import { schemaFiles } from '../../../scripts/gen-schemas.ts';
import { CATALOG, makePack, makeScenario } from '../fixtures.ts';

function packWith(clarification: unknown) {
  const pack = makePack() as unknown as { tasks: Record<string, unknown>[] };
  pack.tasks[1]!['clarification'] = clarification;
  return pack;
}

/** The messages of a refused pack, as "path: message". */
function refusal(clarification: unknown): string[] {
  try {
    validateScenarioPack(packWith(clarification), CATALOG, 'pack.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the pack to be refused');
}

describe('clarification field: schema', () => {
  it('is optional, and kept when given', () => {
    expect(validateScenarioPack(makePack(), CATALOG).tasks[1]!.clarification).toBeUndefined();
    const needed = { needed: true, questions: 2, about: ['which account', 'which plan'] };
    expect(validateScenarioPack(packWith(needed), CATALOG).tasks[1]!.clarification).toEqual(needed);
    const none = { needed: false, questions: 0, about: [] };
    expect(validateScenarioPack(packWith(none), CATALOG).tasks[1]!.clarification).toEqual(none);
  });

  it('is accepted on a single scenario too', () => {
    const s = validateScenario({ ...makeScenario(), clarification: { needed: true, questions: 1, about: ['which plan'] } }, CATALOG);
    expect(s.clarification).toEqual({ needed: true, questions: 1, about: ['which plan'] });
    expect(() => validateScenario({ ...makeScenario(), clarification: { needed: false, questions: 1, about: ['x'] } }, CATALOG, 's.json')).toThrow(
      /^s\.json: clarification\.questions: must be 0 when "needed" is false \(got 1\)/,
    );
  });

  it('refuses "needed": false with questions, naming the field and the count', () => {
    expect(refusal({ needed: false, questions: 2, about: ['a', 'b'] })).toEqual([
      'tasks[1].clarification.questions: must be 0 when "needed" is false (got 2): a task that needs no clarification has no questions to ask',
    ]);
  });

  it('refuses "needed": true with no question', () => {
    expect(refusal({ needed: true, questions: 0, about: [] })).toEqual(['tasks[1].clarification.questions: must be at least 1 when "needed" is true (got 0)']);
  });

  it('refuses an "about" list of another length than "questions"', () => {
    expect(refusal({ needed: true, questions: 2, about: ['which plan'] })).toEqual([
      'tasks[1].clarification.about: lists 1 question but "questions" is 2: give one entry per question',
    ]);
    expect(refusal({ needed: false, questions: 0, about: ['which plan'] })).toEqual([
      'tasks[1].clarification.about: lists 1 question but "questions" is 0: give one entry per question',
    ]);
  });

  it('refuses negative, fractional and huge counts', () => {
    expect(refusal({ needed: true, questions: -1, about: [] })).toEqual(['tasks[1].clarification.questions: must be at least 0 (got -1)']);
    expect(refusal({ needed: true, questions: 1.5, about: ['x'] })).toEqual([expect.stringMatching(/^tasks\[1\]\.clarification\.questions: must be an int/)]);
    expect(refusal({ needed: true, questions: 21, about: [] })).toEqual(['tasks[1].clarification.questions: must be at most 20 (got 21)']);
  });

  it('refuses wrong types, missing parts, empty entries and unknown fields, each at its path', () => {
    expect(refusal({ needed: 'yes', questions: 1, about: ['x'] })).toEqual(['tasks[1].clarification.needed: must be a boolean, got "yes"']);
    expect(refusal({ needed: 'no', questions: 0, about: [] })).toEqual(['tasks[1].clarification.needed: must be a boolean, got "no"']);
    expect(refusal({ needed: true, questions: '1', about: ['x'] })).toEqual(['tasks[1].clarification.questions: must be a number, got "1"']);
    expect(refusal({ needed: true, questions: 1, about: 'which plan' })).toEqual(['tasks[1].clarification.about: must be an array, got "which plan"']);
    expect(refusal({ needed: true, questions: 1, about: [''] })).toEqual(['tasks[1].clarification.about[0]: must not be empty']);
    expect(refusal({ needed: true })).toEqual([
      'tasks[1].clarification.questions: is required but missing (expected number)',
      'tasks[1].clarification.about: is required but missing (expected array)',
    ]);
    expect(refusal({ needed: true, questions: 1, about: ['x'], count: 1 })).toEqual(['tasks[1].clarification: unknown field "count"']);
    expect(refusal(true)).toEqual(['tasks[1].clarification: must be an object, got true']);
  });

  it('has valid examples in docs/scenario-format.md, and the refusal it quotes is the real one', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/scenario-format.md', import.meta.url)), 'utf8');
    const section = doc.slice(doc.indexOf('### Clarification'));
    const examples = [...section.matchAll(/`(?:"clarification": )?(\{ "needed"[^`]*\})`/g)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(examples).toHaveLength(2);
    for (const e of examples) expect(() => validateScenarioPack(packWith(e), CATALOG)).not.toThrow();
    const quoted = /`tasks\[3\]\.clarification\.questions: ([^`]*)`/.exec(section)![1]!;
    expect(refusal({ needed: false, questions: 2, about: ['a', 'b'] })[0]).toContain(`tasks[1].clarification.questions: ${quoted}`);
  });

  it('is in the published JSON Schemas, with its bounds', () => {
    for (const { file, text } of schemaFiles().filter((f) => f.file.startsWith('scenario'))) {
      const doc = JSON.parse(text) as Record<string, unknown>;
      const props = file === 'scenario-pack.schema.json'
        ? ((((doc['properties'] as Record<string, { items: Record<string, unknown> }>)['tasks']!.items)['properties']) as Record<string, unknown>)
        : (doc['properties'] as Record<string, unknown>);
      expect(props['clarification'], file).toMatchObject({
        type: 'object',
        required: ['needed', 'questions', 'about'],
        additionalProperties: false,
        properties: { needed: { type: 'boolean' }, questions: { type: 'integer', minimum: 0 }, about: { type: 'array' } },
      });
    }
  });
});

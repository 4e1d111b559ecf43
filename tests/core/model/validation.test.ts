import { describe, expect, it } from 'vitest';
import {
  expandPack,
  validatePersona,
  validatePersonaSet,
  validateScenario,
  validateScenarioPack,
} from '../../../src/core/model/schema.ts';
import { formatPath, parseJsonText, ValidationError } from '../../../src/core/model/validation.ts';
import { CATALOG, makePack, makePersona, makePersonaSet, makeScenario } from '../fixtures.ts';

/** Runs `fn`, expecting a ValidationError; returns it. */
function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, but the input was accepted');
}

/** A deep copy of `value`, changed by `edit`. Inputs arrive as untyped JSON. */
function edited<T>(value: T, edit: (v: any) => void): unknown {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1, 2]}', 'pack.json')).toEqual({ a: [1, 2] });
  });

  it('names the line and column of a syntax error', () => {
    const err = refusal(() => parseJsonText('{\n  "id": "x",\n}', 'pack.json'));
    expect(err.message).toMatch(/^pack\.json: not valid JSON at line 3, column 1: /);
    expect(err.source).toBe('pack.json');
    expect(err.name).toBe('ValidationError');
  });

  it('names the line and column of an unexpected token', () => {
    // V8 words this error without a "position", unlike the trailing comma above.
    const err = refusal(() => parseJsonText('{\n  "id": "x",\n  "title": }', 'pack.json'));
    expect(err.message).toContain('line 3, column 12');
  });

  it('says where truncated input ends', () => {
    const err = refusal(() => parseJsonText('{\n  "id": "x",\n  "tasks": [', 'pack.json'));
    expect(err.message).toContain('not valid JSON');
    expect(err.message).toContain('line 3');
  });
});

describe('validatePersona', () => {
  it('accepts a valid persona and returns it', () => {
    expect(validatePersona(makePersona())).toEqual(makePersona());
  });

  it('names a missing required field', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => delete p.name), 'ana.json'));
    expect(err.message).toBe('ana.json: name: is required but missing (expected string)');
    expect(err.issues).toEqual([{ path: 'name', message: 'is required but missing (expected string)' }]);
  });

  it('names a trait out of range and the limit', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => (p.traits.patience = 9))));
    expect(err.message).toContain('traits.patience');
    expect(err.message).toContain('at most 5');
    expect(err.message).toContain('(got 9)');
    const low = refusal(() => validatePersona(edited(makePersona(), (p) => (p.traits.noise = 0))));
    expect(low.message).toContain('traits.noise: must be at least 1');
  });

  it('refuses a non-integer trait', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => (p.traits.clarity = 2.5))));
    expect(err.issues[0]!.path).toBe('traits.clarity');
  });

  it('names an unknown trait', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => (p.traits.charm = 3))));
    expect(err.message).toContain('traits: unknown field "charm"');
  });

  it('names a missing trait', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => delete p.traits.drift)));
    expect(err.message).toContain('traits.drift: is required but missing');
  });

  it('names a field of the wrong type with what it got', () => {
    const err = refusal(() => validatePersona(edited(makePersona(), (p) => (p.traits.patience = '3'))));
    expect(err.message).toContain('traits.patience: must be a number, got "3"');
    const name = refusal(() => validatePersona(edited(makePersona(), (p) => (p.name = 42))));
    expect(name.message).toContain('name: must be a string, got 42');
  });

  it('refuses a malformed id and an empty name', () => {
    const err = refusal(() =>
      validatePersona(
        edited(makePersona(), (p) => {
          p.id = ' spaced id';
          p.name = '';
        }),
      ),
    );
    expect(err.issues.map((i) => i.path)).toEqual(['id', 'name']);
    expect(err.message).toContain('name: must not be empty');
  });
});

describe('validatePersonaSet', () => {
  it('accepts a valid set', () => {
    expect(validatePersonaSet(makePersonaSet()).personas).toHaveLength(3);
  });

  it('names duplicate persona ids', () => {
    const err = refusal(() => validatePersonaSet(edited(makePersonaSet(), (s) => (s.personas[2].id = 'baseline'))));
    expect(err.issues).toEqual([{ path: 'personas[2].id', message: 'duplicate id "baseline"' }]);
  });

  it('names the path of a bad persona inside the set', () => {
    const err = refusal(() => validatePersonaSet(edited(makePersonaSet(), (s) => (s.personas[1].traits.emotion = 6))));
    expect(err.message).toContain('personas[1].traits.emotion: must be at most 5');
  });

  it('refuses a wrong format version', () => {
    const err = refusal(() => validatePersonaSet(edited(makePersonaSet(), (s) => (s.formatVersion = 2))));
    expect(err.issues[0]!.path).toBe('formatVersion');
  });
});

describe('validateScenarioPack', () => {
  it('accepts a valid pack and expands it into scenarios', () => {
    const pack = validateScenarioPack(makePack(), CATALOG);
    const scenarios = expandPack(pack);
    expect(scenarios.map((s) => [s.id, s.domain, s.packId])).toEqual([
      ['upgrade-plan', 'acme', 'acme-pack'],
      ['downgrade-plan', 'acme', 'acme-pack'],
    ]);
    expect(scenarios[0]!.agent.tools.map((t) => t.name)).toEqual(['get_account', 'set_plan', 'crash', 'transfer_to_human']);
    expect(scenarios[1]!.initialDb).toEqual(pack.db);
    // Each expanded scenario is itself a valid scenario.
    for (const s of scenarios) expect(validateScenario(s, CATALOG)).toEqual(s);
  });

  it('names a gold action that references an undeclared tool', () => {
    const err = refusal(() =>
      validateScenarioPack(
        edited(makePack(), (p) => (p.tasks[0].evaluation.goldActions[1].name = 'delete_account')),
        CATALOG,
      ),
    );
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe('tasks[0].evaluation.goldActions[1].name');
    expect(err.message).toContain('"delete_account"');
  });

  it('names a goal request that references an undeclared tool', () => {
    const err = refusal(() =>
      validateScenarioPack(edited(makePack(), (p) => (p.tasks[1].user.goal.requests[0].tool = 'nope')), CATALOG),
    );
    expect(err.issues[0]!.path).toBe('tasks[1].user.goal.requests[0].tool');
  });

  it('names a declared tool that the domain does not implement', () => {
    const err = refusal(() =>
      validateScenarioPack(
        edited(makePack(), (p) => p.tools.push({ ...p.tools[0], name: 'cancel_contract' })),
        CATALOG,
      ),
    );
    expect(err.issues[0]!.path).toBe('tools[4].name');
    expect(err.message).toContain('does not exist in domain "acme"');
  });

  it('names an unknown domain', () => {
    const err = refusal(() => validateScenarioPack(edited(makePack(), (p) => (p.domain = 'bank')), CATALOG));
    expect(err.issues.map((i) => i.path)).toEqual(['domain']);
    expect(err.message).toContain('unknown domain "bank"');
  });

  it('names duplicate task ids and duplicate tools', () => {
    const err = refusal(() =>
      validateScenarioPack(
        edited(makePack(), (p) => {
          p.tasks[1].id = 'upgrade-plan';
          p.tools.push(structuredClone(p.tools[1]));
        }),
        CATALOG,
      ),
    );
    expect(err.issues).toContainEqual({ path: 'tasks[1].id', message: 'duplicate id "upgrade-plan"' });
    expect(err.issues).toContainEqual({ path: 'tools[4].name', message: 'duplicate tool "set_plan"' });
  });

  it('names schema problems deep inside a task', () => {
    const err = refusal(() =>
      validateScenarioPack(
        edited(makePack(), (p) => {
          p.tasks[1].difficulty = 'extreme';
          p.tasks[0].user.goal.requests = [];
          p.tasks[0].evaluation.rewardBasis = ['DB', 'VIBES'];
        }),
        CATALOG,
      ),
    );
    const paths = err.issues.map((i) => i.path);
    expect(paths).toContain('tasks[1].difficulty');
    expect(paths).toContain('tasks[0].user.goal.requests');
    expect(paths).toContain('tasks[0].evaluation.rewardBasis[1]');
    expect(err.message).toContain('tasks[1].difficulty: must be one of "easy", "medium", "hard" (got "extreme")');
  });

  it('names tool parameters that are not an object schema', () => {
    const err = refusal(() => validateScenarioPack(edited(makePack(), (p) => (p.tools[2].parameters = { type: 'array' })), CATALOG));
    expect(err.issues[0]!.path).toBe('tools[2].parameters.type');
  });

  it('refuses input that is not an object at all', () => {
    const err = refusal(() => validateScenarioPack([], CATALOG, 'x.json'));
    expect(err.message).toMatch(/^x\.json: /);
    expect(err.issues[0]!.message).toContain('must be an object');
  });

  it('summarizes many problems after the first five', () => {
    const err = refusal(() =>
      validateScenarioPack(
        edited(makePack(), (p) => {
          for (const k of ['id', 'title', 'description', 'policy', 'db', 'tools', 'tasks']) delete p[k];
        }),
        CATALOG,
      ),
    );
    expect(err.issues).toHaveLength(7);
    expect(err.message).toMatch(/\(and 2 more\)$/);
  });
});

describe('validateScenario', () => {
  it('accepts a valid scenario', () => {
    expect(validateScenario(makeScenario(), CATALOG).id).toBe('upgrade-plan');
  });

  it('names a tool the domain does not implement', () => {
    const err = refusal(() =>
      validateScenario(
        edited(makeScenario(), (s) => (s.agent.tools[1].name = 'set_tariff')),
        CATALOG,
        'upgrade.json',
      ),
    );
    expect(err.issues).toContainEqual(expect.objectContaining({ path: 'agent.tools[1].name' }));
    expect(err.message).toContain('tool "set_tariff" does not exist in domain "acme"');
  });

  it('names a gold action that references an undeclared tool, without a task prefix', () => {
    const err = refusal(() =>
      validateScenario(edited(makeScenario(), (s) => (s.evaluation.goldActions[0].name = 'lookup')), CATALOG),
    );
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'evaluation.goldActions[0].name' }),
    ]);
  });

  it('refuses unknown fields', () => {
    const err = refusal(() => validateScenario(edited(makeScenario(), (s) => (s.user.secret = 'x')), CATALOG));
    expect(err.message).toContain('user: unknown field "secret"');
  });

  it('refuses a scenario without tools', () => {
    const err = refusal(() => validateScenario(edited(makeScenario(), (s) => (s.agent.tools = [])), CATALOG));
    expect(err.message).toContain('agent.tools: needs at least 1 items (got 0)');
  });
});

describe('formatPath', () => {
  it('joins keys with dots and indices with brackets', () => {
    expect(formatPath(['tasks', 2, 'user', 'goal', 'requests', 0, 'tool'])).toBe('tasks[2].user.goal.requests[0].tool');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { validatePersona, validatePersonaSet } from '../../../src/core/model/schema.ts';
import { ValidationError } from '../../../src/core/model/validation.ts';
import { MAX_CONTROL_TURN, MAX_POLICY_CHARS } from '../../../src/core/personas/limits.ts';
import { makePersona, makePersonaSet } from '../fixtures.ts';

/** The ValidationError `fn` throws; fails the test when it throws nothing or something else. */
function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, got none');
}

/** A valid persona as plain JSON, changed by `edit`. */
function persona(edit: (p: Record<string, any>) => void = () => {}): unknown {
  const p = structuredClone(makePersona('p1')) as Record<string, any>;
  edit(p);
  return p;
}

describe('persona files: bad input is refused with the path and the problem', () => {
  it('accepts a persona with dynamic controls', () => {
    const ok = validatePersona(
      persona((p) => {
        p.controls = [
          { when: { type: 'turn', turn: MAX_CONTROL_TURN }, set: { patience: 1 }, note: 'late' },
          { when: { type: 'unhelpful', count: 2 }, set: { emotion: 5, cooperativeness: 2 } },
          { when: { type: 'tool_error', count: 1 }, set: { emotion: 4 } },
        ];
      }),
    );
    expect(ok.controls).toHaveLength(3);
  });

  it('an unknown trait', () => {
    const err = refusal(() => validatePersona(persona((p) => (p.traits.charm = 3)), 'p.json'));
    expect(err.issues).toEqual([{ path: 'traits', message: expect.stringMatching(/^unknown field "charm": not a trait \(traits are: patience, /) }]);
    expect(err.message).toMatch(/^p\.json: traits: unknown field "charm"/);
    // Also inside a control.
    const inControl = refusal(() => validatePersona(persona((p) => (p.controls = [{ when: { type: 'turn', turn: 2 }, set: { charm: 1 } }]))));
    expect(inControl.issues).toContainEqual({ path: 'controls[0].set', message: expect.stringMatching(/^unknown field "charm": not a trait/) });
  });

  it('a value out of range', () => {
    const err = refusal(() => validatePersona(persona((p) => (p.traits.patience = 9))));
    expect(err.issues).toEqual([{ path: 'traits.patience', message: 'must be at most 5 (got 9)' }]);
    const low = refusal(() => validatePersona(persona((p) => (p.controls = [{ when: { type: 'turn', turn: 2 }, set: { emotion: 0 } }]))));
    expect(low.issues).toEqual([{ path: 'controls[0].set.emotion', message: 'must be at least 1 (got 0)' }]);
  });

  it('a missing name', () => {
    const err = refusal(() => validatePersona(persona((p) => delete p.name)));
    expect(err.issues).toEqual([{ path: 'name', message: 'is required but missing (expected string)' }]);
  });

  it('a schedule that points past the maximum turns', () => {
    const err = refusal(() => validatePersona(persona((p) => (p.controls = [{ when: { type: 'turn', turn: 250 }, set: { patience: 1 } }]))));
    expect(err.issues).toEqual([
      {
        path: 'controls[0].when.turn',
        message: `the schedule points past the maximum turn: user turn 250 is after turn ${MAX_CONTROL_TURN}, the latest a control may name`,
      },
    ]);
  });

  it('a policy longer than the limit', () => {
    const err = refusal(() => validatePersona(persona((p) => (p.policy = 'x'.repeat(MAX_POLICY_CHARS + 500)))));
    expect(err.issues).toEqual([{ path: 'policy', message: `is too long: at most ${MAX_POLICY_CHARS} characters (got ${MAX_POLICY_CHARS + 500})` }]);
  });

  it('controls that change nothing, an unknown trigger, or a count of zero', () => {
    const err = refusal(() =>
      validatePersona(
        persona((p) => {
          p.controls = [
            { when: { type: 'turn', turn: 2 }, set: {} },
            { when: { type: 'moon' }, set: { patience: 1 } },
            { when: { type: 'unhelpful', count: 0 }, set: { patience: 1 } },
          ];
        }),
      ),
    );
    expect(err.issues.map((i) => i.path)).toEqual(['controls[0].set', 'controls[1].when.type', 'controls[2].when.count']);
    expect(err.issues[0]!.message).toBe('must change at least one trait');
  });

  it('reports every problem of a file at once, with paths inside a set', () => {
    const set = structuredClone(makePersonaSet()) as Record<string, any>;
    set.personas[1].traits.charm = 2;
    set.personas[1].traits.patience = 7;
    delete set.personas[2].name;
    set.personas[0].controls = [{ when: { type: 'turn', turn: 101 }, set: { patience: 1 } }];
    set.personas[2].policy = 'y'.repeat(MAX_POLICY_CHARS + 1);
    const err = refusal(() => validatePersonaSet(set, 'set.json'));
    expect(err.issues.map((i) => i.path).sort()).toEqual(
      ['personas[0].controls[0].when.turn', 'personas[1].traits', 'personas[1].traits.patience', 'personas[2].name', 'personas[2].policy'].sort(),
    );
  });
});

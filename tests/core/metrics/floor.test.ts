import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../../src/core/model/types.ts';
import { REFUSE_ALL_VERSION } from '../../../src/core/agents/refuse-all.ts';
import { computeFloor, floorIsCurrent, floorOfTasks, floorPersonas, type PackFloor } from '../../../src/core/metrics/floor.ts';
import { AGENDA_VERSION } from '../../../src/core/users/agenda.ts';
import { ACME_DOMAIN, makeScenario, PERSONAS, scenarioWith } from '../fixtures.ts';

/** Asks for a downgrade the policy forbids: the right outcome is no change and nothing to say. */
function refusedDowngrade(): Scenario {
  return scenarioWith((s) => {
    s.id = 'refused-downgrade';
    s.user.knownInfo = { account_id: 'B2', plan: 'basic' };
    s.user.taskInstructions = 'You want account B2 moved to the basic plan; you accept a refusal.';
    s.user.goal = {
      requests: [{ type: 'action', utterance: 'move B2 to the basic plan', tool: 'set_plan', expect: { account_id: 'account_id', plan: 'plan' } }],
      acceptsRefusal: true,
    };
    s.evaluation = { goldActions: [], envAssertions: [], communicateInfo: [], nlAssertions: [], rewardBasis: ['DB'] };
  });
}

const pack = () => [makeScenario(), refusedDowngrade()];
const personas = [PERSONAS.impatient, PERSONAS.baseline, PERSONAS.reluctant];

describe('computeFloor', () => {
  it('passes the task whose right outcome is no change and fails the one that needs a write', async () => {
    const progress: [number, number][] = [];
    const floor = await computeFloor(pack(), personas, { domain: ACME_DOMAIN, onProgress: (d, n) => void progress.push([d, n]) });
    expect(floor).toEqual({
      agent: REFUSE_ALL_VERSION,
      user: AGENDA_VERSION,
      personas: ['baseline'],
      seed: floor.seed,
      maxTurns: floor.maxTurns,
      passed: 1,
      total: 2,
      tasksPassed: ['refused-downgrade'],
      errors: 0,
    });
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(floorIsCurrent(floor)).toBe(true);
    expect(floorIsCurrent({ ...floor, user: 'agenda-0' })).toBe(false);
    expect(floorIsCurrent(undefined)).toBe(false);
  });

  it('is the same every time: one trial, a fixed seed', async () => {
    const a = await computeFloor(pack(), personas, { domain: ACME_DOMAIN });
    const b = await computeFloor(pack(), personas, { domain: ACME_DOMAIN });
    expect(b).toEqual(a);
  });

  it('plays every persona asked for and counts a task passed when any of them passed it', async () => {
    const progress: number[] = [];
    const floor = await computeFloor(pack(), personas, {
      domain: ACME_DOMAIN,
      personaIds: personas.map((p) => p.id),
      onProgress: (d) => void progress.push(d),
    });
    expect(floor.personas).toEqual(['impatient', 'baseline', 'reluctant']);
    expect(progress).toHaveLength(6);
    expect(floor).toMatchObject({ passed: 1, total: 2, tasksPassed: ['refused-downgrade'] });
  });

  it('counts a session cut at the turn limit as failed: the task is not passed for nothing', async () => {
    const floor = await computeFloor(pack(), personas, { domain: ACME_DOMAIN, maxTurns: 2 });
    expect(floor).toMatchObject({ passed: 0, total: 2, tasksPassed: [], maxTurns: 2 });
  });

  it('stops when aborted, and needs a persona', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(computeFloor(pack(), personas, { domain: ACME_DOMAIN, signal: ctrl.signal })).rejects.toThrow();
    await expect(computeFloor(pack(), [], { domain: ACME_DOMAIN })).rejects.toThrow(/No persona/);
  });
});

describe('floorPersonas', () => {
  it('takes baseline when there is one, else the first; or exactly those asked for', () => {
    expect(floorPersonas(personas).map((p) => p.id)).toEqual(['baseline']);
    expect(floorPersonas([PERSONAS.terse, PERSONAS.vague]).map((p) => p.id)).toEqual(['terse']);
    expect(floorPersonas(personas, ['reluctant']).map((p) => p.id)).toEqual(['reluctant']);
  });
});

describe('floorOfTasks', () => {
  const floor = (tasksPassed: string[], total: number): PackFloor => ({
    agent: REFUSE_ALL_VERSION,
    user: AGENDA_VERSION,
    personas: ['baseline'],
    seed: 1,
    maxTurns: 40,
    passed: tasksPassed.length,
    total,
    tasksPassed,
    errors: 0,
  });

  it('scores each task by its own pack, over only the tasks given, and counts the unknown', () => {
    const a = floor(['a1', 'a3'], 4);
    const b = floor([], 2);
    const packOf: Record<string, PackFloor | undefined> = { a1: a, a2: a, a3: a, a4: a, b1: b, b2: b, c1: undefined };
    expect(floorOfTasks(['a1', 'a2', 'a3', 'a4'], (id) => packOf[id])).toEqual({ passed: 2, total: 4, unknown: 0 });
    expect(floorOfTasks(['a2', 'a3'], (id) => packOf[id])).toEqual({ passed: 1, total: 2, unknown: 0 });
    expect(floorOfTasks(['a1', 'b1', 'b2', 'c1', 'zz'], (id) => packOf[id])).toEqual({ passed: 1, total: 3, unknown: 2 });
  });
});

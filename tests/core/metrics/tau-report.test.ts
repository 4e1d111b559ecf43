import { describe, expect, it } from 'vitest';
import { tauReport, taskPassHat, type TauSessionInput } from '../../../src/core/metrics/tau-report.ts';
import type { Outcome, ScoreFlag } from '../../../src/core/model/types.ts';

const s = (
  scenarioId: string,
  outcome: Outcome,
  extra: { strict?: 0 | 1; flags?: ScoreFlag[]; termination?: TauSessionInput['termination']; personaId?: string } = {},
): TauSessionInput => ({
  scenarioId,
  personaId: extra.personaId ?? 'p',
  outcome,
  ...(extra.termination ? { termination: extra.termination } : {}),
  score: { strictReward: extra.strict ?? (outcome === 'pass' ? 1 : 0), flags: extra.flags ?? [] },
});

/**
 * Three tasks, three trials each:
 *   t1: pass, pass (the final state matched but the write was never made), fail → c = 2, strict 1
 *   t2: pass × 3                                                                → c = 3, strict 3
 *   t3: fail, error, fail                                                       → c = 0
 * plus an aborted and a running session, which do not count.
 */
const SESSIONS: TauSessionInput[] = [
  s('t1', 'pass'),
  s('t1', 'pass', { strict: 0, flags: ['db_right_info_missing'] }),
  s('t1', 'fail', { flags: ['info_conveyed_db_wrong'] }),
  s('t2', 'pass'),
  s('t2', 'pass'),
  s('t2', 'pass', { flags: ['db_right_info_missing'] }),
  s('t3', 'fail'),
  s('t3', 'error', { termination: 'agent_error' }),
  s('t3', 'fail'),
  s('t3', 'error', { termination: 'aborted' }),
  s('t2', 'running'),
];

describe('tauReport', () => {
  const r = tauReport(SESSIONS, { seed: 11 });

  it('averages the per-task pass^k for k = 1 … n (hand-computed)', () => {
    expect(r.tasks).toBe(3);
    expect(r.sessions).toBe(9);
    expect(r.maxK).toBe(3);
    // t1: 2/3, 1/3, 0; t2: 1, 1, 1; t3: 0, 0, 0.
    expect(r.rows.map((row) => row.k)).toEqual([1, 2, 3]);
    expect(r.rows[0]!.passHat.value).toBeCloseTo(5 / 9, 12);
    expect(r.rows[1]!.passHat.value).toBeCloseTo(4 / 9, 12);
    expect(r.rows[2]!.passHat.value).toBeCloseTo(1 / 3, 12);
  });

  it('gives the strict variant from the sessions whose gold writes were made', () => {
    // t1 strict c = 1: 1/3, 0, 0; t2: 1, 1, 1; t3: 0.
    expect(r.rows.map((row) => row.strict.value)).toEqual([4 / 9, 1 / 3, 1 / 3].map((v) => expect.closeTo(v, 12)));
    expect(r.perTask.find((t) => t.scenarioId === 't1')).toMatchObject({ trials: 3, passes: 2, strictPasses: 1 });
  });

  it('gives each task its pass^k with the Wilson interval mapped through p^k', () => {
    const t1 = r.perTask.find((t) => t.scenarioId === 't1')!;
    expect(t1.passHat).toHaveLength(3);
    // Wilson 95% for 2/3 is [0.20766, 0.93851]; squared for k = 2.
    expect(t1.passHat[1]!.value).toBeCloseTo(1 / 3, 12);
    expect(t1.passHat[1]!.lower).toBeCloseTo(0.0431225, 6);
    expect(t1.passHat[1]!.upper).toBeCloseTo(0.8807974, 6);
    // Strict, 1/3 at k = 1: Wilson [0.06149, 0.79234].
    expect(t1.strict[0]!.lower).toBeCloseTo(0.0614919, 6);
    expect(t1.strict[0]!.upper).toBeCloseTo(0.7923404, 6);
    const t2 = r.perTask.find((t) => t.scenarioId === 't2')!;
    // 3/3 at k = 3: [0.43850³, 1].
    expect(t2.passHat[2]).toEqual({ value: 1, lower: expect.closeTo(0.0843175, 6), upper: 1 });
  });

  it('bootstraps the average over tasks: with values {2/3, 1, 0} the 95% interval is [0, 1]', () => {
    // A resample of three zeros (or three ones) has chance 1/27 ≈ 3.7% > 2.5%, so the
    // percentile interval reaches both ends.
    expect(r.rows[0]!.passHat).toMatchObject({ lower: 0, upper: 1 });
    for (const row of r.rows) {
      for (const e of [row.passHat, row.strict]) {
        expect(e.lower).toBeLessThanOrEqual(e.value);
        expect(e.upper).toBeGreaterThanOrEqual(e.value);
      }
    }
  });

  it('is deterministic for a seed and records how it was computed', () => {
    expect(tauReport(SESSIONS, { seed: 11 })).toEqual(r);
    expect(r).toMatchObject({ seed: 11, iterations: 2000, confidence: 0.95 });
  });

  it('narrows the average interval as the bound falls with k, using the same resamples', () => {
    const many = Array.from({ length: 12 }, (_, i) => i).flatMap((i) =>
      Array.from({ length: 4 }, (_, trial) => s(`t${i}`, (i + trial) % 3 === 0 ? 'fail' : 'pass')),
    );
    const rep = tauReport(many, { seed: 5 });
    expect(rep.maxK).toBe(4);
    for (let k = 1; k < rep.rows.length; k++) {
      expect(rep.rows[k]!.passHat.value).toBeLessThanOrEqual(rep.rows[k - 1]!.passHat.value);
      expect(rep.rows[k]!.passHat.upper).toBeLessThanOrEqual(rep.rows[k - 1]!.passHat.upper + 1e-12);
      expect(rep.rows[k]!.passHat.lower).toBeLessThanOrEqual(rep.rows[k - 1]!.passHat.lower + 1e-12);
    }
    // Real width with twelve mixed tasks.
    expect(rep.rows[0]!.passHat.upper - rep.rows[0]!.passHat.lower).toBeGreaterThan(0.05);
  });

  it('computes the flip rate over tasks with two or more trials (hand-computed)', () => {
    // Only t1 has both passes and failures: 1 of 3. Pairwise: t1 2·2·1/(3·2) = 2/3, others 0.
    expect(r.flipRate).toMatchObject({ value: 1 / 3, flipped: 1, eligible: 3 });
    expect(r.flipRate.pairwise).toBeCloseTo(2 / 9, 12);
    expect(r.flipRate.lower).toBeGreaterThan(0);
    expect(r.flipRate.upper).toBeLessThan(1);
    expect(r.perTask.map((t) => t.flipped)).toEqual([true, false, false]);
  });

  it('counts the flags over counted sessions and per task', () => {
    expect(r.flags).toEqual({ db_right_info_missing: 2, info_conveyed_db_wrong: 1 });
    expect(r.perTask[0]!.flags).toEqual({ db_right_info_missing: 1, info_conveyed_db_wrong: 1 });
  });

  it('treats a persona as part of the task', () => {
    const rep = tauReport([s('t', 'pass', { personaId: 'a' }), s('t', 'fail', { personaId: 'b' })]);
    expect(rep.tasks).toBe(2);
    expect(rep.rows[0]!.passHat.value).toBe(0.5);
  });

  it('takes k only up to the fewest trials any task has', () => {
    const rep = tauReport([s('a', 'pass'), s('a', 'pass'), s('a', 'fail'), s('b', 'pass'), s('b', 'fail')]);
    expect(rep.maxK).toBe(2);
    expect(rep.perTask[0]!.passHat).toHaveLength(3);
  });

  it('reports a single task with its own interval, and nothing at all with no sessions', () => {
    const one = tauReport([s('a', 'pass'), s('a', 'fail'), s('a', 'pass')]);
    expect(one.rows[1]!.passHat).toEqual(taskPassHat(3, 2, 2));
    const none = tauReport([s('a', 'running')]);
    expect(none).toMatchObject({ tasks: 0, sessions: 0, maxK: 0, rows: [], perTask: [] });
    expect(none.flipRate).toMatchObject({ value: null, pairwise: null, eligible: 0 });
  });

  it('counts a pass scored before the strict reward existed as a strict pass, and says how many', () => {
    const old: TauSessionInput = { scenarioId: 'a', personaId: 'p', outcome: 'pass', score: {} };
    const rep = tauReport([old, s('a', 'fail')]);
    expect(rep.strictUnknown).toBe(1);
    expect(rep.rows[0]!.strict.value).toBe(0.5);
  });

  it('counts sessions whose reward left out a criterion that could not be scored', () => {
    const withNl = (result: 'pass' | 'not_scored', inBasis = true): TauSessionInput => ({
      scenarioId: 'a',
      personaId: 'p',
      outcome: 'pass',
      score: { strictReward: 1, criteria: [{ criterion: 'DB', inBasis: true, result: 'pass' }, { criterion: 'NL_ASSERTION', inBasis, result }] },
    });
    const rep = tauReport([withNl('not_scored'), withNl('pass'), withNl('not_scored', false), withNl('not_scored')]);
    expect(rep.unscored).toBe(2);
    expect(r.unscored).toBe(0);
  });
});

describe('tauReport: the pass^k average (also the run page headline bars)', () => {
  const at = (scenarioId: string, personaId: string, outcome: Outcome, termination?: TauSessionInput['termination']): TauSessionInput => ({
    scenarioId,
    personaId,
    outcome,
    ...(termination ? { termination } : {}),
  });

  it('averages the per-pair estimator over pairs, up to the fewest trials', () => {
    const report = tauReport([
      // pair (a, p): 2 of 3 passed; pair (b, p): 3 of 3; pair (a, q): 1 of 2 (+ an aborted one)
      at('a', 'p', 'pass'), at('a', 'p', 'pass'), at('a', 'p', 'fail'),
      at('b', 'p', 'pass'), at('b', 'p', 'pass'), at('b', 'p', 'pass'),
      at('a', 'q', 'pass'), at('a', 'q', 'fail'), at('a', 'q', 'error', 'aborted'),
    ]);
    expect(report.rows.map((r) => r.k)).toEqual([1, 2]);
    expect(report.rows[0]!.passHat.value).toBeCloseTo((2 / 3 + 1 + 1 / 2) / 3);
    // pass^2: (a,p) C(2,2)/C(3,2) = 1/3; (b,p) 1; (a,q) C(1,2)/C(2,2) = 0
    expect(report.rows[1]!.passHat.value).toBeCloseTo((1 / 3 + 1 + 0) / 3);
    expect(report.tasks).toBe(3);
  });

  it('has no rows when nothing has finished', () => {
    expect(tauReport([at('a', 'p', 'running')]).rows).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../../../src/core/index.ts';
import { bootstrap } from '../../../src/core/stats/bootstrap.ts';
import {
  clusterMeanIntervals,
  hierarchicalBootstrap,
  noiseFloor,
  pairedDifference,
  planTrials,
} from '../../../src/core/stats/hierarchical.ts';
import { passHatK } from '../../../src/core/stats/passk.ts';
import { mulberry32, type Rng } from '../../../src/core/stats/rng.ts';

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};
const bernoulli = (rng: Rng, p: number, n: number) => Array.from({ length: n }, () => (rng() < p ? 1 : 0));
/** Beta(a, b) for whole a, b: the a-th smallest of a + b − 1 uniforms. */
function betaInt(rng: Rng, a: number, b: number): number {
  const u = Array.from({ length: a + b - 1 }, () => rng()).sort((x, y) => x - y);
  return u[a - 1]!;
}
const covers = (iv: { lower: number; upper: number }, truth: number) => iv.lower <= truth && truth <= iv.upper;

/**
 * The contrast of the coverage test: resample tasks, then each chosen task's trials again with
 * replacement. It counts the trial noise twice (once in the spread of the task means, once in the
 * second resampling), so it is too wide.
 */
function twoLevelBootstrap(groups: readonly (readonly number[])[], rng: Rng, iterations: number): { lower: number; upper: number } {
  const T = groups.length;
  const reps = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    let s = 0;
    for (let i = 0; i < T; i++) {
      const g = groups[Math.floor(rng() * T)]!;
      let m = 0;
      for (let j = 0; j < g.length; j++) m += g[Math.floor(rng() * g.length)]!;
      s += m / g.length;
    }
    reps[b] = s / T;
  }
  reps.sort();
  return { lower: core.quantileSorted(reps, 0.025), upper: core.quantileSorted(reps, 0.975) };
}

describe('hierarchicalBootstrap: coverage on synthetic data with a known truth', () => {
  /*
   * Each experiment draws 40 new tasks from a population and runs 8 trials of each, for two
   * agents. Agent A's task success probability is p ~ Beta(3, 5) (mean 0.375, tasks from nearly
   * hopeless to nearly sure). Agent B differs per task: with probability 0.25 B fixes part of
   * what A misses (p_B = p + (1 − p)·U), with probability 0.15 B breaks part of what A does
   * (p_B = p·(1 − V)), otherwise p_B = p; U, V uniform. So the differences vary from task to task.
   *
   * The truth is the population's: μ_A = E[p] = 3/8, and E[p_B − p] = 0.25·E[1 − p]/2 −
   * 0.15·E[p]/2 = 0.05. That is what a cluster bootstrap's interval is for: its variance, the
   * spread of the task means, estimates (σ²_between + σ²_within/n)/T, the variance of the run's
   * mean over experiments that draw new tasks and new trials. (Against the mean of the drawn
   * tasks' own p it would be conservative: that target varies only by trial noise.)
   *
   * Beta(3, 5) with 8 trials makes the two variance parts equal (Var p = E[p(1−p)]/8), where both
   * wrong bootstraps are clearly wrong: the flat one drops the between-task part of the
   * correlation, the two-level one adds the within-task part again.
   */
  const EXPERIMENTS = 400;
  const T = 40;
  const N = 8;
  const ITER = 500;
  const MU_A = 3 / 8;
  const TRUE_DIFF = (0.25 * (1 - MU_A)) / 2 - (0.15 * MU_A) / 2;

  const hits = { cluster: 0, flat: 0, twoLevel: 0, clusterD: 0, flatD: 0, twoLevelD: 0 };
  const width = { cluster: 0, flat: 0, twoLevel: 0 };
  beforeAll(() => {
    const data = mulberry32(7);
    for (let e = 0; e < EXPERIMENTS; e++) {
      const a: number[][] = [];
      const b: number[][] = [];
      const d: number[][] = [];
      for (let t = 0; t < T; t++) {
        const p = betaInt(data, 3, 5);
        const r = data();
        const pb = r < 0.25 ? p + (1 - p) * data() : r < 0.4 ? p * (1 - data()) : p;
        const ta = bernoulli(data, p, N);
        const tb = bernoulli(data, pb, N);
        a.push(ta);
        b.push(tb);
        d.push(tb.map((x, i) => x - ta[i]!));
      }
      const rng = mulberry32(1000 + e);
      const c = hierarchicalBootstrap(a, { rng, iterations: ITER });
      const f = bootstrap(a.flat(), { rng, iterations: ITER });
      const w = twoLevelBootstrap(a, rng, ITER);
      if (covers(c, MU_A)) hits.cluster++;
      if (covers(f, MU_A)) hits.flat++;
      if (covers(w, MU_A)) hits.twoLevel++;
      width.cluster += c.upper - c.lower;
      width.flat += f.upper - f.lower;
      width.twoLevel += w.upper - w.lower;
      const keys = a.map((_, i) => `task-${i}`);
      const pd = pairedDifference(new Map(keys.map((k, i) => [k, a[i]!])), new Map(keys.map((k, i) => [k, b[i]!])), { rng, iterations: ITER });
      // Flat over sessions: each paired session's difference as an independent draw.
      const fd = bootstrap(d.flat(), { rng, iterations: ITER });
      const wd = twoLevelBootstrap(d, rng, ITER);
      if (covers(pd, TRUE_DIFF)) hits.clusterD++;
      if (covers(fd, TRUE_DIFF)) hits.flatD++;
      if (covers(wd, TRUE_DIFF)) hits.twoLevelD++;
    }
  }, 60_000);
  const rate = (n: number) => n / EXPERIMENTS;

  it('covers the population mean in 92–97% of experiments', () => {
    expect(rate(hits.cluster)).toBeGreaterThanOrEqual(0.92);
    expect(rate(hits.cluster)).toBeLessThanOrEqual(0.97);
  });

  it('covers the population mean difference in 92–97% of experiments', () => {
    expect(rate(hits.clusterD)).toBeGreaterThanOrEqual(0.92);
    expect(rate(hits.clusterD)).toBeLessThanOrEqual(0.97);
  });

  it('a flat bootstrap over sessions covers clearly less (too narrow)', () => {
    expect(rate(hits.flat)).toBeLessThan(0.9);
    expect(rate(hits.flat)).toBeLessThan(rate(hits.cluster) - 0.04);
    expect(rate(hits.flatD)).toBeLessThan(0.91);
    expect(rate(hits.flatD)).toBeLessThan(rate(hits.clusterD) - 0.03);
    expect(width.flat / width.cluster).toBeLessThan(0.85);
  });

  it('a two-level bootstrap covers clearly more (too wide)', () => {
    expect(rate(hits.twoLevel)).toBeGreaterThan(0.97);
    expect(rate(hits.twoLevel)).toBeGreaterThan(rate(hits.cluster) + 0.02);
    expect(rate(hits.twoLevelD)).toBeGreaterThan(0.97);
    expect(rate(hits.twoLevelD)).toBeGreaterThan(rate(hits.clusterD) + 0.02);
    expect(width.twoLevel / width.cluster).toBeGreaterThan(1.1);
  });
});

describe('hierarchicalBootstrap', () => {
  const rng = mulberry32(3);
  const groups = Array.from({ length: 12 }, (_, t) => bernoulli(rng, t / 12, 5));

  it('is exported from the core', () => {
    expect(core.hierarchicalBootstrap).toBe(hierarchicalBootstrap);
    expect(core.pairedDifference).toBe(pairedDifference);
    expect(core.noiseFloor).toBe(noiseFloor);
    expect(core.planTrials).toBe(planTrials);
  });

  it('gives the same interval for the same seed, and another for another seed', () => {
    const a = hierarchicalBootstrap(groups, { rng: mulberry32(42), iterations: 500 });
    const b = hierarchicalBootstrap(groups, { rng: mulberry32(42), iterations: 500 });
    const c = hierarchicalBootstrap(groups, { rng: mulberry32(43), iterations: 500 });
    expect(b).toEqual(a);
    expect(c.lower === a.lower && c.upper === a.upper).toBe(false);
    expect(a.iterations).toBe(500);
  });

  it('estimates the mean over tasks of each task’s mean, not the mean over trials', () => {
    const uneven = [[1, 1, 1, 1], [0]];
    const r = hierarchicalBootstrap(uneven, { rng: mulberry32(1), iterations: 200 });
    expect(r.estimate).toBe(0.5);
    expect(r.lower).toBeLessThanOrEqual(r.estimate);
    expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
  });

  it('with one task, collapses to the estimate, as documented', () => {
    const r = hierarchicalBootstrap([[1, 0, 1, 1]], { rng: mulberry32(1), iterations: 300 });
    expect(r).toEqual({ estimate: 0.75, lower: 0.75, upper: 0.75, iterations: 300 });
    const median = hierarchicalBootstrap([[1, 0, 1]], { rng: mulberry32(1), statistic: (gs) => gs[0]!.length });
    expect(median).toMatchObject({ estimate: 3, lower: 3, upper: 3 });
  });

  it('with one trial per task, is the ordinary bootstrap over the outcomes (the same draws)', () => {
    const values = bernoulli(mulberry32(5), 0.4, 30);
    const h = hierarchicalBootstrap(values.map((v) => [v]), { rng: mulberry32(9), iterations: 800 });
    const f = bootstrap(values, { rng: mulberry32(9), iterations: 800 });
    expect(h).toEqual(f);
  });

  it('passes the resampled tasks to a statistic of one’s own', () => {
    // The first trial of each task: the same draws as a bootstrap over the first trials.
    const first = (gs: readonly (readonly number[])[]) => mean(gs.map((g) => g[0]!));
    const h = hierarchicalBootstrap(groups, { rng: mulberry32(4), iterations: 400, statistic: first });
    const f = bootstrap(groups.map((g) => g[0]!), { rng: mulberry32(4), iterations: 400 });
    expect(h.lower).toBeCloseTo(f.lower, 12);
    expect(h.upper).toBeCloseTo(f.upper, 12);
    expect(h.estimate).toBeCloseTo(f.estimate, 12);
    // And the tasks whole: a resample of 12 tasks has 60 trials.
    const size = hierarchicalBootstrap(groups, { rng: mulberry32(4), iterations: 50, statistic: (gs) => gs.flat().length });
    expect(size).toMatchObject({ estimate: 60, lower: 60, upper: 60 });
  });

  it('narrows with a lower confidence level', () => {
    const wide = hierarchicalBootstrap(groups, { rng: mulberry32(2), confidence: 0.95 });
    const narrow = hierarchicalBootstrap(groups, { rng: mulberry32(2), confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
  });

  it('refuses no tasks, a task without trials, values that are not finite and bad options', () => {
    const o = { rng: mulberry32(1) };
    expect(() => hierarchicalBootstrap([], o)).toThrow(RangeError);
    expect(() => hierarchicalBootstrap([[1], []], o)).toThrow(/task 1 has no trials/);
    expect(() => hierarchicalBootstrap([[1, Number.NaN]], o)).toThrow(RangeError);
    expect(() => hierarchicalBootstrap([[1]], { ...o, iterations: 0 })).toThrow(RangeError);
    expect(() => hierarchicalBootstrap([[1]], { ...o, confidence: 1 })).toThrow(RangeError);
  });
});

describe('clusterMeanIntervals', () => {
  it('gives each column the interval it would get alone, with the same seed', () => {
    const rng = mulberry32(8);
    const cols = [Float64Array.from({ length: 25 }, () => (rng() < 0.5 ? 1 : 0)), Float64Array.from({ length: 25 }, () => rng())];
    const together = clusterMeanIntervals(cols, { rng: mulberry32(1), iterations: 700 });
    for (let c = 0; c < cols.length; c++) {
      const alone = clusterMeanIntervals([cols[c]!], { rng: mulberry32(1), iterations: 700 })[0]!;
      expect(together[c]!.estimate).toBeCloseTo(alone.estimate, 12);
      expect(together[c]!.lower).toBeCloseTo(alone.lower, 12);
      expect(together[c]!.upper).toBeCloseTo(alone.upper, 12);
    }
  });
});

describe('pairedDifference', () => {
  const a = new Map([
    ['t1', [1, 1, 0, 0]],
    ['t2', [0, 0, 0, 0]],
    ['t3', [1, 1, 1, 1]],
    ['only-a', [1]],
    ['short', [1, 0]],
  ]);
  const b = new Map([
    ['t1', [1, 1, 1, 0]],
    ['t2', [1, 0, 1, 0]],
    ['t3', [1, 1, 1, 1]],
    ['short', [1, 1, 1]],
    ['only-b', [0, 0]],
  ]);

  it('averages b − a over the paired tasks and lists the ones left out', () => {
    const r = pairedDifference(a, b, { rng: mulberry32(1), iterations: 500 });
    // t1 +0.25, t2 +0.5, t3 0, short (1 − 0.5) = +0.5.
    expect(r.estimate).toBeCloseTo((0.25 + 0.5 + 0 + 0.5) / 4, 12);
    expect(r.pairedTasks).toBe(4);
    expect(r.onlyA).toEqual(['only-a']);
    expect(r.onlyB).toEqual(['only-b']);
    expect(r.tooFewTrials).toEqual([]);
    expect(r.lower).toBeLessThanOrEqual(r.estimate);
    expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
    expect(pairedDifference(a, b, { rng: mulberry32(1), iterations: 500 })).toEqual(r);
  });

  it('uses the unbiased pass^k for k > 1 and leaves out tasks with fewer than k trials', () => {
    const r = pairedDifference(a, b, { rng: mulberry32(1), iterations: 300, k: 3 });
    expect(r.tooFewTrials).toEqual(['short']);
    expect(r.pairedTasks).toBe(3);
    const d = (n: number, cb: number, ca: number) => passHatK(n, cb, 3) - passHatK(n, ca, 3);
    expect(r.estimate).toBeCloseTo((d(4, 3, 2) + d(4, 2, 0) + d(4, 4, 4)) / 3, 12);
  });

  it('with one paired task, collapses to its difference', () => {
    const r = pairedDifference(new Map([['x', [0, 1]]]), new Map([['x', [1, 1]]]), { rng: mulberry32(1), iterations: 100 });
    expect(r).toMatchObject({ estimate: 0.5, lower: 0.5, upper: 0.5, pairedTasks: 1 });
  });

  it('refuses no paired task, outcomes that are not 0/1 for pass^k, and a bad k', () => {
    expect(() => pairedDifference(new Map([['x', [1]]]), new Map([['y', [1]]]), { rng: mulberry32(1) })).toThrow(/no task pairs up/);
    expect(() => pairedDifference(new Map([['x', [0.5, 1]]]), new Map([['x', [1, 1]]]), { rng: mulberry32(1), k: 2 })).toThrow(/0\/1/);
    expect(() => pairedDifference(a, b, { rng: mulberry32(1), k: 0 })).toThrow(RangeError);
  });
});

describe('noiseFloor', () => {
  it('follows the formula: z · √(Σ s²_t (1/n_a + 1/n_b)) / T, with s² pooled around each side’s mean', () => {
    // Task 1: a = [1,0] (SS 0.5, df 1), b = [1,1,0,0] (SS 1, df 3) → s² = 1.5/4 = 0.375.
    // Task 2: a = [1,1] (SS 0), b = [0,0] (SS 0) → s² = 0 (the sides differ, but not within).
    const r = noiseFloor([[1, 0], [1, 1]], { other: [[1, 1, 0, 0], [0, 0]] });
    const v = 0.375 * (1 / 2 + 1 / 4) + 0;
    expect(r.standardError).toBeCloseTo(Math.sqrt(v) / 2, 12);
    expect(r.floor).toBeCloseTo(core.normalQuantile(0.95) * Math.sqrt(v) / 2, 9);
    expect(r).toMatchObject({ tasks: 2, trialsPerTask: 2.5, singleTrialTasks: 0, confidence: 0.95 });
    // One side: the other run is assumed to have as many trials.
    const one = noiseFloor([[1, 0, 1, 0]]);
    expect(one.standardError).toBeCloseTo(Math.sqrt((1 / 3) * (2 / 4)), 12);
  });

  it('pairs Maps by key, and lets single-trial tasks borrow the others’ variance', () => {
    const r = noiseFloor(new Map([['x', [1, 0]], ['y', [1]], ['z', [0, 0]]]), { other: new Map([['x', [0, 1]], ['y', [0]]]) });
    expect(r.tasks).toBe(2);
    expect(r.singleTrialTasks).toBe(1);
    // x: s² = 1/2 (pooled SS 1 over df 2); y borrows it.
    expect(r.standardError).toBeCloseTo(Math.sqrt(0.5 * (1 / 2 + 1 / 2) + 0.5 * (1 + 1)) / 2, 12);
    // No task with two trials: the variance of all values, which errs on the wide side.
    const all = noiseFloor([[1], [0], [1], [1]]);
    expect(all.withinVariance).toBeCloseTo(0.25, 12);
  });

  it('is exceeded by two runs of the same agent in about 5% of cases', () => {
    const rng = mulberry32(21);
    const SIMS = 1000;
    let pooledOver = 0;
    let oneSideOver = 0;
    for (let s = 0; s < SIMS; s++) {
      const ps = Array.from({ length: 40 }, () => betaInt(rng, 2, 3));
      const run1 = ps.map((p) => bernoulli(rng, p, 8));
      const run2 = ps.map((p) => bernoulli(rng, p, 8));
      const diff = Math.abs(mean(run2.map(mean)) - mean(run1.map(mean)));
      if (diff > noiseFloor(run1, { other: run2 }).floor) pooledOver++;
      if (diff > noiseFloor(run1).floor) oneSideOver++;
    }
    expect(pooledOver / SIMS).toBeGreaterThanOrEqual(0.03);
    expect(pooledOver / SIMS).toBeLessThanOrEqual(0.08);
    expect(oneSideOver / SIMS).toBeGreaterThanOrEqual(0.03);
    expect(oneSideOver / SIMS).toBeLessThanOrEqual(0.08);
  });
});

describe('planTrials', () => {
  it('estimates the variance components and solves for trials and tasks', () => {
    // Differences 0.5 and −0.5 on two tasks with no trial noise at all: all between-task.
    const a = new Map([['x', [0, 0]], ['y', [1, 1]]]);
    const b = new Map([['x', [1, 1]], ['y', [0, 0]]]);
    const p = planTrials(a, b, { halfWidth: 0.1 });
    expect(p.withinVariance).toBe(0);
    expect(p.betweenVariance).toBeCloseTo(2, 12); // sample variance of {1, −1}
    expect(p.reachableByTrials).toBe(false);
    expect(p.trialsPerTaskNeeded).toBeNull();
    const h2 = (0.1 / core.normalQuantile(0.95)) ** 2;
    expect(p.tasksNeeded).toBe(Math.ceil(2 / h2));
    expect(p.moreTasks).toBe(p.tasksNeeded - 2);
  });

  it('brings the interval near the target when the plan is followed', () => {
    // 40 tasks with 4 trials each; the plan for ±0.08 at 40 tasks; then new experiments with the
    // planned trials, whose bootstrap half-width should be near 0.08.
    const rng = mulberry32(31);
    const draw = (n: number) => {
      const a = new Map<string, number[]>();
      const b = new Map<string, number[]>();
      for (let t = 0; t < 40; t++) {
        const p = betaInt(rng, 4, 4);
        const pb = Math.min(1, Math.max(0, p + (rng() - 0.4) * 0.3));
        a.set(`t${t}`, bernoulli(rng, p, n));
        b.set(`t${t}`, bernoulli(rng, pb, n));
      }
      return { a, b };
    };
    const first = draw(4);
    const plan = planTrials(first.a, first.b, { halfWidth: 0.08 });
    expect(plan.reachableByTrials).toBe(true);
    const current = pairedDifference(first.a, first.b, { rng: mulberry32(1), iterations: 1000 });
    expect(plan.currentHalfWidth / ((current.upper - current.lower) / 2)).toBeGreaterThan(0.8);
    expect(plan.currentHalfWidth / ((current.upper - current.lower) / 2)).toBeLessThan(1.25);
    const n = plan.trialsPerTaskNeeded!;
    expect(n).toBeGreaterThan(4);
    let half = 0;
    const reps = 20;
    for (let i = 0; i < reps; i++) {
      const next = draw(n);
      const r = pairedDifference(next.a, next.b, { rng: mulberry32(i), iterations: 1000 });
      half += (r.upper - r.lower) / 2 / reps;
    }
    expect(half).toBeGreaterThan(0.08 * 0.8);
    expect(half).toBeLessThan(0.08 * 1.2);
  });
});

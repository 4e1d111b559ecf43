/**
 * A run's reliability report in the shape of τ²-bench's published tables: one row per k with
 * the average pass^k over tasks, a table per task, and the flip rate. Also a stricter pass^k
 * that requires the gold write actions to have been made, because matching the final database
 * alone can pass by chance (a no-op agent passes a task whose right answer is to change
 * nothing, or a write that happens to land on the gold state).
 *
 * What is a task. A (scenario, persona) pair: the persona changes the user, so it is part of
 * the task (τ²-bench has one user per task, where this is the same as a scenario).
 *
 * Which sessions count. Finished sessions; those the person stopped ("aborted") and those
 * still running are left out. Sessions that ended in an agent, user or engine error count as
 * failures: the task was not done. (τ²-bench drops its infrastructure errors before computing
 * pass^k, which can inflate it; counting them is the conservative choice.)
 *
 * The estimates. Per task with n trials and c passes, pass^k = C(c,k)/C(n,k), the unbiased
 * estimator (τ-bench); the average is the plain mean over tasks. k runs from 1 to the fewest
 * trials any task has, so every row averages the same tasks.
 *
 * The intervals (95% by default).
 * - Per task: the Wilson interval [L, U] for the task's success probability p, mapped through
 *   p ↦ p^k. The true pass^k of a task whose trials are independent with success probability p
 *   is p^k, a monotone function of p, so [L^k, U^k] covers it exactly when [L, U] covers p:
 *   the Wilson coverage carries over. (Wilson on C(c,k)/C(n,k) itself would treat a non-binomial
 *   estimate as a proportion of n trials, which is wrong for k > 1.)
 * - Average over tasks: a percentile bootstrap over tasks (resample tasks with replacement,
 *   average their pass^k), seeded, 2,000 resamples. It reflects which tasks happened to be in
 *   the run together with each task's trial noise, since each task's estimate carries its own.
 *   The same resamples serve every k, so the bounds fall with k as the estimates do. With one
 *   task there is nothing to resample and the task's own interval is reported. When every task
 *   has the same value (all passed, say) the bootstrap interval collapses to that value: it is
 *   conditional on the tasks seen, so read it beside the number of tasks.
 *
 * Flip rate. Among tasks with at least two counted trials, the share whose trials disagree
 * (at least one passed and at least one failed): the tasks on which the verdict "flips" from
 * one run to the next, the quantity τ²-bench discussions of run-to-run instability count. Its
 * interval is Wilson over those tasks. Also given: the pairwise flip probability, the chance
 * that two different trials of a random task disagree, 2c(n−c)/(n(n−1)) averaged over tasks,
 * which does not grow with the number of trials as the flip rate does.
 */
import type { Outcome, ScoreFlag, SessionScore, TerminationReason } from '../model/types.ts';
import { clusterMeanIntervals } from '../stats/hierarchical.ts';
import { passHatK } from '../stats/passk.ts';
import { mulberry32 } from '../stats/rng.ts';
import { wilsonInterval } from '../stats/wilson.ts';

/** The fields of a session the report reads; stored sessions fit as they are. */
export interface TauSessionInput {
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  termination?: TerminationReason;
  score?: Pick<SessionScore, 'strictReward' | 'flags' | 'criteria'>;
}

/** An estimate with its interval. */
export interface Estimate {
  value: number;
  lower: number;
  upper: number;
}

/** One row of the main table: pass^k at one k, averaged over tasks. */
export interface TauReportRow {
  k: number;
  passHat: Estimate;
  /** Strict: also requires every gold write action to have been made. */
  strict: Estimate;
}

/** One task (scenario × persona) of the per-task table. */
export interface TauTaskRow {
  scenarioId: string;
  personaId: string;
  /** Counted trials. */
  trials: number;
  passes: number;
  strictPasses: number;
  /** pass^k for k = 1 … trials, with the Wilson-mapped interval. */
  passHat: Estimate[];
  strict: Estimate[];
  /** Its trials disagree: some passed and some failed. */
  flipped: boolean;
  /** Counted sessions carrying each flag. */
  flags: Record<ScoreFlag, number>;
}

export interface TauReport {
  /** Tasks (scenario × persona pairs) with at least one counted trial. */
  tasks: number;
  /** Counted sessions. */
  sessions: number;
  /** The largest k every task reaches: the fewest trials any task has (0 with no tasks). */
  maxK: number;
  rows: TauReportRow[];
  perTask: TauTaskRow[];
  flipRate: {
    /** null when no task has two counted trials. */
    value: number | null;
    flipped: number;
    /** Tasks with at least two counted trials. */
    eligible: number;
    lower: number;
    upper: number;
    /** Mean over eligible tasks of the chance two different trials disagree. */
    pairwise: number | null;
  };
  /** Counted sessions with each flag. */
  flags: Record<ScoreFlag, number>;
  /** Counted sessions scored before the strict reward existed; they count as their reward. */
  strictUnknown: number;
  /**
   * Counted sessions with a criterion of their reward basis left out because it could not be
   * scored (NL assertions without a judge): their reward is not comparable with τ²-bench's.
   */
  unscored: number;
  confidence: number;
  iterations: number;
  seed: number;
}

export interface TauReportOptions {
  /** Two-sided level of every interval (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples (default 2,000). */
  iterations?: number;
  /** Seed of the bootstrap (default 0): the same sessions and seed give the same report. */
  seed?: number;
}

interface Tally {
  scenarioId: string;
  personaId: string;
  n: number;
  c: number;
  strict: number;
  flags: Record<ScoreFlag, number>;
}

const noFlags = (): Record<ScoreFlag, number> => ({ db_right_info_missing: 0, info_conveyed_db_wrong: 0 });

/** pass^k of one task with the Wilson interval of p mapped through p ↦ p^k. */
export function taskPassHat(n: number, c: number, k: number, confidence = 0.95): Estimate {
  const { lower, upper } = wilsonInterval(c, n, confidence);
  return { value: passHatK(n, c, k), lower: lower ** k, upper: upper ** k };
}

/**
 * Average pass^k over tasks, for k = 1 … maxK and for each of `picks` (passes, strict passes),
 * with a seeded percentile bootstrap over tasks: one pass over the resamples for every column, so
 * the same task resamples serve every k and both variants (as a fresh generator per k would),
 * at the cost of one set of draws.
 */
function averagePassHats(tasks: readonly Tally[], picks: readonly ((t: Tally) => number)[], maxK: number, opts: Required<TauReportOptions>): Estimate[][] {
  const columns: Float64Array[] = [];
  for (const pick of picks) for (let k = 1; k <= maxK; k++) columns.push(Float64Array.from(tasks, (t) => passHatK(t.n, pick(t), k)));
  const estimates: Estimate[] =
    tasks.length === 1
      ? columns.map((col, i) => {
          // One task: nothing to resample; its own interval.
          const only = taskPassHat(tasks[0]!.n, picks[Math.floor(i / maxK)]!(tasks[0]!), (i % maxK) + 1, opts.confidence);
          return { value: col[0]!, lower: only.lower, upper: only.upper };
        })
      : clusterMeanIntervals(columns, { rng: mulberry32(opts.seed), iterations: opts.iterations, confidence: opts.confidence }).map(
          // A percentile interval can in rare skewed cases miss the estimate by a hair; the table
          // shows the estimate inside its interval, so the bounds are widened to it.
          ({ estimate: value, lower, upper }) => ({ value, lower: Math.min(lower, value), upper: Math.max(upper, value) }),
        );
  return picks.map((_, p) => estimates.slice(p * maxK, (p + 1) * maxK));
}

/**
 * The report for a run's sessions. Deterministic: the same sessions and options give the same
 * numbers. Tasks are listed in the order they first appear.
 */
export function tauReport(sessions: Iterable<TauSessionInput>, options: TauReportOptions = {}): TauReport {
  const opts: Required<TauReportOptions> = { confidence: 0.95, iterations: 2000, seed: 0, ...options };
  const byTask = new Map<string, Tally>();
  const flags = noFlags();
  let counted = 0;
  let strictUnknown = 0;
  let unscored = 0;
  for (const s of sessions) {
    if (s.outcome === 'running' || s.termination === 'aborted') continue;
    counted++;
    const key = JSON.stringify([s.scenarioId, s.personaId]);
    let t = byTask.get(key);
    if (!t) {
      t = { scenarioId: s.scenarioId, personaId: s.personaId, n: 0, c: 0, strict: 0, flags: noFlags() };
      byTask.set(key, t);
    }
    const pass = s.outcome === 'pass';
    if (pass && s.score?.strictReward === undefined) strictUnknown++;
    if (s.score?.criteria?.some((c) => c.inBasis && c.result === 'not_scored')) unscored++;
    t.n++;
    if (pass) t.c++;
    if (pass && s.score?.strictReward !== 0) t.strict++;
    for (const f of s.score?.flags ?? []) {
      t.flags[f]++;
      flags[f]++;
    }
  }
  const tasks = [...byTask.values()];
  const maxK = tasks.length ? Math.min(...tasks.map((t) => t.n)) : 0;
  const [passHat, strict] = maxK > 0 ? averagePassHats(tasks, [(t) => t.c, (t) => t.strict], maxK, opts) : [[], []];
  const rows: TauReportRow[] = [];
  for (let k = 1; k <= maxK; k++) rows.push({ k, passHat: passHat![k - 1]!, strict: strict![k - 1]! });
  const perTask: TauTaskRow[] = tasks.map((t) => {
    const ks = Array.from({ length: t.n }, (_, i) => i + 1);
    return {
      scenarioId: t.scenarioId,
      personaId: t.personaId,
      trials: t.n,
      passes: t.c,
      strictPasses: t.strict,
      passHat: ks.map((k) => taskPassHat(t.n, t.c, k, opts.confidence)),
      strict: ks.map((k) => taskPassHat(t.n, t.strict, k, opts.confidence)),
      flipped: t.c > 0 && t.c < t.n,
      flags: t.flags,
    };
  });
  const eligible = tasks.filter((t) => t.n >= 2);
  const flipped = eligible.filter((t) => t.c > 0 && t.c < t.n).length;
  const flipCi = wilsonInterval(flipped, eligible.length, opts.confidence);
  const pairwise = eligible.length
    ? eligible.reduce((sum, t) => sum + (2 * t.c * (t.n - t.c)) / (t.n * (t.n - 1)), 0) / eligible.length
    : null;
  return {
    tasks: tasks.length,
    sessions: counted,
    maxK,
    rows,
    perTask,
    flipRate: {
      value: eligible.length ? flipped / eligible.length : null,
      flipped,
      eligible: eligible.length,
      lower: flipCi.lower,
      upper: flipCi.upper,
      pairwise,
    },
    flags,
    strictUnknown,
    unscored,
    confidence: opts.confidence,
    iterations: opts.iterations,
    seed: opts.seed,
  };
}

/**
 * Statistics for results that come in tasks × trials: the interval of a mean over tasks, the
 * paired difference between two agents on the same tasks, the noise floor (how far two runs of
 * the same agent drift apart by chance), and how many trials or tasks a chosen precision needs.
 *
 * The model. Tasks are drawn from a population of tasks like them; task t has a true success
 * probability p_t (more generally a true mean), and its n_t trials are independent draws given
 * the task. The estimand is the population mean μ = E[p_t]: what the agent would score on new
 * tasks of the same kind. The run's estimate is the mean over tasks of each task's mean, and it
 * varies from one experiment to the next for two reasons, which tasks were drawn (σ²_between =
 * Var(p_t)) and each task's trial noise (σ²_within = E[p_t(1−p_t)] for 0/1 outcomes):
 *
 *     Var(mean of task means) = (σ²_between + σ²_within / n) / T      (T tasks, n trials each)
 *
 * the variance of a two-stage sample (Cochran 1977, Sampling Techniques, ch. 10).
 *
 * Why a cluster bootstrap. Trials of one task are not independent: they share the task's p_t.
 * A flat bootstrap over sessions treats the T·n sessions as independent and estimates
 * (σ²_between + σ²_within)/(T·n), too small by the design effect 1 + (n−1)·ICC (Kish 1965), so
 * its interval is too narrow whenever tasks differ. Resampling tasks with replacement and keeping
 * each chosen task's trials as they are estimates the variance of the task means themselves,
 * whose expectation is σ²_between + σ²_within/n: both parts, each once (up to the usual
 * (T−1)/T). Resampling the trials again inside each chosen task (a two-level bootstrap) adds
 * another σ²_within·(n−1)/n² and counts the trial noise twice, so its interval is too wide.
 * Field and Welsh (2007), "Bootstrapping clustered data", JRSS B 69(3); Ren et al. (2010),
 * "Nonparametric bootstrapping for hierarchical data", J. Applied Statistics 37(9): resample at
 * the highest level only, with replacement. Miller (2024), "Adding error bars to evals"
 * (arXiv:2411.00640), makes the same point for LLM evaluations (clustered standard errors).
 *
 * The interval is the percentile interval of the resampled statistic (Efron), as
 * `bootstrap()` gives, and is seeded: the same groups, options and seed give the same interval.
 *
 * One task. There is nothing to resample: every resample is the data itself, so the interval
 * collapses to the estimate, lower = upper = estimate. That is not certainty: one task says
 * nothing about other tasks. Read every interval beside its number of tasks.
 *
 * One trial per task. Each task's mean is its only outcome, and the cluster bootstrap is the
 * ordinary bootstrap over those outcomes (the same draws as `bootstrap(values)` with the same
 * seed): right, since each outcome then carries both its task's draw and its trial noise once.
 */
import type { Rng } from './rng.ts';
import { quantileSorted } from './bootstrap.ts';
import { passHatK } from './passk.ts';
import { normalQuantile } from './wilson.ts';

/** One array of per-trial values per task (0/1 outcomes, or any finite numbers). */
export type Groups = readonly (readonly number[])[];

/** An estimate with its percentile bootstrap interval. */
export interface HierarchicalInterval {
  /** The statistic on the groups as given (not the mean of the replicates). */
  estimate: number;
  lower: number;
  upper: number;
  iterations: number;
}

export interface ClusterBootstrapOptions {
  /** Seeded randomness, e.g. `mulberry32(seed)`: the same seed gives the same interval. */
  rng: Rng;
  /** Resamples to draw (default 2,000). */
  iterations?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
}

export interface HierarchicalBootstrapOptions extends ClusterBootstrapOptions {
  /**
   * What to estimate from the (resampled) groups; default: the mean over tasks of each task's
   * mean. It receives the chosen tasks' own arrays, which it must not change.
   */
  statistic?: (groups: readonly (readonly number[])[]) => number;
}

function checkOptions(iterations: number, confidence: number): void {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

function checkGroups(groups: Groups): void {
  if (groups.length === 0) throw new RangeError('a hierarchical bootstrap needs at least one task');
  for (let t = 0; t < groups.length; t++) {
    const g = groups[t]!;
    if (g.length === 0) throw new RangeError(`task ${t} has no trials: every task needs at least one`);
    for (const v of g) if (!Number.isFinite(v)) throw new RangeError(`task ${t} has a value that is not a finite number (${v})`);
  }
}

function meanOf(xs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** The percentile interval of replicates, sorted in place. */
function percentile(replicates: Float64Array, confidence: number): { lower: number; upper: number } {
  replicates.sort();
  const alpha = 1 - confidence;
  return { lower: quantileSorted(replicates, alpha / 2), upper: quantileSorted(replicates, 1 - alpha / 2) };
}

/**
 * The cluster bootstrap of the mean over tasks of one or more per-task statistics, with the same
 * resampled tasks for every column (so intervals of, say, pass^1 … pass^k stay in step): each
 * resample draws T task indices with replacement and averages each column over them. Columns
 * are per-task values (a task's mean, its pass^k, a paired difference), all of length T.
 * Allocates nothing per resample: 1,000 tasks × 10,000 resamples is about 10 million draws.
 */
export function clusterMeanIntervals(columns: readonly Float64Array[], options: ClusterBootstrapOptions): HierarchicalInterval[] {
  const { rng, iterations = 2000, confidence = 0.95 } = options;
  checkOptions(iterations, confidence);
  if (columns.length === 0) return [];
  const T = columns[0]!.length;
  if (T === 0) throw new RangeError('a cluster bootstrap needs at least one task');
  for (const c of columns) if (c.length !== T) throw new RangeError('every column needs one value per task');
  const C = columns.length;
  const replicates = columns.map(() => new Float64Array(iterations));
  if (C === 1) {
    const col = columns[0]!;
    const out = replicates[0]!;
    for (let b = 0; b < iterations; b++) {
      let s = 0;
      for (let i = 0; i < T; i++) s += col[Math.floor(rng() * T)]!;
      out[b] = s / T;
    }
  } else {
    // Tasks with the same values in every column form one class (0/1 outcomes with 8 trials
    // give at most 9 classes however many tasks there are): a resample counts how often it drew
    // each class, then weighs the class's values by those counts. The draws are the same as
    // with one column; the sums differ from adding task by task only in rounding.
    const classOf = new Int32Array(T);
    const classes = new Map<string, number>();
    const values: number[] = [];
    for (let t = 0; t < T; t++) {
      let key = '';
      for (let c = 0; c < C; c++) key += `${columns[c]![t]!},`;
      let k = classes.get(key);
      if (k === undefined) {
        k = classes.size;
        classes.set(key, k);
        for (let c = 0; c < C; c++) values.push(columns[c]![t]!);
      }
      classOf[t] = k;
    }
    const K = classes.size;
    const table = Float64Array.from(values);
    const counts = new Float64Array(K);
    for (let b = 0; b < iterations; b++) {
      counts.fill(0);
      for (let i = 0; i < T; i++) counts[classOf[Math.floor(rng() * T)]!]!++;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += counts[k]! * table[k * C + c]!;
        replicates[c]![b] = s / T;
      }
    }
  }
  return columns.map((col, c) => {
    let s = 0;
    for (let i = 0; i < T; i++) s += col[i]!;
    return { estimate: s / T, ...percentile(replicates[c]!, confidence), iterations };
  });
}

/**
 * Cluster (hierarchical) bootstrap over tasks: resamples tasks with replacement and keeps each
 * chosen task's trials as they are (no second-level resampling); see the module comment for why,
 * and for one task (the interval collapses to the estimate) and one trial per task (the
 * ordinary bootstrap). Deterministic for a given rng seed. Throws on no tasks, a task without
 * trials, a value that is not finite or a bad option: programming errors rather than data.
 */
export function hierarchicalBootstrap(groups: Groups, options: HierarchicalBootstrapOptions): HierarchicalInterval {
  const { rng, iterations = 2000, confidence = 0.95, statistic } = options;
  checkOptions(iterations, confidence);
  checkGroups(groups);
  const T = groups.length;
  if (!statistic) {
    const means = new Float64Array(T);
    for (let t = 0; t < T; t++) means[t] = meanOf(groups[t]!);
    return clusterMeanIntervals([means], { rng, iterations, confidence })[0]!;
  }
  const replicates = new Float64Array(iterations);
  const sample = new Array<readonly number[]>(T);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < T; i++) sample[i] = groups[Math.floor(rng() * T)]!;
    replicates[b] = statistic(sample);
  }
  return { estimate: statistic(groups), ...percentile(replicates, confidence), iterations };
}

/* --------------------------------------------------------- paired difference */

/** Per-task per-trial outcomes, by task key. */
export type TaskOutcomes = ReadonlyMap<string, readonly number[]>;

export interface PairedDifferenceOptions extends ClusterBootstrapOptions {
  /**
   * The task statistic: 1 (default) the task's success rate; k > 1 the unbiased pass^k
   * C(c,k)/C(n,k), which needs 0/1 outcomes and at least k trials on both sides.
   */
  k?: number;
}

export interface PairedDifference extends HierarchicalInterval {
  /** Tasks in both a and b with at least k trials on each side: the ones averaged. */
  pairedTasks: number;
  /** Task keys only in a, and only in b: left out, listed. */
  onlyA: string[];
  onlyB: string[];
  /** Task keys in both with fewer than k trials on either side: left out, listed. */
  tooFewTrials: string[];
}

/** The statistic of one task: its mean for k = 1, pass^k for k > 1 (0/1 outcomes). */
export function taskStatistic(values: readonly number[], k = 1): number {
  if (k === 1) return meanOf(values);
  let c = 0;
  for (const v of values) {
    if (v !== 0 && v !== 1) throw new RangeError(`pass^k needs 0/1 outcomes, got ${v}`);
    c += v;
  }
  return passHatK(values.length, c, k);
}

/** Which task keys pair up, with at least `k` trials on both sides; in a's order. */
export function pairTaskKeys(a: TaskOutcomes, b: TaskOutcomes, k = 1): { paired: string[]; onlyA: string[]; onlyB: string[]; tooFewTrials: string[] } {
  const paired: string[] = [];
  const onlyA: string[] = [];
  const tooFewTrials: string[] = [];
  for (const [key, va] of a) {
    const vb = b.get(key);
    if (!vb) onlyA.push(key);
    else if (va.length < k || vb.length < k) tooFewTrials.push(key);
    else paired.push(key);
  }
  const onlyB = [...b.keys()].filter((key) => !a.has(key));
  return { paired, onlyA, onlyB, tooFewTrials };
}

/**
 * The paired difference b − a over the tasks both were run on: the mean over paired tasks of
 * (b's task statistic − a's task statistic), the statistic being the task's mean (k = 1) or its
 * unbiased pass^k (k > 1). Pairing removes what the two agents share on a task (how hard it
 * is) from the comparison; only the task-to-task spread of the differences and each side's trial
 * noise remain. Interval: the cluster bootstrap over paired tasks (resample tasks with
 * replacement, keep both sides' trials), which covers the mean difference over the population of
 * tasks. Unpaired tasks and tasks with too few trials are left out and listed. Throws when no
 * task pairs up, or on a bad option.
 */
export function pairedDifference(a: TaskOutcomes, b: TaskOutcomes, options: PairedDifferenceOptions): PairedDifference {
  const { k = 1, ...rest } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const keys = pairTaskKeys(a, b, k);
  if (keys.paired.length === 0) {
    throw new RangeError(
      `no task pairs up (${keys.onlyA.length} only in a, ${keys.onlyB.length} only in b, ${keys.tooFewTrials.length} with fewer than ${k} trials)`,
    );
  }
  const d = new Float64Array(keys.paired.length);
  keys.paired.forEach((key, i) => {
    d[i] = taskStatistic(b.get(key)!, k) - taskStatistic(a.get(key)!, k);
  });
  if (!d.every(Number.isFinite)) throw new RangeError('paired values must be finite numbers');
  const interval = clusterMeanIntervals([d], rest)[0]!;
  return { ...interval, pairedTasks: keys.paired.length, onlyA: keys.onlyA, onlyB: keys.onlyB, tooFewTrials: keys.tooFewTrials };
}

/* ------------------------------------------------------------- noise floor */

/** Per-task values: a Map by task key, or arrays aligned by index. */
export type TaskGroups = TaskOutcomes | Groups;

export interface NoiseFloorOptions {
  /**
   * The other agent's groups, pooled with the first: the same task keys (Maps) or the same
   * order (arrays). Only tasks in both count, and each side keeps its own trial count.
   */
  other?: TaskGroups;
  /** Two-sided level (default 0.95): the floor is z_{1−α/2} times the standard error. */
  confidence?: number;
}

export interface NoiseFloor {
  /** The half-width: a difference within ±floor is not distinguishable from noise. */
  floor: number;
  /** Standard error of the difference between two runs of the same agent. */
  standardError: number;
  /** Tasks it was computed over. */
  tasks: number;
  /** Mean trials per task and side. */
  trialsPerTask: number;
  /** Mean over tasks of the within-task (per-trial) variance used. */
  withinVariance: number;
  /** Tasks with a single trial, whose variance was borrowed from the others (see noiseFloor). */
  singleTrialTasks: number;
  confidence: number;
}

/** Aligned per-task [a, b?] arrays from one or two TaskGroups. */
function alignGroups(a: TaskGroups, other?: TaskGroups): { a: (readonly number[])[]; b?: (readonly number[])[] } {
  const isMap = (g: TaskGroups): g is TaskOutcomes => g instanceof Map;
  if (!other) return { a: isMap(a) ? [...a.values()] : [...a] };
  if (isMap(a) !== isMap(other)) throw new TypeError('both sides must be Maps or both arrays');
  if (isMap(a) && isMap(other)) {
    const keys = [...a.keys()].filter((k) => other.has(k));
    return { a: keys.map((k) => a.get(k)!), b: keys.map((k) => other.get(k)!) };
  }
  const ga = a as Groups;
  const gb = other as Groups;
  if (ga.length !== gb.length) throw new RangeError(`aligned groups need as many tasks on both sides (${ga.length} and ${gb.length})`);
  return { a: [...ga], b: [...gb] };
}

/** Sum of squared deviations from the mean, and degrees of freedom. */
function ss(xs: readonly number[]): { ss: number; df: number } {
  const m = meanOf(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return { ss: s, df: xs.length - 1 };
}

/** Sample variance (n − 1) of all values together: an upper bound of the within-task part. */
function totalVariance(groups: readonly (readonly number[])[]): number {
  const all = groups.flat();
  return all.length > 1 ? ss(all).ss / (all.length - 1) : 0;
}

/**
 * Per-task unbiased within-task variances s²_t, pooled over the sides given (each side around
 * its own mean, so a real difference between two agents does not inflate it). A task with one
 * trial on every side has none of its own: it borrows the pooled variance of the tasks that
 * have one (Σ SS / Σ df), or, when no task has two trials, the variance of all values together,
 * which also holds the between-task spread and so errs on the wide side.
 */
function withinVariances(sides: readonly (readonly (readonly number[])[])[]): { s2: Float64Array; single: number } {
  const T = sides[0]!.length;
  const s2 = new Float64Array(T);
  const own = new Array<boolean>(T);
  let sumSs = 0;
  let sumDf = 0;
  for (let t = 0; t < T; t++) {
    let tss = 0;
    let tdf = 0;
    for (const side of sides) {
      const r = ss(side[t]!);
      tss += r.ss;
      tdf += r.df;
    }
    own[t] = tdf > 0;
    if (tdf > 0) s2[t] = tss / tdf;
    sumSs += tss;
    sumDf += tdf;
  }
  const borrowed = sumDf > 0 ? sumSs / sumDf : totalVariance(sides.flat());
  let single = 0;
  for (let t = 0; t < T; t++) {
    if (!own[t]) {
      s2[t] = borrowed;
      single++;
    }
  }
  return { s2, single };
}

/**
 * The noise floor: the smallest difference in mean success over these tasks that two runs of
 * the *same* agent would exceed by chance only with probability 1 − confidence. Two runs on the
 * same T tasks with independent trials differ on task t by the difference of two task means,
 * whose variance is σ²_t/n_a,t + σ²_t/n_b,t (2σ²_t/n_t with n_t trials in each run); the mean
 * over tasks has variance (1/T²)·Σ_t σ²_t(1/n_a,t + 1/n_b,t), and the floor is
 * z_{1−α/2}·√(that). σ²_t is the task's unbiased within-task variance s²_t (for 0/1 outcomes,
 * n/(n−1)·p̂(1−p̂)), pooled over the sides given; with one side, the other run is assumed to
 * have as many trials. Assumptions: the same tasks in both runs, trials independent within a
 * task, and the normal approximation of a mean over many tasks. The floor is conditional on the
 * tasks (the tasks are the same in both runs, so the between-task spread does not enter); the
 * interval of a paired difference also covers which tasks were drawn, so it is wider. Seeds
 * shared by paired trials that make them agree make the real floor smaller: this one is then an
 * upper bound. Miller (2024), "Adding error bars to evals", arXiv:2411.00640.
 */
export function noiseFloor(groups: TaskGroups, options: NoiseFloorOptions = {}): NoiseFloor {
  const { other, confidence = 0.95 } = options;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const aligned = alignGroups(groups, other);
  const sides = aligned.b ? [aligned.a, aligned.b] : [aligned.a];
  const T = aligned.a.length;
  if (T === 0) throw new RangeError('a noise floor needs at least one task (in both groups, when two are given)');
  for (const side of sides) for (const g of side) if (g.length === 0) throw new RangeError('every task needs at least one trial');
  const { s2, single } = withinVariances(sides);
  let v = 0;
  let trials = 0;
  let within = 0;
  for (let t = 0; t < T; t++) {
    const na = aligned.a[t]!.length;
    const nb = aligned.b ? aligned.b[t]!.length : na;
    v += s2[t]! * (1 / na + 1 / nb);
    trials += aligned.b ? (na + nb) / 2 : na;
    within += s2[t]!;
  }
  const standardError = Math.sqrt(v) / T;
  return {
    floor: normalQuantile(confidence) * standardError,
    standardError,
    tasks: T,
    trialsPerTask: trials / T,
    withinVariance: within / T,
    singleTrialTasks: single,
    confidence,
  };
}

/* ---------------------------------------------------------------- planning */

export interface PlanOptions {
  /** The half-width of the difference's interval to reach (default 0.05: ±5 points). */
  halfWidth?: number;
  /** Two-sided level of that interval (default 0.95). */
  confidence?: number;
}

/** How many trials per task, or how many tasks, would bring an interval to a half-width. */
export interface TrialPlan {
  halfWidth: number;
  confidence: number;
  /** Paired tasks now, and mean trials per task and side now. */
  tasks: number;
  trialsPerTask: number;
  /** σ²_between: the variance over tasks of the true per-task differences (estimated, ≥ 0). */
  betweenVariance: number;
  /** σ²_within: the variance of one trial's difference, b's trial noise plus a's (s²_b + s²_a). */
  withinVariance: number;
  /** The half-width the formula gives for the data as they are (compare with the bootstrap's). */
  currentHalfWidth: number;
  /** False when the between-task part alone is wider than the target at this many tasks. */
  reachableByTrials: boolean;
  /** Trials per task (on each side) for the target at the current tasks; null when not reachable. */
  trialsPerTaskNeeded: number | null;
  /** trialsPerTaskNeeded − the trials there are now (0 when already reached); null when not reachable. */
  moreTrialsPerTask: number | null;
  /** Tasks for the target at the current trials per task (each run on both agents). */
  tasksNeeded: number;
  moreTasks: number;
}

/**
 * Planning: how many trials per task (at the current tasks), or how many tasks (at the current
 * trials), would bring the paired difference's interval to ±halfWidth. The variance of the
 * mean difference over T tasks with n trials per side is σ²_between/T + σ²_within/(T·n), the
 * two-stage sampling variance (Cochran 1977, ch. 10; Miller 2024, arXiv:2411.00640, on power), so
 * with h = halfWidth / z:
 *
 *   n = σ²_within / (T·h² − σ²_between)      (needs T·h² > σ²_between)
 *   T = (σ²_between + σ²_within/n) / h²
 *
 * When T·h² ≤ σ²_between the target is not reachable by more trials alone: the tasks disagree
 * more than that among themselves, and only more tasks help. The components are estimated by the
 * method of moments from the paired tasks: σ²_within = mean over tasks of s²_b,t + s²_a,t
 * (unbiased within-task variances; single-trial tasks borrow, as in noiseFloor); σ²_between =
 * the sample variance over tasks of the per-task differences minus the mean of their within-task
 * variances s²_b,t/n_b,t + s²_a,t/n_a,t, floored at 0. Assumptions: new tasks like these, new
 * trials like these (independent, the same success rates), a normal interval; estimated
 * components are themselves uncertain, so treat the answer as a guide, not a guarantee. For
 * the success rate (k = 1); pass^k for k > 1 needs more. Throws on no paired task.
 */
export function planTrials(a: TaskOutcomes, b: TaskOutcomes, options: PlanOptions = {}): TrialPlan {
  const { halfWidth = 0.05, confidence = 0.95 } = options;
  if (!(halfWidth > 0)) throw new RangeError(`halfWidth must be positive, got ${halfWidth}`);
  const z = normalQuantile(confidence);
  const aligned = alignGroups(a, b);
  const ga = aligned.a;
  const gb = aligned.b!;
  const T = ga.length;
  if (T === 0) throw new RangeError('planning needs at least one paired task');
  const { s2: s2a } = withinVariances([ga]);
  const { s2: s2b } = withinVariances([gb]);
  const d = new Float64Array(T);
  let within = 0;
  let noise = 0;
  let trials = 0;
  for (let t = 0; t < T; t++) {
    d[t] = meanOf(gb[t]!) - meanOf(ga[t]!);
    within += s2a[t]! + s2b[t]!;
    noise += s2a[t]! / ga[t]!.length + s2b[t]! / gb[t]!.length;
    trials += (ga[t]!.length + gb[t]!.length) / 2;
  }
  const withinVariance = within / T;
  const n = trials / T;
  const varD = T > 1 ? ss(Array.from(d)).ss / (T - 1) : 0;
  const betweenVariance = Math.max(0, varD - noise / T);
  const h2 = (halfWidth / z) ** 2;
  const currentHalfWidth = z * Math.sqrt(betweenVariance / T + withinVariance / (T * n));
  const room = T * h2 - betweenVariance;
  const reachableByTrials = room > 0;
  const trialsPerTaskNeeded = reachableByTrials ? Math.max(1, Math.ceil(withinVariance / room)) : null;
  const tasksNeeded = Math.max(1, Math.ceil((betweenVariance + withinVariance / n) / h2));
  return {
    halfWidth,
    confidence,
    tasks: T,
    trialsPerTask: n,
    betweenVariance,
    withinVariance,
    currentHalfWidth,
    reachableByTrials,
    trialsPerTaskNeeded,
    moreTrialsPerTask: trialsPerTaskNeeded === null ? null : Math.max(0, trialsPerTaskNeeded - Math.ceil(n)),
    tasksNeeded,
    moreTasks: Math.max(0, tasksNeeded - T),
  };
}

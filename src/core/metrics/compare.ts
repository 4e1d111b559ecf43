/**
 * What the comparison page reads: two or more agents on the same tasks, each agent's success and
 * pass^k with intervals, and for each pair of agents the paired difference, whether it is beyond
 * the noise, the tasks that decide it, and how many more trials or tasks would pin it down. Also
 * an agent's robustness to the user: success by persona and by trait level.
 *
 * What is a task. A (scenario, persona) pair, as in the τ-report (metrics/tau-report.ts).
 * Sessions pair up across agents by scenario, persona and trial: every entry of a multi-agent
 * run plays the same trials with the same seeds, and separate runs on the same tasks pair the
 * same way.
 *
 * Which sessions count. The τ-report's rule: sessions still running and sessions the person
 * stopped (termination 'aborted') are left out, and counted apart (`excluded`). Sessions that
 * ended in an agent, user or engine error (outcome 'error') count, as failures: the task was not
 * done. Dropping them would flatter an agent that crashes on hard tasks; they are counted apart
 * too (`errors`), so a page can say how many failures were infrastructure.
 *
 * Pairing. A counted session of A pairs with B's counted session of the same scenario, persona
 * and trial. Sessions without a counterpart (B never ran that trial, or B's is running or was
 * stopped) are listed in `onlyA` / `onlyB`, and a second session of one agent with the same
 * scenario, persona and trial (a run imported twice, say) in `duplicatesA` / `duplicatesB`: the
 * first one counts. None of them enter the difference, which averages over tasks with at least
 * one pair, each side's paired trials only, so both sides are measured on the same trials.
 *
 * The estimators, each in stats/hierarchical.ts: the agent's success rate is the mean over its
 * tasks of each task's success rate (all its counted sessions, paired or not), with a cluster
 * bootstrap over tasks; its pass^k rows are the τ-report's; a pair's difference (B − A, in
 * success rate and in pass^k for k = 1 … the fewest pairs any paired task has) is
 * `pairedDifference` with the same resamples for every k; the noise floor is `noiseFloor` over
 * the paired trials of both agents; the plan is `planTrials`. Every bootstrap is seeded with the
 * options' seed: the same sessions and options give the same numbers.
 *
 * Two ways to call a difference real. `distinguishable`: |difference| is beyond the noise floor,
 * the spread two runs of the same agent would show on these very tasks (trial noise only). The
 * interval of the difference also covers which tasks happened to be drawn (a difference over the
 * population of tasks like these), so `excludesZero` is the stricter claim.
 */
import type { AgentRef, Outcome, Persona, Session, SessionScore, TerminationReason, TraitName } from '../model/types.ts';
import { TRAITS } from '../personas/traits.ts';
import {
  clusterMeanIntervals,
  hierarchicalBootstrap,
  noiseFloor,
  pairedDifference,
  planTrials,
  taskStatistic,
  type HierarchicalInterval,
  type NoiseFloor,
  type PairedDifference,
  type TrialPlan,
} from '../stats/hierarchical.ts';
import { mulberry32 } from '../stats/rng.ts';
import { wilsonInterval } from '../stats/wilson.ts';
import { tauReport, type TauReport } from './tau-report.ts';

/** Version of the comparison's estimators, stored with what it produced. */
export const COMPARE_VERSION = 'compare-1';

/** The fields of a session a comparison reads; stored sessions fit as they are. */
export interface CompareSession {
  id: string;
  runId: string;
  /** The run's agent entry (RunSpec.agents); absent in single-agent runs. */
  agentEntry?: string;
  scenarioId: string;
  personaId: string;
  /** 0-based trial number within its (scenario, persona) pair. */
  trial: number;
  outcome: Outcome;
  termination?: TerminationReason;
  turnCount?: number;
  /** Read by the per-agent τ-report for its strict rows and flags; optional. */
  score?: Pick<SessionScore, 'strictReward' | 'flags' | 'criteria'>;
}

// A stored Session must stay usable as a CompareSession (one source for each shape).
type Fits<T extends CompareSession> = T;
type _SessionFitsCompareSession = Fits<Session>;

/** The key sessions pair by: scenario, persona and trial. */
export function pairKey(s: Pick<CompareSession, 'scenarioId' | 'personaId' | 'trial'>): string {
  return JSON.stringify([s.scenarioId, s.personaId, s.trial]);
}

/** The task of a session: scenario and persona (the τ-report's key). */
export function taskKey(s: Pick<CompareSession, 'scenarioId' | 'personaId'>): string {
  return JSON.stringify([s.scenarioId, s.personaId]);
}

/** Counted: finished and not stopped by the person (the τ-report's rule). */
export function countsInComparison(s: Pick<CompareSession, 'outcome' | 'termination'>): boolean {
  return s.outcome !== 'running' && s.termination !== 'aborted';
}

const successOf = (s: CompareSession): number => (s.outcome === 'pass' ? 1 : 0);

/** Sessions left out before pairing. */
export interface ExcludedSessions {
  /** Still running. */
  running: number;
  /** Stopped by the person (termination 'aborted'). */
  aborted: number;
}

function excludedOf(sessions: readonly CompareSession[]): ExcludedSessions {
  let running = 0;
  let aborted = 0;
  for (const s of sessions) {
    if (s.outcome === 'running') running++;
    else if (s.termination === 'aborted') aborted++;
  }
  return { running, aborted };
}

export interface SessionPairing {
  /** [A's session, B's session] of the same scenario, persona and trial, in A's order. */
  pairs: [CompareSession, CompareSession][];
  /** Counted sessions without a counted counterpart. */
  onlyA: CompareSession[];
  onlyB: CompareSession[];
  /** Further counted sessions with a pair key already seen on the same side; the first counts. */
  duplicatesA: CompareSession[];
  duplicatesB: CompareSession[];
  /** Left out before pairing: running, or stopped by the person. */
  excludedA: ExcludedSessions;
  excludedB: ExcludedSessions;
  /** Paired sessions that ended in an infrastructure error; they count as failures. */
  errorsA: number;
  errorsB: number;
}

/**
 * Pairs two agents' sessions by scenario, persona and trial. Nothing is dropped silently: every
 * session is in a pair, in onlyA/onlyB, in duplicatesA/duplicatesB, or counted in excludedA/B.
 */
export function pairSessions(a: readonly CompareSession[], b: readonly CompareSession[]): SessionPairing {
  const duplicatesA: CompareSession[] = [];
  const duplicatesB: CompareSession[] = [];
  const byKeyB = new Map<string, CompareSession>();
  for (const s of b) {
    if (!countsInComparison(s)) continue;
    const key = pairKey(s);
    if (byKeyB.has(key)) duplicatesB.push(s);
    else byKeyB.set(key, s);
  }
  const seenA = new Set<string>();
  const used = new Set<string>();
  const pairs: [CompareSession, CompareSession][] = [];
  const onlyA: CompareSession[] = [];
  let errorsA = 0;
  let errorsB = 0;
  for (const s of a) {
    if (!countsInComparison(s)) continue;
    const key = pairKey(s);
    if (seenA.has(key)) {
      duplicatesA.push(s);
      continue;
    }
    seenA.add(key);
    const other = byKeyB.get(key);
    if (!other) {
      onlyA.push(s);
      continue;
    }
    used.add(key);
    pairs.push([s, other]);
    if (s.outcome === 'error') errorsA++;
    if (other.outcome === 'error') errorsB++;
  }
  const onlyB = [...byKeyB].filter(([key]) => !used.has(key)).map(([, s]) => s);
  return { pairs, onlyA, onlyB, duplicatesA, duplicatesB, excludedA: excludedOf(a), excludedB: excludedOf(b), errorsA, errorsB };
}

/* ------------------------------------------------------------- comparison */

/** One agent to compare: a run (and entry), what to call it, and its sessions. */
export interface CompareAgentInput {
  ref: AgentRef;
  label: string;
  sessions: CompareSession[];
}

export interface CompareOptions {
  /** Seed of every bootstrap. */
  seed: number;
  /** Bootstrap resamples (default 2,000). */
  iterations?: number;
  /** Two-sided level of every interval and of the noise floor (default 0.95). */
  confidence?: number;
  /** The largest k of the pass^k differences (default: the fewest pairs any paired task has). */
  k?: number;
  /** The half-width the plan aims at (default 0.05: ±5 points). */
  halfWidth?: number;
  /** Which pairs of agents: every pair (default), or the first agent against each other one. */
  pairs?: 'all' | 'first';
}

/** An estimate with its interval and what it was computed over. */
export interface SuccessEstimate extends HierarchicalInterval {
  tasks: number;
  sessions: number;
}

export interface AgentResult {
  ref: AgentRef;
  label: string;
  /** Success rate: mean over tasks of each task's rate, cluster bootstrap over tasks; null with no counted session. */
  success: SuccessEstimate | null;
  /**
   * The τ-report over the agent's counted sessions: pass^k rows (and strict) with intervals,
   * flips, flags. Without its per-task table, which is most of the result's size and would slow
   * its way back from the worker: a pair's perTask has the per-task rates, and tauReport gives
   * the whole table where a page needs it.
   */
  report: Omit<TauReport, 'perTask'>;
  excluded: ExcludedSessions;
  /** Counted sessions that ended in an infrastructure error (counted as failures). */
  errors: number;
}

/** One paired trial of a task: the two sessions' ids, for side-by-side transcripts, and outcomes. */
export interface PairedTrial {
  trial: number;
  a: string;
  b: string;
  outcomeA: Outcome;
  outcomeB: Outcome;
}

/** One paired task of a comparison, from B's side: a win is B better than A. */
export interface TaskComparison {
  key: string;
  scenarioId: string;
  personaId: string;
  /** Paired trials. */
  trials: number;
  passesA: number;
  passesB: number;
  rateA: number;
  rateB: number;
  /** rateB − rateA. */
  difference: number;
  result: 'win' | 'loss' | 'tie';
  sessions: PairedTrial[];
}

/** The difference in pass^k at one k, B − A over the paired tasks. */
export interface PassHatDifference extends HierarchicalInterval {
  k: number;
}

export interface AgentPairResult {
  /** Indices into CompareResult.agents: the difference is agents[b] − agents[a]. */
  a: number;
  b: number;
  pairing: {
    pairs: number;
    onlyA: CompareSession[];
    onlyB: CompareSession[];
    duplicatesA: CompareSession[];
    duplicatesB: CompareSession[];
    excludedA: ExcludedSessions;
    excludedB: ExcludedSessions;
    errorsA: number;
    errorsB: number;
  };
  /** Tasks with at least one pair. */
  tasks: number;
  /** The largest k of `passHat`: the fewest pairs any paired task has (capped by options.k). */
  maxK: number;
  /** B − A in success rate; onlyA/onlyB name tasks with sessions on one side only. Null with no pair. */
  success: PairedDifference | null;
  /** B − A in pass^k for k = 1 … maxK (k = 1 is `success`), the same resamples for every k. */
  passHat: PassHatDifference[];
  /** What two runs of the same agent would differ by on these tasks and trials; null with no pair. */
  noiseFloor: NoiseFloor | null;
  /** |success difference| > the noise floor. */
  distinguishable: boolean;
  /** The interval of the success difference leaves out 0. */
  excludesZero: boolean;
  /** Tasks where B's rate is higher (wins), lower (losses), equal (ties). */
  wins: number;
  losses: number;
  ties: number;
  /** Paired tasks, largest |difference| first: the tasks that decide the difference. */
  perTask: TaskComparison[];
  /** Trials or tasks for ±options.halfWidth on the success difference; null with no pair. */
  planning: TrialPlan | null;
}

export interface CompareResult {
  version: string;
  agents: AgentResult[];
  pairs: AgentPairResult[];
  seed: number;
  iterations: number;
  confidence: number;
  halfWidth: number;
}

interface PairedTask {
  key: string;
  scenarioId: string;
  personaId: string;
  a: number[];
  b: number[];
  sessions: PairedTrial[];
}

function pairedTasks(pairs: readonly [CompareSession, CompareSession][]): PairedTask[] {
  const byTask = new Map<string, PairedTask>();
  for (const [sa, sb] of pairs) {
    const key = taskKey(sa);
    let t = byTask.get(key);
    if (!t) {
      t = { key, scenarioId: sa.scenarioId, personaId: sa.personaId, a: [], b: [], sessions: [] };
      byTask.set(key, t);
    }
    t.a.push(successOf(sa));
    t.b.push(successOf(sb));
    t.sessions.push({ trial: sa.trial, a: sa.id, b: sb.id, outcomeA: sa.outcome, outcomeB: sb.outcome });
  }
  for (const t of byTask.values()) t.sessions.sort((x, y) => x.trial - y.trial);
  return [...byTask.values()];
}

/** Counted sessions grouped by task: one array of 0/1 per task, in order of appearance. */
function groupByTask(sessions: readonly CompareSession[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const s of sessions) {
    if (!countsInComparison(s)) continue;
    const key = taskKey(s);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(successOf(s));
  }
  return groups;
}

function compareTwo(
  ia: number,
  ib: number,
  A: CompareAgentInput,
  B: CompareAgentInput,
  opts: Required<Omit<CompareOptions, 'k'>> & { k?: number },
): AgentPairResult {
  const pairing = pairSessions(A.sessions, B.sessions);
  const tasks = pairedTasks(pairing.pairs);
  const pairedKeys = new Set(tasks.map((t) => t.key));
  const unpairedTasks = (list: CompareSession[]) => [...new Set(list.map(taskKey))].filter((k) => !pairedKeys.has(k));
  const summary = {
    pairs: pairing.pairs.length,
    onlyA: pairing.onlyA,
    onlyB: pairing.onlyB,
    duplicatesA: pairing.duplicatesA,
    duplicatesB: pairing.duplicatesB,
    excludedA: pairing.excludedA,
    excludedB: pairing.excludedB,
    errorsA: pairing.errorsA,
    errorsB: pairing.errorsB,
  };
  if (tasks.length === 0) {
    return {
      a: ia,
      b: ib,
      pairing: summary,
      tasks: 0,
      maxK: 0,
      success: null,
      passHat: [],
      noiseFloor: null,
      distinguishable: false,
      excludesZero: false,
      wins: 0,
      losses: 0,
      ties: 0,
      perTask: [],
      planning: null,
    };
  }
  const minTrials = Math.min(...tasks.map((t) => t.a.length));
  const maxK = Math.max(1, Math.min(opts.k ?? minTrials, minTrials));
  const columns: Float64Array[] = [];
  for (let k = 1; k <= maxK; k++) columns.push(Float64Array.from(tasks, (t) => taskStatistic(t.b, k) - taskStatistic(t.a, k)));
  const intervals = clusterMeanIntervals(columns, { rng: mulberry32(opts.seed), iterations: opts.iterations, confidence: opts.confidence });
  const success: PairedDifference = {
    ...intervals[0]!,
    pairedTasks: tasks.length,
    onlyA: unpairedTasks(pairing.onlyA),
    onlyB: unpairedTasks(pairing.onlyB),
    tooFewTrials: [],
  };
  const floor = noiseFloor(
    tasks.map((t) => t.a),
    { other: tasks.map((t) => t.b), confidence: opts.confidence },
  );
  const perTask: TaskComparison[] = tasks.map((t, i) => {
    const difference = columns[0]![i]!;
    const passesA = t.a.reduce((x, y) => x + y, 0);
    const passesB = t.b.reduce((x, y) => x + y, 0);
    return {
      key: t.key,
      scenarioId: t.scenarioId,
      personaId: t.personaId,
      trials: t.a.length,
      passesA,
      passesB,
      rateA: passesA / t.a.length,
      rateB: passesB / t.b.length,
      difference,
      result: difference > 0 ? 'win' : difference < 0 ? 'loss' : 'tie',
      sessions: t.sessions,
    };
  });
  perTask.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return {
    a: ia,
    b: ib,
    pairing: summary,
    tasks: tasks.length,
    maxK,
    success,
    passHat: intervals.map((iv, i) => ({ k: i + 1, ...iv })),
    noiseFloor: floor,
    distinguishable: Math.abs(success.estimate) > floor.floor,
    excludesZero: success.lower > 0 || success.upper < 0,
    wins: perTask.filter((t) => t.result === 'win').length,
    losses: perTask.filter((t) => t.result === 'loss').length,
    ties: perTask.filter((t) => t.result === 'tie').length,
    perTask,
    planning: planTrials(
      new Map(tasks.map((t) => [t.key, t.a])),
      new Map(tasks.map((t) => [t.key, t.b])),
      { halfWidth: opts.halfWidth, confidence: opts.confidence },
    ),
  };
}

function withoutPerTask(report: TauReport): Omit<TauReport, 'perTask'> {
  const { perTask: _, ...rest } = report;
  return rest;
}

/**
 * Compares agents on the same tasks: each agent's success and pass^k rows, and for each pair of
 * agents (every pair, or the first against each other one) the paired difference B − A with its
 * interval, the noise floor, the tasks that decide it and the plan for a narrower interval. See
 * the module comment for which sessions count and how they pair. Deterministic for a seed.
 */
export function compareAgents(agents: readonly CompareAgentInput[], options: CompareOptions): CompareResult {
  const opts = { iterations: 2000, confidence: 0.95, halfWidth: 0.05, pairs: 'all' as const, ...options };
  if (opts.k !== undefined && !(Number.isInteger(opts.k) && opts.k >= 1)) throw new RangeError(`k must be a positive integer, got ${opts.k}`);
  const results: AgentResult[] = agents.map((agent) => {
    const groups = [...groupByTask(agent.sessions).values()];
    const counted = groups.reduce((n, g) => n + g.length, 0);
    return {
      ref: agent.ref,
      label: agent.label,
      success: groups.length
        ? {
            ...hierarchicalBootstrap(groups, { rng: mulberry32(opts.seed), iterations: opts.iterations, confidence: opts.confidence }),
            tasks: groups.length,
            sessions: counted,
          }
        : null,
      report: withoutPerTask(tauReport(agent.sessions, { seed: opts.seed, iterations: opts.iterations, confidence: opts.confidence })),
      excluded: excludedOf(agent.sessions),
      errors: agent.sessions.filter((s) => s.outcome === 'error' && countsInComparison(s)).length,
    };
  });
  const pairs: AgentPairResult[] = [];
  for (let i = 0; i < agents.length; i++) {
    for (let j = i + 1; j < agents.length; j++) {
      if (opts.pairs === 'first' && i > 0) break;
      pairs.push(compareTwo(i, j, agents[i]!, agents[j]!, opts));
    }
  }
  return { version: COMPARE_VERSION, agents: results, pairs, seed: opts.seed, iterations: opts.iterations, confidence: opts.confidence, halfWidth: opts.halfWidth };
}

/* ------------------------------------------------------------- robustness */

export interface RobustnessOptions {
  seed: number;
  /** Bootstrap resamples (default 2,000). */
  iterations?: number;
  /** Two-sided level of every interval (default 0.95). */
  confidence?: number;
}

/**
 * How an interval was made: `cluster`, a bootstrap over scenarios; `wilson`, the Wilson interval
 * over sessions (one trial per scenario, or a single scenario); `newcombe`, Newcombe's hybrid
 * score interval for a difference of two proportions (a single shared scenario).
 */
export type RobustnessMethod = 'cluster' | 'wilson' | 'newcombe';

/** A success rate with its interval. */
export interface GroupSuccess {
  estimate: number;
  lower: number;
  upper: number;
  method: RobustnessMethod;
  sessions: number;
  passes: number;
  scenarios: number;
}

/** A difference of two success rates, paired by scenario. */
export interface SuccessDifference {
  estimate: number;
  lower: number;
  upper: number;
  method: RobustnessMethod;
  /** Scenarios both sides have, the ones compared. */
  scenarios: number;
}

export interface PersonaSuccess extends GroupSuccess {
  personaId: string;
  name: string;
  /** Baseline's rate − this persona's (positive: the agent does worse with this user); null for the baseline itself or with no shared scenario. */
  drop: SuccessDifference | null;
}

export interface TraitSplit {
  trait: TraitName;
  label: string;
  /** Personas with the trait at 1–2, and at 4–5. */
  lowPersonas: string[];
  highPersonas: string[];
  /** Success among sessions whose persona has the trait low (≤ 2) or high (≥ 4); null with none. */
  low: GroupSuccess | null;
  high: GroupSuccess | null;
  /** high − low, paired by scenario; null when either side is empty or no scenario is shared. */
  difference: SuccessDifference | null;
}

export interface Robustness {
  version: string;
  /** The cooperative baseline: the persona 'baseline', else the most cooperative; null when no known persona has sessions. */
  baseline: { personaId: string; rule: 'id' | 'cooperativeness' } | null;
  byPersona: PersonaSuccess[];
  /** Every trait the personas with counted sessions vary (more than one value among them). */
  byTrait: TraitSplit[];
  /** Persona ids of sessions that `personas` lacks: shown by persona, left out of traits and the baseline. */
  unknownPersonas: string[];
  excluded: ExcludedSessions;
  confidence: number;
  iterations: number;
  seed: number;
}

/** Counted outcomes by scenario. */
function byScenario(sessions: readonly CompareSession[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const s of sessions) {
    let g = m.get(s.scenarioId);
    if (!g) m.set(s.scenarioId, (g = []));
    g.push(successOf(s));
  }
  return m;
}

function groupSuccess(groups: Map<string, number[]>, opts: Required<RobustnessOptions>): GroupSuccess {
  const all = [...groups.values()];
  const sessions = all.reduce((n, g) => n + g.length, 0);
  const passes = all.reduce((n, g) => n + g.reduce((x, y) => x + y, 0), 0);
  const base = { sessions, passes, scenarios: all.length };
  if (all.length >= 2 && all.some((g) => g.length > 1)) {
    const iv = hierarchicalBootstrap(all, { rng: mulberry32(opts.seed), iterations: opts.iterations, confidence: opts.confidence });
    return { estimate: iv.estimate, lower: iv.lower, upper: iv.upper, method: 'cluster', ...base };
  }
  const w = wilsonInterval(passes, sessions, opts.confidence);
  return { estimate: passes / sessions, lower: w.lower, upper: w.upper, method: 'wilson', ...base };
}

/** `to` − `from`, paired by scenario; null when no scenario is shared. */
function differenceOf(from: Map<string, number[]>, to: Map<string, number[]>, opts: Required<RobustnessOptions>): SuccessDifference | null {
  const shared = [...from.keys()].filter((k) => to.has(k));
  if (shared.length === 0) return null;
  if (shared.length === 1) {
    const key = shared[0]!;
    const f = from.get(key)!;
    const t = to.get(key)!;
    const cf = f.reduce((x, y) => x + y, 0);
    const ct = t.reduce((x, y) => x + y, 0);
    const pf = cf / f.length;
    const pt = ct / t.length;
    const wf = wilsonInterval(cf, f.length, opts.confidence);
    const wt = wilsonInterval(ct, t.length, opts.confidence);
    const d = pt - pf;
    // Newcombe (1998), method 10: the two Wilson intervals combined.
    return {
      estimate: d,
      lower: d - Math.sqrt((pt - wt.lower) ** 2 + (wf.upper - pf) ** 2),
      upper: d + Math.sqrt((wt.upper - pt) ** 2 + (pf - wf.lower) ** 2),
      method: 'newcombe',
      scenarios: 1,
    };
  }
  const r = pairedDifference(from, to, { rng: mulberry32(opts.seed), iterations: opts.iterations, confidence: opts.confidence });
  return { estimate: r.estimate, lower: r.lower, upper: r.upper, method: 'cluster', scenarios: r.pairedTasks };
}

/**
 * An agent's robustness to the user, from its sessions and the personas they ran with.
 *
 * By persona: the success rate over the persona's scenarios (mean of each scenario's rate). The
 * interval is a cluster bootstrap over scenarios, whose trials are not independent, when there
 * are at least two scenarios and some has more than one trial; otherwise Wilson over the
 * sessions: with one trial per scenario the sessions are independent draws, and with a single
 * scenario nothing can be said beyond it, so its trials' binomial interval is the honest one. The
 * drop is the baseline's rate − the persona's, paired by scenario (cluster bootstrap over the
 * shared scenarios; Newcombe's interval when only one is shared). The baseline is the persona
 * with id 'baseline' if it has sessions, otherwise the one with the highest cooperativeness.
 *
 * By trait level: for every trait the personas vary, sessions whose persona has it low (≤ 2)
 * against high (≥ 4), 3 left out; each side's rate pools its personas' sessions by scenario and
 * gets an interval as above; the difference high − low is paired by scenario. The personas are
 * taken as given (not resampled): the intervals say how sure the rate is for these personas, and
 * a trait's split mixes whatever else those personas differ in.
 */
export function robustness(sessions: readonly CompareSession[], personas: readonly Persona[], options: RobustnessOptions): Robustness {
  const opts: Required<RobustnessOptions> = { iterations: 2000, confidence: 0.95, ...options };
  const counted = sessions.filter(countsInComparison);
  const byPersonaSessions = new Map<string, CompareSession[]>();
  for (const s of counted) {
    let list = byPersonaSessions.get(s.personaId);
    if (!list) byPersonaSessions.set(s.personaId, (list = []));
    list.push(s);
  }
  const known = new Map(personas.map((p) => [p.id, p]));
  const present = personas.filter((p) => byPersonaSessions.has(p.id));
  const unknownPersonas = [...byPersonaSessions.keys()].filter((id) => !known.has(id));
  let baseline: Robustness['baseline'] = null;
  if (present.some((p) => p.id === 'baseline')) baseline = { personaId: 'baseline', rule: 'id' };
  else if (present.length) {
    const best = present.reduce((x, y) => (y.traits.cooperativeness > x.traits.cooperativeness ? y : x));
    baseline = { personaId: best.id, rule: 'cooperativeness' };
  }
  const groups = new Map([...byPersonaSessions].map(([id, list]) => [id, byScenario(list)]));
  const baseGroups = baseline ? groups.get(baseline.personaId)! : undefined;
  const byPersona: PersonaSuccess[] = [...present.map((p) => p.id), ...unknownPersonas].map((id) => ({
    personaId: id,
    name: known.get(id)?.name ?? id,
    ...groupSuccess(groups.get(id)!, opts),
    drop: baseGroups && id !== baseline!.personaId ? differenceOf(groups.get(id)!, baseGroups, opts) : null,
  }));
  const byTrait: TraitSplit[] = [];
  for (const def of TRAITS) {
    const values = new Set(present.map((p) => p.traits[def.name]));
    if (values.size < 2) continue;
    const lowPersonas = present.filter((p) => p.traits[def.name] <= 2).map((p) => p.id);
    const highPersonas = present.filter((p) => p.traits[def.name] >= 4).map((p) => p.id);
    const pool = (ids: string[]) => byScenario(ids.flatMap((id) => byPersonaSessions.get(id)!));
    const low = lowPersonas.length ? pool(lowPersonas) : undefined;
    const high = highPersonas.length ? pool(highPersonas) : undefined;
    byTrait.push({
      trait: def.name,
      label: def.label,
      lowPersonas,
      highPersonas,
      low: low ? groupSuccess(low, opts) : null,
      high: high ? groupSuccess(high, opts) : null,
      difference: low && high ? differenceOf(low, high, opts) : null,
    });
  }
  return {
    version: COMPARE_VERSION,
    baseline,
    byPersona,
    byTrait,
    unknownPersonas,
    excluded: excludedOf(sessions),
    confidence: opts.confidence,
    iterations: opts.iterations,
    seed: opts.seed,
  };
}

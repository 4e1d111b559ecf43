/**
 * The words and chart rows of a comparison of agents (issue 14), shared by the comparison page
 * (ui/pages/Compare.svelte) and its HTML report (compare-report.ts), so the verdict, the figures
 * and their wording agree. No Plot here: the page imports this at once, and Plot only when a
 * chart draws.
 */
import type { AgentPairResult, CompareResult, Robustness } from '../core/index.ts';
import type { DifferenceRow, PairedTaskRow, SuccessRow } from './charts.ts';

/** What the page knows of each compared agent, beside the statistics. */
export interface CompareAgentInfo {
  label: string;
  /** The run it comes from, by name. */
  runName: string;
  runId: string;
  entry?: string;
  version: string;
  /** Models its sessions ran, by name; empty for rule-based agents. */
  models: string[];
  /** Counted sessions and passes (for "5/8" beside the rate). */
  passed: number;
  counted: number;
}

export interface CompareLabels {
  scenario: (id: string) => string;
  persona: (id: string) => string;
}

export interface CompareReportInput {
  title: string;
  agents: readonly CompareAgentInfo[];
  result: CompareResult;
  labels: CompareLabels;
  /** Each agent's robustness to the user, aligned with `agents`; null where not computed. */
  robustness?: readonly (Robustness | null)[];
  /** When the report was made (ms); the report prints it. */
  createdAt: number;
}


/** A difference in success rate as signed percentage points, one decimal: "+12.5", "−3.0". */
export function signedPoints(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)}`;
}

/** "12.5 points", unsigned. */
export function pointsAbs(x: number): string {
  return `${Math.abs(x * 100).toFixed(1)} points`;
}

/** The interval as "−2.0 to +14.5 points". */
export function intervalText(e: { lower: number; upper: number }): string {
  return `${signedPoints(e.lower)} to ${signedPoints(e.upper)} points`;
}

/** A pair's verdict, kind and sentence: what a person reads first. */
export interface Verdict {
  kind: 'better' | 'beyond-noise-uncertain' | 'noise' | 'none';
  text: string;
}

/** The plain-words verdict of B − A. */
export function verdict(pair: AgentPairResult, aLabel: string, bLabel: string, confidence: number): Verdict {
  const d = pair.success;
  const nf = pair.noiseFloor;
  if (!d || !nf) return { kind: 'none', text: `No pair of sessions to compare: ${aLabel} and ${bLabel} share no task, persona and trial.` };
  const level = Math.round(confidence * 100);
  const better = d.estimate >= 0 ? bLabel : aLabel;
  const worse = d.estimate >= 0 ? aLabel : bLabel;
  const floorText = `the noise floor at ${pair.tasks} task${pair.tasks === 1 ? '' : 's'} × ${fmtTrials(nf.trialsPerTask)} trial${nf.trialsPerTask === 1 ? '' : 's'} is ±${pointsAbs(nf.floor)}`;
  if (d.estimate === 0 && d.lower === 0 && d.upper === 0) {
    return { kind: 'noise', text: `No difference: ${aLabel} and ${bLabel} have the same success on every paired task (0.0 points, ${level}% CI 0.0 to 0.0). Not distinguishable from noise; ${floorText}.` };
  }
  if (pair.distinguishable && pair.excludesZero) {
    return { kind: 'better', text: `${better} is better than ${worse} by ${pointsAbs(d.estimate)} (${level}% CI ${intervalText(d)}); ${floorText}.` };
  }
  if (pair.distinguishable) {
    return {
      kind: 'beyond-noise-uncertain',
      text: `${better} is ahead by ${pointsAbs(d.estimate)}, beyond the trial noise (${floorText}), but the ${level}% interval, ${intervalText(d)}, includes zero: other tasks like these could reverse it.`,
    };
  }
  return { kind: 'noise', text: `Not distinguishable from noise: ${signedPoints(d.estimate)} points for ${bLabel} (${level}% CI ${intervalText(d)}); ${floorText}.` };
}

export function fmtTrials(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

/** Each agent's success with its interval, as successChart rows. */
export function agentSuccessRows(result: CompareResult, agents: readonly CompareAgentInfo[]): SuccessRow[] {
  return result.agents.map((a, i) => ({
    key: `agent-${i}`,
    label: agents[i]?.label ?? a.label,
    passed: agents[i]?.passed ?? 0,
    counted: agents[i]?.counted ?? a.success?.sessions ?? 0,
    rate: a.success ? a.success.estimate : null,
    lower: a.success?.lower ?? 0,
    upper: a.success?.upper ?? 0,
  }));
}

/** The pair's differences: success rate, then pass^k for k ≥ 2, as differenceChart rows. */
export function differenceRows(pair: AgentPairResult): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  if (pair.success) rows.push({ key: 'success', label: 'success rate', estimate: pair.success.estimate, lower: pair.success.lower, upper: pair.success.upper });
  for (const p of pair.passHat) if (p.k > 1) rows.push({ key: `k${p.k}`, label: `pass^${p.k}`, estimate: p.estimate, lower: p.lower, upper: p.upper });
  return rows;
}

/** A task's label: scenario title · persona name. */
export function taskLabel(labels: CompareLabels, t: { scenarioId: string; personaId: string }): string {
  return `${labels.scenario(t.scenarioId)} · ${labels.persona(t.personaId)}`;
}

/** Per task, A's and B's success, as pairedDotsChart rows (the pair's order: deciding first). */
export function pairedRows(pair: AgentPairResult, labels: CompareLabels): PairedTaskRow[] {
  return pair.perTask.map((t) => ({ key: t.key, label: taskLabel(labels, t), a: t.rateA, b: t.rateB }));
}

/** One agent's success per persona, as successChart rows. */
export function personaRows(r: Robustness): SuccessRow[] {
  return r.byPersona.map((p) => ({ key: p.personaId, label: p.name, passed: p.passes, counted: p.sessions, rate: p.estimate, lower: p.lower, upper: p.upper }));
}

/** The words of the help box on the interval, shared by the page and the report. */
export const BOOTSTRAP_HELP = [
  'The interval of a difference is a hierarchical (cluster) bootstrap: it resamples tasks with replacement and keeps each chosen task’s trials as they are, seeded, so the same sessions give the same interval.',
  'The trials of one task are not independent (a hard task fails for both agents, trial after trial), so a flat bootstrap or a binomial interval over sessions is too narrow; resampling the trials again inside each task counts the trial noise twice and is too wide (Field and Welsh 2007; Ren et al. 2010, on bootstrapping hierarchical data).',
  'The noise floor is the spread two runs of the same agent would show by chance on these tasks and trials, from the trials’ own variation: a difference inside it is not distinguishable from noise. The interval also covers which tasks happened to be drawn, so an interval that leaves out zero is the stricter claim.',
];

/** The section of docs/evaluation.md that writes the statistics down. */
export const DOCS_SECTION = 'docs/evaluation.md, “Comparing agents”';

/** "About M more trials per task (or K more tasks) would bring the interval to ±W." */
export function planText(p: NonNullable<AgentPairResult['planning']>): string {
  const w = `±${pointsAbs(p.halfWidth)}`;
  const now = `Now ±${pointsAbs(p.currentHalfWidth)} by the planning formula, at ${p.tasks} tasks × ${fmtTrials(p.trialsPerTask)} trials.`;
  if (p.moreTrialsPerTask === 0 || p.moreTasks === 0) return `The interval is already within ${w}. ${now}`;
  const trials = p.reachableByTrials && p.moreTrialsPerTask !== null ? `About ${p.moreTrialsPerTask} more trial${p.moreTrialsPerTask === 1 ? '' : 's'} per task (or ${p.moreTasks} more tasks)` : `About ${p.moreTasks} more tasks (more trials alone cannot: the tasks differ too much among themselves)`;
  return `${trials} would bring the interval to ${w}. ${now}`;
}


/** The trait splits worth a row: personas at both ends (low and high), so there is a difference to read. */
export function traitsWithBothEnds(r: Robustness): Robustness['byTrait'] {
  return r.byTrait.filter((t) => t.low && t.high);
}

import type { Outcome, TerminationReason } from '../model/types.ts';
import { wilsonInterval } from '../stats/wilson.ts';
import { passHatK } from '../stats/passk.ts';

/** The fields of a session a summary needs; storage can supply just these. */
export interface SessionOutcome {
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  termination?: TerminationReason;
  turnCount?: number;
}

export interface Rate {
  passed: number;
  /** Sessions that count: finished and not stopped by the person running the evaluation. */
  counted: number;
  rate: number | null;
  lower: number;
  upper: number;
  /** Mean stored turns of the counted sessions: what a persona costs the agent. */
  meanTurns: number | null;
}

export interface RunSummary {
  overall: Rate;
  byScenario: Map<string, Rate>;
  byPersona: Map<string, Rate>;
  terminations: Map<TerminationReason, number>;
  running: number;
}

function rate([passed, counted, turns]: Tally): Rate {
  const ci = wilsonInterval(passed, counted);
  return { passed, counted, rate: counted ? passed / counted : null, ...ci, meanTurns: counted ? turns / counted : null };
}

/** passed, counted, total turns */
type Tally = [number, number, number];

/**
 * Success rates with Wilson 95% intervals, overall, per scenario and per persona.
 * Agent and user errors count as failures (the task was not done); sessions that were
 * stopped by the person ("aborted") or are still running are left out.
 */
export function summarizeOutcomes(sessions: Iterable<SessionOutcome>): RunSummary {
  const tally = () => new Map<string, Tally>();
  const byScenario = tally();
  const byPersona = tally();
  const terminations = new Map<TerminationReason, number>();
  const overall: Tally = [0, 0, 0];
  let running = 0;
  const add = (t: Tally, pass: boolean, turns: number) => {
    t[0] += pass ? 1 : 0;
    t[1] += 1;
    t[2] += turns;
  };
  const addTo = (m: Map<string, Tally>, key: string, pass: boolean, turns: number) => {
    const t = m.get(key) ?? [0, 0, 0];
    add(t, pass, turns);
    m.set(key, t);
  };
  for (const s of sessions) {
    if (s.termination) terminations.set(s.termination, (terminations.get(s.termination) ?? 0) + 1);
    if (s.outcome === 'running') {
      running++;
      continue;
    }
    if (s.termination === 'aborted') continue;
    const pass = s.outcome === 'pass';
    const turns = s.turnCount ?? 0;
    add(overall, pass, turns);
    addTo(byScenario, s.scenarioId, pass, turns);
    addTo(byPersona, s.personaId, pass, turns);
  }
  const toRates = (m: Map<string, Tally>) => new Map([...m].map(([k, t]) => [k, rate(t)]));
  return {
    overall: rate(overall),
    byScenario: toRates(byScenario),
    byPersona: toRates(byPersona),
    terminations,
    running,
  };
}

/** pass^k at one k: the chance that k trials of the same task and persona all succeed. */
export interface PassHatPoint {
  k: number;
  value: number;
  /** (task, persona) pairs averaged over. */
  pairs: number;
}

/**
 * The pass^k curve for k = 1 … the fewest trials any pair has: per (scenario, persona)
 * pair, the unbiased estimate from its n trials with c successes, averaged over pairs
 * (τ-bench's definition, with the persona as part of the task).
 */
export function passHatKCurve(sessions: Iterable<SessionOutcome>): PassHatPoint[] {
  const pairs = new Map<string, [number, number]>();
  for (const s of sessions) {
    if (s.outcome === 'running' || s.termination === 'aborted') continue;
    const key = JSON.stringify([s.scenarioId, s.personaId]);
    const t = pairs.get(key) ?? [0, 0];
    t[0] += s.outcome === 'pass' ? 1 : 0;
    t[1] += 1;
    pairs.set(key, t);
  }
  if (pairs.size === 0) return [];
  const maxK = Math.min(...[...pairs.values()].map(([, n]) => n));
  const curve: PassHatPoint[] = [];
  for (let k = 1; k <= maxK; k++) {
    let sum = 0;
    for (const [c, n] of pairs.values()) sum += passHatK(n, c, k);
    curve.push({ k, value: sum / pairs.size, pairs: pairs.size });
  }
  return curve;
}

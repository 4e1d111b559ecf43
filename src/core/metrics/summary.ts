import type { Outcome, TerminationReason } from '../model/types.ts';
import { wilsonInterval } from '../stats/wilson.ts';

/** The fields of a session a summary needs; storage can supply just these. */
export interface SessionOutcome {
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  termination?: TerminationReason;
}

export interface Rate {
  passed: number;
  /** Sessions that count: finished and not stopped by the person running the evaluation. */
  counted: number;
  rate: number | null;
  lower: number;
  upper: number;
}

export interface RunSummary {
  overall: Rate;
  byScenario: Map<string, Rate>;
  byPersona: Map<string, Rate>;
  terminations: Map<TerminationReason, number>;
  running: number;
}

function rate(passed: number, counted: number): Rate {
  const ci = wilsonInterval(passed, counted);
  return { passed, counted, rate: counted ? passed / counted : null, ...ci };
}

/**
 * Success rates with Wilson 95% intervals, overall, per scenario and per persona.
 * Agent and user errors count as failures (the task was not done); sessions that were
 * stopped by the person ("aborted") or are still running are left out.
 */
export function summarizeOutcomes(sessions: Iterable<SessionOutcome>): RunSummary {
  const tally = () => new Map<string, [number, number]>();
  const byScenario = tally();
  const byPersona = tally();
  const terminations = new Map<TerminationReason, number>();
  let passed = 0;
  let counted = 0;
  let running = 0;
  const add = (m: Map<string, [number, number]>, key: string, pass: boolean) => {
    const t = m.get(key) ?? [0, 0];
    t[0] += pass ? 1 : 0;
    t[1] += 1;
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
    passed += pass ? 1 : 0;
    counted++;
    add(byScenario, s.scenarioId, pass);
    add(byPersona, s.personaId, pass);
  }
  const toRates = (m: Map<string, [number, number]>) => new Map([...m].map(([k, [p, n]]) => [k, rate(p, n)]));
  return {
    overall: rate(passed, counted),
    byScenario: toRates(byScenario),
    byPersona: toRates(byPersona),
    terminations,
    running,
  };
}

import type { Outcome, TerminationReason } from '../model/types.ts';
import { wilsonInterval } from '../stats/wilson.ts';

/** The fields of a session a summary needs; storage can supply just these. */
export interface SessionOutcome {
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  termination?: TerminationReason;
  turnCount?: number;
  /** User turns flagged by the leak check; absent on sessions stored before it. */
  userUnknownValueTurns?: number;
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
  /** Mean stored turns of the passed sessions: what a success took (e.g. to an accepted recommendation). */
  meanTurnsPassed: number | null;
}

export interface RunSummary {
  overall: Rate;
  byScenario: Map<string, Rate>;
  byPersona: Map<string, Rate>;
  terminations: Map<TerminationReason, number>;
  running: number;
  /**
   * The leak check over the run: `checked` sessions carry its count (aborted ones included: a
   * value the user could not know is the simulator's fault whoever stopped the session; older
   * sessions and running ones do not), `flagged` of them have a user turn with such a value.
   */
  userUnknownValue: { checked: number; flagged: number };
}

function rate([passed, counted, turns, passedTurns]: Tally): Rate {
  const ci = wilsonInterval(passed, counted);
  return {
    passed,
    counted,
    rate: counted ? passed / counted : null,
    ...ci,
    meanTurns: counted ? turns / counted : null,
    meanTurnsPassed: passed ? passedTurns / passed : null,
  };
}

/** passed, counted, total turns, turns of the passed sessions */
type Tally = [number, number, number, number];

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
  const overall: Tally = [0, 0, 0, 0];
  let running = 0;
  const userUnknownValue = { checked: 0, flagged: 0 };
  const add = (t: Tally, pass: boolean, turns: number) => {
    t[0] += pass ? 1 : 0;
    t[1] += 1;
    t[2] += turns;
    t[3] += pass ? turns : 0;
  };
  const addTo = (m: Map<string, Tally>, key: string, pass: boolean, turns: number) => {
    const t = m.get(key) ?? [0, 0, 0, 0];
    add(t, pass, turns);
    m.set(key, t);
  };
  for (const s of sessions) {
    if (s.userUnknownValueTurns !== undefined && s.outcome !== 'running') {
      userUnknownValue.checked++;
      if (s.userUnknownValueTurns > 0) userUnknownValue.flagged++;
    }
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
    userUnknownValue,
  };
}

import { JSDOM } from 'jsdom';
import type { Outcome, TerminationReason } from '../../src/core/model/types.ts';
import type { ReportRun, ReportSession } from '../../src/report/run-report.ts';

/** A document for Plot in Node, as the page's would be. */
export function dom(): Document {
  return new JSDOM('<!doctype html><html><body></body></html>').window.document;
}

/** Titles a person could type, and some meant to break out of HTML, CSV or a spreadsheet. */
export const HOSTILE = {
  script: '<script>alert("x")</script> & <img src=x onerror=alert(1)>',
  csv: 'Return "two" items, then\nask again',
  formula: '=HYPERLINK("http://example.invalid","click")',
  persona: 'Bob </td><td>"quoted"',
};

/**
 * Two tasks × two personas × 2 trials of a rule-based agent, plus an aborted session (left out
 * of every rate) and one ended by an agent error (a failure).
 */
export function fixtureRun(): { run: ReportRun; sessions: ReportSession[] } {
  const run: ReportRun = {
    id: 'run-1',
    createdAt: Date.UTC(2026, 11, 8, 3, 13),
    status: 'completed',
    spec: {
      name: `Bookshop <baseline> "v1"`,
      scenarioIds: ['s1', 's2'],
      personaIds: ['p1', 'p2'],
      user: { kind: 'agenda', label: 'Agenda-based simulator', version: 'agenda-1.3', settings: {} },
      agent: { kind: 'llm', label: 'LLM agent', version: 'llm-agent-3', settings: {} },
      trials: 2,
      seed: 7,
      maxTurns: 30,
      maxErrors: 3,
    },
    scenarioTitles: { s1: HOSTILE.script, s2: HOSTILE.csv },
    personaNames: { p1: HOSTILE.persona, p2: HOSTILE.formula },
  };
  const agentSettings = { engine: 'wllama', model: 'gguf:3f2a9c', label: 'stories260K.gguf', sha256: '3f2a9c' };
  let n = 0;
  const s = (scenarioId: string, personaId: string, trial: number, outcome: Outcome, termination: TerminationReason, turnCount: number): ReportSession => ({
    id: `run-1-${++n}`,
    scenarioId,
    personaId,
    trial,
    outcome,
    termination,
    turnCount,
    ...(outcome === 'pass' || outcome === 'fail' ? { score: { reward: outcome === 'pass' ? 1 : 0, strictReward: outcome === 'pass' ? 1 : 0, flags: [] } } : {}),
    agent: { settings: agentSettings },
    user: { settings: {} },
  });
  const sessions = [
    s('s1', 'p1', 0, 'pass', 'user_stop', 6),
    s('s1', 'p1', 1, 'pass', 'user_stop', 8),
    s('s1', 'p2', 0, 'fail', 'max_turns', 30),
    s('s1', 'p2', 1, 'pass', 'user_stop', 10),
    s('s2', 'p1', 0, 'fail', 'transfer', 4),
    s('s2', 'p1', 1, 'error', 'agent_error', 2),
    s('s2', 'p2', 0, 'pass', 'user_stop', 7),
    s('s2', 'p2', 1, 'pass', 'user_stop', 9),
    s('s2', 'p2', 2, 'error', 'aborted', 1),
  ];
  return { run, sessions };
}

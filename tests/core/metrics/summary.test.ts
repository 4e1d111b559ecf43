import { describe, expect, it } from 'vitest';
import { summarizeOutcomes, type SessionOutcome } from '../../../src/core/metrics/summary.ts';
import { wilsonInterval } from '../../../src/core/stats/wilson.ts';

const s = (scenarioId: string, personaId: string, outcome: SessionOutcome['outcome'], termination?: SessionOutcome['termination']): SessionOutcome => ({
  scenarioId,
  personaId,
  outcome,
  ...(termination ? { termination } : {}),
});

describe('summarizeOutcomes', () => {
  const sessions: SessionOutcome[] = [
    s('cancel', 'baseline', 'pass', 'user_stop'),
    s('cancel', 'baseline', 'pass', 'user_stop'),
    s('cancel', 'impatient', 'fail', 'user_stop'),
    s('cancel', 'impatient', 'error', 'agent_error'),
    s('refund', 'baseline', 'pass', 'transfer'),
    s('refund', 'baseline', 'fail', 'max_turns'),
    s('refund', 'impatient', 'error', 'aborted'),
    s('refund', 'impatient', 'running'),
  ];

  it('counts passes over finished sessions, leaving out aborted and running ones', () => {
    const r = summarizeOutcomes(sessions);
    expect(r.overall).toMatchObject({ passed: 3, counted: 6, rate: 0.5 });
    expect(r.running).toBe(1);
  });

  it('gives Wilson intervals with each rate', () => {
    const r = summarizeOutcomes(sessions);
    expect(r.overall.lower).toBeCloseTo(wilsonInterval(3, 6).lower, 12);
    expect(r.overall.upper).toBeCloseTo(wilsonInterval(3, 6).upper, 12);
    expect(r.overall.lower).toBeGreaterThan(0);
    expect(r.overall.upper).toBeLessThan(1);
  });

  it('gives rates per scenario and per persona; errors count as failures', () => {
    const r = summarizeOutcomes(sessions);
    expect(r.byScenario.get('cancel')).toMatchObject({ passed: 2, counted: 4, rate: 0.5 });
    expect(r.byScenario.get('refund')).toMatchObject({ passed: 1, counted: 2, rate: 0.5 });
    expect(r.byPersona.get('baseline')).toMatchObject({ passed: 3, counted: 4, rate: 0.75 });
    expect(r.byPersona.get('impatient')).toMatchObject({ passed: 0, counted: 2, rate: 0 });
    expect([...r.byScenario.keys()].sort()).toEqual(['cancel', 'refund']);
  });

  it('counts terminations, aborted ones included', () => {
    const r = summarizeOutcomes(sessions);
    expect(Object.fromEntries(r.terminations)).toEqual({
      user_stop: 3,
      agent_error: 1,
      transfer: 1,
      max_turns: 1,
      aborted: 1,
    });
  });

  it('averages turns over the sessions that count', () => {
    const r = summarizeOutcomes([
      { ...s('a', 'p', 'pass'), turnCount: 10 },
      { ...s('a', 'q', 'fail'), turnCount: 4 },
      { ...s('b', 'p', 'pass'), turnCount: 20 },
      { ...s('b', 'p', 'error', 'aborted'), turnCount: 99 },
    ]);
    expect(r.overall.meanTurns).toBeCloseTo(34 / 3);
    expect(r.byScenario.get('a')?.meanTurns).toBe(7);
    expect(r.byPersona.get('p')?.meanTurns).toBe(15);
  });

  it('averages the turns a success took over the passed sessions only', () => {
    const r = summarizeOutcomes([
      { ...s('a', 'p', 'pass'), turnCount: 10 },
      { ...s('a', 'q', 'fail'), turnCount: 4 },
      { ...s('a', 'q', 'pass'), turnCount: 6 },
      { ...s('b', 'p', 'fail'), turnCount: 20 },
      { ...s('b', 'p', 'pass', 'aborted'), turnCount: 99 },
    ]);
    expect(r.overall.meanTurnsPassed).toBe(8);
    expect(r.byScenario.get('a')?.meanTurnsPassed).toBe(8);
    expect(r.byPersona.get('q')?.meanTurnsPassed).toBe(6);
    // A task nobody passed has no such figure, rather than 0.
    expect(r.byScenario.get('b')?.meanTurnsPassed).toBeNull();
  });

  it('has no rate, and the widest interval, when nothing counts', () => {
    const r = summarizeOutcomes([s('a', 'p', 'running'), s('a', 'p', 'error', 'aborted')]);
    expect(r.overall).toEqual({ passed: 0, counted: 0, rate: null, lower: 0, upper: 1, meanTurns: null, meanTurnsPassed: null });
    expect(r.byScenario.size).toBe(0);
    expect(r.running).toBe(1);
  });

  it('accepts any iterable', () => {
    function* gen() {
      yield s('a', 'p', 'pass', 'user_stop');
      yield s('a', 'p', 'fail', 'user_stop');
    }
    expect(summarizeOutcomes(gen()).overall).toMatchObject({ passed: 1, counted: 2 });
  });
});

describe('summarizeOutcomes: the leak check', () => {
  const withFlags = (outcome: SessionOutcome['outcome'], userUnknownValueTurns?: number, termination?: SessionOutcome['termination']): SessionOutcome => ({
    ...s('cancel', 'baseline', outcome, termination),
    ...(userUnknownValueTurns !== undefined ? { userUnknownValueTurns } : {}),
  });

  it('counts the checked sessions with a user turn holding a value the user could not know', () => {
    const r = summarizeOutcomes([
      withFlags('pass', 0, 'user_stop'),
      withFlags('fail', 2, 'user_stop'),
      withFlags('pass', 1, 'user_stop'),
      // Stopped by the person: still checked, and its flag still counts.
      withFlags('error', 1, 'aborted'),
      // Stored before the check: not checked.
      withFlags('fail', undefined, 'max_turns'),
      withFlags('running'),
    ]);
    expect(r.userUnknownValue).toEqual({ checked: 4, flagged: 3 });
  });

  it('is zero of zero for sessions stored before the check', () => {
    expect(summarizeOutcomes([withFlags('pass', undefined, 'user_stop')]).userUnknownValue).toEqual({ checked: 0, flagged: 0 });
  });
});

import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { summarizeOutcomes, tauReport } from '../../src/core/index.ts';
import { SESSION_CSV_COLUMNS, sessionsCsv, tasksCsv } from '../../src/report/csv.ts';
import { fixtureRun, HOSTILE } from './fixture.ts';

const parse = (text: string) => Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });

describe('sessionsCsv', () => {
  const { run, sessions } = fixtureRun();
  const text = sessionsCsv(run, sessions);
  const parsed = parse(text);

  it('has the documented header and one row per session', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...SESSION_CSV_COLUMNS]);
    expect(parsed.data).toHaveLength(sessions.length);
  });

  it('round-trips to the same numbers', () => {
    const counted = parsed.data.filter((r) => r.outcome !== 'running' && r.termination !== 'aborted');
    const summary = summarizeOutcomes(sessions);
    expect(counted.length).toBe(summary.overall.counted);
    expect(counted.filter((r) => r.outcome === 'pass').length).toBe(summary.overall.passed);
    expect(parsed.data.map((r) => Number(r.turns))).toEqual(sessions.map((s) => s.turnCount));
    expect(parsed.data.map((r) => r.trial)).toEqual(['1', '2', '1', '2', '1', '2', '1', '2', '3']);
    // A session without a score has an empty reward, not a 0.
    expect(parsed.data.map((r) => r.reward)).toEqual(['1', '1', '0', '1', '0', '', '1', '1', '']);
  });

  it('quotes commas, quotes and line breaks (RFC 4180) and keeps formulas as text', () => {
    expect(text).toContain('\r\n');
    expect(text).toContain('"Return ""two"" items, then\nask again"');
    const titles = new Set(parsed.data.map((r) => r.scenario));
    expect(titles).toEqual(new Set([HOSTILE.script, HOSTILE.csv]));
    expect(parsed.data.find((r) => r.persona_id === 'p1')!.persona).toBe(HOSTILE.persona);
    // A cell a spreadsheet would run as a formula gets a leading apostrophe.
    expect(parsed.data.find((r) => r.persona_id === 'p2')!.persona).toBe(`'${HOSTILE.formula}`);
  });
});

describe('tasksCsv', () => {
  const { run, sessions } = fixtureRun();
  const parsed = parse(tasksCsv(run, sessions));
  const report = tauReport(sessions, { seed: run.spec.seed });

  it('has one row per task with pass^k columns up to the most trials', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([
      'agent', 'scenario_id', 'scenario', 'persona_id', 'persona', 'trials', 'passes', 'strict_passes',
      'pass_hat_1', 'pass_hat_2', 'pass_rate', 'pass_rate_lower', 'pass_rate_upper', 'flipped', 'db_right_info_missing', 'info_conveyed_db_wrong',
    ]);
    expect(parsed.data).toHaveLength(report.perTask.length);
  });

  it('round-trips to the report per task', () => {
    parsed.data.forEach((row, i) => {
      const t = report.perTask[i]!;
      expect([row.scenario_id, row.persona_id]).toEqual([t.scenarioId, t.personaId]);
      expect(Number(row.trials)).toBe(t.trials);
      expect(Number(row.passes)).toBe(t.passes);
      expect(Number(row.strict_passes)).toBe(t.strictPasses);
      expect(Number(row.pass_hat_2)).toBeCloseTo(t.passHat[1]!.value, 6);
      expect(Number(row.pass_rate_lower)).toBeCloseTo(t.passHat[0]!.lower, 6);
      expect(Number(row.flipped)).toBe(t.flipped ? 1 : 0);
    });
    // The mean of the per-task pass^1 is the report's pass^1.
    const mean = parsed.data.reduce((a, r) => a + Number(r.pass_hat_1), 0) / parsed.data.length;
    expect(mean).toBeCloseTo(report.rows[0]!.passHat.value, 5);
  });
});

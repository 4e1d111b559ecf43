/**
 * CSV exports of a run: one row per session, and one row per task (scenario × persona, per
 * agent entry in a run of several). The columns are documented in the README ("Exports").
 *
 * Written with papaparse's unparse: RFC 4180 (CRLF line ends, a field with a comma, a quote or
 * a line break quoted, quotes doubled), and escapeFormulae, so a text cell that begins with
 * = + - @ or a tab (a scenario title is user data) gets a leading apostrophe and a spreadsheet
 * shows it as text instead of running it as a formula. Numbers are written as numbers (rates
 * as fractions 0–1 with up to 6 decimals) and so are never altered.
 */
import Papa from 'papaparse';
import { tauReport, type TauReport } from '../core/index.ts';
import { agentGroups, orderSessions, runLabels, type ReportRun, type ReportSession } from './run-report.ts';

/** The sessions file's columns, in order. */
export const SESSION_CSV_COLUMNS = [
  'session_id',
  'agent',
  'scenario_id',
  'scenario',
  'persona_id',
  'persona',
  'trial',
  'outcome',
  'reward',
  'strict_reward',
  'turns',
  'termination',
] as const;

/** The per-task file's fixed columns; pass_hat_1 … pass_hat_K follow `strict_passes` (K: the most trials a task has). */
export const TASK_CSV_COLUMNS = [
  'agent',
  'scenario_id',
  'scenario',
  'persona_id',
  'persona',
  'trials',
  'passes',
  'strict_passes',
  'pass_rate',
  'pass_rate_lower',
  'pass_rate_upper',
  'flipped',
  'db_right_info_missing',
  'info_conveyed_db_wrong',
] as const;

type Cell = string | number | null;

function toCsv(fields: readonly string[], rows: readonly Cell[][]): string {
  return Papa.unparse({ fields: [...fields], data: rows.map((r) => [...r]) }, { newline: '\r\n', escapeFormulae: true, quotes: false }) + '\r\n';
}

/** A fraction rounded to 6 decimals, so files stay short and still give back the figures. */
const frac = (x: number) => Math.round(x * 1e6) / 1e6;

/** One row per session, in the run's order (task, persona, agent, trial). */
export function sessionsCsv(run: ReportRun, sessions: readonly ReportSession[]): string {
  const labels = runLabels(run);
  const rows = orderSessions(run, sessions).map((s): Cell[] => [
    s.id,
    labels.agent(s.agentEntry),
    s.scenarioId,
    labels.scenario(s.scenarioId),
    s.personaId,
    labels.persona(s.personaId),
    s.trial + 1,
    s.outcome,
    s.score ? s.score.reward : null,
    s.score?.strictReward ?? null,
    s.turnCount,
    s.termination ?? null,
  ]);
  return toCsv(SESSION_CSV_COLUMNS, rows);
}

/** One row per task (scenario × persona) and agent entry, with pass^k for k = 1 … the most trials. */
export function tasksCsv(run: ReportRun, sessions: readonly ReportSession[]): string {
  const labels = runLabels(run);
  const groups = agentGroups(run, orderSessions(run, sessions)).map((g) => ({ ...g, report: tauReport(g.sessions, { seed: run.spec.seed }) as TauReport }));
  const maxTrials = Math.max(0, ...groups.flatMap((g) => g.report.perTask.map((t) => t.trials)));
  const ks = Array.from({ length: maxTrials }, (_, i) => i + 1);
  const fields = [...TASK_CSV_COLUMNS.slice(0, 8), ...ks.map((k) => `pass_hat_${k}`), ...TASK_CSV_COLUMNS.slice(8)];
  const rows = groups.flatMap((g) =>
    g.report.perTask.map((t): Cell[] => [
      g.label,
      t.scenarioId,
      labels.scenario(t.scenarioId),
      t.personaId,
      labels.persona(t.personaId),
      t.trials,
      t.passes,
      t.strictPasses,
      ...ks.map((k) => (t.passHat[k - 1] ? frac(t.passHat[k - 1]!.value) : null)),
      frac(t.passes / t.trials),
      frac(t.passHat[0]!.lower),
      frac(t.passHat[0]!.upper),
      t.flipped ? 1 : 0,
      t.flags.db_right_info_missing,
      t.flags.info_conveyed_db_wrong,
    ]),
  );
  return toCsv(fields, rows);
}

/**
 * A run as one self-contained HTML file: it opens offline in any browser, holds no script (a
 * Content-Security-Policy in the file forbids scripts and every fetch, so even a report with
 * hostile text in it cannot run or load anything), and keeps its charts as inline SVG and its
 * styles inline.
 *
 * The figures are computed here with the same core functions and seed as the run page
 * (summarizeOutcomes, tauReport seeded with the run's seed), so the report shows what the page
 * shows. Every piece is exported, so a comparison report is these pieces in another order:
 *
 *   reportPage({ title, body: [reportHeader(…), section('Reliability', passKBlock(report, opts)), …] })
 *
 * All text goes through the `html` template of html.ts (escaped); the only markup put in as it
 * is comes from the charts (charts.ts), serialized by the DOM.
 */
import {
  summarizeOutcomes,
  tauReport,
  type Rate,
  type Run,
  type RunSummary,
  type SeatConfig,
  type Session,
  type SessionScore,
  type TauReport,
  type TerminationReason,
} from '../core/index.ts';
import { passKChart, successChart, svgMarkup, type SuccessRow } from './charts.ts';
import { html, trusted, type HtmlValue, type SafeHtml } from './html.ts';

/* ------------------------------------------------------------------ inputs */

/** The fields of a session the report reads; stored sessions fit as they are. */
export type ReportSession = Pick<Session, 'id' | 'scenarioId' | 'personaId' | 'trial' | 'outcome' | 'turnCount'> &
  Partial<Pick<Session, 'termination' | 'agentEntry' | 'userUnknownValueTurns'>> & {
    score?: Pick<SessionScore, 'reward'> & Partial<Pick<SessionScore, 'strictReward' | 'flags' | 'criteria'>>;
    user?: Pick<SeatConfig, 'settings'>;
    agent?: Pick<SeatConfig, 'settings'>;
  };

/** The fields of a run the report reads. */
export type ReportRun = Pick<Run, 'id' | 'createdAt' | 'status' | 'spec' | 'scenarioTitles' | 'personaNames'> & Partial<Pick<Run, 'finishedAt'>>;

export interface RunReportInput {
  run: ReportRun;
  sessions: readonly ReportSession[];
}

export interface ReportOptions {
  /** Where the charts are drawn: the page's document, or jsdom's in Node. */
  document: Document;
  /** Time zone of the dates (default: the machine's). */
  timeZone?: string;
  /** When the report was made (default: now); shown in its footer. */
  generatedAt?: number;
}

/* ----------------------------------------------------------------- helpers */

const pct0 = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** A date as people read it, with its time zone: "8 December 2026 at 03:13 UTC". */
export function formatDate(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(ms);
}

/** The labels a report prints for a run's ids. */
export interface ReportLabels {
  scenario: (id: string) => string;
  persona: (id: string) => string;
  /** An agent entry's label; the run's agent for sessions without an entry. */
  agent: (entry: string | undefined) => string;
}

export function runLabels(run: ReportRun): ReportLabels {
  const entries = new Map((run.spec.agents ?? []).map((e) => [e.id, e.label]));
  return {
    scenario: (id) => run.scenarioTitles[id] ?? id,
    persona: (id) => run.personaNames[id] ?? id,
    agent: (entry) => (entry !== undefined ? (entries.get(entry) ?? entry) : run.spec.agent.label),
  };
}

/**
 * The name of the model a seat ran, as people know it: its label (a GGUF file name, a web-llm
 * model id), never a stored model's hash-derived reference. null for seats without a model.
 */
export function seatModelName(settings: SeatConfig['settings'] | undefined): string | null {
  if (!settings) return null;
  if (typeof settings.label === 'string' && settings.label) return settings.label;
  if (typeof settings.model === 'string' && settings.model) return settings.model.startsWith('gguf:') ? 'a stored GGUF model' : settings.model;
  return null;
}

/** One seat of a run as the report's header lists it. */
export interface SeatLine {
  role: string;
  label: string;
  version: string;
  /** The models its sessions ran, by name; empty for rule-based seats. */
  models: string[];
}

/** The run's seats: the user simulator and each agent, with the models their sessions ran. */
export function seatLines(run: ReportRun, sessions: readonly ReportSession[]): SeatLine[] {
  const modelsOf = (pick: (s: ReportSession) => SeatConfig['settings'] | undefined, keep: (s: ReportSession) => boolean, spec: SeatConfig) => {
    const names = new Set<string>();
    for (const s of sessions) if (keep(s)) names.add(seatModelName(pick(s)) ?? '');
    if (!names.size) names.add(seatModelName(spec.settings) ?? '');
    names.delete('');
    return [...names];
  };
  const user = run.spec.user;
  const lines: SeatLine[] = [{ role: 'User simulator', label: user.label, version: user.version, models: modelsOf((s) => s.user?.settings, () => true, user) }];
  const entries = run.spec.agents ?? [];
  if (entries.length > 1) {
    for (const e of entries) {
      lines.push({ role: `Agent · ${e.id}`, label: e.label, version: e.seat.version, models: modelsOf((s) => s.agent?.settings, (s) => s.agentEntry === e.id, e.seat) });
    }
  } else {
    const a = run.spec.agent;
    lines.push({ role: 'Agent under test', label: a.label, version: a.version, models: modelsOf((s) => s.agent?.settings, () => true, a) });
  }
  return lines;
}

/** Sessions in the run's order: task, persona, agent entry, trial. */
export function orderSessions<S extends ReportSession>(run: ReportRun, sessions: readonly S[]): S[] {
  const rank = (ids: readonly string[]) => {
    const m = new Map(ids.map((id, i) => [id, i]));
    return (id: string) => m.get(id) ?? ids.length;
  };
  const sc = rank(run.spec.scenarioIds);
  const pe = rank(run.spec.personaIds);
  const ag = rank((run.spec.agents ?? []).map((e) => e.id));
  return [...sessions].sort(
    (a, b) => sc(a.scenarioId) - sc(b.scenarioId) || pe(a.personaId) - pe(b.personaId) || ag(a.agentEntry ?? '') - ag(b.agentEntry ?? '') || a.trial - b.trial,
  );
}

/* ------------------------------------------------------------------ pieces */

/** The report's stylesheet: the page's palette, readable type, plain tables; prints cleanly. */
export const REPORT_CSS = `
:root { --bg: #f6f7fb; --panel: #fff; --ink: #1d2233; --muted: #5d6478; --faint: #6e758a; --line: #e3e6ef;
  --accent: #3b3f9f; --pass: #1f8a5b; --pass-soft: #e3f5ec; --fail: #c2413b; --fail-soft: #fbe9e8; --warn: #b7791f; --warn-soft: #fdf3e1; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 72rem; padding: 2rem 1.5rem 3rem; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0.1rem 0 0.4rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.8rem; }
h3 { font-size: 0.95rem; margin: 1.2rem 0 0.5rem; }
p { margin: 0.4rem 0; }
.kicker { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.75rem; font-weight: 600; color: var(--accent); margin: 0; }
.meta { color: var(--muted); margin: 0; }
.muted { color: var(--muted); }
.faint { color: var(--faint); }
.small { font-size: 0.85rem; }
header.report { margin-bottom: 1.5rem; }
.seats { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.9rem 0 0; font-size: 0.92rem; }
.seats dt { color: var(--muted); }
.seats dd { margin: 0; }
section.block { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1.1rem 1.3rem; margin: 0 0 1.2rem; break-inside: avoid-page; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; margin: 0 0 1.2rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 0.9rem 1.1rem; }
.card .label { display: block; color: var(--muted); font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.05em; font-weight: 600; }
.card .value { display: block; font-size: 2.2rem; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
@media (max-width: 52rem) { .two { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4rem; }
th { text-align: left; font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600;
  padding: 0.35rem 0.55rem; border-bottom: 1.5px solid var(--line); white-space: nowrap; vertical-align: bottom; }
td { padding: 0.3rem 0.55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfd; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { text-align: right; }
.strong { font-weight: 600; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.84em; }
.badge { display: inline-block; border-radius: 999px; padding: 0 0.5rem; font-size: 0.78rem; font-weight: 600; background: var(--line); color: var(--ink); }
.badge.pass { background: var(--pass-soft); color: var(--pass); }
.badge.fail { background: var(--fail-soft); color: var(--fail); }
.badge.error, .badge.warn { background: var(--warn-soft); color: #7a5212; }
figure.chart { margin: 0; }
figure.chart figcaption { font-size: 0.8rem; color: var(--muted); margin-top: 0.3rem; }
figure.chart svg { max-width: 100%; height: auto; }
.notes { font-size: 0.85rem; color: var(--muted); }
.notes p { max-width: 62rem; }
footer { font-size: 0.8rem; color: var(--faint); margin-top: 2rem; }
@media print {
  html, body { background: #fff; }
  body { padding: 0; max-width: none; }
  section.block, .card { border-color: #ccc; }
}
`;

/** A whole report document: inline CSS, no script, and a policy that allows neither scripts nor fetches. */
export function reportPage({ title, body }: { title: string; body: HtmlValue }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="Understudy">
<title>${title}</title>
<style>${trusted(REPORT_CSS)}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}

/** The report's title block: what it is, the run's name, a line of facts, the seats. */
export function reportHeader(opts: { kicker: string; title: string; meta: readonly string[]; seats: readonly SeatLine[] }): SafeHtml {
  return html`<header class="report">
<p class="kicker">${opts.kicker}</p>
<h1>${opts.title}</h1>
<p class="meta">${opts.meta.join(' · ')}</p>
<dl class="seats">${opts.seats.map(
    (s) => html`<dt>${s.role}</dt><dd><strong>${s.label}</strong> <span class="faint">(${s.version})</span>${
      s.models.length ? html` · model${s.models.length > 1 ? 's' : ''}: <span class="mono">${s.models.join(', ')}</span>` : html` · <span class="faint">no model (rule-based)</span>`
    }</dd>`,
  )}</dl>
</header>`;
}

/** A titled block of the report. */
export function section(title: string, body: HtmlValue, opts: { id?: string; note?: string } = {}): SafeHtml {
  return html`<section class="block"${opts.id ? html` id="${opts.id}"` : ''}>
<h2>${title}</h2>
${opts.note ? html`<p class="muted small">${opts.note}</p>` : ''}
${body}
</section>`;
}

/** A chart (an element from charts.ts) as an inline-SVG figure. */
export function chartFigure(chart: Element, caption?: string): SafeHtml {
  return html`<figure class="chart">${trusted(svgMarkup(chart))}${caption ? html`<figcaption>${caption}</figcaption>` : ''}</figure>`;
}

/** The big numbers: success rate with its interval, pass^k at the largest k, sessions. */
export function statCards(summary: RunSummary, report: TauReport): SafeHtml {
  const o = summary.overall;
  const last = report.rows[report.rows.length - 1];
  const stopped = summary.terminations.get('aborted') ?? 0;
  return html`<div class="cards">
<div class="card"><span class="label">Success rate</span><span class="value" data-figure="overall-rate">${pct0(o.rate)}</span>
<span class="faint" data-figure="overall-counts">${o.passed} of ${o.counted} sessions${o.counted ? ` · 95% CI ${pct0(o.lower)}–${pct0(o.upper)}` : ''}</span></div>
<div class="card"><span class="label">Reliability · pass^${last?.k ?? 'k'}</span><span class="value">${last ? pct1(last.passHat.value) : '—'}</span>
<span class="faint">${last ? `${Math.round(report.confidence * 100)}% CI ${pct1(last.passHat.lower)} – ${pct1(last.passHat.upper)} · ${plural(report.tasks, 'task')}` : 'No session has finished.'}</span></div>
<div class="card"><span class="label">Sessions</span><span class="value">${report.sessions}</span>
<span class="faint">counted${stopped ? ` · ${stopped} stopped by the person, left out` : ''}${summary.running ? ` · ${summary.running} still running` : ''}</span></div>
</div>`;
}

/** The pass^k table: one row per k, standard and strict, each with its interval. */
export function passKTable(report: TauReport): SafeHtml {
  const level = Math.round(report.confidence * 100);
  const ci = (e: { lower: number; upper: number }) => `${pct1(e.lower)} – ${pct1(e.upper)}`;
  return html`<table class="passk" data-table="passk">
<thead><tr><th>k</th><th class="num">pass^k</th><th class="num">${level}% CI</th><th class="num">strict pass^k</th><th class="num">${level}% CI</th></tr></thead>
<tbody>${report.rows.map(
    (r) => html`<tr><td class="strong">${r.k}</td><td class="num strong">${pct1(r.passHat.value)}</td><td class="num faint">${ci(r.passHat)}</td><td class="num strong">${pct1(r.strict.value)}</td><td class="num faint">${ci(r.strict)}</td></tr>`,
  )}</tbody>
</table>`;
}

/** pass^k: the table, the chart, the flip rate and how the numbers are computed. */
export function passKBlock(report: TauReport, opts: Pick<ReportOptions, 'document'>): SafeHtml {
  if (!report.rows.length) return html`<p class="muted">No session has finished.</p>`;
  const level = Math.round(report.confidence * 100);
  const f = report.flipRate;
  return html`<div class="two">
<div>${passKTable(report)}
<p class="small">Flip rate <strong>${f.value === null ? '—' : pct0(f.value)}</strong>${
    f.value !== null ? html` <span class="faint">(${f.flipped} of ${f.eligible} tasks whose trials disagree · CI ${pct0(f.lower)}–${pct0(f.upper)})</span>` : ''
  } · DB right, info not conveyed <strong>${report.flags.db_right_info_missing}</strong> · info conveyed, DB wrong <strong>${report.flags.info_conveyed_db_wrong}</strong></p>
${report.unscored ? html`<p class="small badge warn">In ${report.unscored} of ${report.sessions} sessions a criterion could not be scored (no judge model) and was left out of the reward.</p>` : ''}
</div>
${chartFigure(passKChart(report.rows, { document: opts.document, width: 420, confidencePercent: level }))}
</div>
<div class="notes">
<p>A task is a scenario with a persona. Per task with n trials and c passes, pass^k = C(c,k)/C(n,k), the unbiased estimate of the chance that k trials all pass (τ-bench), averaged over tasks for k up to the fewest trials any task has. Sessions that ended in an error count as failures; stopped ones are left out.</p>
<p>The average's interval is a percentile bootstrap over tasks (${report.iterations.toLocaleString('en')} resamples, seed ${report.seed}); it collapses when every task has the same value, so read it beside the number of tasks. Strict pass^k also requires every gold write action to have been made.</p>
</div>`;
}

/** A row of a rate table: a task, persona or agent with its success rate. */
export interface RateTableRow extends SuccessRow {
  meanTurns?: number | null;
  meanTurnsPassed?: number | null;
}

/** Rate rows from a summary's map, labelled. */
export function rateRows(rates: ReadonlyMap<string, Rate>, label: (key: string) => string): RateTableRow[] {
  return [...rates].map(([key, r]) => ({ key, label: label(key), ...r }));
}

/** Success per row: passed of counted, the rate with its Wilson interval, mean turns. */
export function rateTable(rows: readonly RateTableRow[], opts: { firstColumn: string; testId?: string }): SafeHtml {
  const turns = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(1));
  return html`<table${opts.testId ? html` data-table="${opts.testId}"` : ''}>
<thead><tr><th>${opts.firstColumn}</th><th class="num">passed</th><th class="num">rate</th><th class="num">95% CI</th><th class="num">mean turns</th><th class="num">turns if passed</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td>${r.label}</td><td class="num">${r.passed}/${r.counted}</td><td class="num strong">${pct0(r.rate)}</td><td class="num faint">${
      r.counted ? `${pct0(r.lower)}–${pct0(r.upper)}` : '—'
    }</td><td class="num">${turns(r.meanTurns)}</td><td class="num">${turns(r.meanTurnsPassed)}</td></tr>`,
  )}</tbody>
</table>`;
}

/** A rate chart beside its table. */
export function rateBlock(rows: readonly RateTableRow[], opts: Pick<ReportOptions, 'document'> & { firstColumn: string; chartTitle: string; testId?: string }): SafeHtml {
  if (!rows.length) return html`<p class="muted">No session has finished.</p>`;
  return html`${chartFigure(successChart(rows, { document: opts.document, title: opts.chartTitle, width: 820 }))}
${rateTable(rows, { firstColumn: opts.firstColumn, ...(opts.testId ? { testId: opts.testId } : {}) })}`;
}

/** Per task (scenario × persona): passes, strict passes, pass^k for each k with the task's interval, flips. */
export function perTaskTable(report: TauReport, labels: Pick<ReportLabels, 'scenario' | 'persona'>): SafeHtml {
  const ks = Array.from({ length: Math.max(0, ...report.perTask.map((t) => t.trials)) }, (_, i) => i + 1);
  return html`<table data-table="per-task">
<thead><tr><th>Task</th><th>Persona</th><th class="num">passed</th><th class="num">strict</th>${ks.map((k) => html`<th class="num">pass^${k}</th>`)}<th>trials</th></tr></thead>
<tbody>${report.perTask.map(
    (t) => html`<tr><td>${labels.scenario(t.scenarioId)}</td><td>${labels.persona(t.personaId)}</td><td class="num">${t.passes}/${t.trials}</td><td class="num">${t.strictPasses}/${t.trials}</td>${ks.map((k) => {
      const e = t.passHat[k - 1];
      return html`<td class="num">${e ? html`${pct0(e.value)} <span class="faint small">${pct0(e.lower)}–${pct0(e.upper)}</span>` : ''}</td>`;
    })}<td>${t.flipped ? html`<span class="badge warn">flips</span>` : t.trials > 1 ? html`<span class="faint">stable</span>` : ''}</td></tr>`,
  )}</tbody>
</table>`;
}

/** How sessions ended: each termination reason with its count and share. */
export function terminationTable(terminations: ReadonlyMap<TerminationReason, number>): SafeHtml {
  const total = [...terminations.values()].reduce((a, b) => a + b, 0);
  if (!total) return html`<p class="muted">No session has ended.</p>`;
  return html`<table data-table="terminations" style="max-width: 30rem">
<thead><tr><th>Ended by</th><th class="num">sessions</th><th class="num">share</th></tr></thead>
<tbody>${[...terminations].map(([reason, n]) => html`<tr><td class="mono">${reason}</td><td class="num" data-termination="${reason}">${n}</td><td class="num faint">${pct1(n / total)}</td></tr>`)}</tbody>
</table>`;
}

/** Every session: task, persona, (agent), trial, outcome, reward, turns, how it ended. */
export function sessionsTable(sessions: readonly ReportSession[], labels: ReportLabels, opts: { showAgent?: boolean } = {}): SafeHtml {
  return html`<table data-table="sessions">
<thead><tr><th>Task</th><th>Persona</th>${opts.showAgent ? html`<th>Agent</th>` : ''}<th class="num">trial</th><th>outcome</th><th class="num">reward</th><th class="num">turns</th><th>ended by</th></tr></thead>
<tbody>${sessions.map(
    (s) => html`<tr><td>${labels.scenario(s.scenarioId)}</td><td>${labels.persona(s.personaId)}</td>${opts.showAgent ? html`<td>${labels.agent(s.agentEntry)}</td>` : ''}<td class="num">${s.trial + 1}</td><td><span class="badge ${s.outcome}">${s.outcome}</span></td><td class="num">${s.score ? s.score.reward : '—'}</td><td class="num">${s.turnCount}</td><td class="mono">${s.termination ?? '—'}</td></tr>`,
  )}</tbody>
</table>`;
}

/* ------------------------------------------------------------------ report */

/** The sessions of each agent entry, in the run's order; one group without a label in a single-agent run. */
export function agentGroups<S extends ReportSession>(run: ReportRun, sessions: readonly S[]): { entry?: string; label: string; sessions: S[] }[] {
  const entries = run.spec.agents ?? [];
  if (entries.length <= 1) return [{ label: run.spec.agent.label, sessions: [...sessions] }];
  return entries.map((e) => ({ entry: e.id, label: e.label, sessions: sessions.filter((s) => s.agentEntry === e.id) }));
}

/** The results of one agent's sessions: pass^k, per persona, per task. */
function agentSections(run: ReportRun, sessions: readonly ReportSession[], labels: ReportLabels, opts: ReportOptions, prefix: string): SafeHtml[] {
  const summary = summarizeOutcomes(sessions);
  const report = tauReport(sessions, { seed: run.spec.seed });
  return [
    section(`${prefix}Reliability · pass^k`, passKBlock(report, opts), { note: `${plural(report.tasks, 'task')} (task × persona) · ${plural(report.sessions, 'counted session')}` }),
    section(`${prefix}Results per persona`, rateBlock(rateRows(summary.byPersona, labels.persona), { document: opts.document, firstColumn: 'Persona', chartTitle: 'Success per persona', testId: 'per-persona' }), {
      note: 'Success rate per persona over all its tasks and trials, with the Wilson 95% interval.',
    }),
    section(
      `${prefix}Results per task`,
      html`${rateBlock(rateRows(summary.byScenario, labels.scenario), { document: opts.document, firstColumn: 'Task', chartTitle: 'Success per task', testId: 'per-scenario' })}
<h3>Per task and persona · pass^k</h3>
${perTaskTable(report, labels)}`,
      { note: 'Success rate per task over all personas and trials; below, each task × persona with pass^k and its interval (the Wilson interval of the pass rate, raised to the power k).' },
    ),
  ];
}

/** The whole report of a run, as the text of an HTML file. */
export function buildRunReport(input: RunReportInput, opts: ReportOptions): string {
  const { run } = input;
  const labels = runLabels(run);
  const sessions = orderSessions(run, input.sessions);
  const groups = agentGroups(run, sessions);
  const several = groups.length > 1;
  const summary = summarizeOutcomes(sessions);
  const report = tauReport(sessions, { seed: run.spec.seed });
  const spec = run.spec;
  const meta = [
    formatDate(run.createdAt, opts.timeZone),
    run.status,
    plural(spec.scenarioIds.length, 'task'),
    plural(spec.personaIds.length, 'persona'),
    `k = ${spec.trials} trial${spec.trials === 1 ? '' : 's'} per task`,
    `seed ${spec.seed}`,
    `at most ${spec.maxTurns} turns`,
    ...(spec.mode === 'agentic' ? ['agentic (ask_user)'] : []),
  ];
  const body: HtmlValue[] = [reportHeader({ kicker: 'Understudy · run report', title: spec.name, meta, seats: seatLines(run, sessions) })];
  if (several) {
    const rows: RateTableRow[] = groups.map((g) => ({ key: g.entry ?? g.label, ...summarizeOutcomes(g.sessions).overall, label: g.label }));
    body.push(section('Success per agent', rateBlock(rows, { document: opts.document, firstColumn: 'Agent', chartTitle: 'Success per agent', testId: 'per-agent' })));
    for (const g of groups) body.push(...agentSections(run, g.sessions, labels, opts, `${g.label} · `));
  } else {
    body.push(statCards(summary, report), ...agentSections(run, sessions, labels, opts, ''));
  }
  body.push(
    section('How sessions ended', terminationTable(summary.terminations)),
    section(`Sessions (${sessions.length})`, sessionsTable(sessions, labels, { showAgent: several })),
    html`<footer>Made by Understudy on ${formatDate(opts.generatedAt ?? Date.now(), opts.timeZone)} from run <span class="mono">${run.id}</span>. Every figure was computed in the browser from the stored sessions; nothing in this file runs or loads anything.</footer>`,
  );
  return reportPage({ title: `${spec.name} · Understudy run report`, body });
}

/** A file name for a run's export: understudy-<name>-<run id>.<ext>. */
export function reportFileName(run: Pick<Run, 'id' | 'spec'>, suffix: string): string {
  const slug = run.spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  return `understudy-${slug}-${run.id}${suffix}`;
}

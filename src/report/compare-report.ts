/**
 * The comparison of agents (issue 14) as words, chart rows, a self-contained HTML report and a
 * CSV of the per-task paired table. The comparison page (ui/pages/Compare.svelte) and the
 * report read the same helpers, so the verdict, the figures and their wording agree: the
 * report is what the page shows, as one file with inline SVG and no script.
 */
import Papa from 'papaparse';
import type { AgentPairResult, CompareResult } from '../core/index.ts';
import { differenceChart, pairedDotsChart, successChart } from './charts.ts';
import {
  BOOTSTRAP_HELP,
  DOCS_SECTION,
  agentSuccessRows,
  differenceRows,
  intervalText,
  pairedRows,
  personaRows,
  planText,
  pointsAbs,
  signedPoints,
  traitsWithBothEnds,
  verdict,
  type CompareAgentInfo,
  type CompareReportInput,
  type CompareLabels,
} from './compare-words.ts';

export type { CompareAgentInfo, CompareReportInput, CompareLabels };
import { html, type SafeHtml } from './html.ts';
import { chartFigure, formatDate, reportHeader, reportPage, section, type SeatLine } from './run-report.ts';

/** The per-task CSV's columns, in order (README, "Exports"). */
export const PAIRED_CSV_COLUMNS = [
  'agent_a',
  'agent_b',
  'scenario_id',
  'scenario',
  'persona_id',
  'persona',
  'paired_trials',
  'passes_a',
  'passes_b',
  'rate_a',
  'rate_b',
  'difference',
  'result',
] as const;

const frac = (x: number) => Math.round(x * 1e6) / 1e6;
const pct0 = (x: number) => `${Math.round(x * 100)}%`;
const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The per-task paired table of every pair as CSV (RFC 4180, formulae escaped as in csv.ts):
 * one row per pair of agents and task, deciding tasks first; difference = rate_b − rate_a,
 * result from B's side (win: B better).
 */
export function pairedTasksCsv(result: CompareResult, agents: readonly CompareAgentInfo[], labels: CompareLabels): string {
  const rows: (string | number)[][] = [];
  for (const pair of result.pairs) {
    const a = agents[pair.a]?.label ?? result.agents[pair.a]!.label;
    const b = agents[pair.b]?.label ?? result.agents[pair.b]!.label;
    for (const t of pair.perTask) {
      rows.push([a, b, t.scenarioId, labels.scenario(t.scenarioId), t.personaId, labels.persona(t.personaId), t.trials, t.passesA, t.passesB, frac(t.rateA), frac(t.rateB), frac(t.difference), t.result]);
    }
  }
  return Papa.unparse({ fields: [...PAIRED_CSV_COLUMNS], data: rows }, { newline: '\r\n', escapeFormulae: true, quotes: false }) + '\r\n';
}

function agentSeats(agents: readonly CompareAgentInfo[]): SeatLine[] {
  return agents.map((a, i) => ({ role: `Agent ${String.fromCharCode(65 + i)} · ${a.runName}`, label: a.label, version: a.version, models: a.models }));
}

/** The pass^k rows of every agent side by side: one column group per agent. */
function passKSideBySide(result: CompareResult, agents: readonly CompareAgentInfo[]): SafeHtml {
  const maxK = Math.max(0, ...result.agents.map((a) => a.report.rows.length));
  const level = Math.round(result.confidence * 100);
  const ks = Array.from({ length: maxK }, (_, i) => i + 1);
  return html`<table data-table="passk-side">
<thead><tr><th rowspan="2">k</th>${result.agents.map((a, i) => html`<th colspan="2" class="num">${agents[i]?.label ?? a.label}</th>`)}</tr>
<tr>${result.agents.map(() => html`<th class="num">pass^k</th><th class="num">${level}% CI</th>`)}</tr></thead>
<tbody>${ks.map(
    (k) => html`<tr><td class="strong">${k}</td>${result.agents.map((a) => {
      const r = a.report.rows.find((x) => x.k === k);
      return r ? html`<td class="num strong">${pct1(r.passHat.value)}</td><td class="num faint">${pct1(r.passHat.lower)} – ${pct1(r.passHat.upper)}</td>` : html`<td class="num faint">—</td><td></td>`;
    })}</tr>`,
  )}</tbody>
</table>`;
}

function pairBlock(pair: AgentPairResult, input: CompareReportInput, document: Document): SafeHtml {
  const { result, agents, labels } = input;
  const aLabel = agents[pair.a]?.label ?? result.agents[pair.a]!.label;
  const bLabel = agents[pair.b]?.label ?? result.agents[pair.b]!.label;
  const v = verdict(pair, aLabel, bLabel, result.confidence);
  const level = Math.round(result.confidence * 100);
  const diffs = differenceRows(pair);
  const p = pair.planning;
  const unpaired = pair.pairing.onlyA.length + pair.pairing.onlyB.length;
  return html`${section(
    `${bLabel} − ${aLabel}`,
    html`<p class="verdict ${v.kind}" data-figure="verdict">${v.text}</p>
${
  pair.success
    ? html`<p class="small">Difference in success rate: <strong data-figure="difference">${signedPoints(pair.success.estimate)} pts</strong> (<span data-figure="difference-ci">${level}% CI ${intervalText(pair.success)}</span>) · noise floor <span data-figure="noise-floor">±${pointsAbs(pair.noiseFloor?.floor ?? 0)}</span> · ${pair.tasks} paired tasks, ${pair.pairing.pairs} paired sessions${unpaired ? ` · ${unpaired} unpaired sessions left out` : ''}</p>`
    : ''
}
${diffs.length && pair.noiseFloor ? chartFigure(differenceChart(diffs, { document, width: 720, noiseFloor: pair.noiseFloor.floor, confidencePercent: level }), `B − A (${bLabel} − ${aLabel}), each with its ${level}% hierarchical-bootstrap interval; the grey band is the noise floor.`) : ''}
<table data-table="differences"><thead><tr><th>measure</th><th class="num">${bLabel} − ${aLabel}</th><th class="num">${level}% CI</th></tr></thead>
<tbody>${diffs.map((d) => html`<tr><td>${d.label}</td><td class="num strong">${signedPoints(d.estimate)} pts</td><td class="num faint">${intervalText(d)}</td></tr>`)}</tbody></table>
<h3>Per task · ${bLabel} won ${pair.wins}, lost ${pair.losses}, tied ${pair.ties}</h3>
${pair.perTask.length ? chartFigure(pairedDotsChart(pairedRows(pair, labels), { document, width: 720, aLabel, bLabel, order: 'given' })) : ''}
<table data-table="per-task"><thead><tr><th>Task</th><th>Persona</th><th class="num">trials</th><th class="num">${aLabel}</th><th class="num">${bLabel}</th><th class="num">difference</th><th>result</th></tr></thead>
<tbody>${pair.perTask.map(
      (t) =>
        html`<tr><td>${labels.scenario(t.scenarioId)}</td><td>${labels.persona(t.personaId)}</td><td class="num">${t.trials}</td><td class="num">${t.passesA}/${t.trials}</td><td class="num">${t.passesB}/${t.trials}</td><td class="num strong">${signedPoints(t.difference)}</td><td><span class="badge ${t.result === 'win' ? 'pass' : t.result === 'loss' ? 'fail' : ''}">${t.result === 'win' ? `${bLabel} better` : t.result === 'loss' ? `${aLabel} better` : 'tie'}</span></td></tr>`,
    )}</tbody></table>
${
  p
    ? html`<h3>Planning</h3><p class="small">${planText(p)}</p>`
    : ''
}`,
    { id: `pair-${pair.a}-${pair.b}` },
  )}`;
}

function robustnessBlock(input: CompareReportInput, document: Document): SafeHtml | '' {
  const rs = input.robustness ?? [];
  if (!rs.some((r) => r && r.byPersona.length > 1)) return '';
  const level = Math.round(input.result.confidence * 100);
  return section(
    'Robustness to the user',
    html`${rs.map((r, i) => {
      if (!r) return '';
      const label = input.agents[i]?.label ?? `Agent ${i + 1}`;
      const base = r.baseline ? input.labels.persona(r.baseline.personaId) : null;
      return html`<h3>${label}</h3>
${chartFigure(successChart(personaRows(r), { document, width: 620, title: `${label}: success by persona`, confidencePercent: level }))}
<table data-table="robustness"><thead><tr><th>Persona</th><th class="num">success</th><th class="num">${level}% CI</th><th class="num">drop against ${base ?? 'the baseline'}</th></tr></thead>
<tbody>${r.byPersona.map((p) => html`<tr><td>${p.name}</td><td class="num strong">${pct0(p.estimate)}</td><td class="num faint">${pct0(p.lower)} – ${pct0(p.upper)}</td><td class="num">${p.drop ? html`${signedPoints(p.drop.estimate)} pts <span class="faint">(${intervalText(p.drop)})</span>` : '—'}</td></tr>`)}</tbody></table>
${traitsWithBothEnds(r).length ? html`<table data-table="traits"><thead><tr><th>Trait</th><th class="num">low (1–2)</th><th class="num">high (4–5)</th><th class="num">high − low</th></tr></thead>
<tbody>${traitsWithBothEnds(r).map((t) => html`<tr><td>${t.label}</td><td class="num">${t.low ? `${pct0(t.low.estimate)} (${pct0(t.low.lower)}–${pct0(t.low.upper)})` : '—'}</td><td class="num">${t.high ? `${pct0(t.high.estimate)} (${pct0(t.high.lower)}–${pct0(t.high.upper)})` : '—'}</td><td class="num">${t.difference ? `${signedPoints(t.difference.estimate)} pts (${intervalText(t.difference)})` : '—'}</td></tr>`)}</tbody></table>` : ''}`;
    })}`,
    { note: `Success by persona with ${level}% intervals, and the drop against the cooperative baseline persona (positive: the agent does worse with this user).` },
  );
}

/** The whole comparison as the text of one HTML file: inline SVG charts, no script. */
export function buildCompareReport(input: CompareReportInput, opts: { document: Document; timeZone?: string }): string {
  const { result, agents, labels } = input;
  const { document } = opts;
  const level = Math.round(result.confidence * 100);
  const tasks = Math.max(0, ...result.pairs.map((p) => p.tasks));
  const paired = result.pairs.reduce((n, p) => n + p.pairing.pairs, 0);
  const body = html`${reportHeader({
    kicker: 'Understudy · comparison of agents',
    title: input.title,
    meta: [formatDate(input.createdAt, opts.timeZone), `${tasks} paired tasks (task × persona)`, `${paired} paired sessions`, `${result.iterations.toLocaleString('en')} bootstrap resamples, seed ${result.seed}`],
    seats: agentSeats(agents),
  })}
${section(
  'Each agent',
  html`${chartFigure(successChart(agentSuccessRows(result, agents), { document, width: 720, title: 'Success per agent', confidencePercent: level }))}
${passKSideBySide(result, agents)}`,
  { note: `Success rate: the mean over tasks of each task’s rate, with a ${level}% cluster-bootstrap interval over tasks. pass^k: the chance that k trials of a task all pass (τ-bench).` },
)}
${result.pairs.map((p) => pairBlock(p, input, document))}
${robustnessBlock(input, document)}
${section('How the intervals are made', html`${BOOTSTRAP_HELP.map((t) => html`<p class="small">${t}</p>`)}<p class="small">Written down in ${DOCS_SECTION}.</p>`)}`;
  void labels;
  return reportPage({ title: `${input.title} · Understudy comparison`, body });
}

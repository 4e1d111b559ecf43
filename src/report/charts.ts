/**
 * Every chart of the page and of the reports, drawn with Observable Plot: each function takes
 * plain numbers and a `document`, and returns the element Plot made (an <svg>, or a <figure>
 * holding one and its legend). The page mounts that element (PlotChart.svelte); a report
 * takes its `outerHTML` (svgMarkup), which is inline SVG with inline styles and no script, so
 * it reads offline in any browser. In Node, pass a DOM implementation's document (jsdom).
 *
 * Plot is loaded only where a chart is drawn: this module is imported dynamically by
 * PlotChart.svelte and by the report builder, never by the app shell.
 *
 * Colours are the page's CSS variables with their values as fallbacks, so a chart follows the
 * page's palette and still has its colours wherever its SVG is pasted on its own.
 */
import * as Plot from '@observablehq/plot';

/** The page's palette (src/ui/app.css). */
export const CHART_COLORS = {
  ink: 'var(--ink, #1d2233)',
  muted: 'var(--muted, #5d6478)',
  faint: 'var(--faint, #6e758a)',
  line: 'var(--line, #e3e6ef)',
  accent: 'var(--accent, #3b3f9f)',
  pass: 'var(--pass, #1f8a5b)',
  fail: 'var(--fail, #c2413b)',
  warn: 'var(--warn, #b7791f)',
} as const;
const C = CHART_COLORS;

/** What every chart takes besides its data. */
export interface ChartOptions {
  /** The document the chart is made in: the page's, or a DOM implementation's in Node. */
  document: Document;
  /** Width in pixels (the SVG scales down to its container either way). */
  width?: number;
}

/** A chart as markup for a report: Plot's element serialized by the DOM. */
export function svgMarkup(chart: Element): string {
  return chart.outerHTML;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;
/** A difference in success rate as signed percentage points. */
const points = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)}`;
const STYLE = { fontSize: '11px', overflow: 'visible' } as const;
/** Height of one row of a chart with a row per label. */
const ROW = 26;

/** Left margin that fits labels of this many characters (the rest is cut with an ellipsis). */
function labelMargin(labels: readonly string[], max = 200): number {
  const longest = Math.max(4, ...labels.map((l) => l.length));
  return Math.min(max, 14 + longest * 6);
}

/** A y axis of row labels that fit the left margin, cut with an ellipsis past it. */
function labelAxis(margin: number, labelOf: ReadonlyMap<string, string>): Plot.CompoundMark {
  // Plot measures a line in ems of its font (11px); 14px of the margin are the gap to the frame.
  return Plot.axisY({ tickSize: 0, textOverflow: 'ellipsis', lineWidth: (margin - 14) / 11, tickFormat: (k: string) => (labelOf.get(k) ?? k).replace(/\s+/g, ' '), label: null });
}

/* ------------------------------------------------------------- success rates */

/** One row of a success chart: a task, persona or agent. */
export interface SuccessRow {
  /** Unique among the rows (two tasks may share a title). */
  key: string;
  label: string;
  passed: number;
  counted: number;
  /** null: nothing counted yet. */
  rate: number | null;
  lower: number;
  upper: number;
}

export interface SuccessChartOptions extends ChartOptions {
  /** Accessible name of the chart. */
  title: string;
  /** Level of the intervals, for the axis label (default 95). */
  confidencePercent?: number;
  /** A vertical reference line, e.g. the floor or the run's overall rate. */
  reference?: { value: number; label: string };
}

/**
 * Success rate with its interval per row (per agent, persona or task): a bar to the rate,
 * the interval as a whisker, and "62% · 5/8" beside it. Rows under 50% are red, as on the page.
 */
export function successChart(rows: readonly SuccessRow[], opts: SuccessChartOptions): SVGSVGElement | HTMLElement {
  const width = opts.width ?? 560;
  const level = opts.confidencePercent ?? 95;
  const labelOf = new Map(rows.map((r) => [r.key, r.label]));
  const shown = rows.filter((r) => r.rate !== null);
  const tone = (r: SuccessRow) => ((r.rate ?? 0) < 0.5 ? C.fail : C.pass);
  const title = (r: SuccessRow) =>
    r.rate === null ? `${r.label}: nothing counted` : `${r.label}: ${r.passed}/${r.counted} passed, ${pct1(r.rate)} (${level}% CI ${pct1(r.lower)}–${pct1(r.upper)})`;
  const marks: Plot.Markish[] = [
    Plot.gridX({ stroke: C.line, strokeOpacity: 1, ticks: [0, 0.25, 0.5, 0.75, 1] }),
    Plot.axisX({ ticks: [0, 0.25, 0.5, 0.75, 1], tickFormat: pct, label: `success rate, with ${level}% interval`, labelAnchor: 'center', labelArrow: 'none' }),
    labelAxis(labelMargin(rows.map((r) => r.label)), labelOf),
    Plot.barX(shown, { x: 'rate', y: 'key', fill: tone, fillOpacity: 0.3, insetTop: 5, insetBottom: 5, title }),
    Plot.ruleY(shown, { x1: 'lower', x2: 'upper', y: 'key', stroke: C.ink, strokeOpacity: 0.7, strokeWidth: 1.5 }),
    Plot.tickX(shown, { x: 'lower', y: 'key', stroke: C.ink, strokeOpacity: 0.7, insetTop: 8, insetBottom: 8 }),
    Plot.tickX(shown, { x: 'upper', y: 'key', stroke: C.ink, strokeOpacity: 0.7, insetTop: 8, insetBottom: 8 }),
    Plot.dot(shown, { x: 'rate', y: 'key', fill: tone, r: 3.5, title }),
    Plot.text(rows, {
      x: 1,
      y: 'key',
      dx: 10,
      textAnchor: 'start',
      fill: C.ink,
      text: (r: SuccessRow) => (r.rate === null ? '—' : `${pct(r.rate)} · ${r.passed}/${r.counted}`),
    }),
  ];
  if (opts.reference) {
    const ref = opts.reference;
    marks.push(
      Plot.ruleX([ref.value], { stroke: C.warn, strokeDasharray: '4 3', strokeWidth: 1.5 }),
      Plot.text([ref.label], { x: ref.value, frameAnchor: 'top', dy: -8, fill: C.warn, text: (d: string) => d }),
    );
  }
  return Plot.plot({
    document: opts.document,
    ariaLabel: opts.title,
    width,
    height: 46 + (opts.reference ? 14 : 0) + rows.length * ROW,
    marginLeft: labelMargin(rows.map((r) => r.label)),
    marginRight: 86,
    marginTop: opts.reference ? 22 : 8,
    marginBottom: 38,
    style: STYLE,
    x: { domain: [0, 1] },
    y: { domain: rows.map((r) => r.key), padding: 0.1, label: null },
    marks,
  });
}

/* ------------------------------------------------------------------- pass^k */

/** An estimate with its interval. */
export interface IntervalEstimate {
  value: number;
  lower: number;
  upper: number;
}

/** One k of the pass^k chart (a TauReportRow fits). */
export interface PassKPoint {
  k: number;
  passHat: IntervalEstimate;
  strict: IntervalEstimate;
}

export interface PassKChartOptions extends ChartOptions {
  confidencePercent?: number;
}

/**
 * pass^k against k with interval whiskers, beside strict pass^k (gold writes made), which sits
 * a few pixels to the right so overlapping whiskers stay readable.
 */
export function passKChart(rows: readonly PassKPoint[], opts: PassKChartOptions): SVGSVGElement | HTMLElement {
  const level = opts.confidencePercent ?? 95;
  const maxK = Math.max(1, ...rows.map((r) => r.k));
  const series = [
    { name: 'pass^k', pick: (r: PassKPoint) => r.passHat, color: C.accent, symbol: 'circle', dx: 0, dash: null },
    { name: 'strict pass^k (gold writes made)', pick: (r: PassKPoint) => r.strict, color: C.warn, symbol: 'square', dx: 5, dash: '4 3' },
  ] as const;
  const marks: Plot.Markish[] = [
    Plot.gridY({ stroke: C.line, strokeOpacity: 1, ticks: [0, 0.25, 0.5, 0.75, 1] }),
    Plot.axisY({ ticks: [0, 0.25, 0.5, 0.75, 1], tickFormat: pct, label: `pass^k, ${level}% interval`, labelArrow: 'none' }),
    Plot.axisX({ ticks: rows.map((r) => r.k), tickFormat: (k: number) => `k=${k}`, label: null }),
  ];
  for (const s of series) {
    const data = rows.map((r) => ({ k: r.k, ...s.pick(r) }));
    const title = (d: { k: number } & IntervalEstimate) => `${s.name.split(' (')[0]!.replace('^k', `^${d.k}`)} = ${pct1(d.value)} (${level}% CI ${pct1(d.lower)}–${pct1(d.upper)})`;
    marks.push(
      Plot.line(data, { x: 'k', y: 'value', stroke: s.color, strokeWidth: 1.6, dx: s.dx, ...(s.dash ? { strokeDasharray: s.dash } : {}) }),
      Plot.ruleX(data, { x: 'k', y1: 'lower', y2: 'upper', stroke: s.color, strokeOpacity: 0.6, strokeWidth: 1.4, dx: s.dx }),
      Plot.dot(data, { x: 'k', y: 'value', fill: s.color, symbol: s.symbol, r: 3.4, dx: s.dx, title }),
    );
  }
  return Plot.plot({
    document: opts.document,
    ariaLabel: `pass^k against k with ${level}% intervals`,
    width: opts.width ?? 360,
    height: 210,
    marginLeft: 44,
    marginRight: 16,
    marginTop: 26,
    style: STYLE,
    x: { domain: maxK <= 1 ? [0.5, 1.5] : [0.75, maxK + 0.25] },
    y: { domain: [0, 1] },
    color: { domain: series.map((s) => s.name), range: series.map((s) => s.color), legend: true },
    marks,
  });
}

/* --------------------------------------------------------- paired comparison */

/** One task's success under two agents, each the mean over its trials (0–1). */
export interface PairedTaskRow {
  key: string;
  label: string;
  a: number;
  b: number;
}

/** B against A on one task. */
export type PairedResult = 'win' | 'loss' | 'tie';

/** win: B did better on the task than A; loss: worse; tie: the same. */
export function pairedResult(row: Pick<PairedTaskRow, 'a' | 'b'>): PairedResult {
  return row.b > row.a ? 'win' : row.b < row.a ? 'loss' : 'tie';
}

export interface PairedDotsOptions extends ChartOptions {
  /** What A and B are called (agent labels). */
  aLabel: string;
  bLabel: string;
  /**
   * Order of the rows: 'decisive' (default) puts the tasks with the largest difference first,
   * the ones that decide the comparison; 'given' keeps the rows' order.
   */
  order?: 'decisive' | 'given';
}

/**
 * Per task, A's and B's success as a pair of dots joined by a line: the line and B's dot are
 * green where B won the task, red where it lost, grey for a tie; A's dot is hollow.
 */
export function pairedDotsChart(rows: readonly PairedTaskRow[], opts: PairedDotsOptions): SVGSVGElement | HTMLElement {
  const sorted = opts.order === 'given' ? [...rows] : [...rows].sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || x.label.localeCompare(y.label));
  const labelOf = new Map(sorted.map((r) => [r.key, r.label]));
  const names: Record<PairedResult, string> = { win: `${opts.bLabel} better`, loss: `${opts.aLabel} better`, tie: 'tie' };
  const data = sorted.map((r) => ({ ...r, result: names[pairedResult(r)] }));
  const title = (r: PairedTaskRow) => `${r.label}: ${opts.aLabel} ${pct(r.a)}, ${opts.bLabel} ${pct(r.b)}`;
  return Plot.plot({
    document: opts.document,
    ariaLabel: `Per task: ${opts.aLabel} against ${opts.bLabel}`,
    width: opts.width ?? 560,
    height: 50 + sorted.length * 22,
    marginLeft: labelMargin(sorted.map((r) => r.label)),
    marginRight: 16,
    marginBottom: 38,
    style: STYLE,
    x: { domain: [0, 1] },
    y: { domain: sorted.map((r) => r.key), padding: 0.2, label: null },
    color: { domain: [names.win, names.loss, names.tie], range: [C.pass, C.fail, C.faint], legend: true },
    marks: [
      Plot.gridX({ stroke: C.line, strokeOpacity: 1, ticks: [0, 0.25, 0.5, 0.75, 1] }),
      Plot.axisX({ ticks: [0, 0.25, 0.5, 0.75, 1], tickFormat: pct, label: `success on the task · hollow: ${opts.aLabel} · filled: ${opts.bLabel}`, labelAnchor: 'center', labelArrow: 'none' }),
      labelAxis(labelMargin(sorted.map((r) => r.label)), labelOf),
      Plot.link(data, { x1: 'a', x2: 'b', y1: 'key', y2: 'key', stroke: 'result', strokeWidth: 2, strokeOpacity: 0.7 }),
      Plot.dot(data, { x: 'a', y: 'key', stroke: 'result', fill: 'white', r: 4, strokeWidth: 1.6, title }),
      Plot.dot(data, { x: 'b', y: 'key', fill: 'result', r: 4, title }),
    ],
  });
}

/** A paired difference (B − A) with its interval, e.g. in success rate or in pass^k. */
export interface DifferenceRow {
  key: string;
  label: string;
  estimate: number;
  lower: number;
  upper: number;
}

export interface DifferenceChartOptions extends ChartOptions {
  /**
   * The noise floor: the difference two runs of the same agent would show by chance at this
   * number of tasks and trials, as a half-width (the band is −floor … +floor).
   */
  noiseFloor: number;
  confidencePercent?: number;
}

/** Whether a difference stands out of the noise: outside the floor, and its interval excludes 0. */
export function beyondNoise(row: Pick<DifferenceRow, 'estimate' | 'lower' | 'upper'>, noiseFloor: number): boolean {
  return Math.abs(row.estimate) > noiseFloor && (row.lower > 0 || row.upper < 0);
}

/**
 * Differences with their intervals against the noise-floor band around zero: a difference in
 * the band is drawn grey and labelled "not distinguishable from noise".
 */
export function differenceChart(rows: readonly DifferenceRow[], opts: DifferenceChartOptions): SVGSVGElement | HTMLElement {
  const level = opts.confidencePercent ?? 95;
  const floor = Math.abs(opts.noiseFloor);
  const reach = Math.max(0.05, floor, ...rows.flatMap((r) => [Math.abs(r.lower), Math.abs(r.upper)])) * 1.15;
  const labelOf = new Map(rows.map((r) => [r.key, r.label]));
  const tone = (r: DifferenceRow) => (beyondNoise(r, floor) ? (r.estimate > 0 ? C.pass : C.fail) : C.faint);
  const note = (r: DifferenceRow) => `${points(r.estimate)} pts [${points(r.lower)}, ${points(r.upper)}]${beyondNoise(r, floor) ? '' : ' · within noise'}`;
  const title = (r: DifferenceRow) =>
    `${r.label}: ${points(r.estimate)} points (${level}% CI ${points(r.lower)} to ${points(r.upper)})${beyondNoise(r, floor) ? '' : ', not distinguishable from noise'}`;
  return Plot.plot({
    document: opts.document,
    ariaLabel: `Differences with ${level}% intervals against a noise floor of ±${(floor * 100).toFixed(1)} points`,
    width: opts.width ?? 560,
    height: 76 + rows.length * 30,
    marginLeft: labelMargin(rows.map((r) => r.label), 160),
    marginRight: 170,
    marginTop: 24,
    marginBottom: 38,
    style: STYLE,
    x: { domain: [-reach, reach] },
    y: { domain: rows.map((r) => r.key), padding: 0.3, label: null },
    marks: [
      Plot.rectX([floor], { x1: -floor, x2: floor, fill: C.faint, fillOpacity: 0.14 }),
      Plot.text([`noise floor ±${(floor * 100).toFixed(1)} pts`], { x: 0, frameAnchor: 'top', dy: -12, fill: C.muted, text: (d: string) => d }),
      Plot.ruleX([0], { stroke: C.ink, strokeOpacity: 0.5 }),
      Plot.axisX({ tickFormat: (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(Math.round(x * 100))}`, label: `difference in percentage points, ${level}% interval`, labelAnchor: 'center', labelArrow: 'none' }),
      labelAxis(labelMargin(rows.map((r) => r.label), 160), labelOf),
      Plot.ruleY(rows, { x1: 'lower', x2: 'upper', y: 'key', stroke: tone, strokeWidth: 2 }),
      Plot.tickX(rows, { x: 'lower', y: 'key', stroke: tone, insetTop: 7, insetBottom: 7 }),
      Plot.tickX(rows, { x: 'upper', y: 'key', stroke: tone, insetTop: 7, insetBottom: 7 }),
      Plot.dot(rows, { x: 'estimate', y: 'key', fill: tone, r: 4.5, title }),
      Plot.text(rows, { x: reach, y: 'key', dx: 10, textAnchor: 'start', fill: tone, text: note }),
    ],
  });
}

/* ------------------------------------------------------------- satisfaction */

/** A rating of the simulated user (1–5) after an agent turn. */
export interface SatisfactionPoint {
  /** The user turn that gave the rating. */
  turnIndex: number;
  value: number;
  reason?: string;
}

/** The ratings in turn order as a small line: red at 1–2, green at 4–5; turn and reason on hover. */
export function satisfactionChart(points: readonly SatisfactionPoint[], opts: ChartOptions): SVGSVGElement | HTMLElement {
  const data = points.map((p, i) => ({ ...p, i }));
  const tone = (p: SatisfactionPoint) => (p.value <= 2 ? C.fail : p.value >= 4 ? C.pass : C.accent);
  return Plot.plot({
    document: opts.document,
    ariaLabel: `Satisfaction after each agent turn: ${points.map((p) => p.value).join(', ')}`,
    width: opts.width ?? 360,
    height: 74,
    marginLeft: 22,
    marginRight: 10,
    marginTop: 8,
    marginBottom: 8,
    style: STYLE,
    x: { domain: data.length <= 1 ? [-1, 1] : [0, data.length - 1], axis: null, inset: 6 },
    y: { domain: [1, 5], ticks: [1, 3, 5], tickSize: 0, tickFormat: 'd', label: null },
    marks: [
      Plot.ruleY([1, 2, 4, 5], { stroke: C.line }),
      Plot.ruleY([3], { stroke: C.line, strokeDasharray: '3 3' }),
      Plot.lineY(data, { x: 'i', y: 'value', stroke: C.accent, strokeWidth: 1.8, curve: 'linear' }),
      Plot.dot(data, {
        x: 'i',
        y: 'value',
        r: 3.5,
        fill: 'white',
        stroke: tone,
        strokeWidth: 1.6,
        title: (p: SatisfactionPoint) => `Turn #${p.turnIndex}: ${p.value}/5${p.reason ? ` — ${p.reason}` : ''}`,
      }),
    ],
  });
}

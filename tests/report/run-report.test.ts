import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { summarizeOutcomes, tauReport } from '../../src/core/index.ts';
import { html, trusted } from '../../src/report/html.ts';
import { buildRunReport, reportPage, section, seatModelName, sessionsTable, runLabels } from '../../src/report/run-report.ts';
import { dom, fixtureRun, HOSTILE } from './fixture.ts';

describe('html template', () => {
  it('escapes every interpolated string and keeps markup made by the template', () => {
    const out = html`<p title="${'a"b'}">${HOSTILE.script}${html`<b>${'<i>'}</b>`}${[1, '<', null, false]}</p>`.value;
    expect(out).toBe('<p title="a&quot;b">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;<b>&lt;i&gt;</b>1&lt;</p>');
    expect(html`${trusted('<svg></svg>')}`.value).toBe('<svg></svg>');
  });
});

describe('buildRunReport', () => {
  const { run, sessions } = fixtureRun();
  const text = buildRunReport({ run, sessions }, { document: dom(), timeZone: 'UTC', generatedAt: Date.UTC(2026, 11, 9) });
  const page = new JSDOM(text).window.document;
  const cells = (table: string) => [...page.querySelectorAll(`table[data-table="${table}"] tbody tr`)].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));

  it('holds no script, loads nothing, and says so to the browser', () => {
    expect(text).not.toMatch(/<script/i);
    expect(page.querySelectorAll('script')).toHaveLength(0);
    // No event-handler attribute on any element (the hostile title's "onerror=" is text).
    const handlers = [...page.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((a) => a.startsWith('on')));
    expect(handlers).toEqual([]);
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(page.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')).toContain("default-src 'none'");
  });

  it('shows hostile titles as text', () => {
    expect(page.title).toBe(`${run.spec.name} · Understudy run report`);
    expect(page.querySelector('h1')!.textContent).toBe(run.spec.name);
    const rows = cells('sessions');
    expect(rows[0]![0]).toBe(HOSTILE.script);
    expect(rows[0]![1]).toBe(HOSTILE.persona);
    expect(rows.some((r) => r[0] === HOSTILE.csv)).toBe(true);
    // The persona name that closes a cell stays inside its cell: every row has its 7 cells.
    expect(new Set(rows.map((r) => r.length))).toEqual(new Set([7]));
  });

  it('has the figures of the run page', () => {
    const summary = summarizeOutcomes(sessions);
    const report = tauReport(sessions, { seed: run.spec.seed });
    // 8 counted (the aborted one is left out), 5 passed.
    expect(summary.overall).toMatchObject({ passed: 5, counted: 8 });
    expect(page.querySelector('[data-figure="overall-rate"]')!.textContent).toBe('63%');
    expect(page.querySelector('[data-figure="overall-counts"]')!.textContent).toContain('5 of 8 sessions');
    const passk = cells('passk');
    expect(passk.map((r) => r[0])).toEqual(['1', '2']);
    expect(passk[0]![1]).toBe(`${(report.rows[0]!.passHat.value * 100).toFixed(1)}%`);
    expect(passk[1]![2]).toBe(`${(report.rows[1]!.passHat.lower * 100).toFixed(1)}% – ${(report.rows[1]!.passHat.upper * 100).toFixed(1)}%`);
    expect(cells('per-persona').map((r) => [r[0], r[1], r[2]])).toEqual([
      [HOSTILE.persona, '2/4', '50%'],
      [HOSTILE.formula, '3/4', '75%'],
    ]);
    expect(cells('per-scenario').map((r) => r[1])).toEqual(['3/4', '2/4']);
    expect(cells('per-task')).toHaveLength(4);
    expect(Object.fromEntries(cells('terminations').map((r) => [r[0], Number(r[1])]))).toEqual({ user_stop: 5, max_turns: 1, transfer: 1, agent_error: 1, aborted: 1 });
    expect(cells('sessions')).toHaveLength(9);
  });

  it('names seats and models by name, never by hash, and dates the run', () => {
    const seats = page.querySelector('.seats')!.textContent!;
    expect(seats).toContain('Agenda-based simulator');
    expect(seats).toContain('stories260K.gguf');
    expect(seats).not.toContain('gguf:3f2a9c');
    expect(page.querySelector('.meta')!.textContent).toContain('8 December 2026 at 03:13 UTC');
    expect(seatModelName({ model: 'gguf:abc' })).toBe('a stored GGUF model');
    expect(seatModelName({ model: 'Qwen3-0.6B-q4f16_1-MLC' })).toBe('Qwen3-0.6B-q4f16_1-MLC');
  });

  it('draws its charts as inline SVG with labels', () => {
    const svgs = [...page.querySelectorAll('figure.chart svg')];
    // pass^k, per persona, per task
    expect(svgs.length).toBeGreaterThanOrEqual(3);
    expect(svgs.map((s) => s.getAttribute('aria-label'))).toEqual(expect.arrayContaining(['Success per persona', 'Success per task', 'pass^k against k with 95% intervals']));
    const persona = svgs.find((s) => s.getAttribute('aria-label') === 'Success per persona')!;
    expect(persona.textContent).toContain('75% · 3/4');
    // Axis labels are the (escaped) names, kept as text by the DOM.
    expect(persona.innerHTML).not.toContain('<td>');
  });

  it('reports several agents of one run apart', () => {
    const several = {
      ...run,
      spec: {
        ...run.spec,
        agents: [
          { id: 'a1', label: 'Bookshop agent', seat: run.spec.agent },
          { id: 'a2', label: 'Generic agent', seat: { ...run.spec.agent, label: 'Generic agent' } },
        ],
      },
    };
    const mixed = sessions.map((s, i) => ({ ...s, agentEntry: i % 2 ? 'a2' : 'a1' }));
    const doc = new JSDOM(buildRunReport({ run: several, sessions: mixed }, { document: dom(), timeZone: 'UTC' })).window.document;
    const agents = [...doc.querySelectorAll('table[data-table="per-agent"] tbody tr')].map((tr) => tr.querySelector('td')!.textContent);
    expect(agents).toEqual(['Bookshop agent', 'Generic agent']);
    expect([...doc.querySelectorAll('h2')].map((h) => h.textContent)).toEqual(expect.arrayContaining(['Bookshop agent · Reliability · pass^k', 'Generic agent · Results per task']));
    expect(doc.querySelector('table[data-table="sessions"] thead')!.textContent).toContain('Agent');
  });

  it('builds other reports from its pieces', () => {
    const labels = runLabels(run);
    const text = reportPage({ title: 'A comparison <1>', body: [section('Sessions', sessionsTable(sessions.slice(0, 1), labels))] });
    const doc = new JSDOM(text).window.document;
    expect(doc.title).toBe('A comparison <1>');
    expect(doc.querySelector('h2')!.textContent).toBe('Sessions');
    expect(doc.querySelector('td')!.textContent).toBe(HOSTILE.script);
  });
});

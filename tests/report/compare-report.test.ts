import { JSDOM } from 'jsdom';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { compareAgents, type CompareAgentInput } from '../../src/core/index.ts';
import { buildCompareReport, pairedTasksCsv } from '../../src/report/compare-report.ts';
import { signedPoints, verdict, type CompareAgentInfo } from '../../src/report/compare-words.ts';

/* The comparison's words, report and CSV (issue 14): the same figures in each. */

const agent = (entry: string, pass: (i: number) => boolean): CompareAgentInput => ({
  ref: { runId: 'run', entry },
  label: entry,
  sessions: Array.from({ length: 32 }, (_, i) => ({
    id: `${entry}-${i}`,
    runId: 'run',
    agentEntry: entry,
    scenarioId: `s${i % 8}`,
    personaId: 'baseline',
    trial: Math.floor(i / 8),
    outcome: pass(i) ? ('pass' as const) : ('fail' as const),
  })),
});
const A = agent('a1', (i) => i % 8 < 3);
const B = agent('a2', (i) => i % 8 < 7);
const result = compareAgents([A, B], { seed: 3, iterations: 400 });
const info = (a: CompareAgentInput): CompareAgentInfo => ({ label: a.label === 'a1' ? 'Agent one' : 'Agent two', runName: 'run', runId: 'run', entry: a.label, version: 'v1', models: [], passed: a.sessions.filter((s) => s.outcome === 'pass').length, counted: a.sessions.length });
const agents = [info(A), info(B)];
const labels = { scenario: (id: string) => `Task ${id}`, persona: (id: string) => id };

describe('comparison words, report and CSV', () => {
  it('calls a clear difference better, with its interval, and equal agents "no difference"', () => {
    const pair = result.pairs[0]!;
    const v = verdict(pair, 'Agent one', 'Agent two', result.confidence);
    expect(v.kind).toBe('better');
    expect(v.text).toMatch(/^Agent two is better than Agent one by 50\.0 points \(95% CI/);
    const same = compareAgents([A, { ...A, label: 'copy', ref: { runId: 'run', entry: 'copy' }, sessions: A.sessions.map((s) => ({ ...s, id: `c-${s.id}`, agentEntry: 'copy' })) }], { seed: 3, iterations: 200 });
    expect(verdict(same.pairs[0]!, 'A', 'B', 0.95)).toMatchObject({ kind: 'noise' });
    expect(verdict(same.pairs[0]!, 'A', 'B', 0.95).text).toMatch(/^No difference/);
  });

  it('the report holds no script and shows the difference; the CSV gives back the per-task numbers', () => {
    const document = new JSDOM('<!doctype html><html><body></body></html>').window.document;
    const text = buildCompareReport({ title: 'Two agents', agents, result, labels, createdAt: Date.UTC(2026, 11, 8) }, { document, timeZone: 'UTC' });
    expect(text).not.toMatch(/<script/i);
    const doc = new JSDOM(text).window.document;
    expect(doc.querySelector('[data-figure="difference"]')!.textContent).toBe(`${signedPoints(result.pairs[0]!.success!.estimate)} pts`);
    expect(doc.querySelectorAll('table[data-table="per-task"] tbody tr')).toHaveLength(8);
    expect(doc.querySelector('svg[aria-label^="Differences with"]')).not.toBeNull();

    const rows = Papa.parse<Record<string, string>>(pairedTasksCsv(result, agents, labels), { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(8);
    const mean = rows.reduce((s, r) => s + Number(r.difference), 0) / rows.length;
    expect(mean).toBeCloseTo(result.pairs[0]!.success!.estimate, 6);
    for (const r of rows) expect(Number(r.difference)).toBeCloseTo(Number(r.passes_b) / Number(r.paired_trials) - Number(r.passes_a) / Number(r.paired_trials), 6);
  });
});

import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import config from '../../playwright.config.ts';

/*
 * The reports that leave the page: after a bookshop run (agenda user against the bookshop
 * agent, three tasks, two personas, two trials), the HTML report downloads, opens from disk
 * with JavaScript off and shows the run page's figures; the CSV files parse back to them.
 */

const base = String(config.use?.baseURL);
const TASKS = ['Cancel an order that is still processing', 'Return after the 30-day window', 'Where is my order?'];
const PERSONAS = ['Baseline cooperative', 'Hurried commuter'];

test('a run downloads as an HTML report that reads without script, and as CSV', async ({ page, browser }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await page.getByRole('region', { name: '1 · Scenarios' }).getByRole('button', { name: 'None' }).click();
  for (const t of TASKS) await page.getByLabel(t).check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  for (const p of PERSONAS) await page.getByLabel(p).check();
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });

  // The run page's figures.
  const rate = (await page.getByTestId('overall-rate').textContent())!.trim();
  const counts = (await page.locator('.big-number .faint').first().textContent())!.replace(/\s+/g, ' ').trim();
  const [, passed, counted] = /^(\d+) of (\d+) sessions/.exec(counts)!;
  expect(Number(counted)).toBe(TASKS.length * PERSONAS.length * 2);
  const passkRows = await page.getByTestId('passk-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  expect(passkRows).toHaveLength(2);
  const terminations = Object.fromEntries(
    await page.locator('.terms .chip').evaluateAll((chips) => chips.map((c) => [c.querySelector('.mono')!.textContent!.trim(), Number(c.querySelector('strong')!.textContent)])),
  );
  // The pass^k chart is drawn by Plot in the page.
  await expect(page.getByTestId('passk-chart').locator('svg[aria-label^="pass^k against k"]')).toBeVisible();
  const reports = page.getByRole('group', { name: 'Reports' });
  await expect(reports.getByRole('button', { name: 'Download report (HTML)' })).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('run-page.png'), fullPage: true });

  // The HTML report, opened from disk with JavaScript off.
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Download report (HTML)' }).click()]);
  expect(htmlDownload.suggestedFilename()).toMatch(/^understudy-.*\.html$/);
  const htmlPath = testInfo.outputPath('report.html');
  await htmlDownload.saveAs(htmlPath);
  expect(readFileSync(htmlPath, 'utf8')).not.toMatch(/<script/i);

  const offline = await browser.newContext({ javaScriptEnabled: false });
  const report = await offline.newPage();
  const requests: string[] = [];
  report.on('request', (r) => requests.push(r.url()));
  await report.goto(`file://${htmlPath}`);
  await expect(report.locator('h1')).toHaveText(await page.locator('header h1').textContent() as string);
  await expect(report.locator('[data-figure="overall-rate"]')).toHaveText(rate);
  await expect(report.locator('[data-figure="overall-counts"]')).toContainText(`${passed} of ${counted} sessions`);
  const reportPassk = await report.locator('table[data-table="passk"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  expect(reportPassk).toEqual(passkRows);
  for (const [reason, n] of Object.entries(terminations)) await expect(report.locator(`td[data-termination="${reason}"]`)).toHaveText(String(n));
  await expect(report.locator('table[data-table="sessions"] tbody tr')).toHaveCount(Number(counted));
  await expect(report.locator('table[data-table="per-persona"] tbody tr')).toHaveCount(PERSONAS.length);
  await expect(report.locator('table[data-table="per-task"] tbody tr')).toHaveCount(TASKS.length * PERSONAS.length);
  // The charts are inline SVG, with their labels.
  await expect(report.locator('figure.chart svg[aria-label]')).toHaveCount(3);
  await expect(report.locator('svg[aria-label="Success per persona"]')).toContainText('Hurried commuter');
  await expect(report.locator('.seats')).toContainText('Rule-based bookshop agent');
  expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  await report.screenshot({ path: testInfo.outputPath('report.png'), fullPage: true });
  await offline.close();

  // The sessions CSV gives back the same counts.
  const [sessionsDownload] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Sessions (CSV)' }).click()]);
  expect(sessionsDownload.suggestedFilename()).toMatch(/-sessions\.csv$/);
  const sessionsPath = testInfo.outputPath('sessions.csv');
  await sessionsDownload.saveAs(sessionsPath);
  const rows = Papa.parse<Record<string, string>>(readFileSync(sessionsPath, 'utf8'), { header: true, skipEmptyLines: true });
  expect(rows.errors).toEqual([]);
  const countedRows = rows.data.filter((r) => r.termination !== 'aborted' && r.outcome !== 'running');
  expect(countedRows).toHaveLength(Number(counted));
  expect(countedRows.filter((r) => r.outcome === 'pass')).toHaveLength(Number(passed));
  expect(rows.data.filter((r) => r.reward === '1')).toHaveLength(Number(passed));
  expect(new Set(rows.data.map((r) => r.scenario))).toEqual(new Set(TASKS));

  // The per-task CSV: its mean pass^k is the run page's pass^k.
  const [tasksDownload] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Tasks (CSV)' }).click()]);
  const tasksPath = testInfo.outputPath('tasks.csv');
  await tasksDownload.saveAs(tasksPath);
  const tasks = Papa.parse<Record<string, string>>(readFileSync(tasksPath, 'utf8'), { header: true, skipEmptyLines: true });
  expect(tasks.errors).toEqual([]);
  expect(tasks.data).toHaveLength(TASKS.length * PERSONAS.length);
  expect(tasks.data.reduce((n, r) => n + Number(r.passes), 0)).toBe(Number(passed));
  for (const [i, k] of [[0, 1], [1, 2]] as const) {
    const mean = tasks.data.reduce((a, r) => a + Number(r[`pass_hat_${k}`]), 0) / tasks.data.length;
    expect(`${(mean * 100).toFixed(1)}%`).toBe(passkRows[i]![1]);
  }
  expect(errors).toEqual([]);
});

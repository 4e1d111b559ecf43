import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import Papa from 'papaparse';
import config from '../../playwright.config.ts';

/*
 * The comparison page (issue 14): a run with two agent entries (the bookshop's rule-based agent
 * and the generic rule-based agent) against the agenda user, three bookshop tasks, two personas,
 * two trials. The page, opened from the run page, shows both agents, the paired difference with
 * its interval, the per-task table and, after a click on a task, both agents' transcripts side
 * by side; its HTML report reads with JavaScript off and shows the same difference; its CSV of
 * the per-task table gives back the same numbers.
 */

const base = String(config.use?.baseURL);
const TASKS = ['Cancel an order that is still processing', 'Where is my order?', 'Return two items for store credit'];
const PERSONAS = ['Baseline cooperative', 'Hurried commuter'];

test('two agents of one run compared: difference with its interval, per-task table, side-by-side transcripts, report and CSV', async ({ page, browser }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await page.getByLabel('Scenario pack').selectOption('bookshop');
  const tasks = page.getByRole('region', { name: '1 · Scenarios' });
  await tasks.getByRole('button', { name: 'None' }).click();
  for (const t of TASKS) await tasks.getByRole('checkbox', { name: t }).check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  for (const p of PERSONAS) await page.getByLabel(p).check();
  await expect(page.getByLabel('User seat')).toHaveValue('agenda');
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: '+ Add another agent to compare' }).click();
  await expect(page.getByLabel('Agent 1', { exact: true })).toHaveValue('rule-based');
  await expect(page.getByLabel('Agent 2', { exact: true })).toHaveValue('frame');
  await expect(page.locator('.count strong')).toHaveText('24');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });

  // From the run page to the comparison.
  await page.getByTestId('compare-link').click();
  await expect(page).toHaveURL(/#\/compare\?run=/);
  const agents = page.getByTestId('compared-agent');
  await expect(agents).toHaveCount(2);
  await expect(agents.nth(0)).toContainText('Rule-based bookshop agent');
  await expect(agents.nth(1)).toContainText('Generic rule-based agent');
  await expect(page.getByTestId('paired-count')).toHaveText('12');

  // Each agent's success and pass^k side by side; the difference with its interval and verdict.
  await expect(page.getByTestId('agents-chart').locator('svg')).toBeVisible();
  await expect(page.getByTestId('passk-side').locator('tbody tr')).toHaveCount(2);
  const diff = page.getByTestId('difference-value');
  await expect(diff).toHaveText(/^[+−±]\d+\.\d pts$/);
  await expect(page.getByTestId('difference-ci')).toHaveText(/^95% CI [+−±]\d+\.\d to [+−±]\d+\.\d points$/);
  await expect(page.getByTestId('noise-floor')).toHaveText(/^±\d+\.\d points$/);
  await expect(page.getByTestId('verdict')).toContainText(/better than|not distinguishable from noise|ahead by/i);
  await expect(page.getByTestId('difference-chart').locator('svg[aria-label^="Differences with"]')).toBeVisible();
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/compare.png`, fullPage: true });
  // Planning aims at ±5 points, and at the width typed in (rule-based agents may already be there).
  await expect(page.getByTestId('planning')).toContainText(/(would bring the interval to|already within) ±5\.0 points/);
  await page.getByLabel('Target half-width in points').fill('2');
  await expect(page.getByTestId('planning')).toContainText(/(would bring the interval to|already within) ±2\.0 points/);
  const diffText = (await diff.textContent())!.trim();
  const ciText = (await page.getByTestId('difference-ci').textContent())!.trim();

  // The per-task table: the six tasks (task × persona), deciding ones first.
  const rows = page.getByTestId('task-row');
  await expect(rows).toHaveCount(TASKS.length * PERSONAS.length);
  const pageRows = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent!.trim())));
  const diffs = pageRows.map((r) => Math.abs(Number(r[5]!.replace('−', '-').replace('±', ''))));
  expect(diffs).toEqual([...diffs].sort((x, y) => y - x));

  // Side by side: a click on a task shows both agents' sessions of its first trial.
  await rows.first().click();
  const side = page.getByTestId('side-by-side');
  await expect(side).toBeVisible();
  await expect(side.getByRole('heading', { level: 2 })).toContainText(`${pageRows[0]![0]} · ${pageRows[0]![1]} · trial 1`);
  const sides = side.getByTestId('side');
  await expect(sides).toHaveCount(2);
  await expect(sides.nth(0)).toContainText('A · Rule-based bookshop agent');
  await expect(sides.nth(1)).toContainText('B · Generic rule-based agent');
  for (const i of [0, 1]) {
    await expect(sides.nth(i).locator('.badge').first()).toHaveText(/^(pass|fail|error)$/);
    await expect(sides.nth(i)).toContainText('reward');
    await expect(sides.nth(i)).toContainText('ended by');
  }
  await side.getByRole('button', { name: 'Trial 2' }).click();
  await expect(side.getByRole('heading', { level: 2 })).toContainText('trial 2');
  await page.screenshot({ path: testInfo.outputPath('compare-page.png'), fullPage: true });

  // The HTML report, opened from disk with JavaScript off, shows the same difference.
  const reports = page.getByRole('group', { name: 'Reports' });
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Download comparison report (HTML)' }).click()]);
  expect(htmlDownload.suggestedFilename()).toMatch(/^understudy-compare-.*\.html$/);
  const htmlPath = testInfo.outputPath('compare.html');
  await htmlDownload.saveAs(htmlPath);
  expect(readFileSync(htmlPath, 'utf8')).not.toMatch(/<script/i);
  const offline = await browser.newContext({ javaScriptEnabled: false });
  const report = await offline.newPage();
  const requests: string[] = [];
  report.on('request', (r) => requests.push(r.url()));
  await report.goto(`file://${htmlPath}`);
  await expect(report.locator('[data-figure="difference"]')).toHaveText(diffText);
  await expect(report.locator('[data-figure="difference-ci"]')).toHaveText(ciText);
  await expect(report.locator('svg[aria-label^="Differences with"]')).toBeVisible();
  await expect(report.locator('table[data-table="per-task"] tbody tr')).toHaveCount(TASKS.length * PERSONAS.length);
  await expect(report.locator('.seats')).toContainText('Generic rule-based agent');
  expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  await report.screenshot({ path: testInfo.outputPath('compare-report.png'), fullPage: true });
  await offline.close();

  // The CSV of the per-task table gives back the same numbers.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Per-task table (CSV)' }).click()]);
  const csvPath = testInfo.outputPath('per-task.csv');
  await csvDownload.saveAs(csvPath);
  const csv = Papa.parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { header: true, skipEmptyLines: true });
  expect(csv.errors).toEqual([]);
  expect(csv.data).toHaveLength(pageRows.length);
  csv.data.forEach((r, i) => {
    const row = pageRows[i]!;
    expect(r.agent_a).toBe('Rule-based bookshop agent');
    expect(r.agent_b).toBe('Generic rule-based agent');
    expect(`${r.passes_a}/${r.paired_trials}`).toBe(row[3]);
    expect(`${r.passes_b}/${r.paired_trials}`).toBe(row[4]);
    expect(Number(r.difference)).toBeCloseTo(Number(r.rate_b) - Number(r.rate_a), 6);
    expect(Math.abs(Number(r.difference) * 100).toFixed(1)).toBe(row[5]!.replace(/^[+−±]/, ''));
  });
  // The success difference is the mean over tasks of the per-task differences.
  const mean = csv.data.reduce((s, r) => s + Number(r.difference), 0) / csv.data.length;
  expect((mean * 100).toFixed(1).replace('-', '')).toBe(diffText.replace(/^[+−±]/, '').replace(' pts', ''));
  expect(errors).toEqual([]);
});

test('two separate runs on the same tasks pair up: "Compare with…" adds the other run', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const ids: string[] = [];
  for (const agent of ['rule-based', 'frame']) {
    await page.goto(`${base}#/new`);
    await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
    await page.getByLabel('Scenario pack').selectOption('bookshop');
    const tasks = page.getByRole('region', { name: '1 · Scenarios' });
    await tasks.getByRole('button', { name: 'None' }).click();
    for (const t of TASKS.slice(0, 2)) await tasks.getByRole('checkbox', { name: t }).check();
    await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
    await page.getByLabel('Baseline cooperative').check();
    await page.getByLabel('Trials per task (k)').fill('2');
    await page.getByLabel('Playback').selectOption('instant');
    await page.getByLabel('Agent seat (under test)').selectOption(agent);
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect(page).toHaveURL(/#\/runs\/run-/);
    ids.push(decodeURIComponent(page.url().split('#/runs/')[1]!));
    await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });
  }

  // One run alone has one agent: the page says so and offers the other run.
  await page.goto(`${base}#/compare?runs=${encodeURIComponent(ids[1]!)}`);
  await expect(page.getByText('A comparison needs two agents')).toBeVisible();
  await page.getByTestId('compare-with').selectOption(ids[0]!);
  await page.getByRole('link', { name: 'Add to comparison →' }).click();
  await expect(page).toHaveURL(/#\/compare\?runs=/);
  const agents = page.getByTestId('compared-agent');
  await expect(agents).toHaveCount(2);
  await expect(agents.nth(0)).toContainText('Generic rule-based agent');
  await expect(agents.nth(1)).toContainText('Rule-based bookshop agent');
  await expect(page.getByTestId('paired-count')).toHaveText('4');
  await expect(page.getByTestId('task-row')).toHaveCount(2);
  await expect(page.getByTestId('difference-value')).toHaveText(/^[+−±]\d+\.\d pts$/);
  expect(errors).toEqual([]);
});

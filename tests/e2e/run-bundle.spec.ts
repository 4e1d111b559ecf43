import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import config from '../../playwright.config.ts';

/*
 * Issue 14, the JSONL export imported back: a small run (agenda user vs the bookshop agent,
 * instant) is exported, deleted and imported from the file on the Runs page; the imported run
 * shows the same pass rate, sessions and transcripts. The gzip export imports the same way; a
 * run already stored and a damaged file are refused, naming why and where, and change nothing.
 */

const base = String(config.use?.baseURL);

/** The run page's figures and its sessions, as shown. */
async function readRun(page: Page) {
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });
  const rows = page.locator('a.srow');
  await expect(rows.first()).toBeVisible();
  return {
    rate: await page.getByTestId('overall-rate').textContent(),
    passk: await page.getByTestId('passk').textContent(),
    perTask: await page.getByRole('figure', { name: 'Per task' }).textContent(),
    heading: await page.getByRole('heading', { name: /Sessions/ }).textContent(),
    // The list is virtual: the rows drawn, which are the same rows in the same window.
    sessions: await rows.allTextContents(),
    links: await rows.evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
  };
}

async function readTranscript(page: Page, link: string) {
  await page.goto(base + link);
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await expect(transcript.locator('li.turn').first()).toBeVisible();
  return {
    outcome: await page.getByTestId('session-outcome').textContent(),
    turns: await transcript.locator('li.turn').allTextContents(),
  };
}

async function importFile(page: Page, path: string) {
  await page.goto(`${base}#/runs`);
  await expect(page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
  await page.getByLabel('Run bundle file').setInputFiles(path);
}

test('a run exported as JSONL, deleted and imported back shows the same results and transcripts', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  for (const name of ['Baseline cooperative', 'Hurried commuter']) await page.getByLabel(name).check();
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  const runId = page.url().split('/runs/')[1]!;
  const before = await readRun(page);
  const total = Number(/\((\d+)\)/.exec(before.heading ?? '')?.[1]);
  expect(total).toBeGreaterThanOrEqual(8);
  // The transcripts of the first and the last session drawn.
  const picks = [...new Set([0, before.sessions.length - 1])].map((i) => before.links[i]!);
  const transcripts = [];
  for (const link of picks) transcripts.push(await readTranscript(page, link));
  expect(transcripts[0]!.turns.length).toBeGreaterThan(3);

  // Export, plain and gzip-compressed, from the Runs page.
  await page.goto(`${base}#/runs`);
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  const [plain] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Export JSONL', exact: true }).click()]);
  const [gz] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Export JSONL, gzip-compressed' }).click()]);
  expect(plain.suggestedFilename()).toMatch(/\.jsonl$/);
  expect(gz.suggestedFilename()).toMatch(/\.jsonl\.gz$/);
  const plainPath = testInfo.outputPath(plain.suggestedFilename());
  const gzPath = testInfo.outputPath(gz.suggestedFilename());
  await plain.saveAs(plainPath);
  await gz.saveAs(gzPath);
  const text = readFileSync(plainPath, 'utf8');
  const packed = readFileSync(gzPath);
  expect(packed.length).toBeLessThan(text.length / 4);
  // The same bundle apart from the time of export.
  const withoutTime = (t: string) => t.replace(/"exportedAt":"[^"]+"/, '');
  expect(withoutTime(gunzipSync(packed).toString('utf8'))).toBe(withoutTime(text));

  // A run already stored is refused, and nothing changes.
  await importFile(page, plainPath);
  await expect(page.getByTestId('run-import-error')).toHaveText(
    new RegExp(`^Refused: nothing was imported\\. .+\\.jsonl: line 1: a run with id "${runId}" already exists`),
  );
  await expect(page.locator('tbody tr')).toHaveCount(1);

  // Delete it, then import the file back.
  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: /^Delete run/ }).click();
  await expect(row).toHaveCount(0);

  // A damaged copy is refused with its line and field; nothing is stored.
  const lines = text.trimEnd().split('\n');
  const n = lines.findIndex((l) => l.startsWith('{"type":"session"')) + 3;
  const bad = JSON.parse(lines[n - 1]!);
  bad.session.outcome = 'maybe';
  lines[n - 1] = JSON.stringify(bad);
  const badPath = testInfo.outputPath('damaged.jsonl');
  writeFileSync(badPath, lines.join('\n') + '\n');
  await importFile(page, badPath);
  await expect(page.getByTestId('run-import-error')).toHaveText(
    `Refused: nothing was imported. damaged.jsonl: line ${n}: "session.outcome" should be one of "running", "pass", "fail", "error", got "maybe"`,
  );
  await expect(page.locator('tbody tr')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('runs-import-refused.png'), fullPage: true });

  await importFile(page, plainPath);
  const done = page.getByTestId('run-import-done');
  await expect(done).toHaveText(new RegExp(`^Imported the run .+ from ${plain.suggestedFilename()}: ${total} sessions, \\d+ turns\\.$`));
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('runs-imported.png'), fullPage: true });
  await done.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`#/runs/${runId}$`));
  expect(await readRun(page)).toEqual(before);
  for (const [i, link] of picks.entries()) expect(await readTranscript(page, link)).toEqual(transcripts[i]);

  // The gzip file imports to the same run.
  await page.goto(`${base}#/runs/${runId}`);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete run' }).click();
  await expect(page).toHaveURL(/#\/runs$/);
  await importFile(page, gzPath);
  await expect(page.getByTestId('run-import-done')).toContainText(`from ${gz.suggestedFilename()}: ${total} sessions,`);
  await page.goto(`${base}#/runs/${runId}`);
  expect(await readRun(page)).toEqual(before);

  // After a reload it is still there, like any run.
  await page.reload();
  expect(await readRun(page)).toEqual(before);
  expect(errors).toEqual([]);
});

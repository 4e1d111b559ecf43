import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * "Users like these" on the Personas page, in Debian's Chromium against the built page: a
 * conversation file read in the page with its skipped lines and reasons, the missing-judge
 * message, extraction with the real stories260K model as the judge (through the GGUF path),
 * whose failures are shown per conversation while the page stays usable, and stored sessions
 * as the source.
 */

const base = String(config.use?.baseURL);
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;
const FIXTURE = join(process.cwd(), 'tests/e2e/fixtures/conversations.jsonl');

async function openPanel(page: Page) {
  await page.goto(`${base}#/personas`);
  await page.getByRole('tab', { name: 'Users like these' }).click();
  await expect(page.getByRole('heading', { name: 'Conversations' })).toBeVisible();
}

async function readFixture(page: Page) {
  await page.getByLabel('Conversation file').setInputFiles(FIXTURE);
  await expect(page.getByTestId('read-summary')).toHaveText('Read 3 conversations from conversations.jsonl; 2 skipped.');
}

test('a conversation file is read in the page, with skipped lines and why; without a judge the page says where to set one', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const uploads: string[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'GET') uploads.push(`${r.method()} ${r.url()}`);
  });
  await openPanel(page);
  await expect(page.getByText('nothing is uploaded')).toBeVisible();
  await readFixture(page);
  const skipped = page.getByTestId('skipped');
  await expect(skipped.locator('li')).toHaveCount(2);
  await expect(skipped.locator('li').nth(0)).toContainText(/line 3\s*not valid JSON/);
  await expect(skipped.locator('li').nth(1)).toHaveText(/line 4\s*has no user message/);
  const read = page.getByTestId('conversations').locator('li');
  await expect(read).toHaveCount(3);
  await expect(read.nth(0)).toContainText('kettle-refund');
  await expect(read.nth(0)).toContainText('2 user messages');
  // The OpenAI-style line's system prompt is not the user speaking.
  await expect(read.nth(1)).toContainText('router-reset');
  await expect(read.nth(1)).toContainText('2 user messages');

  const noJudge = page.getByTestId('no-judge');
  await expect(noJudge).toContainText('No model is set for the Judge role');
  await expect(page.getByRole('button', { name: 'Extract profiles' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Sample', exact: true })).toBeDisabled();
  await noJudge.getByRole('link', { name: 'Models page' }).click();
  await expect(page).toHaveURL(/#\/models$/);
  expect(uploads).toEqual([]);
  expect(errors).toEqual([]);
});

test('with stories260K as the judge every conversation gets its error as data, and the page stays usable', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}#/models`);
  const gguf = page.getByRole('region', { name: /GGUF models/ });
  await gguf.getByLabel('Add by URL').fill(MODEL_URL);
  await gguf.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(gguf.locator('tr[data-gguf]')).toHaveCount(1, { timeout: 30_000 });
  await page.getByRole('region', { name: 'Roles' }).getByLabel('Judge').selectOption({ label: 'stories260K.gguf' });

  await openPanel(page);
  await readFixture(page);
  await expect(page.getByText('Judge: stories260K.gguf')).toBeVisible();
  await page.getByLabel('Conversations to extract').fill('2');
  await page.getByRole('button', { name: 'Extract profiles' }).click();

  const rows = page.getByTestId('profile-row');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('extract-progress')).toContainText('2 of 2 done', { timeout: 120_000 });
  // The tiny story model cannot write a profile: a malformed answer twice, or a prompt too long
  // for its 2,048-token window. Either way each conversation shows its own named error.
  for (const [i, id] of ['kettle-refund', 'router-reset'].entries()) {
    const row = rows.nth(i);
    await expect(row).toContainText(id);
    await expect(row).toHaveAttribute('data-status', 'error');
    await expect(row.locator('.badge.fail')).toHaveText(/^(MalformedJudgeOutput|JudgeError)$/);
    await expect(row.getByRole('alert')).toContainText(/malformed|The judge failed/);
  }
  await expect(page.getByTestId('extract-progress')).toContainText('0 profiles · 2 errors');
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

  // Still usable: nothing to sample from, another extraction can start, the tabs work.
  await expect(page.getByText('Extract at least one profile first.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Extract profiles' })).toBeEnabled();
  await page.getByRole('tab', { name: 'Gallery' }).click();
  await expect(page.getByRole('region', { name: 'Core personas' }).getByTestId('persona-card')).toHaveCount(6);
  await page.getByRole('tab', { name: 'Users like these' }).click();
  await expect(page.getByTestId('profile-row')).toHaveCount(2);
  expect(errors).toEqual([]);
});

test("a run's stored sessions can be the source", async ({ page }) => {
  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  // A pack the rule-based agent knows, so the run is classical and instant.
  await page.getByLabel('Scenario pack').selectOption('bookshop');
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });

  await openPanel(page);
  await page.getByLabel('Stored sessions').check();
  const run = page.getByLabel('Run', { exact: true });
  await run.selectOption({ index: 1 });
  const boxes = page.getByRole('list', { name: 'Sessions' }).getByRole('checkbox');
  // The run's sessions are read from IndexedDB after the choice: wait for them before counting.
  await expect(boxes.first()).toBeVisible();
  const n = await boxes.count();
  expect(n).toBeGreaterThan(1);
  await boxes.first().uncheck();
  await page.getByRole('button', { name: new RegExp(`^Read ${n - 1} sessions?$`) }).click();
  const summary = page.getByTestId('read-summary');
  await expect(summary).toContainText(/^Read \d+ conversations? from run “/);
  // Every chosen session is either read or listed as skipped with its reason.
  const readCount = Number(/Read (\d+)/.exec((await summary.textContent())!)![1]);
  const skipped = await page.getByTestId('skipped').locator('li').count();
  expect(readCount + skipped).toBe(n - 1);
  expect(readCount).toBeGreaterThan(0);
  const first = page.getByTestId('conversations').locator('li').first();
  await expect(first).toContainText('Baseline cooperative t1');
  await expect(first).toContainText(', trial 1:');
});

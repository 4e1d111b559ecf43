import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * The real LLM path end to end: stories260K (a 1.2 MB story model, through llama.cpp in the
 * page) fills the LLM seats of a built-in scenario. It writes fluent nonsense; the pipeline
 * must hold: every turn stored with its usage, missing or malformed tool calls handled, a
 * proper termination reason, results and transcript rendered, and all of it kept on reload.
 */

const base = String(config.use?.baseURL);
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;
const TERMINATIONS = /^(user_stop|transfer|out_of_scope|max_turns|too_many_errors)$/;

async function addStoriesForBothRoles(page: Page) {
  await page.goto(`${base}#/models`);
  const panel = page.getByRole('region', { name: /GGUF models/ });
  await panel.getByLabel('Add by URL').fill(MODEL_URL);
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(panel.locator('tr[data-gguf]')).toHaveCount(1, { timeout: 30_000 });
  const roles = page.getByRole('region', { name: 'Roles' });
  await roles.getByLabel('User simulator').selectOption({ label: 'stories260K.gguf' });
  await roles.getByLabel('Agent').selectOption({ label: 'stories260K.gguf' });
}

/**
 * stories260K's tokenizer has 512 tokens (about one token per character of JSON), and llama.cpp
 * caps its context at the 2,048 tokens it was trained for, so the full bookshop policy and its six
 * tool schemas do not fit (a real model needs about a third as many tokens). The test imports a
 * compact pack over the same domain: a short policy and the one tool the task needs.
 */
function compactPack(): string {
  const full = JSON.parse(readFileSync(join(process.cwd(), 'public/packs/bookshop.json'), 'utf8'));
  const task = full.tasks.find((t: { id: string }) => t.id === 'bookshop-cancel-processing');
  return JSON.stringify({
    ...full,
    id: 'bookshop-compact',
    title: 'Bookshop, compact',
    policy: 'Cancel processing orders after the customer says yes.',
    tools: full.tools.filter((t: { name: string }) => t.name === 'cancel_order'),
    tasks: [
      {
        ...task,
        id: 'compact-cancel',
        title: 'Compact: cancel a processing order',
        evaluation: { ...task.evaluation, goldActions: task.evaluation.goldActions.filter((a: { name: string }) => a.name === 'cancel_order') },
      },
    ],
  });
}

async function importCompactPack(page: Page) {
  await page.goto(`${base}#/library`);
  await page.getByLabel('JSON to import').fill(compactPack());
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  await expect(page.getByRole('status')).toContainText('compact-cancel');
}

async function startSmallRun(page: Page, userSeat: string, agentSeat: string, opts: { watchStreaming?: boolean } = {}) {
  await importCompactPack(page);
  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('bookshop-compact');
  await page.getByLabel('Compact: cancel a processing order').check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('User seat').selectOption({ label: userSeat });
  await page.getByLabel('Agent seat (under test)').selectOption({ label: agentSeat });
  await page.getByLabel('Max turns').fill('8');
  await page.getByLabel('Playback').selectOption('instant');
  await expect(page.locator('.model').first()).toContainText('gguf:');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  // The live view shows a model's text as it streams, before the turn is stored.
  if (opts.watchStreaming) await expect(page.getByTestId('draft')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 90_000 });
}

async function openOnlySession(page: Page) {
  await expect(page.locator('a.srow')).toHaveCount(1);
  const ended = (await page.locator('a.srow .mono').textContent())!.trim();
  await page.locator('a.srow').click();
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await expect(transcript.locator('li.turn').first()).toBeVisible();
  const why = (await page.locator('header .error-box').allTextContents()).join(' ');
  // A conversation that outgrows the tiny model's window ends as a named error, which is a
  // proper ending too; any other error is a failure of the pipeline.
  if (/_error$/.test(ended)) {
    expect(why).toContain('ContextOverflowError');
    await expect(page.getByTestId('session-outcome')).toHaveText('error');
  } else {
    expect(ended, why).toMatch(TERMINATIONS);
    await expect(page.getByTestId('session-outcome')).toHaveText(/^(pass|fail)$/);
  }
  return transcript;
}

test('stories260K in both LLM seats runs a whole built-in evaluation that is stored, scored and kept', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await addStoriesForBothRoles(page);
  await startSmallRun(page, 'LLM user simulator', 'LLM agent', { watchStreaming: true });
  await expect(page.getByTestId('overall-rate')).toHaveText(/^\d+%$/);

  const transcript = await openOnlySession(page);
  const turns = transcript.locator('li.turn');
  const n = await turns.count();
  // The tiny window holds a couple of exchanges (the simulator also writes its inner state).
  expect(n).toBeGreaterThanOrEqual(2);
  await expect(transcript.locator('[data-role="agent"]').first()).toBeVisible();
  // The LLM user's inner state was stored (parsed or flagged as unparsed), one click away.
  await page.getByLabel("Show the simulator's inner state").check();
  await expect(transcript.locator('[data-role="user"] .latent').first()).toBeVisible();
  // Every model turn carries its usage and its author is the model.
  await expect(transcript.locator('[data-role="user"] .author').first()).toContainText('llm-user/gguf:');
  await expect(transcript.getByTestId('turn-usage')).toHaveCount(n);

  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/llm-session.png`, fullPage: true });
  await page.reload();
  await expect(page.getByRole('list', { name: 'Transcript' }).locator('li.turn')).toHaveCount(n);
  expect(errors).toEqual([]);
});

test('the agenda simulator against a stories260K agent: a mixed run', async ({ page }) => {
  test.setTimeout(180_000);
  await addStoriesForBothRoles(page);
  await startSmallRun(page, 'Agenda-based simulator', 'LLM agent');
  const transcript = await openOnlySession(page);
  await expect(transcript.locator('[data-role="user"] .author').first()).toHaveText('agenda');
  await expect(transcript.locator('[data-role="agent"] .author').first()).toContainText('llm-agent/gguf:');
});

test('a rerun with the same settings reproduces the transcript with a deterministic engine', async ({ page }) => {
  test.setTimeout(240_000);
  await addStoriesForBothRoles(page);
  const transcripts: string[][] = [];
  for (let i = 0; i < 2; i++) {
    await startSmallRun(page, 'LLM user simulator', 'LLM agent');
    const transcript = await openOnlySession(page);
    transcripts.push(await transcript.locator('li.turn .bubble').allTextContents());
  }
  expect(transcripts[0]!.length).toBeGreaterThanOrEqual(2);
  expect(transcripts[1]).toEqual(transcripts[0]);
});

import { expect, test, chromium, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config, { SUB_PATH_URL } from '../../playwright.config.ts';

/*
 * The whole flow of issue 2 in Debian's Chromium against the built page: choose, run,
 * watch, read results, open a transcript, reload, export, delete, and refuse bad input.
 */

const base = String(config.use?.baseURL);

async function startInstantRun(page: Page, opts: { personas?: string[]; url?: string } = {}) {
  await page.goto(opts.url ?? base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  if (opts.personas) {
    await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
    for (const name of opts.personas) await page.getByLabel(name).check();
  }
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
}

async function waitForCompletion(page: Page) {
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });
}

test('a built-in evaluation runs, shows results and transcripts, and survives a reload', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(base);
  // The page opens ready: a pack, personas and both seats are chosen.
  const count = page.locator('.count strong');
  await expect(count).not.toHaveText('0');
  const sessions = Number(await count.textContent());
  expect(sessions).toBeGreaterThanOrEqual(8);

  await startInstantRun(page);
  await waitForCompletion(page);

  const rate = page.getByTestId('overall-rate');
  await expect(rate).toHaveText(/^\d+%$/);
  await expect(page.getByRole('figure', { name: 'Per task' }).locator('.r')).not.toHaveCount(0);
  await expect(page.getByRole('figure', { name: 'Per persona' }).locator('.r')).not.toHaveCount(0);
  await expect(page.locator('.chip').first()).toBeVisible();
  await expect(page.getByTestId('passk')).toContainText('k=1');
  await expect(page.getByRole('heading', { name: /Sessions/ })).toContainText(`(${sessions})`);

  // Filter to passed sessions, open one transcript.
  await page.getByLabel('Filter by outcome').selectOption('pass');
  const first = page.locator('a.srow').first();
  await expect(first).toBeVisible();
  await first.click();
  await expect(page).toHaveURL(/\/sessions\//);
  await expect(page.getByTestId('session-outcome')).toHaveText('pass');
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await expect(transcript.locator('[data-role="user"]').first()).toBeVisible();
  await expect(transcript.locator('[data-role="agent"]').first()).toBeVisible();
  await expect(transcript.locator('details.tool').first()).toBeVisible();
  await expect(page.getByText('DB matches')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Final database vs expected' })).toBeVisible();
  const sessionUrl = page.url();
  const turnCount = await transcript.locator('li.turn').count();
  expect(turnCount).toBeGreaterThan(3);

  // Reload: the same transcript comes back from IndexedDB.
  await page.reload();
  await expect(page.getByRole('list', { name: 'Transcript' }).locator('li.turn')).toHaveCount(turnCount);
  expect(page.url()).toBe(sessionUrl);

  await page.goto(`${base}#/runs`);
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.locator('tbody tr .badge')).toHaveText('completed');
  expect(errors).toEqual([]);
});

test('choosing a pack the bookshop agent cannot run moves the agent seat to the generic one, which runs it', async ({ page }) => {
  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  const seat = page.getByLabel('Agent seat (under test)');
  await expect(seat).toHaveValue('rule-based');
  await page.getByLabel('Scenario pack').selectOption('recommendation');
  await expect(seat).toHaveValue('frame');
  await expect(page.getByTestId('seat-note')).toContainText('only knows the bookshop domain');
  await expect(page.getByText(/has no policy for/)).toHaveCount(0);
  // One persona, so the run is short; the film pack runs end to end with the classical seats.
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await waitForCompletion(page);
  await expect(page.getByTestId('overall-rate')).toHaveText(/^\d+%$/);
  await expect(page.locator('a.srow')).toHaveCount(14);
});

test('"Run again" fills New run with the run\'s tasks, personas, seats, trials and seed', async ({ page }) => {
  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Hurried commuter').check();
  await page.getByRole('button', { name: 'First' }).click(); // the first 5 tasks
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Seed').fill('7');
  await page.getByLabel('Playback').selectOption('instant');
  await expect(page.locator('.count strong')).toHaveText('10');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await waitForCompletion(page);
  const runName = (await page.locator('header h1').textContent())!.trim();

  await page.getByRole('link', { name: 'Run again…' }).click();
  await expect(page).toHaveURL(/#\/new\/from\/run-/);
  await expect(page.getByTestId('run-again')).toContainText(runName);
  await expect(page.getByLabel('Trials per task (k)')).toHaveValue('2');
  await expect(page.getByLabel('Seed')).toHaveValue('7');
  await expect(page.getByLabel('Hurried commuter')).toBeChecked();
  await expect(page.getByLabel('Baseline cooperative')).not.toBeChecked();
  await expect(page.locator('.count strong')).toHaveText('10');
  await expect(page.getByLabel('Run name (optional)')).toHaveValue(`${runName} (again)`);
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await waitForCompletion(page);
  await expect(page.locator('a.srow')).toHaveCount(10);
});

test('a run exports as JSONL and can be deleted', async ({ page }) => {
  await startInstantRun(page, { personas: ['Baseline cooperative', 'Hurried commuter'] });
  await waitForCompletion(page);
  const runId = page.url().split('/runs/')[1]!;

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSONL' }).click()]);
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(lines[0]).toMatchObject({ type: 'run', formatVersion: 2, run: { id: runId, status: 'completed' } });
  // Each initial database once, then the sessions, their databases as deltas against one.
  const dbLines = lines.slice(1).filter((l) => l.type === 'db');
  expect(dbLines.length).toBeGreaterThan(0);
  const sessionLines = lines.slice(1 + dbLines.length);
  expect(sessionLines.length).toBe(lines[0].run.totalSessions);
  const hashes = new Set(dbLines.map((l) => l.hash));
  for (const l of sessionLines) {
    expect(l.type).toBe('session');
    expect(l.session.runId).toBe(runId);
    expect(l.turns.length).toBe(l.session.turnCount);
    expect(hashes.has(l.dbs.baseHash)).toBe(true);
    expect(Array.isArray(l.dbs.finalDelta)).toBe(true);
    expect(l.session.finalDb).toBeUndefined();
  }

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete run' }).click();
  await expect(page).toHaveURL(/#\/runs$/);
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toHaveCount(0);
});

test('the live view streams turns and a run can be stopped', async ({ page }) => {
  await page.goto(base);
  await page.getByLabel('Playback').selectOption('readable');
  await page.getByRole('button', { name: 'Start run' }).click();
  const live = page.getByRole('region', { name: 'Live run' });
  await expect(live).toBeVisible();
  const turns = live.locator('li.turn');
  await expect(turns.first()).toBeVisible();
  await expect.poll(() => turns.count(), { timeout: 15_000 }).toBeGreaterThan(2);
  // The two seats side by side: the user simulator's column left of the agent's.
  await expect(live.getByTestId('seat-user')).toContainText('Agenda-based simulator');
  await expect(live.getByTestId('seat-agent')).toContainText('Rule-based bookshop agent');
  const userBox = (await live.locator('li.turn[data-role="user"]').first().boundingBox())!;
  const agentBox = (await live.locator('li.turn[data-role="agent"]').first().boundingBox())!;
  expect(agentBox.x).toBeGreaterThanOrEqual(userBox.x + userBox.width);
  // Tool calls show in the agent's column with their arguments and result.
  const call = live.getByTestId('live-tool-call').first();
  await expect(call).toBeVisible({ timeout: 15_000 });
  expect(await call.evaluate((el) => el.closest('li.turn')?.getAttribute('data-role'))).toBe('agent');
  await expect(call.locator('.args')).toHaveText(/^\{".+\}$/);
  await expect(call.locator('summary .badge')).toHaveText(/^(ok|[A-Za-z]+Error|UnknownTool|InvalidArguments|MalformedCall)$/);
  // On a narrow screen the columns stack: every turn starts at the same left edge, give or take its indent.
  await page.setViewportSize({ width: 600, height: 900 });
  const narrowUser = (await live.locator('li.turn[data-role="user"]').first().boundingBox())!;
  const narrowAgent = (await live.locator('li.turn[data-role="agent"]').first().boundingBox())!;
  expect(narrowAgent.x).toBeLessThan(narrowUser.x + narrowUser.width / 2);
  await live.getByRole('button', { name: 'Stop run' }).click();
  await expect(live).toBeHidden({ timeout: 10_000 });
  await expect(page.locator('header .badge', { hasText: 'aborted' })).toBeVisible();
});

test('bad scenario and persona JSON is refused with the field named, and nothing is written', async ({ page }) => {
  await page.goto(`${base}#/library`);
  const shownCount = page.locator('#h-pers .faint');
  const personaCount = async () => Number((await shownCount.textContent())!.replace(/\D/g, ''));
  // The built-in personas are read from IndexedDB after the page opens: wait for them before counting.
  await expect(shownCount).not.toHaveText('(0)');
  const before = await personaCount();
  const box = page.getByLabel('JSON to import');
  const importButton = page.getByRole('button', { name: 'Import pasted JSON' });
  const error = page.getByTestId('import-error');

  await box.fill('{ "id": "x", "name": "X", ');
  await importButton.click();
  await expect(error).toContainText('not valid JSON');

  const persona = {
    id: 'too-patient',
    name: 'Too patient',
    summary: 'Out of range',
    role: 'customer',
    background: '',
    traits: { patience: 9, verbosity: 3, clarity: 3, cooperativeness: 3, techLiteracy: 3, emotion: 3, formality: 3, noise: 1, drift: 1, initiative: 3, proficiency: 5 },
  };
  await box.fill(JSON.stringify(persona));
  await importButton.click();
  await expect(error).toContainText('traits.patience');
  await expect(error).toContainText('at most 5');

  const { name: _drop, ...nameless } = { ...persona, traits: { ...persona.traits, patience: 3 } };
  await box.fill(JSON.stringify(nameless));
  await importButton.click();
  await expect(error).toContainText('name');
  await expect(error).toContainText('missing');

  const pack = JSON.parse(readFileSync(join(process.cwd(), 'public/packs/bookshop.json'), 'utf8'));
  pack.id = 'broken-pack';
  pack.tasks = pack.tasks.slice(0, 1).map((t: { id: string }) => ({ ...t, id: 'broken-1' }));
  pack.tools[0].name = 'refund_everything';
  await box.fill(JSON.stringify(pack));
  await importButton.click();
  await expect(error).toContainText('tools[0].name');
  await expect(error).toContainText('refund_everything');

  await page.reload();
  await expect(shownCount).toHaveText(`(${before})`);
  await expect(page.getByText('broken-1')).toHaveCount(0);

  // A good persona goes in and stays.
  await page.getByLabel('JSON to import').fill(JSON.stringify({ ...persona, id: 'fine', name: 'Fine persona', traits: { ...persona.traits, patience: 2 } }));
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  await expect(page.getByRole('status')).toContainText('fine');
  await page.reload();
  await expect(shownCount).toHaveText(`(${before + 1})`);
});

test('runs survive closing and reopening the browser', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'understudy-profile-'));
  const launch = () =>
    chromium.launchPersistentContext(profile, {
      ...config.use?.launchOptions,
      viewport: { width: 1280, height: 860 },
    });
  try {
    let ctx = await launch();
    let page = await ctx.newPage();
    await startInstantRun(page, { personas: ['Baseline cooperative'] });
    await waitForCompletion(page);
    const runUrl = page.url();
    await expect(page.getByTestId('overall-rate')).toHaveText(/^\d+%$/);
    const rate = await page.getByTestId('overall-rate').textContent();
    await ctx.close();

    ctx = await launch();
    page = await ctx.newPage();
    await page.goto(runUrl);
    await expect(page.getByTestId('overall-rate')).toHaveText(rate!);
    await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible();
    await ctx.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test('the built page works from a sub-path of a static host', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await startInstantRun(page, { url: SUB_PATH_URL, personas: ['Vague first-timer'] });
  expect(page.url().startsWith(SUB_PATH_URL)).toBe(true);
  await waitForCompletion(page);
  await page.locator('a.srow').first().click();
  await expect(page.getByRole('list', { name: 'Transcript' }).locator('li.turn').first()).toBeVisible();
  expect(failed).toEqual([]);
});

test('a tab closed mid-run keeps every finished turn and marks the run interrupted', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'understudy-profile-'));
  const launch = () => chromium.launchPersistentContext(profile, { ...config.use?.launchOptions });
  try {
    let ctx = await launch();
    let page = await ctx.newPage();
    await page.goto(base);
    await page.getByLabel('Playback').selectOption('readable');
    await page.getByRole('button', { name: 'Start run' }).click();
    const live = page.getByRole('region', { name: 'Live run' });
    await expect.poll(() => live.locator('li.turn').count(), { timeout: 15_000 }).toBeGreaterThan(3);
    // Still in the first session, so the session cut short is the one whose turns were shown.
    await expect(live.getByText(/^0 done/)).toBeVisible();
    const shown = await live.locator('li.turn').count();
    const runUrl = page.url();
    await ctx.close(); // the tab goes away mid-session

    ctx = await launch();
    page = await ctx.newPage();
    await page.goto(base);
    await expect(page.getByText(/cut short when this page was last closed/)).toBeVisible();
    await page.goto(runUrl);
    await expect(page.locator('header .badge', { hasText: 'interrupted' })).toBeVisible();
    await page.getByLabel('Filter by outcome').selectOption('error');
    await page.locator('a.srow').first().click();
    // Every turn the live view had shown was already stored.
    const storedTurns = page.getByRole('list', { name: 'Transcript' }).locator('li.turn');
    await expect(storedTurns.first()).toBeVisible();
    const stored = await storedTurns.count();
    expect(stored).toBeGreaterThanOrEqual(shown);
    await expect(page.getByText('Interrupted:')).toBeVisible();
    await ctx.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * A newcomer's τ²-bench flow in the page: import the user's own copy of the retail domain
 * (read from ../shared/data at test time through the file inputs, never copied into the
 * repository), see its 114 tasks survive a reload, run five of them with the agenda user
 * against an LLM agent, and open a session's database diff. Broken files are refused with
 * a message naming the file, and nothing is written.
 */

const base = String(config.use?.baseURL);
const TAU2 = resolve(process.cwd(), '../shared/data/tau2-bench');
const RETAIL = join(TAU2, 'retail');
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;

/** Rows in one of the page's IndexedDB tables (0 when the table does not exist yet). */
function countRows(page: Page, store: string): Promise<number> {
  return page.evaluate(async (name) => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    if (!db.objectStoreNames.contains(name)) {
      db.close();
      return 0;
    }
    const n = await new Promise<number>((res, rej) => {
      const r = db.transaction(name).objectStore(name).count();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return n;
  }, store);
}

async function storedCounts(page: Page) {
  return {
    scenarios: await countRows(page, 'scenarios'),
    dbs: await countRows(page, 'scenarioDbs'),
    packs: await countRows(page, 'packs'),
  };
}

const tau2Panel = (page: Page) => page.getByRole('region', { name: 'Import a τ²-bench domain' });

async function importRetailFolder(page: Page): Promise<void> {
  await page.goto(`${base}#/library`);
  const panel = tau2Panel(page);
  const t0 = Date.now();
  await panel.getByLabel('τ²-bench domain folder').setInputFiles(RETAIL);
  await expect(panel.getByTestId('tau2-preview')).toBeVisible({ timeout: 30_000 });
  const readMs = await panel.getByTestId('tau2-read-ms').textContent();
  await expect(panel.getByTestId('tau2-task-count')).toHaveText('114');
  // split_tasks.json came with the folder: its splits are offered.
  await expect(panel.getByTestId('tau2-preview')).toContainText('train (74)');
  await panel.getByRole('button', { name: /^Store 114 tasks$/ }).click();
  await expect(panel.getByTestId('tau2-done')).toContainText('114', { timeout: 30_000 });
  const doneText = await panel.getByTestId('tau2-done').textContent();
  console.log(
    `τ²-bench retail import in the page: read, parsed and converted in ${readMs?.trim()}; ` +
      `${/in (\d+) ms/.exec(doneText ?? '')?.[1]} ms to stored, measured by the page; ${Date.now() - t0} ms wall clock with the clicks`,
  );
}

test('imports τ²-bench retail from a folder, keeps it on reload and runs five tasks', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}#/library`);
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible();
  const before = await storedCounts(page);
  await importRetailFolder(page);
  const pack = page.locator('[data-pack="tau2-retail"]');
  await expect(pack).toContainText('τ²-bench retail');
  await expect(pack.getByTestId('pack-count')).toHaveText('114');
  // One copy of the 2.8 MB database for the 114 tasks.
  expect(await storedCounts(page)).toEqual({ scenarios: before.scenarios + 114, dbs: before.dbs + 1, packs: before.packs + 1 });
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/library-pack.png`, fullPage: true });

  await page.reload();
  await expect(page.locator('[data-pack="tau2-retail"]').getByTestId('pack-count')).toHaveText('114');

  // stories260K through llama.cpp as the agent: the retail policy alone overflows the 2,048
  // tokens it was trained for, so the run is refused before it starts, saying why.
  await page.goto(`${base}#/models`);
  const gguf = page.getByRole('region', { name: /GGUF models/ });
  await gguf.getByLabel('Add by URL').fill(MODEL_URL);
  await gguf.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(gguf.locator('tr[data-gguf]')).toHaveCount(1, { timeout: 30_000 });
  await page.getByRole('region', { name: 'Roles' }).getByRole('combobox', { name: /^Agent/ }).selectOption({ label: 'stories260K.gguf' });

  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('tau2-retail');
  await expect(page.getByTestId('task-count')).toHaveText('114 of 114 tasks');
  await page.getByLabel('How many tasks to pick').fill('5');
  await page.getByRole('button', { name: 'First', exact: true }).click();
  await expect(page.getByTestId('task-count')).toHaveText('5 of 114 tasks');
  await page.getByLabel('Filter tasks').fill('Retail 7:');
  await expect(page.locator('.choices').first().locator('li')).toHaveCount(1);
  await page.getByLabel('Filter tasks').fill('retail');
  await expect(page.locator('.choices').first().locator('li')).toHaveCount(114);
  await page.getByLabel('Filter tasks').fill('');
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('User seat').selectOption({ label: 'Agenda-based simulator' });
  await page.getByLabel('Agent seat (under test)').selectOption({ label: 'LLM agent' });
  await page.getByLabel('Max turns').fill('6');
  // Tasks 2, 3 and 4 of the first five count judged assertions, and no Judge model is chosen here.
  await expect(page.getByTestId('run-no-judge')).toContainText('3 of the 5 chosen tasks count judged assertions');
  await page.getByLabel('Playback').selectOption('instant');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/newrun-subset.png`, fullPage: true });
  await page.getByRole('button', { name: 'Start run' }).click();
  const refusal = page.locator('.error-box[role="alert"]');
  await expect(refusal).toContainText("The agent's first turn does not fit stories260K.gguf's context window");
  await expect(refusal).toContainText('The model allows at most 2,048, so choose a model with a larger window or a smaller pack.');
  await expect(page).toHaveURL(/#\/new$/);

  // The generic rule-based agent instead, held to two turns: it greets and asks, and cannot do
  // the task, so every session fails and its database stays as it was.
  await page.getByLabel('Agent seat (under test)').selectOption({ label: 'Generic rule-based agent' });
  await page.getByLabel('Max turns').fill('2');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 150_000 });
  await expect(page.locator('a.srow')).toHaveCount(5);
  await expect(page.getByTestId('overall-rate')).toHaveText(/^\d+%$/);

  // The reliability report, as for a built-in run: pass^1 with its 95% interval, one row per task.
  // Sessions cut at the turn limit count as failures (the task was not done), not as sessions left out.
  const outcomes = await page.locator('a.srow .badge').allTextContents();
  expect(outcomes).toHaveLength(5);
  for (const o of outcomes) expect(o).toMatch(/^(pass|fail|error)$/);
  const passes = outcomes.filter((o) => o === 'pass').length;
  const report = page.getByRole('region', { name: 'Reliability' });
  await expect(report.getByRole('heading', { name: 'Reliability report · pass^k with 95% intervals' })).toBeVisible();
  await expect(report).toContainText('5 tasks (task × persona) · 5 sessions');
  const rows = report.getByTestId('passk-table').locator('tbody tr');
  // One trial per task: k = 1 only.
  await expect(rows).toHaveCount(1);
  const cells = rows.first().locator('td');
  await expect(cells).toHaveCount(5);
  await expect(cells.nth(0)).toHaveText('1');
  await expect(cells.nth(1)).toHaveText(`${((passes / 5) * 100).toFixed(1)}%`);
  const pctOf = (s: string | null) => Number(/^(\d+\.\d)%$/.exec(s?.trim() ?? '')?.[1] ?? NaN);
  for (const [value, interval] of [[1, 2], [3, 4]] as const) {
    const v = pctOf(await cells.nth(value).textContent());
    const m = /^(\d+\.\d)% – (\d+\.\d)%$/.exec((await cells.nth(interval).textContent())?.trim() ?? '');
    expect(m, 'a 95% interval "lower% – upper%"').not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(v);
    expect(Number(m![2])).toBeGreaterThanOrEqual(v);
    // Every task with the same value (all failed, or all passed): the bootstrap interval collapses.
    if (passes === 0 || passes === 5) expect([Number(m![1]), Number(m![2])]).toEqual([v, v]);
  }
  expect(pctOf(await cells.nth(3).textContent())).toBeLessThanOrEqual(pctOf(await cells.nth(1).textContent()));
  // No task has two trials, so there is no flip rate.
  await expect(report.getByTestId('flip-rate')).toHaveText(/^\s*Flip rate\s+—\s*$/);
  const taskRows = report.getByTestId('passk-tasks').locator('tbody tr');
  await expect(taskRows).toHaveCount(5);
  const passed = await taskRows.locator('td:nth-child(2)').allTextContents();
  expect(passed.map((t) => t.trim()).sort()).toEqual([...Array(5 - passes).fill('0/1'), ...Array(passes).fill('1/1')]);
  if (process.env.SCREENSHOTS) await report.screenshot({ path: `${process.env.SCREENSHOTS}/tau2-reliability.png` });

  // A session's database against the gold state: only the records that changed, never the 2.8 MB whole.
  await page.locator('a.srow').first().click();
  const diff = page.locator('section.side .panel', { hasText: 'Final database vs expected' });
  await expect(diff).toBeVisible();
  await expect(diff.locator('h3.rec').first()).toBeVisible();
  const records = await diff.locator('h3.rec').count();
  expect(records).toBeGreaterThan(0);
  expect(records).toBeLessThan(10);
  // The page holds the changed records (each also whole, folded), a few kilobytes: not 2.8 MB of database.
  expect(await diff.evaluate((el) => el.textContent?.length ?? 0)).toBeLessThan(50_000);
  await expect(diff.locator('h3.rec').first()).toContainText(/^(orders|users|products)\./);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/session-diff.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test.describe('broken τ²-bench files are refused, naming the file, and nothing is written', () => {
  const text = (name: string, dir = RETAIL) => readFileSync(join(dir, name), 'utf8');
  const file = (name: string, body: string) => ({ name, mimeType: name.endsWith('.md') ? 'text/markdown' : 'application/json', buffer: Buffer.from(body) });

  async function refuse(page: Page, pick: (panel: ReturnType<typeof tau2Panel>) => Promise<void>, message: RegExp) {
    await page.goto(`${base}#/library`);
    await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible();
    const before = await storedCounts(page);
    const panel = tau2Panel(page);
    await pick(panel);
    await expect(panel.getByTestId('tau2-error')).toContainText(message, { timeout: 30_000 });
    await expect(panel.getByTestId('tau2-error')).toContainText('nothing was imported');
    await expect(panel.getByTestId('tau2-preview')).toHaveCount(0);
    expect(await storedCounts(page)).toEqual(before);
    await expect(page.locator('[data-pack^="tau2-"]')).toHaveCount(0);
  }

  test('a folder without db.json (τ²-bench airline as shipped here)', async ({ page }) => {
    await refuse(page, (p) => p.getByLabel('τ²-bench domain folder').setInputFiles(join(TAU2, 'airline')), /db\.json is missing in airline/);
  });

  test('malformed JSON, with its line and column', async ({ page }) => {
    const lines = text('tasks.json').split('\n');
    lines[9] = lines[9]!.replace(/,\s*$/, ''); // drop a comma: line 10 of tasks.json
    const broken = lines.join('\n');
    if (broken === text('tasks.json')) throw new Error('the fixture edit changed nothing');
    await refuse(
      page,
      (p) => p.getByLabel('τ²-bench domain files').setInputFiles([file('db.json', text('db.json')), file('policy.md', text('policy.md')), file('tasks.json', broken)]),
      // The comma's absence shows where the next key starts.
      /tasks\.json has 1 problem: not valid JSON at line 11, column 13/,
    );
    if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/tau2-broken-json.png` });
  });

  test('an unknown tool in the gold actions', async ({ page }) => {
    const tasks = JSON.parse(text('tasks.json'));
    tasks[3].evaluation_criteria.actions[1].name = 'launch_rocket';
    await refuse(
      page,
      (p) => p.getByLabel('τ²-bench domain files').setInputFiles([file('db.json', text('db.json')), file('policy.md', text('policy.md')), file('tasks.json', JSON.stringify(tasks))]),
      /tasks\.json.*\[3\]\.evaluation_criteria\.actions\[1\]\.name.*unknown tool "launch_rocket"/s,
    );
  });

  test('a domain Understudy cannot run', async ({ page }) => {
    await refuse(
      page,
      (p) =>
        p.getByLabel('τ²-bench domain files').setInputFiles([
          file('db.json', text('db.json', join(TAU2, 'mock'))),
          file('policy.md', text('policy.md', join(TAU2, 'airline'))),
          file('tasks.json', text('tasks.json', join(TAU2, 'airline'))),
        ]),
      /cannot run τ²-bench's airline domain/,
    );
  });

  test('the whole tau2-bench folder, holding several domains', async ({ page }) => {
    await refuse(page, (p) => p.getByLabel('τ²-bench domain folder').setInputFiles(TAU2), /several τ²-bench domains \(airline, mock, retail\)/);
  });
});

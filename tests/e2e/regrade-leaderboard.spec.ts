import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import config from '../../playwright.config.ts';

/*
 * Re-grading and the leaderboard, in the built page: an imported pack is run (agenda user vs the
 * bookshop agent, instant), one task's gold action is changed by importing the pack again, the
 * run page says which sessions ran an older version, shows the verdicts that change before
 * writing anything, and on Apply the run's pass count follows. The pack's leaderboard lists the
 * run in a box of its own (it ran an earlier version), marked re-graded, and keeps a pin.
 */

const base = String(config.use?.baseURL);
/** Screenshots for a person to look at, outside the repository. */
const SHOTS = process.env.UNDERSTUDY_SHOTS ?? '/tmp/h4-shots';

type Task = {
  id: string;
  title: string;
  evaluation: { goldActions: { name: string; arguments: Record<string, unknown> }[]; envAssertions: { path: string }[] };
};

/** Two bookshop tasks as a pack of their own, with ids and titles apart from the built-in ones. */
function pack(cancelOrder: string) {
  const p = JSON.parse(readFileSync(join(process.cwd(), 'public/packs/bookshop.json'), 'utf8'));
  p.id = 'regrade-shop';
  p.title = 'Regrade shop';
  p.tasks = (p.tasks as Task[])
    .filter((t) => t.id === 'bookshop-cancel-processing' || t.id === 'bookshop-change-address')
    .map((t) => ({ ...t, id: t.id.replace('bookshop-', 'rg-'), title: `RG ${t.title}` }));
  const cancel = (p.tasks as Task[]).find((t) => t.id === 'rg-cancel-processing')!;
  for (const a of cancel.evaluation.goldActions) if (a.name === 'cancel_order') a.arguments.order_id = cancelOrder;
  // The import checks the assertions against the gold replay: they follow the order.
  for (const e of cancel.evaluation.envAssertions) e.path = `orders.${cancelOrder}.status`;
  return p;
}

async function importJson(page: Page, value: unknown) {
  await page.goto(`${base}#/library`);
  await page.getByLabel('JSON to import').fill(JSON.stringify(value));
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toBeVisible();
}

test('a changed gold action is re-graded on the run page, and the leaderboard keeps runs of other versions apart', async ({ page }) => {
  test.setTimeout(120_000);
  mkdirSync(SHOTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await importJson(page, pack('BK-2041'));
  await expect(page.locator('[data-pack="regrade-shop"]').getByTestId('pack-leaderboard')).toBeVisible();

  // Both tasks, the baseline persona, two trials: four sessions that all pass.
  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('regrade-shop');
  await expect(page.getByTestId('task-count')).toHaveText('2 of 2 tasks');
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('Agent seat (under test)').selectOption('rule-based');
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByLabel('Run name (optional)').fill('Regrade run');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  const runUrl = page.url();
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('overall-rate')).toHaveText('100%');
  await expect(page.getByTestId('regrade')).toHaveCount(0);

  // The cancellation's gold action now cancels another order.
  await importJson(page, pack('BK-2043'));
  await page.goto(runUrl);
  const panel = page.getByTestId('regrade');
  await expect(panel.getByTestId('regrade-notice')).toContainText('2 sessions ran an older version of their scenario');
  await expect(panel.getByTestId('regrade-notice')).toContainText('RG Cancel an order that is still processing');
  await panel.getByRole('button', { name: 'Re-grade against the current definitions' }).click();
  const summary = panel.getByTestId('regrade-summary');
  await expect(summary).toContainText('2 sessions of 2 change');
  await expect(summary).toContainText('2 pass → fail, 0 fail → pass; passed 2 → 0');
  await expect(panel.getByTestId('regrade-criteria')).toContainText(/Final database\s*2 pass → fail/);
  const changes = panel.getByTestId('regrade-changes').locator('tbody tr');
  await expect(changes).toHaveCount(2);
  await expect(changes.first().getByTestId('outcome-change')).toHaveText(/pass\s*→\s*fail/);
  await expect(changes.first()).toContainText('Final database: pass → fail');
  await expect(changes.first()).toContainText('Gold actions: pass → fail');
  await expect(changes.first()).toContainText('Env assertions: pass → fail');
  // Nothing written yet.
  await expect(page.getByTestId('overall-rate')).toHaveText('100%');
  await page.screenshot({ path: `${SHOTS}/regrade-panel.png`, fullPage: true });

  await panel.getByRole('button', { name: 'Apply: store the new scores' }).click();
  await expect(page.getByTestId('regrade-applied')).toContainText('Re-graded 2 sessions: 2 passed before, 0 now');
  await expect(page.getByTestId('overall-rate')).toHaveText('50%');
  await expect(page.getByTestId('regrade')).toHaveCount(0);
  // The run list's count follows.
  await page.goto(`${base}#/runs`);
  const row = page.locator('tr', { hasText: 'Regrade run' });
  await expect(row).toContainText('50%');
  await page.reload();
  await expect(page.locator('tr', { hasText: 'Regrade run' })).toContainText('50%');
  await page.goto(runUrl);
  await expect(page.getByTestId('regraded-note')).toContainText('2 sessions ran an older version of their scenario and were re-graded');

  // A second run on the pack as it is now: its own box, apart from the re-graded one.
  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('regrade-shop');
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await page.getByLabel('Agent seat (under test)').selectOption('frame');
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByLabel('Run name (optional)').fill('Generic run');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });

  await page.goto(`${base}#/runs`);
  await page.screenshot({ path: `${SHOTS}/runs.png` });
  await page.getByTestId('leaderboard-links').getByRole('link', { name: 'Regrade shop' }).click();
  await expect(page).toHaveURL(/#\/leaderboard\/regrade-shop$/);
  await expect(page.getByRole('heading', { name: 'Leaderboard · Regrade shop' })).toBeVisible();
  await expect(page.getByTestId('leaderboard-help')).toContainText('ranked only against runs over exactly the same tasks');
  const groups = page.getByTestId('leaderboard-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.nth(0).getByRole('heading')).toHaveText('The pack as it is now');
  await expect(groups.nth(0).getByTestId('leaderboard-row')).toHaveCount(1);
  await expect(groups.nth(0)).toContainText('Generic rule-based agent');
  await expect(groups.nth(1).getByRole('heading')).toHaveText('An earlier version of the pack');
  await expect(groups.nth(1).getByTestId('task-set-note')).toContainText('1 task ran a definition that has changed since: RG Cancel an order');
  const old = groups.nth(1).getByTestId('leaderboard-row');
  await expect(old).toContainText('Rule-based bookshop agent');
  await expect(old).toContainText('re-graded');
  await expect(old.getByTestId('pass1')).toHaveText(/^50% \(\d+%–\d+%\)$/);
  await expect(old.getByTestId('rank')).toHaveText('1');

  // Pinning floats the pinned box first, and is kept across a reload.
  await old.getByRole('button', { name: /^Pin / }).click();
  await expect(groups.nth(0)).toContainText('Rule-based bookshop agent');
  await page.reload();
  await expect(page.getByTestId('leaderboard-group').nth(0).getByRole('button', { name: /^Unpin / })).toBeVisible();
  // Filters narrow the rows, and say so.
  await page.getByLabel('Agent kind').selectOption('frame');
  await expect(page.getByTestId('leaderboard-row')).toHaveCount(1);
  await expect(page.getByTestId('leaderboard-row')).toContainText('Generic rule-based agent');
  await page.getByLabel('Agent kind').selectOption('');
  await page.getByLabel('Find').fill('bookshop');
  await expect(page.getByTestId('leaderboard-row')).toHaveCount(1);
  await page.getByLabel('Find').fill('');
  await page.screenshot({ path: `${SHOTS}/leaderboard.png`, fullPage: true });

  expect(errors).toEqual([]);
});

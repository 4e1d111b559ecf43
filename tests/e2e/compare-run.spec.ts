import { expect, test, type Page } from '@playwright/test';
import config from '../../playwright.config.ts';
import { addStoriesForBothRoles, importCompactPack } from './compact-llm.ts';

/*
 * Several agents in one run (issue 14): the bookshop's own rule-based agent and the generic
 * rule-based agent play the same bookshop tasks against the agenda user, two trials each. The
 * run page shows both entries' results and links to the comparison; the stored sessions pair
 * up by scenario, persona and trial, with one seed per pair.
 */

const base = String(config.use?.baseURL);
const TASKS = ['Cancel an order that is still processing', 'Where is my order?', 'Return two items for store credit'];

interface StoredSession {
  id: string;
  runId: string;
  scenarioId: string;
  personaId: string;
  trial: number;
  seed: number;
  agentEntry?: string;
  outcome: string;
  agent: { kind: string; label: string; version: string; settings: Record<string, unknown> };
}
interface StoredRun {
  id: string;
  totalSessions: number;
  spec: { agent: { kind: string }; agents?: { id: string; label: string; seat: { kind: string; version: string; settings: Record<string, unknown> } }[] };
}

/** Every row of a store of the app's IndexedDB. */
function readAll<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(async (name) => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const rows = await new Promise<unknown[]>((res, rej) => {
      const r = db.transaction(name).objectStore(name).getAll();
      r.onsuccess = () => res(r.result as unknown[]);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return rows;
  }, store) as Promise<T[]>;
}

test('two agents in one run: both play the same sessions, and the run page shows each one’s results', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await expect(page.getByRole('heading', { name: 'New evaluation run' })).toBeVisible();
  await page.getByLabel('Scenario pack').selectOption('bookshop');
  const tasks = page.getByRole('region', { name: '1 · Scenarios' });
  await tasks.getByRole('button', { name: 'None' }).click();
  for (const t of TASKS) await tasks.getByRole('checkbox', { name: t }).check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Baseline cooperative').check();
  await expect(page.getByLabel('User seat')).toHaveValue('agenda');
  await page.getByLabel('Trials per task (k)').fill('2');
  await page.getByLabel('Playback').selectOption('instant');

  // One agent at first; a second is added beside it, and the count doubles.
  await expect(page.getByLabel('Agent seat (under test)')).toHaveValue('rule-based');
  await expect(page.locator('.count strong')).toHaveText('6');
  await page.getByRole('button', { name: '+ Add another agent to compare' }).click();
  await expect(page.getByLabel('Agent 1', { exact: true })).toHaveValue('rule-based');
  await expect(page.getByLabel('Agent 2', { exact: true })).toHaveValue('frame');
  await expect(page.locator('.count strong')).toHaveText('12');
  await expect(page.locator('.count')).toContainText('× 2 agents');
  // A third can be added and removed again.
  await page.getByRole('button', { name: '+ Add another agent to compare' }).click();
  await expect(page.getByTestId('agent-entry')).toHaveCount(3);
  await page.getByRole('button', { name: 'Remove agent 3' }).click();
  await expect(page.getByTestId('agent-entry')).toHaveCount(2);
  await expect(page.locator('.count strong')).toHaveText('12');

  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  const runId = decodeURIComponent(page.url().split('#/runs/')[1]!);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 60_000 });

  // The entries side by side: label, pass^1 with its interval, sessions and errors.
  const table = page.getByTestId('entry-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  const first = table.locator('tr[data-entry="a1"]');
  const second = table.locator('tr[data-entry="a2"]');
  await expect(first).toContainText('Rule-based bookshop agent');
  await expect(second).toContainText('Generic rule-based agent');
  for (const row of [first, second]) {
    await expect(row.locator('td').nth(1)).toHaveText(/^\d+\.\d%$/);
    await expect(row.locator('td').nth(2)).toHaveText(/^\d+\.\d% – \d+\.\d%$/);
    await expect(row.locator('td').nth(3)).toHaveText('6');
  }
  await expect(page.getByTestId('compare-link')).toHaveAttribute('href', `#/compare?run=${encodeURIComponent(runId)}`);
  await expect(page.locator('header.head')).toContainText('agents: Rule-based bookshop agent vs Generic rule-based agent');

  // The results below are one entry's: its six sessions, then the other's on request.
  await expect(page.getByTestId('entry-shown')).toContainText('Rule-based bookshop agent');
  await expect(page.getByRole('heading', { name: /Sessions/ })).toContainText('(6)');
  await expect(page.getByTestId('passk')).toContainText('k=2');
  await second.getByRole('button', { name: 'Show results' }).click();
  await expect(page.getByTestId('entry-shown')).toContainText('Generic rule-based agent');
  await expect(page.getByRole('heading', { name: /Sessions/ })).toContainText('(6)');
  await page.locator('a.srow').first().click();
  await expect(page).toHaveURL(/\/sessions\//);
  expect(decodeURIComponent(page.url())).toContain(`${runId}:a2:`);
  await expect(page.getByTestId('session-entry')).toHaveText('agent Generic rule-based agent');

  // Stored: the run's entries, and sessions that pair up by scenario, persona and trial.
  const run = (await readAll<StoredRun>(page, 'runs')).find((r) => r.id === runId)!;
  expect(run.spec.agents?.map((e) => [e.id, e.seat.kind])).toEqual([
    ['a1', 'rule-based'],
    ['a2', 'frame'],
  ]);
  expect(run.spec.agent.kind).toBe('rule-based');
  expect(run.totalSessions).toBe(12);
  const sessions = (await readAll<StoredSession>(page, 'sessions')).filter((s) => s.runId === runId);
  expect(sessions).toHaveLength(12);
  expect(sessions.every((s) => s.outcome !== 'running')).toBe(true);
  const kindOf = { a1: 'rule-based', a2: 'frame' } as Record<string, string>;
  for (const s of sessions) expect(s.agent.kind).toBe(kindOf[s.agentEntry ?? '']);
  const key = (s: StoredSession) => `${s.scenarioId}|${s.personaId}|${s.trial}`;
  const byEntry = (e: string) => new Map(sessions.filter((s) => s.agentEntry === e).map((s) => [key(s), s]));
  const a1 = byEntry('a1');
  const a2 = byEntry('a2');
  expect(a1.size).toBe(6);
  expect([...a1.keys()].sort()).toEqual([...a2.keys()].sort());
  for (const [k, s] of a1) expect(a2.get(k)!.seed).toBe(s.seed);
  expect(new Set([...a1.values()].map((s) => s.trial))).toEqual(new Set([0, 1]));

  // "Run again" brings both agents back.
  await page.goto(`${base}#/runs/${encodeURIComponent(runId)}`);
  await page.getByRole('link', { name: 'Run again…' }).click();
  await expect(page.getByTestId('run-again')).toBeVisible();
  await expect(page.getByLabel('Agent 1', { exact: true })).toHaveValue('rule-based');
  await expect(page.getByLabel('Agent 2', { exact: true })).toHaveValue('frame');
  await expect(page.locator('.count strong')).toHaveText('12');
  expect(errors).toEqual([]);
});

test('the LLM agent twice on one model, once with another temperature and a prompt note: each entry’s seat records what ran and what differed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await addStoriesForBothRoles(page);
  await importCompactPack(page);
  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('bookshop-compact');
  await page.getByLabel('Compact: cancel a processing order').check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Compact cooperative').check();
  await page.getByLabel('User seat').selectOption('agenda');
  await page.getByLabel('Agent seat (under test)').selectOption({ label: 'LLM agent' });
  await page.getByLabel('Max turns').fill('6');
  await page.getByLabel('Playback').selectOption('instant');
  await page.getByRole('button', { name: '+ Add another agent to compare' }).click();
  await page.getByLabel('Agent 2', { exact: true }).selectOption({ label: 'LLM agent' });
  const second = page.getByTestId('agent-entry').nth(1);
  await second.getByText('Temperature and prompt note').click();
  await page.getByLabel('Temperature of agent 2').fill('1.2');
  await page.getByLabel('Prompt note of agent 2').fill('Thank the customer.');
  await expect(second.locator('summary')).toContainText('t=1.2 · note “Thank the customer.”');
  await expect(page.locator('.count strong')).toHaveText('2');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  const runId = decodeURIComponent(page.url().split('#/runs/')[1]!);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 90_000 });

  const table = page.getByTestId('entry-table');
  await expect(table.locator('tr[data-entry="a1"]')).toContainText('LLM agent · stories260K.gguf');
  await expect(table.locator('tr[data-entry="a2"]')).toContainText('LLM agent · stories260K.gguf · t=1.2 · note “Thank the customer.”');

  const run = (await readAll<StoredRun>(page, 'runs')).find((r) => r.id === runId)!;
  const [a1, a2] = run.spec.agents!;
  expect(a1!.seat.settings).toMatchObject({ engine: 'wllama', label: 'stories260K.gguf', sampling: { temperature: 0.3 } });
  expect(a1!.seat.settings).not.toHaveProperty('overrides');
  expect(a2!.seat.settings).toMatchObject({ engine: 'wllama', sampling: { temperature: 1.2 }, overrides: { temperature: 1.2, promptNote: 'Thank the customer.' } });
  expect(a2!.seat.version).toBe(`${a1!.seat.version}+note-${a2!.seat.version.split('+note-')[1]}`);
  expect(a2!.seat.version).toMatch(/\+note-[0-9a-f]{8}$/);
  const sessions = (await readAll<StoredSession>(page, 'sessions')).filter((s) => s.runId === runId);
  expect(sessions.map((s) => s.agentEntry).sort()).toEqual(['a1', 'a2']);
  const [s1, s2] = ['a1', 'a2'].map((e) => sessions.find((s) => s.agentEntry === e)!);
  expect(s1!.seed).toBe(s2!.seed);
  expect(s1!.agent.settings).toEqual(a1!.seat.settings);
  expect(s2!.agent.settings).toEqual(a2!.seat.settings);
  expect(s2!.agent.version).toBe(a2!.seat.version);
  expect(errors).toEqual([]);
});

import { expect, test, type Page } from '@playwright/test';
import config from '../../playwright.config.ts';

/*
 * Code tools in the built page, through the page's own sandbox runner: an import replays each
 * task's gold actions, code tools included, in the locked-down worker. A tool that computes
 * imports; an endless loop is stopped at its time limit (and the next import gets a fresh
 * worker); a probe finds no network or storage global and no way to compile code; fetch is
 * not defined, and no request leaves the page. A file over 20 MB is refused unread.
 */

const base = String(config.use?.baseURL);
const FORBIDDEN_URL = '/should-never-be-fetched';

/** A pack in a domain with no built-in code, whose one task's gold action calls `tool`. */
function pack(id: string, tool: { name: string; kind: 'read' | 'write'; source: string; timeoutMs?: number }, envAssertions: { path: string; equals: unknown }[] = []) {
  return {
    formatVersion: 1,
    id,
    title: `Code tools: ${id}`,
    description: 'A browser test of the code tool sandbox.',
    domain: 'sandbox-e2e',
    policy: 'Quote fees with the tool.',
    tools: [
      {
        name: tool.name,
        description: 'A code tool under test.',
        kind: tool.kind,
        parameters: { type: 'object', properties: { rental_id: { type: 'string' } }, required: ['rental_id'] },
        impl: { type: 'code', source: tool.source, ...(tool.timeoutMs ? { timeoutMs: tool.timeoutMs } : {}) },
      },
    ],
    db: { meta: { fee_per_day: 15 }, rentals: [{ id: 'R-1', days_late: 3 }] },
    tasks: [
      {
        id: `${id}-task`,
        title: 'Quote the fee',
        purpose: 'Exercise the sandbox.',
        difficulty: 'easy',
        user: {
          reasonForContact: 'Late bike.',
          knownInfo: { rental_id: 'R-1' },
          unknownInfo: [],
          taskInstructions: 'Ask for the fee of R-1.',
          goal: { requests: [{ type: 'info', utterance: 'how much is the fee', slot: 'fee' }] },
        },
        evaluation: {
          goldActions: [{ name: tool.name, arguments: { rental_id: 'R-1' } }],
          envAssertions,
          communicateInfo: [],
          nlAssertions: [],
          rewardBasis: ['DB'],
        },
      },
    ],
  };
}

async function importFile(page: Page, name: string, content: unknown) {
  await page.getByLabel('or choose a file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(content)) });
}

test('code tools run in the worker sandbox: results, time limits, no network', async ({ page, context }) => {
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}#/library`);
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible();
  const refusal = page.getByTestId('import-error');

  // An endless loop is stopped at its limit; the import is refused, naming the file and the action.
  const started = Date.now();
  await importFile(page, 'spin.json', pack('spin', { name: 'spin', kind: 'read', source: 'while (true) {}', timeoutMs: 300 }));
  await expect(refusal).toContainText('spin.json has 1 problem');
  await expect(refusal.locator('li code')).toHaveText('tasks[0].evaluation.goldActions[0]');
  await expect(refusal).toContainText('spin fails when the gold actions are replayed on the initial database: spin timed out after 300 ms');
  expect(Date.now() - started).toBeLessThan(10_000);

  // The worker was terminated; a fresh one computes, and the write it made meets the assertion.
  await importFile(
    page,
    'fee.json',
    pack(
      'fee',
      {
        name: 'charge_late_fee',
        kind: 'write',
        source: 'const r = db.rentals.find((x) => x.id === args.rental_id); if (!r) fail("no rental"); r.fee = r.days_late * db.meta.fee_per_day; return r.fee;',
      },
      [{ path: 'rentals[0].fee', equals: 45 }],
    ),
  );
  await expect(page.getByRole('status')).toContainText('Imported 1 scenario(s) from a pack: fee-task');
  await expect(page.locator('[data-pack="fee"]')).toBeVisible();

  // What the tool can reach, reported through fail(): nothing of the platform, no compiler, a frozen realm.
  const probe = `
    const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'WebTransport', 'importScripts', 'indexedDB', 'caches',
      'BroadcastChannel', 'Worker', 'SharedWorker', 'navigator', 'location', 'self', 'postMessage', 'setTimeout', 'eval', 'Function', 'WebAssembly'];
    const reachable = names.filter((n) => typeof globalThis[n] !== 'undefined');
    let compiler = 'closed';
    for (const f of [function () {}, async function () {}, function* () {}]) {
      try { f.constructor('return 1'); compiler = 'open'; } catch (e) {}
    }
    let frozen = 'no';
    try { globalThis.leak = 1; } catch (e) { frozen = 'yes'; }
    try { Array.prototype.leak = 1; frozen += '/no'; } catch (e) { frozen += '/yes'; }
    fail('probe: reachable=[' + reachable.join(',') + '] compiler=' + compiler + ' frozen=' + frozen);`;
  await importFile(page, 'probe.json', pack('probe', { name: 'probe', kind: 'read', source: probe }));
  await expect(refusal).toContainText('probe fails when the gold actions are replayed on the initial database: probe: reachable=[] compiler=closed frozen=yes/yes');

  // fetch is simply not there.
  await importFile(page, 'net.json', pack('net', { name: 'phone_home', kind: 'read', source: `return fetch(${JSON.stringify(base + FORBIDDEN_URL.slice(1))})` }));
  await expect(refusal).toContainText('phone_home fails when the gold actions are replayed on the initial database: phone_home failed: fetch is not defined');

  // A file over 20 MB is refused by its size, before it is read.
  await page.getByLabel('or choose a file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(21 * 1024 * 1024, 32) });
  await expect(refusal).toContainText('huge.json: file is over 20 MB; nothing was imported.');

  // A refused file stored nothing.
  for (const id of ['spin', 'probe', 'net']) await expect(page.locator(`[data-pack="${id}"]`)).toHaveCount(0);
  expect(requests.filter((u) => u.includes(FORBIDDEN_URL))).toEqual([]);
  expect(errors).toEqual([]);
});

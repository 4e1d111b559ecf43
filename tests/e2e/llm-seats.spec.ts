import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import config from '../../playwright.config.ts';
import { buildToolCallGrammar, toolCallFormat } from '../../src/core/agents/tool-grammar.ts';
import { parseToolCalls } from '../../src/core/agents/tool-protocol.ts';
import type { ToolSpec } from '../../src/core/model/types.ts';
import { addStoriesForBothRoles, importCompactPack, STORIES_URL as MODEL_URL } from './compact-llm.ts';

/*
 * The real LLM path end to end: stories260K (a 1.2 MB story model, through llama.cpp in the
 * page) fills the LLM seats of a built-in scenario. It writes fluent nonsense; the pipeline
 * must hold: every turn stored with its usage, missing or malformed tool calls handled, a
 * proper termination reason, results and transcript rendered, and all of it kept on reload.
 */

const base = String(config.use?.baseURL);
const TERMINATIONS = /^(user_stop|transfer|out_of_scope|max_turns|too_many_errors)$/;
/** Max errors for the runs below (the New run page's default, set explicitly). */
const MAX_ERRORS = 5;

/** How many rows a store of the app's IndexedDB holds. */
function countRows(page: Page, store: string): Promise<number> {
  return page.evaluate(async (name) => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const n = await new Promise<number>((res, rej) => {
      const r = db.transaction(name).objectStore(name).count();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return n;
  }, store);
}

/** Every stored session, straight from IndexedDB. */
function readSessions(page: Page): Promise<{ termination?: string; error?: unknown; agent: { settings: Record<string, unknown> } }[]> {
  return page.evaluate(async () => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const rows = await new Promise<unknown[]>((res, rej) => {
      const r = db.transaction('sessions').objectStore('sessions').getAll();
      r.onsuccess = () => res(r.result as unknown[]);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return rows as { termination?: string; error?: unknown; agent: { settings: Record<string, unknown> } }[];
  });
}

/** New run on the compact task, with the given seats and the stories260K model, ready to start. */
async function chooseSmallRun(page: Page, userSeat: string, agentSeat: string) {
  await importCompactPack(page);
  await page.goto(`${base}#/new`);
  await page.getByLabel('Scenario pack').selectOption('bookshop-compact');
  await page.getByLabel('Compact: cancel a processing order').check();
  await page.getByRole('region', { name: '2 · Personas' }).getByRole('button', { name: 'None' }).click();
  await page.getByLabel('Compact cooperative').check();
  await page.getByLabel('User seat').selectOption({ label: userSeat });
  await page.getByLabel('Agent seat (under test)').selectOption({ label: agentSeat });
  await page.getByLabel('Max turns').fill('8');
  await page.getByLabel('Max errors').fill(String(MAX_ERRORS));
  await page.getByLabel('Playback').selectOption('instant');
  await expect(page.locator('.model').first()).toHaveText(/Model: stories260K\.gguf/);
}

async function startSmallRun(page: Page, userSeat: string, agentSeat: string, opts: { watchStreaming?: boolean } = {}) {
  await chooseSmallRun(page, userSeat, agentSeat);
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
  // A conversation that outgrows the tiny model's window ends as context_exhausted (an
  // infrastructure ending, with the turn where it filled), which is a proper ending too; any
  // other error is a failure of the pipeline.
  if (ended === 'context_exhausted') {
    expect(why).toMatch(/Turn \d+, the (agent|user simulator)'s request/);
    await expect(page.getByTestId('session-outcome')).toHaveText('error');
  } else {
    expect(ended, why).toMatch(TERMINATIONS);
    await expect(page.getByTestId('session-outcome')).toHaveText(/^(pass|fail)$/);
  }
  return { transcript, ended };
}

/**
 * What the transcript shows of the agent's tool calls, whatever the model wrote. A call that
 * failed (an unreadable call, an unknown tool, bad arguments, a tool's own error) stays on its
 * agent turn with its error's name and message; each counts toward Max errors, as does a turn
 * flagged "participant error" (an empty reply, twice), and reaching Max errors, and only that,
 * ends the session as too_many_errors. A gold action the agent never called is shown missing.
 */
async function checkToolCalls(page: Page, transcript: Locator, ended: string) {
  const calls = transcript.locator('details.tool');
  const failed = transcript.locator('details.tool.failed');
  const nCalls = await calls.count();
  const nFailed = await failed.count();
  // The user seat's calls are ignored, never run.
  await expect(transcript.locator('[data-role="user"] details.tool')).toHaveCount(0);
  await expect(transcript.locator('details.tool:not(.failed) summary .badge.pass')).toHaveCount(nCalls - nFailed);
  for (let i = 0; i < nFailed; i++) {
    const call = failed.nth(i);
    const name = (await call.locator('summary .name').textContent())!.replace(/^\s*tool\s*/, '').trim();
    const badge = call.locator('summary .badge.fail');
    await expect(badge).toHaveText(/^[A-Z]\w+$/);
    const message = (await call.locator('pre.err').textContent())!.trim();
    expect(message.length, `the error of failed call ${name}`).toBeGreaterThan(0);
    if (name === '(unreadable call)') {
      // What the model wrote is kept, and the model was told the tools and the format.
      await expect(badge).toHaveText('MalformedCall');
      expect(message).toContain('Available tools: cancel_order');
      expect(message).toContain('Format: <tool_call>');
    }
  }
  const participantErrors = await transcript.locator('li.turn .meta .badge.warn', { hasText: /^participant error$/ }).count();
  const errors = nFailed + participantErrors;
  if (ended === 'too_many_errors') expect(errors).toBeGreaterThanOrEqual(MAX_ERRORS);
  else expect(errors, `${errors} errors and the session ended by ${ended}`).toBeLessThan(MAX_ERRORS);
  // The compact task's one gold action, cancel_order: missing unless the agent called it.
  const gold = page.getByTestId('gold-actions').locator('li');
  await expect(gold).toHaveCount(1);
  await expect(gold.locator('.act')).toContainText('cancel_order');
  const cancels = await calls.locator('summary .name', { hasText: /^\s*tool\s+cancel_order\s*$/ }).count();
  await expect(gold.locator('.badge')).toHaveText(cancels === 0 ? 'missing' : /^(made|call failed|missing)$/);
  console.log(`[tool calls] ended by ${ended}: ${nCalls} call(s), ${nFailed} failed, ${participantErrors} participant error(s), gold cancel_order called ${cancels} time(s)`);
}

test('stories260K in both LLM seats runs a whole built-in evaluation that is stored, scored and kept', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await addStoriesForBothRoles(page);
  await startSmallRun(page, 'LLM user simulator', 'LLM agent', { watchStreaming: true });
  await expect(page.getByTestId('overall-rate')).toHaveText(/^\d+%$/);

  const { transcript, ended } = await openOnlySession(page);
  const turns = transcript.locator('li.turn');
  const n = await turns.count();
  // The tiny window holds a couple of exchanges (the simulator also writes its inner state).
  expect(n).toBeGreaterThanOrEqual(2);
  await expect(transcript.locator('[data-role="agent"]').first()).toBeVisible();
  // The LLM user's inner state was stored (parsed or flagged as unparsed), one click away.
  await page.getByLabel("Show the simulator's inner state").check();
  await expect(transcript.locator('[data-role="user"] .latent').first()).toBeVisible();
  // Every model turn carries its usage and its author is the model.
  await expect(transcript.locator('[data-role="user"] .author').first()).toHaveText('llm-user/stories260K.gguf');
  await expect(transcript.getByTestId('turn-usage')).toHaveCount(n);
  // Missing or malformed tool calls are errors recorded on the turn and counted toward Max errors.
  await checkToolCalls(page, transcript, ended);

  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/llm-session.png`, fullPage: true });
  await page.reload();
  await expect(page.getByRole('list', { name: 'Transcript' }).locator('li.turn')).toHaveCount(n);
  expect(errors).toEqual([]);
});

test("stories260K's context window is set on the Models page: too small, the run refuses before it starts; larger, it gets past its first turn", async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await addStoriesForBothRoles(page);
  const settings = page.getByTestId('model-settings');
  const window = settings.getByLabel('Context window of stories260K.gguf');
  // The model's own: llama.cpp keeps it within the 2,048 tokens stories260K was trained for.
  await expect(window).toHaveValue('2048');
  await expect(settings).toContainText('up to 2,048');
  await window.fill('256');
  await window.press('Tab');
  await expect(settings).toContainText("Set here; the model's own is 2,048");
  await expect(settings.getByTestId('context-too-small')).toBeVisible();
  if (process.env.SCREENSHOTS) await settings.screenshot({ path: `${process.env.SCREENSHOTS}/model-settings.png` });

  await chooseSmallRun(page, 'LLM user simulator', 'Generic rule-based agent');
  await page.getByRole('button', { name: 'Start run' }).click();
  const refusal = page.locator('.error-box[role="alert"]');
  await expect(refusal).toContainText("The user simulator's first turn does not fit stories260K.gguf's context window");
  await expect(refusal).toContainText('more than the 256 tokens it is set to');
  await expect(refusal).toContainText('on the Models page');
  // Refused before it started: no run was created, the page stays.
  await expect(page).toHaveURL(/#\/new$/);
  expect(await countRows(page, 'runs')).toBe(0);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/context-refusal.png`, fullPage: true });

  // A larger window on the Models page: the same run starts and the simulator gets past its first turn.
  await page.goto(`${base}#/models`);
  await page.getByTestId('model-settings').getByLabel('Context window of stories260K.gguf').fill('2048');
  await page.getByTestId('model-settings').getByLabel('Context window of stories260K.gguf').press('Tab');
  await expect(page.getByTestId('model-settings').getByTestId('context-too-small')).toHaveCount(0);
  await expect(page.getByTestId('model-settings').getByLabel('Context window of stories260K.gguf')).toHaveValue('2048');
  await chooseSmallRun(page, 'LLM user simulator', 'Generic rule-based agent');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/run-/);
  await expect(page.locator('header .badge', { hasText: 'completed' })).toBeVisible({ timeout: 90_000 });
  const [session] = await readSessions(page);
  expect((session as unknown as { turnCount: number }).turnCount).toBeGreaterThanOrEqual(2);
  expect(session!.termination).not.toBe('user_error');
  // The window the run used is stored with the seat.
  expect((session as unknown as { user: { settings: { runtime?: { nCtx?: number } } } }).user.settings.runtime?.nCtx).toBe(2048);
  expect(errors).toEqual([]);
});

test('the agenda simulator against a stories260K agent: a mixed run', async ({ page }) => {
  test.setTimeout(180_000);
  await addStoriesForBothRoles(page);
  await startSmallRun(page, 'Agenda-based simulator', 'LLM agent');
  const { transcript, ended } = await openOnlySession(page);
  await expect(transcript.locator('[data-role="user"] .author').first()).toHaveText('agenda');
  await expect(transcript.locator('[data-role="agent"] .author').first()).toHaveText('llm-agent/stories260K.gguf');
  // Every agent turn carries its usage (prompt + generated tokens); the agenda user uses no model.
  const agentTurns = transcript.locator('li.turn[data-role="agent"]');
  const nAgent = await agentTurns.count();
  expect(nAgent).toBeGreaterThanOrEqual(1);
  await expect(agentTurns.getByTestId('turn-usage')).toHaveCount(nAgent);
  for (const usage of await agentTurns.getByTestId('turn-usage').allTextContents()) expect(usage.trim()).toMatch(/^\d+\+\d+ tok\b/);
  await expect(transcript.locator('li.turn[data-role="user"]').getByTestId('turn-usage')).toHaveCount(0);
  await checkToolCalls(page, transcript, ended);
});

test('a rerun with the same settings reproduces the transcript with a deterministic engine', async ({ page }) => {
  test.setTimeout(240_000);
  await addStoriesForBothRoles(page);
  const transcripts: string[][] = [];
  for (let i = 0; i < 2; i++) {
    await startSmallRun(page, 'LLM user simulator', 'LLM agent');
    const { transcript } = await openOnlySession(page);
    transcripts.push(await transcript.locator('li.turn .bubble').allTextContents());
  }
  expect(transcripts[0]!.length).toBeGreaterThanOrEqual(2);
  expect(transcripts[1]).toEqual(transcripts[0]);
});

test('with constrained tool calls the run records the setting, and llama.cpp takes the lazy grammar', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await addStoriesForBothRoles(page, { constrainToolCalls: true });
  await startSmallRun(page, 'Agenda-based simulator', 'LLM agent');
  await openOnlySession(page);
  const [session] = await readSessions(page);
  // Every agent request carried the lazy grammar: one llama.cpp refused would end the session
  // with a GenerationError. Outgrowing the tiny model's window is a proper ending (as above).
  const why = JSON.stringify(session!.error ?? null);
  if (session!.termination === 'context_exhausted') expect(why).toMatch(/Context(Overflow|Exhausted)Error/);
  else expect(session!.termination, why).toMatch(TERMINATIONS);
  expect(session!.agent.settings).toMatchObject({
    engine: 'wllama',
    // stories260K has no chat template: the plain one has a "Tool:" line, so the tool role is native.
    toolCalling: { toolRole: 'native', native: false, constrain: true },
    runtime: { template: { kind: 'default' } },
    sampling: { repetition_penalty: 1 },
  });
  expect(errors).toEqual([]);
});

/** The engine API as src/engine/wllama/test-hook.ts puts it on window (`?engine-test`). */
type HookWindow = Window & {
  __understudy_wllama?: { WllamaEngine: new () => { load(s: { url: string }): Promise<unknown>; complete(r: object): Promise<{ content: string; finishReason: string }> } };
};

test('the tool-call grammar holds stories260K to a well-formed call to a declared tool', async ({ page }) => {
  test.setTimeout(120_000);
  const tools = JSON.parse(readFileSync(join(process.cwd(), 'public/packs/bookshop.json'), 'utf8')).tools as ToolSpec[];
  const grammar = buildToolCallGrammar(tools);
  const lazy = toolCallFormat(tools);
  await page.goto(`${base}?engine-test`);
  await page.waitForFunction(() => (window as HookWindow).__understudy_wllama !== undefined, null, { timeout: 30_000 });
  const outputs = await page.evaluate(
    async ({ url, grammar, lazy }) => {
      const eng = new (window as HookWindow).__understudy_wllama!.WllamaEngine();
      await eng.load({ url });
      const out: { content: string; finishReason: string; lazy: boolean }[] = [];
      const ask = (seed: number, responseFormat: object) => ({
        model: 'stories260K',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        sampling: { temperature: 0.9, top_p: 1, max_tokens: 400, seed, frequency_penalty: 0, presence_penalty: 0 },
        responseFormat,
      });
      // A full grammar: whatever the model would write, it can only write calls.
      for (const seed of [1, 2, 3, 4, 5]) out.push({ ...(await eng.complete(ask(seed, { type: 'grammar', grammar }))), lazy: false });
      // The lazy form the runs use: free text until the trigger, which this model never writes.
      out.push({ ...(await eng.complete(ask(6, lazy))), lazy: true });
      return out;
    },
    { url: MODEL_URL, grammar, lazy },
  );
  const names = tools.map((t) => t.name);
  const opening = new RegExp(`^<tool_call>\\s*\\{\\s*"name"\\s*:\\s*"(${names.join('|')})"`);
  for (const o of outputs.filter((x) => !x.lazy)) {
    // Whatever the model wanted to write, it wrote calls to declared tools with readable
    // arguments; this model never stops by itself, so only a last call cut by max_tokens may be unfinished.
    expect(o.content, o.content).toMatch(opening);
    const parsed = parseToolCalls(o.content, tools);
    expect(parsed.calls.length, o.content).toBeGreaterThan(0);
    for (const c of parsed.calls) expect(names).toContain(c.name);
    expect(parsed.problems.length, JSON.stringify(parsed.problems)).toBeLessThanOrEqual(o.finishReason === 'length' ? 1 : 0);
    expect(parsed.text).toBe('');
  }
  console.log(`[grammar] ${outputs.map((o) => `${o.finishReason}: ${o.content.slice(0, 120)}`).join('\n')}`);
  const free = outputs.find((x) => x.lazy)!;
  expect(free.content.length).toBeGreaterThan(0);
  expect(free.content).not.toMatch(/^<tool_call>/);
});

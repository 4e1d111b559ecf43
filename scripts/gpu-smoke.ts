/**
 * npm run test:gpu — the opt-in real-model smoke test. Not part of npm test: it needs a machine
 * with a GPU that Chromium can use for WebGPU, and a network that reaches the model host
 * (huggingface.co) and the model-library host (raw.githubusercontent.com).
 *
 * It builds the page, serves dist/, opens it in Chromium with `?smoke` (which exposes
 * WebLlmClient and RoleChat as window.__understudy_engine), loads the smallest fitting catalog
 * model into two clients (one worker each: user simulator and agent), runs a 4-turn
 * conversation between them, and prints per role the prefill and decode tokens per second and
 * the prefill tokens saved by KV-cache reuse (prompt tokens counted against the whole history).
 *
 * Options (environment): CHROMIUM_PATH (default /usr/bin/chromium), SMOKE_MODEL (a model id),
 * SMOKE_PORT (default 4311), SMOKE_HEADED=1 (show the browser), SMOKE_NO_BUILD=1 (reuse dist/).
 * Exit codes: 0 ok, 1 failure, 2 no WebGPU adapter, 3 model host unreachable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.SMOKE_PORT ?? 4311);
const turns = 4;

/** Runs in the page (sent as source text, so no bundler helpers leak into it). */
const PAGE_SCRIPT = String.raw`async ({ turns, preferred }) => {
  const log = (...a) => console.log('[smoke]', ...a);
  if (!navigator.gpu) return { error: 'WebGPUUnavailableError', message: 'navigator.gpu is missing: this browser exposes no WebGPU.' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'WebGPUUnavailableError', message: 'navigator.gpu.requestAdapter() returned null: no usable GPU adapter.' };
  const info = adapter.info ?? {};
  const f16 = adapter.features.has('shader-f16');
  log('adapter', info.vendor, info.architecture, info.description ?? '', 'shader-f16:', f16);
  for (let i = 0; i < 100 && !window.__understudy_engine; i++) await new Promise((r) => setTimeout(r, 50));
  const eng = window.__understudy_engine;
  if (!eng) return { error: 'SetupError', message: 'window.__understudy_engine did not appear (is src/main.ts built with the ?smoke hook?).' };
  const user = new eng.WebLlmClient({ stallTimeoutMs: 120000 });
  const agent = new eng.WebLlmClient({ stallTimeoutMs: 120000 });
  try {
    const catalog = await user.catalog(null);
    const usable = (m) => m.requiredFeatures.every((f) => f !== 'shader-f16' || f16);
    const pick = preferred.map((id) => catalog.find((m) => m.modelId === id)).find((m) => m && usable(m))
      ?? catalog.find((m) => usable(m) && m.lowResourceRequired);
    if (!pick) return { error: 'SetupError', message: 'No usable model in the catalog.' };
    const model = pick.modelId;
    log('model', model, 'vram', pick.vramRequiredMB, 'MB');
    const t0 = performance.now();
    let last = '';
    const progress = (role) => (p) => {
      const line = role + ' ' + p.phase + ' ' + Math.round(p.fraction * 100) + '%';
      if (line !== last) { last = line; log(line); }
    };
    await user.load(model, null, progress('user'));
    await agent.load(model, null, progress('agent'));
    log('both loaded in', Math.round(performance.now() - t0), 'ms');

    const sampling = { temperature: 0.7, top_p: 0.95, max_tokens: 96, seed: 1, frequency_penalty: 0, presence_penalty: 0 };
    const roles = {
      user: { client: user, chat: new eng.RoleChat('You are a customer in a bookshop looking for a novel about the sea. Write one or two short sentences per message, as the customer.'), usages: [] },
      agent: { client: agent, chat: new eng.RoleChat('You are a helpful bookshop assistant. Answer in one or two short sentences.'), usages: [] },
    };
    const say = async (role, incoming, seed) => {
      const r = roles[role];
      const messages = r.chat.next([{ role: 'user', content: incoming }]);
      const res = await r.client.complete({ model, messages, sampling: { ...sampling, seed } });
      r.chat.record(res.content);
      r.usages.push(res.usage);
      log(role + ':', JSON.stringify(res.content), res.usage);
      return res.content;
    };
    let agentLine = 'Hello, welcome to the bookshop. How can I help?';
    for (let t = 0; t < turns; t++) {
      const userLine = await say('user', agentLine, 100 + t);
      agentLine = await say('agent', userLine, 200 + t);
    }

    // The true size of each role's whole last request: the same messages, with the cache reset.
    const report = {};
    for (const [name, r] of Object.entries(roles)) {
      const history = r.chat.messages;
      const lastRequest = history.slice(0, -1);
      const full = await r.client.complete({ model, messages: lastRequest, sampling: { ...sampling, max_tokens: 1 }, resetChat: true });
      const counted = r.usages.reduce((s, u) => s + u.promptTokens, 0);
      // Without reuse, request k prefills everything before it: earlier prompts and replies too.
      let wholeHistory = 0, before = 0;
      for (const u of r.usages) { wholeHistory += before + u.promptTokens; before += u.promptTokens + u.completionTokens; }
      const mean = (xs) => { const v = xs.filter((x) => typeof x === 'number' && isFinite(x)); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN; };
      report[name] = {
        requests: r.usages.length,
        prefillTokensPerSecond: mean(r.usages.map((u) => u.prefillTokensPerSecond)),
        decodeTokensPerSecond: mean(r.usages.map((u) => u.decodeTokensPerSecond)),
        timeToFirstTokenMs: mean(r.usages.map((u) => u.timeToFirstTokenMs)),
        promptTokensCounted: counted,
        promptTokensWholeHistoryEstimate: wholeHistory,
        prefillTokensSaved: wholeHistory - counted,
        lastRequestPromptTokens: r.usages.at(-1).promptTokens,
        lastRequestFullPrefillTokens: full.usage.promptTokens,
      };
    }
    return { model, adapter: { vendor: info.vendor, architecture: info.architecture, shaderF16: f16 }, report };
  } catch (err) {
    return { error: err?.name ?? 'Error', message: err?.message ?? String(err) };
  } finally {
    user.dispose();
    agent.dispose();
  }
}`;

interface RoleReport {
  requests: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  timeToFirstTokenMs: number;
  promptTokensCounted: number;
  promptTokensWholeHistoryEstimate: number;
  prefillTokensSaved: number;
  lastRequestPromptTokens: number;
  lastRequestFullPrefillTokens: number;
}
type SmokeResult =
  | { error: string; message: string }
  | { model: string; adapter: { vendor?: string; architecture?: string; shaderF16: boolean }; report: Record<string, RoleReport> };

/** Thrown to end the run with an exit code once the browser and server are closed. */
class SmokeFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function fail(code: number, message: string): never {
  throw new SmokeFailure(code, message);
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(1, `the page server did not answer at ${url}`);
}

async function main(): Promise<void> {
  if (!existsSync(chromiumPath)) fail(1, `no Chromium at ${chromiumPath}; set CHROMIUM_PATH.`);
  if (!process.env.SMOKE_NO_BUILD) {
    console.log('Building the page…');
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (b.status !== 0) fail(1, 'vite build failed.');
  }
  const server = spawn(process.execPath, ['scripts/serve.mjs', '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}/`;
  const stopServer = () => {
    if (server.exitCode === null) server.kill();
  };
  const browser = await chromium
    .launch({
      executablePath: chromiumPath,
      headless: !process.env.SMOKE_HEADED,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan,WebGPU',
        '--ignore-gpu-blocklist',
        '--enable-gpu',
        '--use-angle=vulkan',
        '--disable-dev-shm-usage',
      ],
    })
    .catch((err: unknown) => {
      stopServer();
      fail(1, `could not start Chromium: ${String(err)}`);
    });
  try {
    await waitForServer(base, 15_000);
    const page = await browser.newPage();
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('[smoke]')) console.log(t);
    });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${base}?smoke`);
    const preferred = [
      ...(process.env.SMOKE_MODEL ? [process.env.SMOKE_MODEL] : []),
      'SmolLM2-360M-Instruct-q4f16_1-MLC',
      'SmolLM2-360M-Instruct-q4f32_1-MLC',
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    ];
    const result = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify({ turns, preferred })})`)) as SmokeResult;
    if ('error' in result) {
      if (result.error === 'WebGPUUnavailableError') {
        fail(2, `${result.message}\nThis test needs a GPU that Chromium can use for WebGPU (try SMOKE_HEADED=1, or check chrome://gpu).`);
      }
      if (result.error === 'NetworkError') fail(3, `${result.message}\nThis test needs a network that reaches the model hosts.`);
      fail(1, `${result.error}: ${result.message}`);
    }
    console.log(`\nModel ${result.model} on ${result.adapter.vendor ?? '?'} ${result.adapter.architecture ?? ''} (shader-f16: ${result.adapter.shaderF16})`);
    const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
    for (const [role, r] of Object.entries(result.report)) {
      console.log(
        `${role.padEnd(6)} prefill ${f(r.prefillTokensPerSecond)} tok/s, decode ${f(r.decodeTokensPerSecond)} tok/s, ` +
          `first token ${f(r.timeToFirstTokenMs, 0)} ms over ${r.requests} requests; prompt tokens prefilled ${r.promptTokensCounted} ` +
          `vs ~${r.promptTokensWholeHistoryEstimate} without reuse: ${r.prefillTokensSaved} saved ` +
          `(last request: ${r.lastRequestPromptTokens} prefilled, ${r.lastRequestFullPrefillTokens} when reset)`,
      );
    }
  } finally {
    await browser.close().catch(() => undefined);
    stopServer();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof SmokeFailure) {
      console.error(`\ngpu-smoke: ${err.message}`);
      process.exit(err.code);
    }
    console.error('\ngpu-smoke:', err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);

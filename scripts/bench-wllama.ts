/**
 * npm run bench, third part: the wllama engine (llama.cpp in WebAssembly) with stories260K in
 * Debian's Chromium. Not a test: nothing here asserts.
 *
 * Serves the built page (dist/, built here with `vite build` when missing) with
 * scripts/serve.mjs, mounting ../shared/data/models/ so the model is never copied, and drives
 * the `?engine-test` hook (src/engine/wllama/test-hook.ts) with playwright-core. Chromium runs
 * twice: without --enable-unsafe-webgpu (no adapter: CPU) and with it (SwiftShader's software
 * adapter). For 1 and 2 threads: load time, then prefill and decode tokens per second for a
 * ~280-token prompt and 200 generated tokens at temperature 0 (median of 3 runs, each with the
 * prompt cache off so the whole prompt is prefilled). Then the prompt cache on a second turn:
 * cachedPromptTokens and the time to first token with the cache and without it.
 *
 * The backend recorded is the one llama.cpp actually used (info().backend, from its load log):
 * a WebGPU adapter being offered does not mean the weights went to it.
 *
 * BENCH_WLLAMA=0 skips this part; BENCH_WLLAMA_RUNS sets the runs per figure (default 3);
 * UNDERSTUDY_TEST_MODELS points at another models folder. Figures are merged into
 * bench-results.json under "wllama".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startServe } from './lib/browser.ts';
import type { WllamaModelInfo, WllamaUsage } from '../src/engine/wllama/engine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODELS_DIR = resolve(ROOT, process.env.UNDERSTUDY_TEST_MODELS ?? '../shared/data/models');
const MODEL_FILE = 'stories260K.gguf';
const MODEL_PATH = resolve(MODELS_DIR, MODEL_FILE);
const MOUNT = '/bench-models/';
const PROMPT_TOKENS = 280;
const MAX_TOKENS = 200;
const RUNS = Math.max(1, Number(process.env.BENCH_WLLAMA_RUNS ?? 3));
const THREADS = [1, 2];

// The engine's own types: what crosses page.evaluate() as JSON.
type Usage = WllamaUsage;
type Info = Pick<WllamaModelInfo, 'backend' | 'webgpuRequested' | 'multithread' | 'threads' | 'crossOriginIsolated' | 'nCtx' | 'loadMs' | 'libllamaVersion'>;
interface ThreadFigures {
  nThreadsAsked: number;
  threads: number;
  multithread: boolean;
  backend: string;
  webgpuRequested: boolean;
  loadMs: number;
  promptTokens: number;
  completionTokens: number;
  prefillTokPerSec: number | null;
  decodeTokPerSec: number | null;
  ttftMs: number | null;
  samples: { prefill: number | null; decode: number | null; completionTokens: number }[];
}
interface CacheFigures {
  nThreads: number;
  turn2PromptTokens: number;
  cachedPromptTokens: number;
  ttftWithCacheMs: number | null;
  ttftWithoutCacheMs: number | null;
  savedMs: number | null;
  samples: { withCacheMs: number | null; withoutMs: number | null }[];
}
interface VariantFigures {
  variant: 'cpu' | 'webgpu-flag';
  flags: string[];
  adapter: boolean;
  threads: ThreadFigures[];
  cache: CacheFigures | null;
}

/**
 * The page side, as a plain script: functions passed to page.evaluate from tsx can carry
 * esbuild's __name helper, which the page does not have. Everything the bench needs is here.
 */
const PAGE_SCRIPT = String.raw`
window.__bench = (() => {
  const hook = window.__understudy_wllama;
  let eng = null;
  const sampling = (max) => ({ temperature: 0, top_p: 1, max_tokens: max, seed: 7, frequency_penalty: 0, presence_penalty: 0 });
  const req = (messages, max, resetChat) => ({ model: 'stories260K', messages, sampling: sampling(max), resetChat });
  return {
    adapter: () => hook.hasWebGPUAdapter(),
    async load(url, nThreads) {
      if (eng) await eng.unload();
      eng = new hook.WllamaEngine();
      return await eng.load({ url }, { nThreads });
    },
    /** Prompt tokens of a one-message prompt (one generated token, cache off). */
    async count(text) {
      const r = await eng.complete(req([{ role: 'user', content: text }], 1, true));
      return r.usage.promptTokens;
    },
    /** One full turn: the whole prompt prefilled (cache off), then max tokens decoded. */
    async run(text, max) {
      const r = await eng.complete(req([{ role: 'user', content: text }], max, true));
      return { content: r.content, finishReason: r.finishReason, usage: r.usage };
    },
    /** A second turn after the first, with the prompt cache and without it. */
    async cache(text, max) {
      const first = await eng.complete(req([{ role: 'user', content: text }], max, true));
      const messages = [{ role: 'user', content: text }, { role: 'assistant', content: first.content }, { role: 'user', content: 'What happened next?' }];
      const cached = await eng.complete(req(messages, 8, false));
      const cold = await eng.complete(req(messages, 8, true));
      return { cached: cached.usage, cold: cold.usage };
    },
    unload: async () => { if (eng) await eng.unload(); eng = null; },
  };
})();
`;

/** A child's story, repeated and cut to length; stories260K's vocabulary is tiny (512 tokens). */
const STORY =
  'Once upon a time, there was a little girl named Lily. She loved to play in the park with her red ball. ' +
  'One day, she saw a big dog under a tree. The dog was sad because it was lost. Lily wanted to help the dog find its home. ' +
  'They walked past the pond and the old bench, and they asked a kind man for help. The man smiled and said he knew the dog. ' +
  'He took them to a small house with a blue door. A boy named Tim opened the door and hugged his dog. ';

function median(xs: (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
const round = (x: number | null, d = 0) => (x === null ? null : Number(x.toFixed(d)));

function storyOf(chars: number): string {
  let s = '';
  while (s.length < chars) s += STORY;
  return s.slice(0, chars).trim();
}

function startServer(): Promise<{ url: string; stop: () => void }> {
  return startServe({ port: process.env.BENCH_WLLAMA_PORT ?? '4330', args: ['--mount', `${MOUNT}=${MODELS_DIR}`], cwd: ROOT });
}

type Bench = {
  adapter(): Promise<boolean>;
  load(url: string, n: number): Promise<Info>;
  count(text: string): Promise<number>;
  run(text: string, max: number): Promise<{ content: string; finishReason: string; usage: Usage }>;
  cache(text: string, max: number): Promise<{ cached: Usage; cold: Usage }>;
  unload(): Promise<void>;
};
/** Calls window.__bench[name](...args) in the page. */
function call<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(`window.__bench[${JSON.stringify(name)}](...${JSON.stringify(args)})`) as Promise<Awaited<ReturnType<Bench[K]>>>;
}

/** Finds a prompt of about PROMPT_TOKENS tokens (template included) with the model's own tokenizer. */
async function calibrate(page: Page): Promise<{ text: string; tokens: number }> {
  let chars = PROMPT_TOKENS * 3;
  let best = { text: storyOf(chars), tokens: 0 };
  for (let i = 0; i < 4; i++) {
    const text = storyOf(chars);
    const tokens = await call(page, 'count', text);
    if (Math.abs(tokens - PROMPT_TOKENS) < Math.abs(best.tokens - PROMPT_TOKENS)) best = { text, tokens };
    if (Math.abs(tokens - PROMPT_TOKENS) <= 3 || tokens <= 0) break;
    chars = Math.max(16, Math.round((chars * PROMPT_TOKENS) / tokens));
  }
  return best;
}

async function runVariant(url: string, variant: VariantFigures['variant'], prompt: { text: string; tokens: number } | null, chromiumVersion: { v: string }): Promise<{ figures: VariantFigures; prompt: { text: string; tokens: number } }> {
  const flags = variant === 'webgpu-flag' ? ['--enable-unsafe-webgpu'] : [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...flags] });
  chromiumVersion.v = browser.version();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?engine-test`);
    await page.waitForFunction(() => (window as unknown as { __understudy_wllama?: unknown }).__understudy_wllama !== undefined, undefined, { timeout: 30_000 }).catch(() => {
      throw new Error(`the ?engine-test hook did not appear${errors.length ? `: ${errors.join('; ')}` : ''}`);
    });
    await page.addScriptTag({ content: PAGE_SCRIPT });
    const adapter = await call(page, 'adapter');
    const modelUrl = new URL(`${MOUNT.slice(1)}${MODEL_FILE}`, url).href;
    const threads: ThreadFigures[] = [];
    let cache: CacheFigures | null = null;
    for (const n of THREADS) {
      // Load time: the median of RUNS loads (the file comes from the local server each time).
      const loads: Info[] = [];
      for (let i = 0; i < RUNS; i++) loads.push(await call(page, 'load', modelUrl, n));
      const info = loads[loads.length - 1]!;
      prompt ??= await calibrate(page);
      // One full warm-up turn, not counted: the first one after a load runs cold (allocations,
      // the wasm tiering up) and came out at half speed or less.
      await call(page, 'run', prompt.text, MAX_TOKENS);
      const runs: Usage[] = [];
      for (let i = 0; i < RUNS; i++) runs.push((await call(page, 'run', prompt.text, MAX_TOKENS)).usage);
      threads.push({
        nThreadsAsked: n,
        threads: info.threads,
        multithread: info.multithread,
        backend: info.backend,
        webgpuRequested: info.webgpuRequested,
        loadMs: round(median(loads.map((l) => l.loadMs)))!,
        promptTokens: runs[0]!.promptTokens,
        completionTokens: median(runs.map((r) => r.completionTokens))!,
        prefillTokPerSec: round(median(runs.map((r) => r.prefillTokensPerSecond))),
        decodeTokPerSec: round(median(runs.map((r) => r.decodeTokensPerSecond))),
        ttftMs: round(median(runs.map((r) => r.timeToFirstTokenMs)), 1),
        samples: runs.map((r) => ({ prefill: round(r.prefillTokensPerSecond ?? null), decode: round(r.decodeTokensPerSecond ?? null), completionTokens: r.completionTokens })),
      });
      if (n === THREADS[THREADS.length - 1]) {
        const c: { cached: Usage; cold: Usage }[] = [];
        for (let i = 0; i < RUNS; i++) c.push(await call(page, 'cache', prompt.text, MAX_TOKENS));
        const withCache = median(c.map((x) => x.cached.timeToFirstTokenMs));
        const without = median(c.map((x) => x.cold.timeToFirstTokenMs));
        cache = {
          nThreads: n,
          turn2PromptTokens: c[0]!.cold.promptTokens,
          cachedPromptTokens: median(c.map((x) => x.cached.cachedPromptTokens ?? 0))!,
          ttftWithCacheMs: round(withCache, 1),
          ttftWithoutCacheMs: round(without, 1),
          savedMs: withCache !== null && without !== null ? round(without - withCache, 1) : null,
          samples: c.map((x) => ({ withCacheMs: x.cached.timeToFirstTokenMs ?? null, withoutMs: x.cold.timeToFirstTokenMs ?? null })),
        };
      }
    }
    await call(page, 'unload');
    if (errors.length) console.log(`  page errors (${variant}): ${errors.join('; ')}`);
    return { figures: { variant, flags, adapter, threads, cache }, prompt: prompt! };
  } finally {
    await browser.close();
  }
}

function save(entry: Record<string, unknown>): void {
  const file = resolve(ROOT, 'bench-results.json');
  const results: Record<string, unknown> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  results.wllama = entry;
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log('\nSaved to bench-results.json (wllama)');
}

async function main(): Promise<void> {
  console.log();
  if (process.env.BENCH_WLLAMA === '0') {
    console.log('wllama benchmark skipped (BENCH_WLLAMA=0).');
    return;
  }
  if (!existsSync(MODEL_PATH)) {
    const why = `${MODEL_PATH} is missing; the wllama benchmark needs stories260K.gguf there (or set UNDERSTUDY_TEST_MODELS).`;
    console.log(`wllama benchmark skipped: ${why}`);
    save({ date: new Date().toISOString(), skipped: why });
    return;
  }
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    console.log('dist/ is missing: running vite build for the wllama benchmark…');
    const b = spawnSync(resolve(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) {
      const why = `vite build failed (exit ${b.status})`;
      console.log(`wllama benchmark skipped: ${why}`);
      save({ date: new Date().toISOString(), skipped: why });
      return;
    }
  }

  const t0 = performance.now();
  const server = await startServer();
  const chromiumVersion = { v: '' };
  const variants: VariantFigures[] = [];
  let prompt: { text: string; tokens: number } | null = null;
  const failures: Record<string, string> = {};
  try {
    for (const v of ['cpu', 'webgpu-flag'] as const) {
      try {
        const r = await runVariant(server.url, v, prompt, chromiumVersion);
        prompt = r.prompt;
        variants.push(r.figures);
      } catch (err) {
        failures[v] = err instanceof Error ? err.message : String(err);
        console.log(`wllama benchmark, ${v}: failed: ${failures[v]}`);
      }
    }
  } finally {
    server.stop();
  }
  const seconds = (performance.now() - t0) / 1000;

  const cores = (await import('node:os')).cpus().length;
  console.log(
    `wllama (llama.cpp wasm) with ${MODEL_FILE} (${(statSync(MODEL_PATH).size / 1e6).toFixed(1)} MB) in Chromium ${chromiumVersion.v}, ${cores} cores: ` +
      `~${prompt?.tokens ?? PROMPT_TOKENS}-token prompt, ${MAX_TOKENS} tokens at temperature 0, median of ${RUNS} (prompt cache off, so every run prefills the whole prompt)`,
  );
  console.table(
    variants.flatMap((v) =>
      v.threads.map((t) => ({
        chromium: v.variant === 'cpu' ? 'no flag' : '--enable-unsafe-webgpu',
        'WebGPU adapter': v.adapter ? 'yes (SwiftShader)' : 'no',
        'backend used': t.backend + (t.webgpuRequested && t.backend === 'cpu' ? ' (llama.cpp declined the adapter)' : ''),
        threads: t.threads,
        'load ms': t.loadMs,
        'prompt tok': t.promptTokens,
        'gen tok': t.completionTokens,
        'prefill tok/s': t.prefillTokPerSec ?? '–',
        'decode tok/s': t.decodeTokPerSec ?? '–',
        'TTFT ms': t.ttftMs ?? '–',
      })),
    ),
  );
  const declined = variants.some((v) => v.adapter && v.threads.some((t) => t.webgpuRequested && t.backend === 'cpu'));
  if (declined)
    console.log(
      '  note: with --enable-unsafe-webgpu Chromium offers SwiftShader (a software adapter), but llama.cpp (ggml-webgpu) keeps the\n' +
        '  weights on the CPU with it, so both rows run on the CPU here; a real GPU is needed for a WebGPU figure.',
    );
  const caches = variants.filter((v) => v.cache);
  if (caches.length) {
    console.log('\nPrompt cache on a second turn (turn 1 + its reply + "What happened next?"), time to first token:');
    console.table(
      caches.map((v) => ({
        chromium: v.variant === 'cpu' ? 'no flag' : '--enable-unsafe-webgpu',
        threads: v.cache!.nThreads,
        'turn-2 prompt tok': v.cache!.turn2PromptTokens,
        'cached tok': v.cache!.cachedPromptTokens,
        'TTFT with cache ms': v.cache!.ttftWithCacheMs ?? '–',
        'TTFT without ms': v.cache!.ttftWithoutCacheMs ?? '–',
        'saved ms': v.cache!.savedMs ?? '–',
      })),
    );
  }
  console.log(`  (wllama part took ${seconds.toFixed(1)} s)`);

  save({
    date: new Date().toISOString(),
    chromium: chromiumVersion.v,
    model: MODEL_FILE,
    modelBytes: statSync(MODEL_PATH).size,
    cores,
    promptTokens: prompt?.tokens ?? null,
    maxTokens: MAX_TOKENS,
    temperature: 0,
    runs: RUNS,
    method: 'prefill and decode tok/s from llama.cpp timings (prompt_per_second, predicted_per_second), cache_prompt off; median of runs after one warm-up turn; load ms = median of loads from the local server',
    note: declined ? 'With --enable-unsafe-webgpu the only adapter is SwiftShader; llama.cpp kept the weights on the CPU (backend "cpu"), so these are CPU figures.' : undefined,
    variants,
    ...(Object.keys(failures).length ? { failures } : {}),
    seconds: Number(seconds.toFixed(1)),
  });
}

try {
  await main();
} catch (err) {
  // The bench never fails on this part: say why and go on.
  console.log(`wllama benchmark skipped: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * npm run bench:gpu — opt-in, not part of npm test or npm run bench: web-llm against wllama
 * (llama.cpp) on the same model family and quantisation, on a machine whose GPU Chromium can
 * use for WebGPU, with a network that reaches huggingface.co (and raw.githubusercontent.com
 * for web-llm's model library).
 *
 * Published results say llama.cpp's WebGPU backend can beat web-llm on decode; this measures
 * it rather than assume it. Same prompt, greedy sampling, the same number of new tokens, the
 * prompt cache off for each measured turn, one warm-up turn per engine, median of RUNS.
 *
 * Environment: CHROMIUM_PATH (default /usr/bin/chromium), BENCH_GPU_PORT (4312),
 * BENCH_GPU_MLC (default Qwen2.5-0.5B-Instruct-q4f16_1-MLC; q4f32_1 is used without shader-f16),
 * BENCH_GPU_GGUF (a GGUF URL; default Qwen2.5-0.5B-Instruct Q4_0 from Hugging Face: q4 weights
 * like MLC's q4f16_1/q4f32_1), BENCH_GPU_RUNS (3), BENCH_GPU_TOKENS (128), BENCH_GPU_NO_BUILD=1.
 * Writes its figures under "gpu" in bench-results.json. Exit codes: 0 ok, 1 failure, 2 no WebGPU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.BENCH_GPU_PORT ?? 4312);
const runs = Number(process.env.BENCH_GPU_RUNS ?? 3);
const maxTokens = Number(process.env.BENCH_GPU_TOKENS ?? 128);
const mlcModel = process.env.BENCH_GPU_MLC ?? 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
const ggufUrl =
  process.env.BENCH_GPU_GGUF ??
  'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_0.gguf';

const PROMPT =
  'Write a detailed, friendly reply to a customer who wants to return a pair of walking boots ' +
  'bought three weeks ago. Explain the return window, how to print the label, when the refund ' +
  'arrives and what happens if the boots show signs of wear. Keep it to a few paragraphs.';

/** Runs in the page as plain source, so no bundler helpers leak into it. */
const PAGE_SCRIPT = String.raw`async ({ mlcModel, ggufUrl, runs, maxTokens, prompt }) => {
  const log = (...a) => console.log('[bench-gpu]', ...a);
  if (!navigator.gpu) return { error: 'WebGPUUnavailableError', message: 'navigator.gpu is missing.' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'WebGPUUnavailableError', message: 'requestAdapter() returned null.' };
  const info = adapter.info ?? {};
  const f16 = adapter.features.has('shader-f16');
  for (let i = 0; i < 200 && !(window.__understudy_engine && window.__understudy_wllama); i++) await new Promise((r) => setTimeout(r, 50));
  const eng = window.__understudy_engine, wl = window.__understudy_wllama;
  if (!eng || !wl) return { error: 'SetupError', message: 'the ?smoke / ?engine-test hooks did not appear.' };
  const sampling = { temperature: 0, top_p: 1, max_tokens: maxTokens, seed: 1, frequency_penalty: 0, presence_penalty: 0 };
  const messages = [{ role: 'user', content: prompt }];
  const median = (xs) => { const v = xs.filter((x) => typeof x === 'number' && isFinite(x)).sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)] : null; };
  const measure = async (name, complete) => {
    await complete(); // warm-up: the first turn after a load runs cold
    const usages = [];
    for (let i = 0; i < runs; i++) usages.push((await complete()).usage);
    const row = {
      engine: name,
      promptTokens: usages[0].promptTokens,
      completionTokens: median(usages.map((u) => u.completionTokens)),
      prefillTokPerSec: median(usages.map((u) => u.prefillTokensPerSecond)),
      decodeTokPerSec: median(usages.map((u) => u.decodeTokensPerSecond)),
      ttftMs: median(usages.map((u) => u.timeToFirstTokenMs)),
    };
    log(JSON.stringify(row));
    return row;
  };
  const rows = [];
  const model = !f16 && mlcModel.includes('q4f16') ? mlcModel.replace('q4f16', 'q4f32') : mlcModel;
  const client = new eng.WebLlmClient({ stallTimeoutMs: 300000 });
  try {
    const t0 = performance.now();
    await client.load(model, null, (p) => log('web-llm', p.phase, Math.round(p.fraction * 100) + '%'));
    const loadMs = performance.now() - t0;
    rows.push({ ...(await measure('web-llm ' + model, () => client.complete({ model, messages, sampling, resetChat: true }))), loadMs });
  } catch (err) {
    rows.push({ engine: 'web-llm ' + model, error: (err?.name ?? 'Error') + ': ' + (err?.message ?? String(err)) });
  } finally {
    client.dispose();
  }
  const w = new wl.WllamaEngine();
  try {
    const t0 = performance.now();
    const loaded = await w.load({ url: ggufUrl }, {});
    const loadMs = performance.now() - t0;
    rows.push({ ...(await measure('wllama ' + ggufUrl.split('/').pop() + ' (' + loaded.backend + ')', () => w.complete({ model: 'gguf', messages, sampling, resetChat: true }))), loadMs, backend: loaded.backend });
  } catch (err) {
    rows.push({ engine: 'wllama', error: (err?.name ?? 'Error') + ': ' + (err?.message ?? String(err)) });
  } finally {
    await w.unload().catch(() => undefined);
  }
  return { adapter: { vendor: info.vendor, architecture: info.architecture, shaderF16: f16 }, rows };
}`;

interface Row {
  engine: string;
  error?: string;
  promptTokens?: number;
  completionTokens?: number;
  prefillTokPerSec?: number | null;
  decodeTokPerSec?: number | null;
  ttftMs?: number | null;
  loadMs?: number;
  backend?: string;
}
type Result = { error: string; message: string } | { adapter: { vendor?: string; architecture?: string; shaderF16: boolean }; rows: Row[] };

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the page server did not answer at ${url}`);
}

async function main(): Promise<number> {
  if (!existsSync(chromiumPath)) {
    console.error(`bench:gpu: no Chromium at ${chromiumPath}; set CHROMIUM_PATH.`);
    return 1;
  }
  if (!process.env.BENCH_GPU_NO_BUILD) {
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) return 1;
  }
  const server = spawn(process.execPath, ['scripts/serve.mjs', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan,WebGPU', '--ignore-gpu-blocklist', '--enable-gpu', '--use-angle=vulkan'],
  });
  try {
    const base = `http://127.0.0.1:${port}/`;
    await waitForServer(base, 15_000);
    const page = await browser.newPage();
    page.on('console', (m) => m.text().startsWith('[bench-gpu]') && console.log(m.text()));
    await page.goto(`${base}?smoke&engine-test`);
    const result = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify({ mlcModel, ggufUrl, runs, maxTokens, prompt: PROMPT })})`)) as Result;
    if ('error' in result) {
      console.error(`bench:gpu: ${result.error}: ${result.message}`);
      return result.error === 'WebGPUUnavailableError' ? 2 : 1;
    }
    console.log(`\nAdapter: ${result.adapter.vendor ?? '?'} ${result.adapter.architecture ?? ''} (shader-f16: ${result.adapter.shaderF16})`);
    console.table(
      result.rows.map((r) =>
        r.error
          ? { engine: r.engine, error: r.error }
          : {
              engine: r.engine,
              'prompt tok': r.promptTokens,
              'new tok': r.completionTokens,
              'prefill tok/s': r.prefillTokPerSec?.toFixed(0),
              'decode tok/s': r.decodeTokPerSec?.toFixed(1),
              'first token ms': r.ttftMs?.toFixed(0),
              'load s': r.loadMs !== undefined ? (r.loadMs / 1000).toFixed(1) : '',
            },
      ),
    );
    const file = resolve(ROOT, 'bench-results.json');
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    all.gpu = { date: new Date().toISOString(), runs, maxTokens, adapter: result.adapter, rows: result.rows };
    writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
    console.log('Saved to bench-results.json (gpu)');
    return result.rows.some((r) => r.error) ? 1 : 0;
  } finally {
    await browser.close().catch(() => undefined);
    if (server.exitCode === null) server.kill();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('bench:gpu:', err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);

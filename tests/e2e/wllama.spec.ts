import { expect, test, type Page } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * The wllama engine with a real model (stories260K.gguf, 1.2 MB) in Debian's Chromium. Runs in
 * both projects: 'chromium' has no WebGPU adapter (CPU, wasm), 'chromium-webgpu' has
 * SwiftShader's software adapter. The model is served by the test server from
 * ../shared/data/models/ (see --mount in playwright.config.ts), never copied into the repo.
 */

const base = String(config.use?.baseURL);
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;

/** The engine API as the hook in src/engine/wllama/test-hook.ts puts it on window. */
interface Hook {
  WllamaEngine: new () => {
    load(source: { url: string } | { file: Blob; name: string }, opts?: object): Promise<Record<string, unknown>>;
    complete(req: object, opts?: object): Promise<{ content: string; finishReason: string; usage: Record<string, number> }>;
    unload(): Promise<void>;
    info(): Record<string, unknown> | null;
  };
  hasWebGPUAdapter(): Promise<boolean>;
}
type W = Window & { __understudy_wllama?: Hook; __eng?: InstanceType<Hook['WllamaEngine']> };

async function openHook(page: Page): Promise<void> {
  await page.goto(`${base}?engine-test`);
  await page.waitForFunction(() => (window as W).__understudy_wllama !== undefined, null, { timeout: 30_000 });
}

const webgpuProject = () => test.info().project.name === 'chromium-webgpu';

test.describe('wllama engine with stories260K', () => {
  test.describe.configure({ mode: 'serial' });

  test('loads, streams, stops on abort, and repeats itself with the same seed at temperature 0', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing may come from outside this origin (no CDN wasm).
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(new URL(base).origin) && !/^(blob|data):/.test(r.url())) foreign.push(r.url());
    });
    await openHook(page);

    const load = await page.evaluate(async (url) => {
      const w = window as W;
      const hook = w.__understudy_wllama!;
      const adapter = await hook.hasWebGPUAdapter();
      const eng = new hook.WllamaEngine();
      w.__eng = eng;
      const t0 = performance.now();
      const info = await eng.load({ url });
      return { adapter, info, ms: performance.now() - t0, isolated: crossOriginIsolated };
    }, MODEL_URL);
    console.log(`[${test.info().project.name}] load`, JSON.stringify(load));
    expect(load.isolated).toBe(true);
    expect(load.adapter).toBe(webgpuProject());
    expect(load.info.webgpuRequested).toBe(webgpuProject());
    // SwiftShader's adapter is offered, but ggml-webgpu may leave the weights on the CPU;
    // `backend` reports where they went, from llama.cpp's own load log.
    expect(['webgpu', 'cpu']).toContain(load.info.backend);
    if (!webgpuProject()) expect(load.info.backend).toBe('cpu');
    expect(load.info.architecture).toBe('llama');
    // stories260K has no chat template: the plain default is used and recorded.
    expect(load.info.template).toEqual({ kind: 'default', name: 'understudy-plain' });
    // wllama's default is half the logical cores: one thread on a two-core machine.
    expect(load.info.multithread).toBe(Number(load.info.threads) > 1);

    const sampling = { temperature: 0, top_p: 1, max_tokens: 40, seed: 7, frequency_penalty: 0, presence_penalty: 0 };
    const req = { model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], sampling };

    // Streaming: several deltas that add up to the content.
    const streamed = await page.evaluate(async (req) => {
      const deltas: string[] = [];
      const r = await (window as W).__eng!.complete(req, { onDelta: (d: string) => deltas.push(d) });
      return { r, deltas };
    }, req);
    console.log(`[${test.info().project.name}] stream`, JSON.stringify(streamed.r));
    expect(streamed.deltas.length).toBeGreaterThan(3);
    expect(streamed.deltas.join('')).toBe(streamed.r.content);
    expect(streamed.r.content.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(streamed.r.finishReason);
    expect(streamed.r.usage.completionTokens).toBeGreaterThan(0);
    expect(streamed.r.usage.promptTokens).toBeGreaterThan(0);

    // Same seed, temperature 0, cache cleared: the same text.
    const again = await page.evaluate(async (req) => (window as W).__eng!.complete({ ...req, resetChat: true }), req);
    expect(again.content).toBe(streamed.r.content);

    // At temperature 1 the seed decides: the same seed twice gives the same text.
    const hot = { ...req, sampling: { ...sampling, temperature: 1, seed: 42 }, resetChat: true };
    const [h1, h2] = await page.evaluate(async (req) => {
      const e = (window as W).__eng!;
      return [await e.complete(req), await e.complete(req)];
    }, hot);
    expect(h1.content).toBe(h2.content);

    // Prompt cache: the second turn extends the first, so its prefix is not prefilled again.
    const turn2 = await page.evaluate(
      async ({ req, first }) =>
        (window as W).__eng!.complete({
          ...req,
          messages: [...req.messages, { role: 'assistant', content: first }, { role: 'user', content: 'What happened next?' }],
        }),
      { req, first: streamed.r.content },
    );
    console.log(`[${test.info().project.name}] turn 2 usage`, JSON.stringify(turn2.usage));
    expect(turn2.usage.cachedPromptTokens).toBeGreaterThan(0);

    // Abort mid-stream: finishReason 'abort' and the text so far.
    const aborted = await page.evaluate(async (req) => {
      const ac = new AbortController();
      let n = 0;
      const r = await (window as W).__eng!.complete(
        { ...req, sampling: { ...req.sampling, max_tokens: 400, temperature: 0.8 }, resetChat: true },
        {
          signal: ac.signal,
          onDelta: () => {
            if (++n === 3) ac.abort();
          },
        },
      );
      return { r, n };
    }, req);
    expect(aborted.r.finishReason).toBe('abort');
    expect(aborted.r.content.length).toBeGreaterThan(0);
    expect(aborted.n).toBeLessThan(50);

    // The engine still works after an abort.
    const after = await page.evaluate(async (req) => (window as W).__eng!.complete(req), req);
    expect(after.content).toBe(streamed.r.content);

    await page.evaluate(async () => (window as W).__eng!.unload());
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  test('runs multi-threaded when isolated, from a local file, with a chat template override', async ({ page }) => {
    await openHook(page);
    const r = await page.evaluate(async (url) => {
      const eng = new (window as W).__understudy_wllama!.WllamaEngine();
      // A file the user picked is a Blob: read locally, never uploaded.
      const file = await (await fetch(url)).blob();
      const template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";
      const info = await eng.load({ file, name: 'picked.gguf' }, { nThreads: 2, chatTemplate: template });
      const deltas: string[] = [];
      const out = await eng.complete({
        model: 'stories260K',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        sampling: { temperature: 0, top_p: 1, max_tokens: 40, seed: 1, frequency_penalty: 0, presence_penalty: 0 },
      }, { onDelta: (d: string) => deltas.push(d) });
      await eng.unload();
      return { info, out, deltas: deltas.length, cores: navigator.hardwareConcurrency };
    }, MODEL_URL);
    console.log(`[${test.info().project.name}] threads`, JSON.stringify(r));
    expect(r.info.label).toBe('picked.gguf');
    expect((r.info.template as { kind: string }).kind).toBe('override');
    expect(r.deltas).toBeGreaterThan(3);
    expect(r.info.crossOriginIsolated).toBe(true);
    expect(r.info.multithread).toBe(true);
    expect(r.info.threads).toBe(2);
    expect(r.out.content.trim().length).toBeGreaterThan(0);
  });

  test('a file that is not GGUF, or a truncated one, gets a clear error and the page stays usable', async ({ page }) => {
    // Served from memory: random bytes, and the real model cut short.
    const { readFile } = await import('node:fs/promises');
    const { TEST_MODELS_DIR } = await import('../../playwright.config.ts');
    const real = await readFile(`${TEST_MODELS_DIR}/stories260K.gguf`);
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    await page.route('**/broken/*.gguf', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop();
      const body = name === 'random.gguf' ? random : name === 'header-cut.gguf' ? real.subarray(0, 200) : real.subarray(0, Math.floor(real.length / 2));
      return route.fulfill({ status: 200, body, headers: { 'Content-Type': 'application/octet-stream' } });
    });
    await openHook(page);
    const results = await page.evaluate(async (names) => {
      const out: Record<string, { name: string; message: string } | string> = {};
      for (const n of names) {
        const eng = new (window as W).__understudy_wllama!.WllamaEngine();
        try {
          await eng.load({ url: new URL(`broken/${n}`, location.href).href });
          out[n] = 'loaded';
        } catch (e) {
          out[n] = { name: (e as Error).name, message: (e as Error).message };
        }
      }
      return out;
    }, ['random.gguf', 'header-cut.gguf', 'half.gguf']);
    console.log(`[${test.info().project.name}] errors`, JSON.stringify(results));
    const rand = results['random.gguf'] as { name: string; message: string };
    expect(rand.name).toBe('ModelLoadError');
    expect(rand.message).toMatch(/random\.gguf is not a GGUF file \(its first bytes are [0-9a-f ]+/);
    const cut = results['header-cut.gguf'] as { name: string; message: string };
    expect(cut.name).toBe('ModelLoadError');
    expect(cut.message).toMatch(/truncated/);
    const half = results['half.gguf'] as { name: string; message: string };
    expect(half.name).toBe('ModelLoadError');
    expect(half.message).toMatch(/half\.gguf is truncated: its tensors need \d+ bytes but the file has \d+/);

    // The page still works: the real model loads and answers in the same tab.
    const ok = await page.evaluate(async (url) => {
      const eng = new (window as W).__understudy_wllama!.WllamaEngine();
      await eng.load({ url });
      const r = await eng.complete({
        model: 'stories260K',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        sampling: { temperature: 0, top_p: 1, max_tokens: 10, seed: 1, frequency_penalty: 0, presence_penalty: 0 },
      });
      await eng.unload();
      return r.content;
    }, MODEL_URL);
    expect(ok.length).toBeGreaterThan(0);
    await page.goto(`${base}#/models`);
    await expect(page.getByRole('heading').first()).toBeVisible();
  });
});

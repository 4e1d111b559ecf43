/**
 * WebLlmClient over the real worker API and comlink, with a MessageChannel standing in for the
 * worker (Node 20 has MessageChannel; comlink works over its ports as over a Worker).
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError, type ChatRequest } from '../../../src/engine/types.ts';
import { DEFAULT_CUSTOM_CONTEXT_TOKENS, WebLlmClient } from '../../../src/engine/webllm/client.ts';
import { releasingCallbacks } from '../../../src/engine/webllm/expose.ts';
import type { CatalogModel, LlmWorkerApi, LoadPhase, LoadProgress } from '../../../src/engine/webllm/protocol.ts';
import { createLlmWorkerApi } from '../../../src/engine/webllm/worker-api.ts';
import { APP_CONFIG, DOWNLOAD_REPORTS, FakeMLCEngine, fakeChatConfig, namedError, rejection } from './fake-engine.ts';

const QWEN = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';

/** A Worker look-alike: comlink talks over `port`; the API sits on the other end. */
class FakeWorker extends EventTarget {
  terminated = false;
  constructor(
    private readonly port: MessagePort,
    private readonly inner: MessagePort,
    readonly engine: FakeMLCEngine,
  ) {
    super();
  }
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (!this.terminated) this.port.postMessage(message, transfer);
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (type === 'message') this.port.addEventListener(type, listener as EventListener, options);
    else super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.removeEventListener(type, listener as EventListener);
    else super.removeEventListener(type, listener);
  }
  start(): void {
    this.port.start();
  }
  terminate(): void {
    this.terminated = true;
    this.port.close();
    this.inner.close();
  }
  /** What a Worker does when its script throws and nothing catches it. */
  crash(message: string): void {
    const ev = new Event('error');
    Object.assign(ev, { message });
    this.dispatchEvent(ev);
  }
}

const clients: WebLlmClient[] = [];

function harness(
  configure: (engine: FakeMLCEngine, index: number) => void = () => undefined,
  stallTimeoutMs = 60_000,
  wrapApi: (api: LlmWorkerApi) => LlmWorkerApi = (api) => api,
) {
  const workers: FakeWorker[] = [];
  /** Ids a delete helper was called for: a failed or cancelled load must add none. */
  const deleted: string[] = [];
  const createWorker = () => {
    const { port1, port2 } = new MessageChannel();
    const engine = new FakeMLCEngine();
    configure(engine, workers.length);
    const api = createLlmWorkerApi({
      createEngine: () => engine,
      prebuiltAppConfig: APP_CONFIG,
      hasModelInCache: async () => false,
      deleteModelInCache: async (id) => void deleted.push(id),
      deleteChatConfigInCache: async (id) => void deleted.push(id),
      deleteModelWasmInCache: async (id) => void deleted.push(id),
      hasInCache: async () => false,
      gatherDeviceReport: async () => ({ webgpu: true, vendor: 'google', architecture: 'swiftshader', features: [], shaderF16: false }),
    });
    Comlink.expose(releasingCallbacks(wrapApi(api)), port1);
    const w = new FakeWorker(port2, port1, engine);
    workers.push(w);
    return w as unknown as Worker;
  };
  const client = new WebLlmClient({ createWorker, stallTimeoutMs });
  clients.push(client);
  return { client, workers, deleted };
}

afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
  vi.useRealTimers();
});

/** A promise with its resolver, to hold the fake engine at a point of a load. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Progress reports as they reach the page, and a way to wait until one of a phase has. */
function progressLog() {
  const seen: LoadProgress[] = [];
  const waiters: Array<{ done: (p: LoadProgress) => boolean; resolve: () => void }> = [];
  const onProgress = (p: LoadProgress) => {
    seen.push(p);
    for (const w of waiters.splice(0)) {
      if (w.done(p)) w.resolve();
      else waiters.push(w);
    }
  };
  const until = (done: (p: LoadProgress) => boolean) =>
    seen.some(done) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ done, resolve }));
  const phase = (ph: LoadPhase) => until((p) => p.phase === ph);
  return { seen, onProgress, until, phase };
}

/** Tracks whether a promise has settled, without letting its rejection go unhandled. */
function track<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { p, settled: () => done };
}

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: QWEN,
  messages: [{ role: 'user', content: 'Hi' }],
  sampling: { temperature: 0, top_p: 1, max_tokens: 32, seed: 7, frequency_penalty: 0, presence_penalty: 0 },
  ...over,
});


describe('WebLlmClient', () => {
  it('starts no worker until first use', async () => {
    const { client, workers } = harness();
    expect(client.kind).toBe('web-llm');
    expect(workers).toHaveLength(0);
    expect(client.loadedModel()).toBeNull();
    const list = await client.catalog(null);
    expect(list[0]!.modelId).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(workers).toHaveLength(1);
    expect((await client.deviceReport()).architecture).toBe('swiftshader');
  });

  it('loads with phased progress across the boundary, then streams a completion', async () => {
    const { client } = harness();
    const phases: LoadProgress['phase'][] = [];
    await client.load(QWEN, null, (p) => phases.push(p.phase));
    expect(phases[0]).toBe('fetching');
    expect(phases.at(-1)).toBe('ready');
    expect(client.loadedModel()).toBe(QWEN);
    const deltas: string[] = [];
    const r = await client.complete(request(), { onDelta: (t) => deltas.push(t) });
    expect(r.content).toBe('Hello, world!');
    expect(deltas.join('')).toBe(r.content);
    expect(r.usage.timeToFirstTokenMs).toBe(250);
  });

  it('rebuilds worker errors as EngineError with the same name', async () => {
    const { client } = harness((e) => {
      e.onReload = async () => {
        throw new TypeError('Failed to fetch');
      };
    });
    const e = await rejection(client.load(QWEN, null));
    expect(e.name).toBe('NetworkError');
    expect(e.message).toContain('huggingface.co');
    expect((await rejection(client.complete(request()))).name).toBe('ModelNotLoadedError');
  });

  it('aborts through the signal', async () => {
    const { client } = harness((e) => {
      e.tokens = Array.from({ length: 200 }, (_, i) => `w${i} `);
      e.beforeToken = () => new Promise((r) => setTimeout(r, 1));
    });
    await client.load(QWEN, null);
    const ac = new AbortController();
    let got = '';
    const r = await client.complete(request(), {
      signal: ac.signal,
      onDelta: (t) => {
        got += t;
        ac.abort();
      },
    });
    expect(r.finishReason).toBe('abort');
    expect(r.content.length).toBeLessThan(200 * 4);
    expect(got).toBe(r.content);
  });

  it('after EngineLostError ends the worker and starts a fresh one on next use', async () => {
    const { client, workers } = harness((e, i) => {
      if (i === 0) {
        e.beforeToken = () => {
          throw namedError('DeviceLostError', 'The WebGPU device was lost.');
        };
      }
    });
    await client.load(QWEN, null);
    const e = await rejection(client.complete(request()));
    expect(e.name).toBe('EngineLostError');
    expect(workers[0]!.terminated).toBe(true);
    expect(client.loadedModel()).toBeNull();
    expect(client.hasWorker).toBe(false);

    await client.load(QWEN, null);
    expect(workers).toHaveLength(2);
    expect((await client.complete(request())).content).toBe('Hello, world!');
  });

  it('treats a worker error event as a lost engine, failing the call in flight', async () => {
    const { client, workers } = harness((e) => {
      e.prefill = () => new Promise(() => undefined);
    });
    await client.load(QWEN, null);
    const pending = client.complete(request());
    await new Promise((r) => setTimeout(r, 10));
    workers[0]!.crash('out of memory');
    const e = await rejection(pending);
    expect(e.name).toBe('EngineLostError');
    expect(e.message).toContain('out of memory');
    expect(workers[0]!.terminated).toBe(true);
    await client.catalog(null);
    expect(workers).toHaveLength(2);
  });

  it('fails a load that stalls while compiling shaders with LoadTimeoutError, and recreates the worker', async () => {
    const { client, workers } = harness((e, i) => {
      if (i === 0) {
        e.onReload = async () => {
          // Downloaded, on the GPU, 40 of 100 shader modules done, then nothing.
          for (const r of DOWNLOAD_REPORTS.slice(0, 5)) e.progress?.(r);
          await new Promise(() => undefined);
        };
      }
    }, 100);
    const e = await rejection(client.load(QWEN, null));
    expect(e.name).toBe('LoadTimeoutError');
    expect(e.message).toMatch(/no progress for 0\.1 s while compiling GPU shaders/);
    expect(workers[0]!.terminated).toBe(true);
    await client.load(QWEN, null);
    expect(workers).toHaveLength(2);
    expect(client.loadedModel()).toBe(QWEN);
  });

  it('does not time out a slow load that keeps reporting progress', async () => {
    const { client } = harness((e) => {
      e.onReload = async () => {
        for (let i = 1; i <= 8; i++) {
          await new Promise((r) => setTimeout(r, 25));
          e.progress?.({ progress: i / 8, timeElapsed: i, text: `Fetching param cache[${i}/8]: ${i}MB fetched. ${(i / 8) * 100}% completed, ${i} secs elapsed.` });
        }
      };
    }, 150);
    await client.load(QWEN, null);
    expect(client.loadedModel()).toBe(QWEN);
  });

  it('cancels a load through the signal by ending the worker', async () => {
    const { client, workers } = harness((e) => {
      e.onReload = () => new Promise(() => undefined);
    });
    const ac = new AbortController();
    const loading = client.load(QWEN, null, undefined, ac.signal);
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    expect((await rejection(loading)).name).toBe('AbortError');
    expect(workers[0]!.terminated).toBe(true);
  });
});

describe('WebLlmClient: slow downloads and the stall timer (fake timers)', () => {
  const TWO_MINUTES = 2 * 60_000;

  it('a download silent for two minutes, before any progress and between shards, does not fail', async () => {
    vi.useFakeTimers();
    const beforeProgress = gate();
    const betweenShards = gate();
    const { client, deleted } = harness((e) => {
      e.onReload = async () => {
        // Config, model library and tokenizer: web-llm reports nothing while they download.
        await beforeProgress.wait;
        e.progress?.(DOWNLOAD_REPORTS[0]!);
        e.progress?.(DOWNLOAD_REPORTS[1]!);
        // The next ~32 MB shard takes its time on a slow link.
        await betweenShards.wait;
        for (const r of DOWNLOAD_REPORTS.slice(2)) e.progress?.(r);
      };
    });
    const log = progressLog();
    const loading = track(client.load(QWEN, null, log.onProgress));
    await vi.advanceTimersByTimeAsync(TWO_MINUTES);
    expect(loading.settled()).toBe(false);
    expect(log.seen).toEqual([]);

    beforeProgress.open();
    await log.until((p) => p.step === 1);
    await vi.advanceTimersByTimeAsync(TWO_MINUTES);
    expect(loading.settled()).toBe(false);

    betweenShards.open();
    await loading.p;
    expect(client.loadedModel()).toBe(QWEN);
    expect(log.seen.at(-1)!.phase).toBe('ready');
    expect(deleted).toEqual([]);
  });

  it('a stall while compiling shaders fails with LoadTimeoutError after stallTimeoutMs', async () => {
    vi.useFakeTimers();
    const { client, workers } = harness((e, i) => {
      if (i === 0) {
        e.onReload = async () => {
          for (const r of DOWNLOAD_REPORTS.slice(0, 5)) e.progress?.(r);
          await new Promise(() => undefined);
        };
      }
    });
    const log = progressLog();
    const loading = track(client.load(QWEN, null, log.onProgress));
    await log.phase('shaders');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(loading.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    const e = await rejection(loading.p);
    expect(e.name).toBe('LoadTimeoutError');
    expect(e.message).toMatch(/no progress for 60 s while compiling GPU shaders/);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('starts the stall clock when the last shard is on the GPU, before the first shader report', async () => {
    vi.useFakeTimers();
    const { client } = harness((e) => {
      e.onReload = async () => {
        for (const r of DOWNLOAD_REPORTS.slice(0, 4)) e.progress?.(r);
        e.progress?.({ progress: 1, timeElapsed: 5, text: 'Loading model from cache[3/3]: 300MB loaded. 100% completed, 5 secs elapsed.' });
        await new Promise(() => undefined);
      };
    });
    const log = progressLog();
    const loading = track(client.load(QWEN, null, log.onProgress));
    await log.until((p) => p.phase === 'cache' && p.fraction === 1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await rejection(loading.p)).name).toBe('LoadTimeoutError');
  });

  it('a slow shader phase that keeps reporting does not time out', async () => {
    vi.useFakeTimers();
    const step = gate();
    const { client } = harness((e) => {
      e.onReload = async () => {
        for (const r of DOWNLOAD_REPORTS.slice(0, 5)) e.progress?.(r);
        await step.wait;
        for (const r of DOWNLOAD_REPORTS.slice(5)) e.progress?.(r);
      };
    });
    const log = progressLog();
    const loading = track(client.load(QWEN, null, log.onProgress));
    await log.phase('shaders');
    await vi.advanceTimersByTimeAsync(50_000);
    step.open();
    await loading.p;
    expect(client.loadedModel()).toBe(QWEN);
  });

  it('cancel during a download ends the load and the worker, and deletes nothing from the cache', async () => {
    vi.useFakeTimers();
    const { client, workers, deleted } = harness((e) => {
      e.onReload = async () => {
        e.progress?.(DOWNLOAD_REPORTS[0]!);
        e.progress?.(DOWNLOAD_REPORTS[1]!);
        await new Promise(() => undefined);
      };
    });
    const log = progressLog();
    const ac = new AbortController();
    const loading = track(client.load(QWEN, null, log.onProgress, ac.signal));
    await log.until((p) => p.step === 1);
    await vi.advanceTimersByTimeAsync(TWO_MINUTES);
    expect(loading.settled()).toBe(false);
    ac.abort();
    expect((await rejection(loading.p)).name).toBe('AbortError');
    expect(workers[0]!.terminated).toBe(true);
    expect(client.hasWorker).toBe(false);
    expect(deleted).toEqual([]);
  });

  it('cancel works before any progress and while compiling shaders too', async () => {
    vi.useFakeTimers();
    const { client } = harness((e, i) => {
      e.onReload = async () => {
        if (i === 1) for (const r of DOWNLOAD_REPORTS.slice(0, 5)) e.progress?.(r);
        await new Promise(() => undefined);
      };
    });
    const early = new AbortController();
    const first = track(client.load(QWEN, null, undefined, early.signal));
    await vi.advanceTimersByTimeAsync(1_000);
    early.abort();
    expect((await rejection(first.p)).name).toBe('AbortError');

    const log = progressLog();
    const late = new AbortController();
    const second = track(client.load(QWEN, null, log.onProgress, late.signal));
    await log.phase('shaders');
    late.abort();
    expect((await rejection(second.p)).name).toBe('AbortError');
  });
});

describe('WebLlmClient: a device lost after loading', () => {
  it('turns the ModelNotLoadedError web-llm then throws into EngineLostError, and a fresh load goes on', async () => {
    const { client, workers } = harness();
    await client.load(QWEN, null);
    expect((await client.complete(request())).content).toBe('Hello, world!');
    workers[0]!.engine.loseDevice();
    const e = await rejection(client.complete(request()));
    expect(e.name).toBe('EngineLostError');
    expect(e.message).toContain(QWEN);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.loadedModel()).toBeNull();
    expect(client.hasWorker).toBe(false);
    // What engines.svelte.ts recover() does: load again, in a fresh worker.
    await client.load(QWEN, null);
    expect(workers).toHaveLength(2);
    expect((await client.complete(request())).content).toBe('Hello, world!');
  });

  it('treats a plain ModelNotLoadedError from the worker the same way once the model had loaded', async () => {
    const { client, workers } = harness(undefined, 60_000, (api) => ({
      ...api,
      complete: async () => {
        throw new EngineError('ModelNotLoadedError', 'No model is loaded in this engine.');
      },
    }));
    // Before any load it stays what it is.
    expect((await rejection(client.complete(request()))).name).toBe('ModelNotLoadedError');
    expect(workers[0]!.terminated).toBe(false);
    await client.load(QWEN, null);
    const e = await rejection(client.complete(request()));
    expect(e.name).toBe('EngineLostError');
    expect(workers[0]!.terminated).toBe(true);
  });
});

describe('WebLlmClient: context size, model info, tool role and thinking', () => {
  const LLAMA = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';
  const custom: CatalogModel = {
    modelId: 'Mirror-Qwen3-0.6B-q4f16_1-MLC',
    modelUrl: 'https://models.example.org/qwen3/',
    modelLibUrl: 'https://libs.example.org/qwen3.wasm',
    requiredFeatures: [],
    custom: true,
  };

  it('forwards the context size to web-llm and reports what loaded', async () => {
    const { client, workers } = harness();
    await client.load(QWEN, null, undefined, undefined, { contextWindowSize: 8192 });
    expect(workers[0]!.engine.reloadOptions).toEqual([{ context_window_size: 8192, sliding_window_size: -1 }]);
    expect(client.loadedModelInfo()).toEqual({ modelId: QWEN, contextWindowSize: 8192, convTemplate: 'qwen2', toolRole: 'user' });
    expect(client.runtimeInfo()).toEqual({ contextWindowSize: 8192, convTemplate: 'qwen2', toolRole: 'user', toolRoleFrom: 'chat-config' });
  });

  it('keeps a catalog record its own window, and gives a custom record the default instead of its config', async () => {
    const { client, workers } = harness();
    await client.load(QWEN, null);
    expect(workers[0]!.engine.reloadOptions).toEqual([undefined]);
    expect(client.runtimeInfo().contextWindowSize).toBe(4096);
    await client.load(custom.modelId, [custom]);
    // The fake config says 40960, as Qwen3's does.
    expect(workers[0]!.engine.reloadOptions[1]).toEqual({ context_window_size: DEFAULT_CUSTOM_CONTEXT_TOKENS, sliding_window_size: -1 });
    expect(client.runtimeInfo().contextWindowSize).toBe(4096);
  });

  it('takes the tool role from the loaded chat template over the id, both ways', async () => {
    const { client } = harness((e) => {
      // Llama 3.2's id says 'native', this build's template has no tool role; Qwen's id says
      // 'user', this build's template has one.
      e.chatConfigFor = (id) => fakeChatConfig(id !== LLAMA);
    });
    expect(client.toolSupport(LLAMA).toolRole).toBe('native');
    await client.load(LLAMA, null);
    expect(client.toolSupport(LLAMA)).toEqual({ toolRole: 'user', nativeTools: false, constrainedCalls: true });
    await client.load(QWEN, null);
    expect(client.toolSupport(QWEN).toolRole).toBe('native');
    expect(client.runtimeInfo()).toMatchObject({ toolRole: 'native', convTemplate: 'llama-3_1', toolRoleFrom: 'chat-config' });
    // And the agent's tool messages then go through as they are.
    const r = await client.complete(
      request({
        messages: [
          { role: 'user', content: 'A1?' },
          { role: 'assistant', content: '<tool_call>{}</tool_call>' },
          { role: 'tool', content: '{"plan":"basic"}', tool_call_id: 't1' },
        ],
        toolRole: client.toolSupport(QWEN).toolRole,
      }),
    );
    expect(r.content).toBe('Hello, world!');
  });

  it('falls back to the id table when the chat config cannot be read', async () => {
    const { client } = harness((e) => {
      e.loadedModelIdToChatConfig = undefined;
    });
    await client.load(LLAMA, null, undefined, undefined, { contextWindowSize: 2048 });
    expect(client.loadedModelInfo()).toBeNull();
    expect(client.toolSupport(LLAMA).toolRole).toBe('native');
    expect(client.runtimeInfo()).toEqual({ contextWindowSize: 2048, toolRole: 'native', toolRoleFrom: 'model-id' });
  });

  it('sends the load\'s thinking setting with requests that leave it open, and records it', async () => {
    const { client, workers } = harness();
    await client.load(QWEN, null, undefined, undefined, { enableThinking: false });
    expect(client.runtimeInfo().enableThinking).toBe(false);
    await client.complete(request());
    await client.complete(request({ enableThinking: true }));
    const sent = workers[0]!.engine.requests;
    expect(sent[0]!.extra_body).toEqual({ enable_thinking: false });
    expect(sent[1]!.extra_body).toEqual({ enable_thinking: true });
    await client.load(QWEN, null);
    await client.complete(request());
    expect(sent[2]!.extra_body).toBeUndefined();
    expect(client.runtimeInfo().enableThinking).toBeUndefined();
  });

  it("brings web-llm's ContextWindowSizeExceededError to the page by name, saying where the size is set", async () => {
    const { client, workers } = harness((e) => {
      e.prefill = () => {
        throw namedError('ContextWindowSizeExceededError', 'Prompt tokens exceed context window size: number of prompt tokens: 4200; context window size: 4096\nConsider shortening the prompt.');
      };
    });
    await client.load(QWEN, null);
    const e = await rejection(client.complete(request()));
    expect(e.name).toBe('ContextWindowSizeExceededError');
    expect(e.message).toMatch(/did not fit the 4096-token context window/);
    expect(e.message).toMatch(/Models page/);
    // Not an engine loss: the worker and the model stay.
    expect(workers[0]!.terminated).toBe(false);
    expect(client.loadedModel()).toBe(QWEN);
  });

  it('reports nothing before a load', () => {
    const { client } = harness();
    expect(client.runtimeInfo()).toEqual({});
    expect(client.loadedModelInfo()).toBeNull();
  });
});

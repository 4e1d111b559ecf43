/**
 * WebLlmClient over the real worker API and comlink, with a MessageChannel standing in for the
 * worker (Node 20 has MessageChannel; comlink works over its ports as over a Worker).
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../src/engine/types.ts';
import { WebLlmClient } from '../../../src/engine/webllm/client.ts';
import { releasingCallbacks } from '../../../src/engine/webllm/expose.ts';
import type { LoadProgress } from '../../../src/engine/webllm/protocol.ts';
import { createLlmWorkerApi } from '../../../src/engine/webllm/worker-api.ts';
import { APP_CONFIG, FakeMLCEngine, namedError, rejection } from './fake-engine.ts';

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

function harness(configure: (engine: FakeMLCEngine, index: number) => void = () => undefined, stallTimeoutMs = 60_000) {
  const workers: FakeWorker[] = [];
  const createWorker = () => {
    const { port1, port2 } = new MessageChannel();
    const engine = new FakeMLCEngine();
    configure(engine, workers.length);
    const api = createLlmWorkerApi({
      createEngine: () => engine,
      prebuiltAppConfig: APP_CONFIG,
      hasModelInCache: async () => false,
      deleteModelAllInfoInCache: async () => undefined,
      gatherDeviceReport: async () => ({ webgpu: true, vendor: 'google', architecture: 'swiftshader', features: [], shaderF16: false }),
    });
    Comlink.expose(releasingCallbacks(api), port1);
    const w = new FakeWorker(port2, port1, engine);
    workers.push(w);
    return w as unknown as Worker;
  };
  const client = new WebLlmClient({ createWorker, stallTimeoutMs });
  clients.push(client);
  return { client, workers };
}

afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});

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

  it('fails a stalled load with LoadTimeoutError and recreates the worker', async () => {
    const { client, workers } = harness((e, i) => {
      if (i === 0) e.onReload = () => new Promise(() => undefined);
    }, 100);
    const e = await rejection(client.load(QWEN, null));
    expect(e.name).toBe('LoadTimeoutError');
    expect(e.message).toMatch(/no progress for 0\.1 s/);
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

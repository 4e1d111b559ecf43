/**
 * The page side of workers/llm.worker.ts: a ChatEngine over one worker (one MLCEngine, one
 * loaded model, one KV cache). Give each role its own client so each keeps its cache.
 *
 * The worker starts on first use only, so importing this module never loads web-llm.
 * When the engine is lost (device lost, worker error) or a load stalls or is cancelled, the
 * worker is ended and a fresh one starts on the next call; the error is rethrown by name.
 */
import * as Comlink from 'comlink';
import { webLlmToolSupport } from '../tool-support.ts';
import { EngineError, type ChatEngine, type ChatRequest, type ChatResult, type CompleteOptions, type ToolSupport } from '../types.ts';
import { isEngineLost } from './errors.ts';
import type { CatalogModel, DeviceReport, LlmWorkerApi, LoadProgress } from './protocol.ts';

export interface WebLlmClientOptions {
  /** Makes the worker; tests pass a fake. */
  createWorker?: () => Worker;
  /** A load with no progress report for this long fails with LoadTimeoutError (default 60 s). */
  stallTimeoutMs?: number;
}

const defaultCreateWorker = (): Worker =>
  new Worker(new URL('../../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'understudy-llm' });

/** Rebuilds an error that crossed the worker boundary as an EngineError with the same name. */
export function rebuildError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof Error) return new EngineError(err.name, err.message);
  if (typeof err === 'object' && err !== null) {
    const o = err as { name?: unknown; message?: unknown };
    return new EngineError(typeof o.name === 'string' ? o.name : 'Error', typeof o.message === 'string' ? o.message : String(err));
  }
  return new EngineError('Error', String(err));
}

interface Live {
  worker: Worker;
  api: Comlink.Remote<LlmWorkerApi>;
  /** Rejects when the worker reports an uncaught error: every pending call fails with it. */
  died: Promise<never>;
  kill: (err: EngineError) => void;
}

export class WebLlmClient implements ChatEngine {
  readonly kind = 'web-llm';
  readonly #createWorker: () => Worker;
  readonly #stallTimeoutMs: number;
  #live: Live | null = null;
  #loaded: string | null = null;

  constructor(opts: WebLlmClientOptions = {}) {
    this.#createWorker = opts.createWorker ?? defaultCreateWorker;
    this.#stallTimeoutMs = opts.stallTimeoutMs ?? 60_000;
  }

  /** The model loaded in this client's worker, or null. */
  loadedModel(): string | null {
    return this.#loaded;
  }

  /** Tool role, native tools and constrained calls for a catalog model (tool-support.ts). */
  toolSupport(model: string): ToolSupport {
    return webLlmToolSupport(model);
  }

  /** Whether a worker is running now (for tests and diagnostics). */
  get hasWorker(): boolean {
    return this.#live !== null;
  }

  #start(): Live {
    if (this.#live) return this.#live;
    const worker = this.#createWorker();
    let kill!: (err: EngineError) => void;
    const died = new Promise<never>((_, reject) => {
      kill = reject;
    });
    // Nobody may be waiting when it dies; that is fine.
    died.catch(() => undefined);
    const live: Live = { worker, api: Comlink.wrap<LlmWorkerApi>(worker), died, kill };
    const onError = (ev: Event) => {
      const msg = (ev as ErrorEvent).message;
      this.#discard(live, new EngineError('EngineLostError', `The model worker failed${msg ? `: ${msg}` : ''}. It will be restarted.`));
    };
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', onError);
    this.#live = live;
    return live;
  }

  /** Ends a worker and fails whatever was waiting on it. */
  #discard(live: Live, err?: EngineError): void {
    if (this.#live === live) {
      this.#live = null;
      this.#loaded = null;
    }
    live.kill(err ?? new EngineError('EngineLostError', 'The model worker was stopped.'));
    try {
      live.api[Comlink.releaseProxy]();
    } catch {
      // Already released or never connected.
    }
    live.worker.terminate();
  }

  /** Runs one call on the worker; errors come back as EngineError, and a lost engine ends the worker. */
  async #call<T>(fn: (api: Comlink.Remote<LlmWorkerApi>) => Promise<T>, live: Live = this.#start()): Promise<T> {
    try {
      return await Promise.race([fn(live.api), live.died]);
    } catch (err) {
      const e = rebuildError(err);
      if (isEngineLost(e)) {
        this.#discard(live, e);
        throw e.name === 'EngineLostError' ? e : new EngineError('EngineLostError', e.message);
      }
      throw e;
    }
  }

  /**
   * Loads a model into this client's worker (replacing any other). Fails with LoadTimeoutError
   * if no progress arrives for stallTimeoutMs, and with AbortError when the signal fires; both
   * end the worker, since web-llm cannot always stop a load half-way.
   */
  async load(
    modelId: string,
    custom: CatalogModel[] | null,
    onProgress?: (p: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (signal?.aborted) throw new EngineError('AbortError', `Loading ${modelId} was cancelled.`);
    const live = this.#start();
    this.#loaded = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let fail!: (e: EngineError) => void;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => undefined);
    const seconds = Math.round(this.#stallTimeoutMs / 100) / 10;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const e = new EngineError(
          'LoadTimeoutError',
          `Loading ${modelId} stalled: no progress for ${seconds} s. The download or the GPU may be stuck; try again, or pick a smaller model.`,
        );
        this.#discard(live, e);
        fail(e);
      }, this.#stallTimeoutMs);
    };
    const onAbort = () => {
      const e = new EngineError('AbortError', `Loading ${modelId} was cancelled.`);
      this.#discard(live, e);
      fail(e);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const progress = Comlink.proxy((p: LoadProgress) => {
      arm();
      try {
        onProgress?.(p);
      } catch {
        // A broken progress listener must not break the load.
      }
    });
    arm();
    try {
      await Promise.race([this.#call((api) => api.load(modelId, custom, progress), live), failed]);
      if (this.#live === live) this.#loaded = modelId;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async unload(): Promise<void> {
    this.#loaded = null;
    if (!this.#live) return;
    await this.#call((api) => api.unload());
  }

  async complete(request: ChatRequest, opts: CompleteOptions = {}): Promise<ChatResult> {
    const { onDelta, signal } = opts;
    if (signal?.aborted) return { content: '', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
    const live = this.#start();
    const onAbort = () => {
      live.api.abort().catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const delta = onDelta ? Comlink.proxy((t: string) => onDelta(t)) : undefined;
      return await this.#call((api) => api.complete(request, delta), live);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the generation in progress, if any. */
  async abort(): Promise<void> {
    if (!this.#live) return;
    await this.#call((api) => api.abort());
  }

  async catalog(custom: CatalogModel[] | null): Promise<CatalogModel[]> {
    return this.#call((api) => api.catalog(custom));
  }

  async cacheStatus(ids: string[], custom: CatalogModel[] | null): Promise<Record<string, boolean>> {
    return this.#call((api) => api.cacheStatus(ids, custom));
  }

  async deleteModel(id: string, custom: CatalogModel[] | null): Promise<void> {
    await this.#call((api) => api.deleteModel(id, custom));
    if (this.#loaded === id) this.#loaded = null;
  }

  async deviceReport(): Promise<DeviceReport> {
    return this.#call((api) => api.deviceReport());
  }

  /** Ends the worker; a later call starts a fresh one. */
  dispose(): void {
    if (this.#live) this.#discard(this.#live, new EngineError('AbortError', 'The engine was disposed.'));
  }
}

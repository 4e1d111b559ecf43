/**
 * The page side of workers/llm.worker.ts: a ChatEngine over one worker (one MLCEngine, one
 * loaded model, one KV cache). Give each role its own client so each keeps its cache.
 *
 * The worker starts on first use only, so importing this module never loads web-llm.
 * When the engine is lost (device lost, worker error) or a load stalls or is cancelled, the
 * worker is ended and a fresh one starts on the next call; the error is rethrown by name.
 */
import * as Comlink from 'comlink';
import type { JsonObject } from '../../core/model/types.ts';
import { webLlmToolSupport } from '../tool-support.ts';
import { EngineError, type ChatEngine, type ChatRequest, type ChatResult, type CompleteOptions, type ToolSupport } from '../types.ts';
import { isEngineLost, lostAfterLoad } from './errors.ts';
import type { CatalogModel, DeviceReport, LlmWorkerApi, LoadedModelInfo, LoadOptions, LoadProgress } from './protocol.ts';
import type { DeleteModelOptions, ModelCacheStatus, ModelDeleteReport } from './protocol.ts';

export { DEFAULT_CUSTOM_CONTEXT_TOKENS, type LoadedModelInfo, type LoadOptions } from './protocol.ts';

export interface WebLlmClientOptions {
  /** Makes the worker; tests pass a fake. */
  createWorker?: () => Worker;
  /**
   * A load fails with LoadTimeoutError when the GPU shader phase goes this long without a
   * progress report (default 60 s). Downloads have no such limit (see load()).
   */
  stallTimeoutMs?: number;
}

/** Options of WebLlmClient.load: the worker's LoadOptions plus page-side settings. */
export interface WebLlmLoadOptions extends LoadOptions {
  /**
   * The thinking switch for this model (thinking-switch.ts): sent with every request that does
   * not set ChatRequest.enableThinking itself, and reported by runtimeInfo(). Absent: nothing is
   * sent, and the model's own default holds.
   */
  enableThinking?: boolean;
}

/**
 * Whether a load is past downloading, in the GPU part where silence means a stall. web-llm
 * (tvmjs) reports nothing while the config, model library and tokenizer download, then once per
 * finished ~32 MB shard (four at a time), so a slow link can be silent for minutes and still be
 * fine. Shader compilation reports at most once a second, but only after its first module is
 * done, and starts right after the last shard is loaded from the cache onto the GPU: the stall
 * clock runs from that last 'cache' report on, and through the 'shaders' phase.
 */
function inShaderPhase(p: LoadProgress): boolean {
  if (p.phase === 'shaders') return true;
  return p.phase === 'cache' && (p.fraction >= 1 || (p.step !== undefined && p.step === p.steps));
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
  /** What the worker says it loaded (chat config); null before a load or when unreadable. */
  #info: LoadedModelInfo | null = null;
  /** The load's options, for runtimeInfo() and the thinking default. */
  #loadOpts: WebLlmLoadOptions = {};

  constructor(opts: WebLlmClientOptions = {}) {
    this.#createWorker = opts.createWorker ?? defaultCreateWorker;
    this.#stallTimeoutMs = opts.stallTimeoutMs ?? 60_000;
  }

  /** The model loaded in this client's worker, or null. */
  loadedModel(): string | null {
    return this.#loaded;
  }

  /** What the worker loaded, read from the model's chat config after the load; null if unknown. */
  loadedModelInfo(): LoadedModelInfo | null {
    return this.#info && this.#info.modelId === this.#loaded ? { ...this.#info } : null;
  }

  /**
   * Tool role, native tools and constrained calls (tool-support.ts). The tool role comes from the
   * loaded model's chat template when the worker could read it; the id table answers otherwise.
   */
  toolSupport(model: string): ToolSupport {
    const info = this.loadedModelInfo();
    return webLlmToolSupport(model, info?.modelId === model ? info.toolRole : undefined);
  }

  /**
   * What shapes this engine's prompts, for the session record: the context window (and sliding
   * window) the model runs with, its conversation template, the tool role and where it came
   * from, and the thinking switch when one was set. Empty before a load.
   */
  runtimeInfo(): JsonObject {
    const model = this.#loaded;
    if (model === null) return {};
    const out: JsonObject = {};
    const info = this.loadedModelInfo();
    if (info) {
      if (info.contextWindowSize !== undefined) out.contextWindowSize = info.contextWindowSize;
      if (info.slidingWindowSize !== undefined) out.slidingWindowSize = info.slidingWindowSize;
      if (info.convTemplate !== undefined) out.convTemplate = info.convTemplate;
      out.toolRole = info.toolRole;
      out.toolRoleFrom = 'chat-config';
    } else {
      if (this.#loadOpts.contextWindowSize !== undefined) out.contextWindowSize = this.#loadOpts.contextWindowSize;
      out.toolRole = webLlmToolSupport(model).toolRole;
      out.toolRoleFrom = 'model-id';
    }
    if (this.#loadOpts.enableThinking !== undefined) out.enableThinking = this.#loadOpts.enableThinking;
    return out;
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
      this.#info = null;
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
   * Loads a model into this client's worker (replacing any other), with the context window of
   * `opts` (the worker gives custom records DEFAULT_CUSTOM_CONTEXT_TOKENS when none is given).
   * Fails with AbortError when the signal fires, in any phase; and with LoadTimeoutError when
   * the GPU shader phase reports nothing for stallTimeoutMs (inShaderPhase). Downloads have no
   * time limit: web-llm is silent for long stretches on a slow link, a dead connection fails
   * the fetch on its own, and the person can cancel. Both failures end the worker, since web-llm
   * cannot always stop a load half-way; neither deletes anything from the cache, so a retry
   * downloads only the shards that are still missing.
   */
  async load(
    modelId: string,
    custom: CatalogModel[] | null,
    onProgress?: (p: LoadProgress) => void,
    signal?: AbortSignal,
    opts: WebLlmLoadOptions = {},
  ): Promise<void> {
    if (signal?.aborted) throw new EngineError('AbortError', `Loading ${modelId} was cancelled.`);
    const live = this.#start();
    this.#loaded = null;
    this.#info = null;
    this.#loadOpts = { ...opts };
    const workerOpts: LoadOptions = opts.contextWindowSize !== undefined ? { contextWindowSize: opts.contextWindowSize } : {};
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
          `Loading ${modelId} stalled: no progress for ${seconds} s while compiling GPU shaders. The GPU may be stuck; try again (the download is kept), or pick a smaller model.`,
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
      if (inShaderPhase(p)) arm();
      else clearTimeout(timer);
      try {
        onProgress?.(p);
      } catch {
        // A broken progress listener must not break the load.
      }
    });
    try {
      const loaded = async (): Promise<LoadedModelInfo | null> => {
        await this.#call((api) => api.load(modelId, custom, progress, workerOpts), live);
        // Unreadable info is not a failed load: the id table in tool-support.ts answers then.
        return this.#call((api) => api.modelInfo(), live).catch(() => null);
      };
      const info = await Promise.race([loaded(), failed]);
      if (this.#live === live) {
        this.#loaded = modelId;
        this.#info = info;
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async unload(): Promise<void> {
    this.#loaded = null;
    this.#info = null;
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
    const loaded = this.#loaded;
    const thinking = this.#loadOpts.enableThinking;
    const req = request.enableThinking === undefined && thinking !== undefined ? { ...request, enableThinking: thinking } : request;
    try {
      const delta = onDelta ? Comlink.proxy((t: string) => onDelta(t)) : undefined;
      return await this.#call((api) => api.complete(req, delta), live);
    } catch (err) {
      // After a successful load, "not loaded" means web-llm unloaded the model itself, which it
      // does (and only logs) when the GPU device is lost. The worker already says so; this
      // covers any path where the plain error still arrives. Ending the worker makes the next
      // load start fresh (src/state/engines.svelte.ts recover()).
      if (err instanceof EngineError && err.name === 'ModelNotLoadedError' && loaded !== null && (!request.model || request.model === loaded)) {
        const lost = lostAfterLoad(loaded, err.message);
        this.#discard(live, lost);
        throw lost;
      }
      throw err;
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

  async cacheStatus(ids: string[], custom: CatalogModel[] | null): Promise<Record<string, ModelCacheStatus>> {
    return this.#call((api) => api.cacheStatus(ids, custom));
  }

  /** Deletes a model's cached files, keeping those other cached models use (the report says which). */
  async deleteModel(id: string, custom: CatalogModel[] | null, opts?: DeleteModelOptions): Promise<ModelDeleteReport> {
    const report = await this.#call((api) => api.deleteModel(id, custom, opts));
    if (this.#loaded !== null && report.deleted.includes(this.#loaded)) {
      this.#loaded = null;
      this.#info = null;
    }
    return report;
  }

  async deviceReport(): Promise<DeviceReport> {
    return this.#call((api) => api.deviceReport());
  }

  /** Ends the worker; a later call starts a fresh one. */
  dispose(): void {
    if (this.#live) this.#discard(this.#live, new EngineError('AbortError', 'The engine was disposed.'));
  }
}

/**
 * A ChatEngine over llama.cpp in the browser (@wllama/wllama v3): GGUF models on WebGPU when an
 * adapter exists, on the CPU (WebAssembly, multi-threaded when the page is cross-origin
 * isolated) otherwise.
 *
 * This wrapper runs on the page. wllama already runs llama.cpp in a worker of its own (and its
 * pthreads in further workers); the page only posts requests and receives chunks, so it stays
 * responsive without a second worker of ours around it. One engine holds one model and one
 * llama.cpp slot, so give each role its own engine to keep each role's prompt cache.
 *
 * The wasm comes from our own origin: Vite copies it from node_modules into the build (`?url`),
 * and the CDN "compat" build that wllama would otherwise use is switched off.
 */
import { Wllama, type ChatCompletionChunk, type ChatCompletionMessage, type RawCompletionChunk, type ResultTimings } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { JsonObject } from '../../core/model/types.ts';
import { applyToolRole, wllamaToolSupport } from '../tool-support.ts';
import { responseFormat } from './request.ts';
import {
  EngineError,
  type ChatEngine,
  type ChatRequest,
  type ChatResult,
  type ChatUsage,
  type CompleteOptions,
  type FinishReason,
  type ToolSupport,
} from '../types.ts';
import { GgufHeaderError, readGgufHeader, type GgufHeader } from './gguf.ts';
import { MAX_SINGLE_FILE_BYTES, mapCompleteError, mapLoadError, tooLargeError } from './errors.ts';
import { DEFAULT_TEMPLATE_STOP, chooseTemplate, renderDefaultTemplate, type TemplateSource } from './template.ts';

/** Where a GGUF comes from: a URL (fetched by the page) or a file the user picked (read locally). */
export type GgufSource = { url: string } | { file: Blob; name: string };

export interface WllamaLoadProgress {
  phase: 'download' | 'load';
  loaded: number;
  total: number;
}

export interface WllamaLoadOptions {
  onProgress?: (p: WllamaLoadProgress) => void;
  /** Offload to WebGPU when an adapter exists (default true); false forces the CPU. */
  useWebGPU?: boolean;
  /** A Jinja chat template that replaces the GGUF's own. */
  chatTemplate?: string;
  /** Context window in tokens (default 2048, never more than the model was trained for). */
  nCtx?: number;
  /** CPU threads (default: half the logical cores, 1 when the page is not cross-origin isolated). */
  nThreads?: number;
  signal?: AbortSignal;
}

/** What is loaded and how it runs; the Models page and the session record read this. */
export interface WllamaModelInfo {
  /** File name or URL of the model. */
  label: string;
  sizeBytes: number;
  architecture: string | null;
  name: string | null;
  template: TemplateSource;
  /** Where the weights actually went, from llama.cpp's load log (not just what was asked for). */
  backend: 'webgpu' | 'cpu';
  /** Whether a WebGPU adapter was found and offload was asked for. */
  webgpuRequested: boolean;
  multithread: boolean;
  threads: number;
  crossOriginIsolated: boolean;
  nCtx: number;
  nCtxTrain: number;
  loadMs: number;
  libllamaVersion: string;
}

/** Usage with the prompt-cache figure llama.cpp reports. */
export interface WllamaUsage extends ChatUsage {
  /** Prompt tokens taken from the cache of the previous turn, not prefilled again. */
  cachedPromptTokens?: number;
}

export interface WllamaEngineOptions {
  /** URL of wllama.wasm; defaults to the copy Vite puts in the build. */
  wasmUrl?: string;
  /** Print llama.cpp's native log to the console (default false: kept only to explain errors). */
  verbose?: boolean;
}

/** How much of a file we read to check its header (the chat template sits after the vocabulary). */
const HEADER_BYTES = 16 * 1024 ** 2;
const LOG_LINES = 200;

export class WllamaEngine implements ChatEngine {
  readonly kind = 'wllama';
  readonly #wasmUrl: string;
  readonly #verbose: boolean;
  #wllama: Wllama | null = null;
  #info: WllamaModelInfo | null = null;
  /** The Jinja template in use, or null for the plain built-in one. */
  #templateText: string | null = null;
  #logs: string[] = [];
  #busy: Promise<unknown> = Promise.resolve();

  constructor(opts: WllamaEngineOptions = {}) {
    this.#wasmUrl = opts.wasmUrl ?? new URL(wasmUrl, document.baseURI).href;
    this.#verbose = opts.verbose ?? false;
  }

  /** The loaded model and how it runs, or null. */
  info(): WllamaModelInfo | null {
    return this.#info;
  }

  /** The last native log lines (for diagnostics). */
  logs(): readonly string[] {
    return this.#logs;
  }

  #log(level: string, args: unknown[], print: (...a: unknown[]) => void): void {
    if (this.#verbose) print(...args);
    const line = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
    this.#logs.push(`${level}: ${line}`);
    if (this.#logs.length > LOG_LINES) this.#logs.splice(0, this.#logs.length - LOG_LINES);
  }

  /**
   * Loads a GGUF (replacing any model loaded before). The file is checked first, so a file that
   * is not GGUF, is truncated or is too large fails with a ModelLoadError that says so.
   */
  async load(source: GgufSource, opts: WllamaLoadOptions = {}): Promise<WllamaModelInfo> {
    await this.unload();
    const label = 'url' in source ? source.url.split('/').pop() || source.url : source.name;
    const t0 = performance.now();
    const blob = 'url' in source ? await fetchGguf(source.url, label, opts) : source.file;
    if (opts.signal?.aborted) throw new EngineError('AbortError', `Loading ${label} was cancelled.`);
    if (blob.size > MAX_SINGLE_FILE_BYTES) throw tooLargeError(label, blob.size);
    let header: GgufHeader;
    try {
      const head = new Uint8Array(await blob.slice(0, Math.min(blob.size, HEADER_BYTES)).arrayBuffer());
      header = readGgufHeader(head, blob.size);
    } catch (err) {
      if (err instanceof GgufHeaderError) throw new EngineError('ModelLoadError', `${label} ${err.message}.`);
      throw mapLoadError(err, label);
    }

    const useWebGPU = opts.useWebGPU !== false && (await hasWebGPUAdapter());
    this.#logs = [];
    const logger = {
      debug: (...a: unknown[]) => this.#log('debug', a, console.debug),
      log: (...a: unknown[]) => this.#log('log', a, console.log),
      warn: (...a: unknown[]) => this.#log('warn', a, console.warn),
      error: (...a: unknown[]) => this.#log('error', a, console.error),
    };
    const w = new Wllama({ default: this.#wasmUrl }, { logger, allowOffline: true });
    // The default "compat" mode fetches a worker and wasm from a CDN on browsers without JSPI.
    w.setCompat(null);
    const template = chooseTemplate(header.chatTemplate, opts.chatTemplate);
    const isolated = globalThis.crossOriginIsolated === true;
    try {
      opts.onProgress?.({ phase: 'load', loaded: 0, total: blob.size });
      await w.loadModel([blob], {
        n_ctx: opts.nCtx ?? 2048,
        n_gpu_layers: useWebGPU ? 99999 : 0,
        ...(opts.nThreads !== undefined ? { n_threads: opts.nThreads } : {}),
        // One slot: every turn of this role reuses the same KV cache.
        n_parallel: 1,
        ...(template.kind === 'override' ? { chat_template: template.template, jinja: true } : {}),
      });
      opts.onProgress?.({ phase: 'load', loaded: blob.size, total: blob.size });
    } catch (err) {
      await w.exit().catch(() => undefined);
      throw mapLoadError(err, label, this.#logs);
    }
    if (opts.signal?.aborted) {
      await w.exit().catch(() => undefined);
      throw new EngineError('AbortError', `Loading ${label} was cancelled.`);
    }
    const ctx = w.getLoadedContextInfo();
    this.#wllama = w;
    const chosen = chooseTemplate(w.getChatTemplate() ?? header.chatTemplate, opts.chatTemplate);
    this.#templateText = chosen.kind === 'override' ? chosen.template : chosen.kind === 'gguf' ? (w.getChatTemplate() ?? header.chatTemplate ?? '') : null;
    this.#info = {
      label,
      sizeBytes: blob.size,
      architecture: header.architecture ?? ctx.metadata['general.architecture'] ?? null,
      name: header.name ?? ctx.metadata['general.name'] ?? null,
      // The header read may have stopped before the template; llama.cpp's metadata has it all.
      template: chosen,
      backend: useWebGPU && offloadedToGpu(this.#logs) ? 'webgpu' : 'cpu',
      webgpuRequested: useWebGPU,
      multithread: w.isMultithread(),
      threads: w.getNumThreads(),
      crossOriginIsolated: isolated,
      nCtx: ctx.n_ctx,
      nCtxTrain: ctx.n_ctx_train,
      loadMs: Math.round(performance.now() - t0),
      libllamaVersion: Wllama.getLibllamaVersion(),
    };
    return this.#info;
  }

  /** Frees the model, its worker and its memory. */
  async unload(): Promise<void> {
    const w = this.#wllama;
    this.#wllama = null;
    this.#info = null;
    this.#templateText = null;
    if (w) await w.exit().catch(() => undefined);
  }

  /** Tool results go in the template's tool role where it has one; calls can be constrained. */
  toolSupport(): ToolSupport {
    return wllamaToolSupport(this.#templateText);
  }

  /** What shapes this engine's prompts and speed, for the session record. */
  runtimeInfo(): JsonObject {
    const i = this.#info;
    if (!i) return {};
    return {
      template: { ...i.template },
      nCtx: i.nCtx,
      backend: i.backend,
      threads: i.threads,
      multithread: i.multithread,
      libllamaVersion: i.libllamaVersion,
    };
  }

  /** One request at a time: llama.cpp's single slot would otherwise interleave two. */
  complete(request: ChatRequest, opts: CompleteOptions = {}): Promise<ChatResult> {
    const run = this.#busy.then(() => this.#complete(request, opts));
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #complete(request: ChatRequest, opts: CompleteOptions): Promise<ChatResult> {
    const w = this.#wllama;
    const info = this.#info;
    if (!w || !info) throw new EngineError('ModelNotLoadedError', 'No GGUF model is loaded in this engine; load one first.');
    const { onDelta, signal } = opts;
    const empty: ChatResult = { content: '', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
    if (signal?.aborted) return empty;

    const s = request.sampling;
    const common = {
      stream: true as const,
      max_tokens: s.max_tokens,
      temperature: s.temperature,
      top_p: s.top_p,
      // Only the knobs in SamplingParams shape the output: llama.cpp's extra samplers are off.
      top_k: 0,
      min_p: 0,
      seed: s.seed,
      frequency_penalty: s.frequency_penalty,
      presence_penalty: s.presence_penalty,
      repeat_penalty: s.repetition_penalty ?? 1,
      cache_prompt: request.resetChat !== true,
      ...(signal ? { abortSignal: signal } : {}),
      ...responseFormat(request),
    };

    let content = '';
    let finish: FinishReason = 'stop';
    let timings: ResultTimings | undefined;
    let promptTokensReported: number | undefined;
    let completionTokensReported: number | undefined;
    let firstTokenAt: number | undefined;
    const t0 = performance.now();
    const take = (text: string | null | undefined, reason: string | null | undefined, chunk: ChatCompletionChunk | RawCompletionChunk) => {
      if (text) {
        firstTokenAt ??= performance.now();
        content += text;
        onDelta?.(text);
      }
      if (reason) finish = reason === 'length' ? 'length' : reason === 'tool_calls' ? 'tool_calls' : 'stop';
      if (chunk.timings) timings = chunk.timings;
      if (chunk.usage) {
        promptTokensReported = chunk.usage.prompt_tokens;
        completionTokensReported = chunk.usage.completion_tokens;
      }
    };
    let deltas = 0;
    // Templates without a tool role get tool results as user messages (tool-support.ts).
    const messages = applyToolRole(request.messages, request.toolRole);
    try {
      if (info.template.kind === 'default') {
        await w.createCompletion({
          ...common,
          prompt: renderDefaultTemplate(messages),
          stop: DEFAULT_TEMPLATE_STOP,
          onData: (c: RawCompletionChunk) => {
            deltas++;
            const ch = c.choices[0];
            take(ch?.text, ch?.finish_reason, c);
          },
        });
      } else {
        await w.createChatCompletion({
          ...common,
          messages: messages as ChatCompletionMessage[],
          // Jinja templates of thinking models (Qwen3's) read enable_thinking; others ignore it.
          ...(request.enableThinking !== undefined ? { chat_template_kwargs: { enable_thinking: request.enableThinking } } : {}),
          onData: (c: ChatCompletionChunk) => {
            deltas++;
            const ch = c.choices[0];
            take(ch?.delta.content, ch?.finish_reason, c);
          },
        });
      }
    } catch (err) {
      if (!signal?.aborted) throw mapCompleteError(err);
      finish = 'abort';
    }
    if (signal?.aborted && finish !== 'abort' && deltas > 0) finish = 'abort';
    const end = performance.now();
    const usage: WllamaUsage = {
      promptTokens: timings?.prompt_n ?? promptTokensReported ?? 0,
      completionTokens: timings?.predicted_n ?? completionTokensReported ?? countTokensRough(content),
      e2eLatencyMs: Math.round(end - t0),
    };
    if (timings) {
      usage.cachedPromptTokens = timings.cache_n;
      if (timings.prompt_n > 0 && timings.prompt_ms > 0) usage.prefillTokensPerSecond = timings.prompt_per_second;
      if (timings.predicted_n > 0 && timings.predicted_ms > 0) usage.decodeTokensPerSecond = timings.predicted_per_second;
    }
    if (firstTokenAt !== undefined) usage.timeToFirstTokenMs = Math.round(firstTokenAt - t0);
    return { content, finishReason: finish, usage };
  }
}

/**
 * Whether llama.cpp put model weights on a GPU buffer. Its load log names each buffer
 * ("CPU model buffer size = …", "WebGPU model buffer size = …"); ggml-webgpu may decline an
 * adapter (SwiftShader here) and leave everything on the CPU without an error.
 */
export function offloadedToGpu(logs: readonly string[]): boolean {
  return logs.some((l) => {
    const m = /load_tensors:\s+(\S+) model buffer size/.exec(l);
    return m !== null && !/^CPU/i.test(m[1] ?? '');
  });
}

const countTokensRough = (s: string) => Math.ceil(s.length / 4);

/** Whether WebGPU offers an adapter here (navigator.gpu alone is not enough in Debian's Chromium). */
export async function hasWebGPUAdapter(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Fetches a GGUF from a URL into a Blob, reporting download progress. */
async function fetchGguf(url: string, label: string, opts: WllamaLoadOptions): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(url, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    if (opts.signal?.aborted) throw new EngineError('AbortError', `Loading ${label} was cancelled.`);
    throw new EngineError('NetworkError', `Could not download ${label}: ${err instanceof Error ? err.message : String(err)}.`);
  }
  if (!res.ok) throw new EngineError('NetworkError', `Could not download ${label}: the server answered ${res.status} ${res.statusText}.`);
  const total = Number(res.headers.get('Content-Length') ?? 0);
  if (total > MAX_SINGLE_FILE_BYTES) throw tooLargeError(label, total);
  if (!res.body || !opts.onProgress) return res.blob();
  const reader = res.body.getReader();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    if (loaded > MAX_SINGLE_FILE_BYTES) {
      await reader.cancel();
      throw tooLargeError(label, loaded);
    }
    opts.onProgress({ phase: 'download', loaded, total: total || loaded });
  }
  return new Blob(parts);
}

/**
 * The typed contract between the page and workers/llm.worker.ts, exposed with comlink.
 * Callbacks cross as comlink.proxy; errors cross as { name, message } and are rebuilt on the
 * page side as EngineError with the same name.
 */
import type { ChatRequest, ChatResult, ToolRoleMode } from '../types.ts';

/**
 * The context window (tokens) a custom model record gets when the load names none. Without it
 * web-llm takes the model's own mlc-chat-config.json (often 32k–128k; Qwen3 says 40960) and
 * allocates the whole KV cache at that size up front, which fails or crowds out the GPU.
 * Catalog records set their own (mostly 4096) in `overrides`, and keep it.
 */
export const DEFAULT_CUSTOM_CONTEXT_TOKENS = 4096;

/** Options of one load, applied through web-llm's `reload(modelId, chatOpts)`. */
export interface LoadOptions {
  /**
   * Context window in tokens (a positive integer). Absent: a catalog model keeps its record's
   * `overrides.context_window_size`; a custom one gets its record's contextWindowSize, else
   * DEFAULT_CUSTOM_CONTEXT_TOKENS.
   */
  contextWindowSize?: number;
}

/**
 * What the worker actually loaded, read from the chat config web-llm built in `reload()`
 * (mlc-chat-config.json, then the record's overrides, then our chatOpts).
 */
export interface LoadedModelInfo {
  modelId: string;
  /** Tokens the KV cache holds (absent when the model runs a sliding window instead). */
  contextWindowSize?: number;
  /** Sliding attention window in tokens, when the model uses one. */
  slidingWindowSize?: number;
  /** The conv_template's name (e.g. "qwen2", "llama-3_1", "chatml"), when the config names it. */
  convTemplate?: string;
  /**
   * 'native' when the template's `roles` has a `tool` entry (web-llm renders tool messages with
   * it), else 'user': web-llm 0.2.86 throws "Role is not supported: tool" for those.
   */
  toolRole: ToolRoleMode;
}

/** Load phases, read from web-llm's progress text; each restarts its fraction at 0. */
export type LoadPhase = 'fetching' | 'cache' | 'shaders' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** 0–1 within the phase. */
  fraction: number;
  /** Bytes fetched so far and in total, when the text says so. */
  loadedBytes?: number;
  totalBytes?: number;
  /** Shard or shader module counter, when the text says so ("[12/50]"). */
  step?: number;
  steps?: number;
  elapsedSeconds: number;
  text: string;
}

/** A chat model from web-llm's prebuilt catalog or a custom record. */
export interface CatalogModel {
  modelId: string;
  /** Weights location (absolute URL). */
  modelUrl: string;
  modelLibUrl: string;
  vramRequiredMB?: number;
  lowResourceRequired?: boolean;
  requiredFeatures: string[];
  /** Quantisation tag from the id, e.g. q4f16_1. */
  quantization?: string;
  /** Parameter count parsed from the id, e.g. 0.5 (billions). */
  paramsB?: number;
  /** Context window (tokens) set by the record's overrides; absent: the model's own config decides. */
  contextWindowSize?: number;
  custom: boolean;
}

/** What the browser says about WebGPU; gathered in the page or the worker. */
export interface DeviceReport {
  webgpu: boolean;
  /** When WebGPU is missing: why, in words, and what to do. */
  reason?: string;
  advice?: string;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  features: string[];
  shaderF16: boolean;
  maxStorageBufferBindingSize?: number;
  maxBufferSize?: number;
  /** A rough estimate of usable GPU memory in MB, and how it was made. */
  estimatedMemoryMB?: number;
  estimateBasis?: string;
}

export interface LlmWorkerApi {
  /** Loads a model (unloading any other first). Progress arrives through the callback. */
  load(modelId: string, custom: CatalogModel[] | null, onProgress?: (p: LoadProgress) => void, opts?: LoadOptions): Promise<void>;
  /**
   * What the last successful load actually loaded; null when nothing is loaded or its chat
   * config could not be read (then the page falls back to the id-based table in tool-support.ts).
   */
  modelInfo(): Promise<LoadedModelInfo | null>;
  unload(): Promise<void>;
  /** Streams text through onDelta in small batches; resolves with the whole result. */
  complete(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult>;
  /** Stops the generation in progress (finishReason 'abort'). */
  abort(): Promise<void>;
  /** The prebuilt chat models plus custom ones. */
  catalog(custom: CatalogModel[] | null): Promise<CatalogModel[]>;
  cacheStatus(modelIds: string[], custom: CatalogModel[] | null): Promise<Record<string, boolean>>;
  deleteModel(modelId: string, custom: CatalogModel[] | null): Promise<void>;
  deviceReport(): Promise<DeviceReport>;
  /** The model currently loaded, or null. */
  loaded(): Promise<string | null>;
}

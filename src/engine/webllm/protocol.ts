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

/**
 * Which of a model's files are in web-llm's cache. web-llm keys every file by its URL, so
 * models whose records name the same URL share the file: the `-1k` and 4k variants of a model
 * share their weights (same `model` URL; the tokenizer and mlc-chat-config.json lie beside the
 * weights, so they share those too), and 39 of the catalog's 99 model libraries serve several
 * models (same `model_lib` URL).
 */
export interface ModelCacheStatus {
  /** Ready to load offline: weights, library and config are all in the cache. */
  cached: boolean;
  /** Every weight shard (web-llm's hasModelInCache). */
  weights: boolean;
  /**
   * The model library (.wasm). Also true for a library web-llm never caches (a localhost or
   * relative URL: it fetches those from their own host on every load).
   */
  library: boolean;
  /** mlc-chat-config.json (or, for a record with a package manifest, the manifest). */
  config: boolean;
  /**
   * Other models of the app config with the same weights, when these are cached: the same
   * download under another name, so it is cached exactly when this one is.
   */
  weightsSharedWith: string[];
  /** Other models with the same model library whose weights are cached: they still use it. */
  librarySharedWith: string[];
}

/** Options of deleteModel. */
export interface DeleteModelOptions {
  /**
   * Delete these models in the same step: a file that only they and the model use is removed.
   * This is how the weights of a `-1k`/4k pair are freed: deleting either alone keeps them for
   * the other.
   */
  alsoDelete?: string[];
}

/** One shared file group that deleteModel removed or kept. */
export interface DeletedFiles {
  /**
   * 'weights': the weight shards, the tokenizer and mlc-chat-config.json, which all lie under
   * the model URL; 'library': the model library (.wasm).
   */
  kind: 'weights' | 'library';
  /** The model URL or the library URL. */
  url: string;
  /** The deleted models that used it. */
  usedBy: string[];
  /** Removed from the cache, or kept because `keptFor` still use it. */
  removed: boolean;
  /** Cached models outside the deletion that use it (empty when removed). */
  keptFor: string[];
}

/** What deleteModel did. */
export interface ModelDeleteReport {
  /** The models deleted: the model first, then `alsoDelete`. */
  deleted: string[];
  files: DeletedFiles[];
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
  /** What of each model is cached, and which other models share its files. Unknown ids: nothing. */
  cacheStatus(modelIds: string[], custom: CatalogModel[] | null): Promise<Record<string, ModelCacheStatus>>;
  /**
   * Deletes a model's files from the cache, keeping each file another cached model uses (see
   * ModelCacheStatus): unloads it first when it is loaded.
   */
  deleteModel(modelId: string, custom: CatalogModel[] | null, opts?: DeleteModelOptions): Promise<ModelDeleteReport>;
  deviceReport(): Promise<DeviceReport>;
  /** The model currently loaded, or null. */
  loaded(): Promise<string | null>;
}

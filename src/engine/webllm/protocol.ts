/**
 * The typed contract between the page and workers/llm.worker.ts, exposed with comlink.
 * Callbacks cross as comlink.proxy; errors cross as { name, message } and are rebuilt on the
 * page side as EngineError with the same name.
 */
import type { ChatRequest, ChatResult } from '../types.ts';

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
  load(modelId: string, custom: CatalogModel[] | null, onProgress?: (p: LoadProgress) => void): Promise<void>;
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

/**
 * One interface for every model, whatever runs it: web-llm (MLC models on WebGPU, in a
 * worker), wllama (llama.cpp, GGUF, WebGPU or CPU), or a scripted engine in tests.
 * Nothing above the engine layer may care which engine fills a role.
 */

import type { TurnUsage } from '../core/model/types.ts';

/** OpenAI-style chat message. Assistant history content is always a string. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string }
  | { role: 'tool'; content: string; tool_call_id: string };

/**
 * Sampling, always explicit: engines take their defaults from each model's config, so a
 * session that stores these values can be rerun exactly.
 */
export interface SamplingParams {
  temperature: number;
  top_p: number;
  max_tokens: number;
  /** Integer seed, derived from the session seed per request. */
  seed: number;
  frequency_penalty: number;
  presence_penalty: number;
  repetition_penalty?: number;
}

/** Constrained output, where the engine supports it. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object'; schema?: string }
  | { type: 'grammar'; grammar: string };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  sampling: SamplingParams;
  responseFormat?: ResponseFormat;
  /** Clear the engine's conversation state (KV cache) first, for token-exact replays. */
  resetChat?: boolean;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'tool_calls' | 'error';

/** Tokens and timings of one request, as the engine reports them: the engine's part of a turn's usage. */
export type ChatUsage = Pick<
  TurnUsage,
  'promptTokens' | 'completionTokens' | 'prefillTokensPerSecond' | 'decodeTokensPerSecond' | 'timeToFirstTokenMs' | 'e2eLatencyMs'
>;

export interface ChatResult {
  content: string;
  finishReason: FinishReason;
  usage: ChatUsage;
}

export interface CompleteOptions {
  /** Receives text as it streams, a few tokens at a time. */
  onDelta?: (text: string) => void;
  /** Aborting ends generation with finishReason 'abort' and the text so far. */
  signal?: AbortSignal;
}

export interface ChatEngine {
  /** e.g. "web-llm", "wllama", "scripted". */
  readonly kind: string;
  complete(request: ChatRequest, opts?: CompleteOptions): Promise<ChatResult>;
}

/**
 * Error names that cross worker boundaries (matched by name, never instanceof).
 * EngineLostError: the GPU device was lost or the worker died; the engine must be recreated.
 */
export const ENGINE_ERROR_NAMES = [
  'EngineLostError',
  'ModelNotLoadedError',
  'ModelLoadError',
  'NetworkError',
  'QuotaExceededError',
  'WebGPUUnavailableError',
  'ShaderF16MissingError',
  'LoadTimeoutError',
  'AbortError',
] as const;
export type EngineErrorName = (typeof ENGINE_ERROR_NAMES)[number];

/** An error that keeps its name across structured cloning and comlink. */
export class EngineError extends Error {
  constructor(
    name: EngineErrorName | string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

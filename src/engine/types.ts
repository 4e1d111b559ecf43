/**
 * One interface for every model, whatever runs it: web-llm (MLC models on WebGPU, in a
 * worker), wllama (llama.cpp, GGUF, WebGPU or CPU), or a scripted engine in tests.
 * Nothing above the engine layer may care which engine fills a role.
 */

import type { JsonObject, TurnUsage } from '../core/model/types.ts';

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

/**
 * Free text in which every tool-call block is constrained: once the model writes `trigger`,
 * what follows must be a well-formed call to a declared tool. Each engine uses the form it
 * supports: web-llm a structural tag (`structuralTag`, xgrammar's `triggered_tags`), llama.cpp a
 * lazy GBNF grammar (`grammar`, whose root starts with `trigger`) that wakes up on the trigger.
 * A plain grammar over the whole reply would have to describe free text too, which either lets
 * everything through or cramps what the agent may say; the triggered forms leave prose alone.
 * Built by src/core/agents/tool-grammar.ts.
 */
export interface ToolCallTagsFormat {
  type: 'tool_call_tags';
  /** The text that opens a call, e.g. `<tool_call>`. */
  trigger: string;
  /** GBNF (llama.cpp) for one or more call blocks, starting with the trigger. */
  grammar: string;
  /** xgrammar structural tag as JSON: `{ "type": "structural_tag", "format": { "type": "triggered_tags", … } }`. */
  structuralTag: string;
}

/** Constrained output, where the engine supports it. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object'; schema?: string }
  | { type: 'grammar'; grammar: string }
  | ToolCallTagsFormat;

/**
 * How tool-role messages reach the model.
 * - 'native': as the chat template's own tool role (Llama 3.1/3.2 "ipython", Hermes "tool",
 *   the plain template's "Tool:" line);
 * - 'user': as user messages that start with TOOL_RESULT_AS_USER_PREFIX, for templates with no
 *   tool role. web-llm refuses `role: 'tool'` for those ("Role is not supported: tool"), and a
 *   Jinja template without one may drop the message or raise. Which models get which mode is
 *   decided in src/engine/tool-support.ts and stored with the session's agent seat.
 */
export type ToolRoleMode = 'native' | 'user';

/** A tool as sent for native function calling (OpenAI's `function` object). */
export interface ChatTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments (type: object). */
  parameters: JsonObject;
}

/** A call the engine itself read from the output (native function calling only). */
export interface ChatToolCall {
  /** The engine's id for the call, where it gives one. */
  id?: string;
  name: string;
  /** The arguments as the model wrote them: a JSON string, not yet checked. */
  arguments: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  sampling: SamplingParams;
  responseFormat?: ResponseFormat;
  /** Clear the engine's conversation state (KV cache) first, for token-exact replays. */
  resetChat?: boolean;
  /** How tool-role messages are rendered (default 'native'); engines map them before templating. */
  toolRole?: ToolRoleMode;
  /**
   * Native function calling: only engines and models that support it (web-llm's Hermes models,
   * see tool-support.ts). The engine reports the calls it read in ChatResult.toolCalls.
   */
  tools?: ChatTool[];
  /**
   * Thinking models (Qwen3 and the families that take the switch): false asks the model not to
   * think (web-llm `extra_body.enable_thinking`, llama.cpp's `enable_thinking` template flag);
   * true lets it; absent sends nothing, so the model's own default holds. Set per model on the
   * Models page and stored with the seat (src/engine/thinking-switch.ts decides the default).
   */
  enableThinking?: boolean;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'tool_calls' | 'error';

/** Tokens and timings of one request, as the engine reports them: the engine's part of a turn's usage. */
export type ChatUsage = Pick<
  TurnUsage,
  'promptTokens' | 'completionTokens' | 'cachedPromptTokens' | 'prefillTokensPerSecond' | 'decodeTokensPerSecond' | 'timeToFirstTokenMs' | 'e2eLatencyMs'
>;

export interface ChatResult {
  content: string;
  finishReason: FinishReason;
  usage: ChatUsage;
  /** Calls the engine read itself, when the request carried native `tools`. */
  toolCalls?: ChatToolCall[];
}

/** What an engine can do with tool traffic for one loaded model. */
export interface ToolSupport {
  toolRole: ToolRoleMode;
  /** The engine accepts `tools` and returns `toolCalls` for this model. */
  nativeTools: boolean;
  /** The engine can constrain call blocks (ToolCallTagsFormat). */
  constrainedCalls: boolean;
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
  /** How this engine handles tool traffic for `model`; absent: native tool role, nothing else. */
  toolSupport?(model: string): ToolSupport;
  /** Engine settings worth storing with a session (chat template, context size, backend…). */
  runtimeInfo?(): JsonObject;
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
  'ContextExhaustedError',
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

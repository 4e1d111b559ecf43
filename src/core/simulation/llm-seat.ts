import type { JsonObject, TurnUsage } from '../model/types.ts';

/**
 * A chat message as the core's LLM participants write them (OpenAI-style roles). Tool results
 * go back as `tool` messages; the engine renders them with the chat template's tool role, or as
 * user messages where the template has none (src/engine/tool-support.ts).
 */
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Tool messages only: the call (or calls, comma-separated) this answers. */
  tool_call_id?: string;
}

/** A tool as offered for native function calling. */
export interface LlmTool {
  name: string;
  description: string;
  parameters: JsonObject;
}

/** A call the engine itself read from the model's output (native function calling). */
export interface LlmToolCall {
  id?: string;
  name: string;
  /** JSON text as the model wrote it. */
  arguments: string;
}

export interface LlmReply {
  content: string;
  finishReason: string;
  usage: TurnUsage;
  /** Calls read by the engine, when the request offered native tools. */
  toolCalls?: LlmToolCall[];
  /** The reasoning a thinking model wrote, once `withoutThinking` took it out of `content`. */
  reasoning?: string;
}

/**
 * Constrained output where the engine supports it: a JSON object (optionally with a JSON
 * Schema given as a string), a grammar over the whole reply (GBNF that xgrammar parses too;
 * the core's JSON replies use one built by json-grammar.ts, whose whitespace is bounded), or
 * free text whose tool-call blocks are constrained (built by src/core/agents/tool-grammar.ts).
 */
export type LlmResponseFormat =
  | { type: 'json_object'; schema?: string }
  | { type: 'grammar'; grammar: string }
  | { type: 'tool_call_tags'; trigger: string; grammar: string; structuralTag: string };

/** Per-request options: abort, streaming, constrained output and native tools where supported. */
export interface LlmReplyOptions {
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  responseFormat?: LlmResponseFormat;
  /** Native function calling; only when the seat's `toolCalling.native` says the model has it. */
  tools?: LlmTool[];
}

/**
 * How the agent's model calls tools, decided per model by the engine layer and stored with the
 * session's agent seat.
 */
export interface SeatToolCalling {
  /** The engine reads calls itself (web-llm's Hermes models): send `tools`, read `toolCalls`. */
  native: boolean;
  /** Constrain prompted `<tool_call>` blocks with the engine's grammar (opt-in setting). */
  constrain: boolean;
}

/**
 * One role's model, as the core sees it: send the new messages, get the reply. The engine
 * layer's EngineSeat fills it (prefix-extending history, seeds, sampling); tests use a
 * scripted engine behind the same shape. The core never imports an engine.
 */
export interface LlmSeat {
  /** Model id, recorded as the turn's author detail. */
  readonly model: string;
  reply(newMessages: LlmMessage[], opts?: LlmReplyOptions): Promise<LlmReply>;
}

/**
 * Builds the seat for a role once its system prompt is known. `toolCalling`, when present,
 * says how the agent should call tools on this model (absent: prompted and unconstrained); it
 * sits on the factory because the agent's system prompt depends on it. `contextTokens`, when
 * known, is the model's context window: the judge fits its request to it.
 */
export type SeatFactory = ((systemPrompt: string) => LlmSeat) & {
  readonly toolCalling?: SeatToolCalling;
  readonly contextTokens?: number;
};

import type { TurnUsage } from '../model/types.ts';

/** A chat message as the core's LLM participants write them (OpenAI-style roles). */
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmReply {
  content: string;
  finishReason: string;
  usage: TurnUsage;
}

/** Per-request options: abort, streaming, and constrained output where the engine supports it. */
export interface LlmReplyOptions {
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  /** Ask for a JSON object, optionally constrained by a JSON Schema given as a string. */
  responseFormat?: { type: 'json_object'; schema?: string };
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

/** Builds the seat for a role once its system prompt is known. */
export type SeatFactory = (systemPrompt: string) => LlmSeat;

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

/**
 * One role's model, as the core sees it: send the new messages, get the reply. The engine
 * layer's EngineSeat fills it (prefix-extending history, seeds, sampling); tests use a
 * scripted engine behind the same shape. The core never imports an engine.
 */
export interface LlmSeat {
  /** Model id, recorded as the turn's author detail. */
  readonly model: string;
  reply(newMessages: LlmMessage[], opts?: { signal?: AbortSignal; onDelta?: (text: string) => void }): Promise<LlmReply>;
}

/** Builds the seat for a role once its system prompt is known. */
export type SeatFactory = (systemPrompt: string) => LlmSeat;

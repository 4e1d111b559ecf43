/**
 * One role's request stream, kept prefix-extending so web-llm reuses its KV cache: each request
 * is the previous request's messages, plus the reply exactly as the model produced it, plus the
 * new message. web-llm reuses the cache only when a request's messages minus the last equal the
 * previous request's messages plus the previous reply (webllm-notes.md, "KV cache reuse").
 */
import type { ChatMessage } from './types.ts';

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  if (a.role !== b.role || a.content !== b.content) return false;
  if (a.role === 'tool' || b.role === 'tool') {
    return a.role === 'tool' && b.role === 'tool' && a.tool_call_id === b.tool_call_id;
  }
  return true;
}

/**
 * Whether `next` lets web-llm reuse the cache left by `prev` and its reply: `next` minus its last
 * message must be exactly `prev` plus the assistant message `prevReply`. A first request
 * (`prev` null) extends nothing and counts as valid; a `prev` without a recorded reply cannot
 * be extended.
 */
export function isPrefixExtension(prev: ChatMessage[] | null, prevReply: string | null, next: ChatMessage[]): boolean {
  if (prev === null) return next.length > 0;
  if (prevReply === null) return false;
  const expected: ChatMessage[] = [...prev, { role: 'assistant', content: prevReply }];
  if (next.length !== expected.length + 1) return false;
  return expected.every((m, i) => sameMessage(m, next[i]!));
}

export class RoleChat {
  #history: ChatMessage[];
  /** The last request, until its reply is recorded. */
  #awaitingReply = false;
  /** Where the request awaiting its reply began, for abandon(). */
  #pendingFrom = 0;

  constructor(system: string) {
    this.#history = [{ role: 'system', content: system }];
  }

  /**
   * The next request: the history so far plus the new messages. Send one new message per
   * request to keep the cache; more still work but are prefilled together.
   */
  next(newMessages: ChatMessage[]): ChatMessage[] {
    if (this.#awaitingReply) {
      throw new Error('RoleChat.next() called before the reply to the previous request was recorded.');
    }
    if (newMessages.length === 0) throw new Error('RoleChat.next() needs at least one new message.');
    this.#pendingFrom = this.#history.length;
    this.#history = [...this.#history, ...newMessages.map((m) => ({ ...m }))];
    this.#awaitingReply = true;
    return this.messages;
  }

  /** Takes back the last request when it got no reply (the engine failed), so it can be retried. */
  abandon(): void {
    if (!this.#awaitingReply) throw new Error('RoleChat.abandon() called with no request waiting for a reply.');
    this.#history = this.#history.slice(0, this.#pendingFrom);
    this.#awaitingReply = false;
  }

  /** Appends the reply exactly as the model produced it (no trimming: that would break reuse). */
  record(reply: string): void {
    if (!this.#awaitingReply) throw new Error('RoleChat.record() called with no request waiting for a reply.');
    this.#history = [...this.#history, { role: 'assistant', content: reply }];
    this.#awaitingReply = false;
  }

  /** A copy of the whole history, system message first. */
  get messages(): ChatMessage[] {
    return this.#history.map((m) => ({ ...m }));
  }
}

/**
 * A ChatEngine for tests: replies from a list or a function of the request, streams them in
 * small deltas, honours abort, and keeps every request it received.
 */
import {
  EngineError,
  type ChatEngine,
  type ChatRequest,
  type ChatResult,
  type ChatToolCall,
  type ChatUsage,
  type CompleteOptions,
  type FinishReason,
  type ToolSupport,
} from './types.ts';

/**
 * One scripted reply: text, or text with a finish reason / usage / calls the engine read
 * itself (native function calling), or an error to throw.
 */
export type ScriptedReply =
  | string
  | { content: string; finishReason?: FinishReason; usage?: Partial<ChatUsage>; toolCalls?: ChatToolCall[] }
  | { error: { name: string; message: string } };

export type Script = readonly ScriptedReply[] | ((request: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>);

export interface ScriptedEngineOptions {
  /** Characters per delta (default 4, roughly a token). */
  chunkChars?: number;
  /** Wait between deltas, in ms (default 0: no timer at all). */
  delayMs?: number;
  /** What toolSupport() reports; absent: the engine has no toolSupport method. */
  toolSupport?: ToolSupport;
}

/** A rough token count (4 characters a token) so usage figures are plausible. */
const tokens = (s: string): number => Math.ceil(s.length / 4);

export class ScriptedEngine implements ChatEngine {
  readonly kind = 'scripted';
  /** Every request received, in order (copies, so later changes by the caller do not show). */
  readonly requests: ChatRequest[] = [];
  readonly #script: Script;
  readonly #chunkChars: number;
  readonly #delayMs: number;

  constructor(script: Script, opts: ScriptedEngineOptions = {}) {
    this.#script = script;
    this.#chunkChars = Math.max(1, opts.chunkChars ?? 4);
    this.#delayMs = opts.delayMs ?? 0;
    const support = opts.toolSupport;
    if (support) this.toolSupport = () => ({ ...support });
  }

  /** Set from the options, as an engine that knows its model's tool support would report it. */
  toolSupport?: (model: string) => ToolSupport;

  async complete(request: ChatRequest, opts: CompleteOptions = {}): Promise<ChatResult> {
    const index = this.requests.length;
    this.requests.push(structuredClone(request));
    const reply = await this.#reply(request, index);
    if (typeof reply === 'object' && 'error' in reply) throw new EngineError(reply.error.name, reply.error.message);
    const text = typeof reply === 'string' ? reply : reply.content;
    const promptTokens = tokens(request.messages.map((m) => m.content).join('\n'));
    let content = '';
    let aborted = false;
    for (let i = 0; i < text.length; i += this.#chunkChars) {
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
      const piece = text.slice(i, i + this.#chunkChars);
      content += piece;
      opts.onDelta?.(piece);
      if (this.#delayMs > 0) await new Promise((r) => setTimeout(r, this.#delayMs));
    }
    if (opts.signal?.aborted && content.length < text.length) aborted = true;
    const base: ChatUsage = { promptTokens, completionTokens: tokens(content) };
    if (aborted) return { content, finishReason: 'abort', usage: base };
    if (typeof reply === 'string') return { content, finishReason: 'stop', usage: base };
    return {
      content,
      finishReason: reply.finishReason ?? (reply.toolCalls ? 'tool_calls' : 'stop'),
      usage: { ...base, ...reply.usage },
      ...(reply.toolCalls ? { toolCalls: reply.toolCalls.map((c) => ({ ...c })) } : {}),
    };
  }

  async #reply(request: ChatRequest, index: number): Promise<ScriptedReply> {
    if (typeof this.#script === 'function') return this.#script(request, index);
    const list = this.#script as readonly ScriptedReply[];
    const r = list[index];
    if (r === undefined) {
      throw new EngineError('ScriptExhaustedError', `The scripted engine has ${list.length} replies; request ${index + 1} has none.`);
    }
    return r;
  }
}

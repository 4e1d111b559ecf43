/**
 * Thinking models write their reasoning into the reply (issue 13). Qwen3 thinks unless told not
 * to and web-llm 0.2.86 puts the reasoning straight into the content (with thinking off it still
 * emits an empty `<think>\n\n</think>`); Qwen3.5 opens `<think>` in the prompt, so its replies
 * start with reasoning and a lone `</think>`; a reply cut at its token budget may end inside an
 * unclosed `<think>`. None of it is for the other seat: reasoning sent to the agent leaks the
 * simulator's hidden goal, an agent's reasoning shown to the customer is noise, and a tool call
 * the model only drafted while thinking must never run.
 *
 * So every LLM participant reads its model through `withoutThinking`: the visible reply is what
 * is left once the reasoning is taken out, and the reasoning is kept apart (stored on the turn,
 * hidden by default). The engine seat still records the raw reply in the role's history, which
 * is what keeps the next request prefix-extending for the KV cache.
 */
import type { LlmReply, LlmReplyOptions, LlmSeat } from './llm-seat.ts';

/** A reply split into what the other seat may see and the model's reasoning. */
export interface SplitReply {
  visible: string;
  /** The reasoning taken out, blocks joined by a blank line; absent when there was none. */
  reasoning?: string;
}

const OPEN = /<(think|thinking|reasoning)>/i;
const BLOCK = /<(think|thinking|reasoning)>([\s\S]*?)<\/\1>/gi;
const CLOSE = /<\/(think|thinking|reasoning)>/i;

/**
 * Takes the reasoning out of a reply: every closed `<think>…</think>` block (also `<thinking>`,
 * `<reasoning>`), then an orphan `…</think>` (everything before it is reasoning: the opening
 * tag was in the prompt), then an unclosed `<think>…` (everything after it: the reply was cut
 * while thinking).
 */
export function splitThinking(raw: string): SplitReply {
  const parts: string[] = [];
  let text = raw.replace(BLOCK, (_, _tag: string, inner: string) => {
    parts.push(inner);
    return ' ';
  });
  const close = CLOSE.exec(text);
  if (close) {
    parts.unshift(text.slice(0, close.index));
    text = text.slice(close.index + close[0].length);
    // Anything still closed after that is a stray tag, not content.
    text = text.replace(new RegExp(CLOSE.source, 'gi'), ' ');
  }
  const open = OPEN.exec(text);
  if (open) {
    parts.push(text.slice(open.index + open[0].length));
    text = text.slice(0, open.index);
  }
  const reasoning = parts.map((p) => p.trim()).filter(Boolean).join('\n\n');
  const visible = text.replace(/[ \t]{2,}/g, ' ').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return reasoning ? { visible, reasoning } : { visible };
}

/**
 * A streaming filter for the same: passes on the text outside `<think>` blocks as it comes,
 * holding back a possible tag split across two deltas. (An orphan `</think>` cannot be known
 * until it arrives: what streamed before it was shown; the stored turn is split properly.)
 */
export function thinkingFilter(onVisible: (text: string) => void): (delta: string) => void {
  let inside = false;
  let held = '';
  return (delta: string) => {
    let text = held + delta;
    held = '';
    let out = '';
    for (;;) {
      const tag = inside ? CLOSE.exec(text) : OPEN.exec(text);
      if (!tag) break;
      if (!inside) out += text.slice(0, tag.index);
      text = text.slice(tag.index + tag[0].length);
      inside = !inside;
    }
    // A "<" near the end may start a tag the next delta finishes.
    const lt = text.lastIndexOf('<');
    if (lt >= 0 && text.length - lt < 13 && !text.slice(lt).includes('>')) {
      held = text.slice(lt);
      text = text.slice(0, lt);
    }
    if (!inside) out += text;
    if (out) onVisible(out);
  };
}

/** An LLM reply with its reasoning taken out (see `splitThinking`). */
export type VisibleReply = LlmReply;

/** The seat as a participant should read it: replies without reasoning, streamed without it too. */
export function withoutThinking(seat: LlmSeat): LlmSeat {
  return {
    get model() {
      return seat.model;
    },
    async reply(newMessages, opts: LlmReplyOptions = {}): Promise<LlmReply> {
      const { onDelta, ...rest } = opts;
      const reply = await seat.reply(newMessages, { ...rest, ...(onDelta ? { onDelta: thinkingFilter(onDelta) } : {}) });
      const split = splitThinking(reply.content);
      return { ...reply, content: split.visible, ...(split.reasoning ? { reasoning: split.reasoning } : {}) };
    },
  };
}

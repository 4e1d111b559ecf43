/**
 * Will a seat's conversation fit its model's context window? Small local models have small
 * windows (web-llm's catalog mostly 4,096 tokens, the `-1k` variants 1,024), and the prompts
 * are not small: τ²-bench retail's agent prompt alone is about 4,300 tokens. Two checks:
 *
 * - **Before a run**, each LLM seat's first turn is rendered without a model (`probeFirstTurn`
 *   drives the real participant against a seat that records its requests) and its size is
 *   estimated; a run whose first turn cannot fit is refused before it starts, with the numbers
 *   and the setting to change (`firstTurnProblem`).
 * - **During a run**, the engine seat estimates each request before sending it; one that would
 *   leave no room for the reply ends the session as `context_exhausted`, an infrastructure
 *   ending counted apart from agent failures (`ContextExhaustedError`).
 *
 * Estimates, not counts: most engines cannot tokenize without the model loaded, so characters
 * are turned into tokens at a conservative ratio until the first reply reports the real count
 * (`calibratedCharsPerToken`). Pure: no engine imports.
 */
import type { Persona, Scenario } from '../model/types.ts';
import type { LlmMessage, LlmReply, LlmReplyOptions, SeatFactory } from './llm-seat.ts';
import type { AgentSeatContext, Participant, UserSeatContext } from './participant.ts';

/** Bumped whenever the estimate or the rule changes, for provenance. */
export const CONTEXT_FIT_VERSION = '1';

/**
 * Characters per token assumed before a model has reported a count. English prose runs about 4
 * characters a token with the tokenizers of Llama 3, Qwen 2.5/3, Gemma and Phi; JSON schemas and
 * ids nearer 2.5–3. Three errs towards refusing a run that would just fit rather than starting
 * one that cannot.
 */
export const DEFAULT_CHARS_PER_TOKEN = 3;

/** Tokens a chat template adds around each message (role header, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 6;

/** Estimated prompt tokens of a request: every message's text at `charsPerToken`, plus its template overhead. */
export function estimateRequestTokens(messages: readonly Pick<LlmMessage, 'content'>[], charsPerToken = DEFAULT_CHARS_PER_TOKEN): number {
  const ratio = charsPerToken > 0 && Number.isFinite(charsPerToken) ? charsPerToken : DEFAULT_CHARS_PER_TOKEN;
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / ratio) + MESSAGE_OVERHEAD_TOKENS * messages.length;
}

/**
 * The characters a token of this model's really holds, from a request the engine prefilled whole
 * (its reported prompt tokens): the estimate is kept only when the report is plausible (one
 * token per 0.5 to 8 characters); otherwise, undefined.
 */
export function calibratedCharsPerToken(messages: readonly Pick<LlmMessage, 'content'>[], promptTokens: number): number | undefined {
  const overhead = MESSAGE_OVERHEAD_TOKENS * messages.length;
  const textTokens = promptTokens - overhead;
  if (!Number.isFinite(promptTokens) || textTokens <= 0) return undefined;
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  const ratio = chars / textTokens;
  return ratio >= 0.5 && ratio <= 8 ? ratio : undefined;
}

/** The name every layer matches on: a seat's window is full, the session cannot go on. */
export const CONTEXT_EXHAUSTED = 'ContextExhaustedError';

/** Engine errors that mean the prompt did not fit the window (web-llm's, llama.cpp's, ours). */
export const CONTEXT_ERRORS: readonly string[] = [CONTEXT_EXHAUSTED, 'ContextWindowSizeExceededError', 'ContextOverflowError'];

/**
 * A seat's next request would not leave room for its reply. Thrown by the engine seat before
 * the request is sent; the orchestrator ends the session as `context_exhausted`.
 */
export class ContextExhaustedError extends Error {
  constructor(
    message: string,
    readonly promptTokens: number,
    readonly replyTokens: number,
    readonly contextTokens: number,
  ) {
    super(message);
    this.name = CONTEXT_EXHAUSTED;
  }
}

/** A number with thousands separators, as the messages show them. */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The message of a request that does not fit: the numbers, and what to change. */
export function exhaustedMessage(who: string, prompt: number, reply: number, context: number): string {
  return (
    `The ${who}'s context window is full: its next request is about ${thousands(prompt)} tokens and its reply may take ${thousands(reply)}, ` +
    `more than the ${thousands(context)} tokens the model is set to. A larger context size (Models page) lets conversations go on longer.`
  );
}

/* ---------------------------------------------------------- the first turn */

/** A short reply that lets a participant finish its first turn without a model. */
const PROBE_REPLY = 'Hello.';

/** What a participant asked its model for during one turn, recorded without a model. */
export interface ProbedTurn {
  /** Every request of the turn, whole (system prompt first), in order. */
  requests: LlmMessage[][];
  /** The system prompt the seat was built with. */
  system: string;
}

/**
 * Drives a participant through its first turn against a seat that records each request and
 * answers with a short text, so what its real model would be sent is known before any model is
 * loaded. The user seat opens the conversation; the agent's first turn answers `opening`.
 * Returns null when the participant made no request (it needs no model).
 */
export async function probeFirstTurn(
  create: (makeSeat: SeatFactory) => Participant,
  role: 'user' | 'agent',
  opening = 'Hi, I need some help with my order.',
): Promise<ProbedTurn | null> {
  const requests: LlmMessage[][] = [];
  let system = '';
  const factory = ((systemPrompt: string) => {
    system = systemPrompt;
    let history: LlmMessage[] = [{ role: 'system', content: systemPrompt }];
    return {
      model: 'probe',
      async reply(newMessages: LlmMessage[], _opts?: LlmReplyOptions): Promise<LlmReply> {
        history = [...history, ...newMessages];
        requests.push(history.map((m) => ({ ...m })));
        history = [...history, { role: 'assistant', content: PROBE_REPLY }];
        return { content: PROBE_REPLY, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
      },
    };
  }) as SeatFactory;
  const participant = create(factory);
  const view = role === 'user' ? [] : [{ from: 'other' as const, content: opening, turnIndex: 0 }];
  await participant.nextMessage(view, { turnIndex: role === 'user' ? 0 : 1, rng: () => 0.5 });
  return requests.length ? { requests, system } : null;
}

/** The largest request of a probed turn, estimated in tokens. */
export function largestRequestTokens(turn: ProbedTurn, charsPerToken = DEFAULT_CHARS_PER_TOKEN): number {
  return Math.max(0, ...turn.requests.map((r) => estimateRequestTokens(r, charsPerToken)));
}

/** One seat's first turn measured against its model's window. */
export interface SeatFit {
  role: 'user' | 'agent';
  /** The model as the page names it (file or model name). */
  model: string;
  /** Estimated tokens of the largest first-turn request, over every scenario and persona of the run. */
  promptTokens: number;
  /** Where the largest one came from, to name it. */
  scenarioTitle: string;
  personaName?: string;
  /** The reply budget (max_tokens) of the role. */
  replyTokens: number;
  contextTokens: number;
  /** Where the window size comes from, for the message: the Models page setting or the model's own. */
  contextSource: 'setting' | 'model';
  /** The largest window the model allows, when known. */
  maxContextTokens?: number;
}

/** Whether the first turn leaves room for the reply. */
export function fits(f: Pick<SeatFit, 'promptTokens' | 'replyTokens' | 'contextTokens'>): boolean {
  return f.promptTokens + f.replyTokens <= f.contextTokens;
}

const SEAT_NAME = { user: 'user simulator', agent: 'agent' } as const;

/**
 * Why a run cannot start, in words, or null when every seat's first turn fits: the numbers,
 * the task and persona that need the most, and the setting to change.
 */
export function firstTurnProblem(seats: readonly SeatFit[]): string | null {
  const problems = seats.filter((s) => !fits(s)).map((s) => {
    const need = s.promptTokens + s.replyTokens;
    const where = s.personaName ? `“${s.scenarioTitle}” with ${s.personaName}` : `“${s.scenarioTitle}”`;
    const room =
      s.maxContextTokens !== undefined && s.maxContextTokens < need
        ? ` The model allows at most ${thousands(s.maxContextTokens)}, so choose a model with a larger window or a smaller pack.`
        : ` Set its context size to at least ${thousands(roundUp(need))} on the Models page${s.maxContextTokens !== undefined ? ` (it allows up to ${thousands(s.maxContextTokens)})` : ''}, or choose a model with a larger window.`;
    return (
      `The ${SEAT_NAME[s.role]}'s first turn does not fit ${s.model}'s context window: about ${thousands(s.promptTokens)} tokens of prompt for ${where}, ` +
      `plus ${thousands(s.replyTokens)} for its reply, is more than the ${thousands(s.contextTokens)} tokens ${s.contextSource === 'setting' ? 'it is set to' : 'it has'}.` +
      room
    );
  });
  return problems.length ? problems.join('\n') : null;
}

/** The next size a person would pick: a multiple of 1,024. */
function roundUp(n: number): number {
  return Math.ceil(n / 1024) * 1024;
}

/**
 * The largest first turn of a seat over a run's scenarios (and, for the user seat, personas):
 * the agent's prompt depends on the task's policy and tools, the user's on the task and persona.
 */
export async function largestFirstTurn(
  role: 'user' | 'agent',
  scenarios: readonly Scenario[],
  personas: readonly Persona[],
  create: {
    user?: (ctx: UserSeatContext, makeSeat: SeatFactory) => Participant;
    agent?: (ctx: AgentSeatContext, makeSeat: SeatFactory) => Participant;
  },
  charsPerToken = DEFAULT_CHARS_PER_TOKEN,
): Promise<{ promptTokens: number; scenarioTitle: string; personaName?: string } | null> {
  let best: { promptTokens: number; scenarioTitle: string; personaName?: string } | null = null;
  const seen = new Set<string>();
  for (const scenario of scenarios) {
    for (const persona of role === 'user' ? personas : personas.slice(0, 1)) {
      let turn: ProbedTurn | null;
      if (role === 'user') {
        const ctx: UserSeatContext = { role: 'user', scenario, persona, seed: 0 };
        turn = await probeFirstTurn((seat) => create.user!(ctx, seat), 'user');
      } else {
        // Scenarios of one pack share policy and tools: probe each distinct pair once.
        const key = `${scenario.agent.tools.map((t) => t.name).join(',')}\u0000${scenario.agent.policy}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const ctx: AgentSeatContext = {
          role: 'agent',
          scenarioId: scenario.id,
          domain: scenario.domain,
          policy: scenario.agent.policy,
          tools: scenario.agent.tools,
          seed: 0,
        };
        turn = await probeFirstTurn((seat) => create.agent!(ctx, seat), 'agent');
      }
      if (!turn) continue;
      const tokens = largestRequestTokens(turn, charsPerToken);
      if (!best || tokens > best.promptTokens) {
        best = { promptTokens: tokens, scenarioTitle: scenario.title, ...(role === 'user' ? { personaName: persona.name } : {}) };
      }
    }
  }
  return best;
}

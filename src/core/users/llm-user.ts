import type { Json, JsonObject, Scenario, TurnUsage } from '../model/types.ts';
import { readLoose } from '../agents/tool-protocol.ts';
import { renderControlUpdate, renderPolicy } from '../personas/policy.ts';
import { ControlState, isUnhelpful, netChanges, recordControls, toolErrorsSeen } from '../personas/controls.ts';
import { jsonGrammarFormat } from '../simulation/json-grammar.ts';
import type { LlmMessage, LlmReply, SeatFactory } from '../simulation/llm-seat.ts';
import { sinceLastOwn, type Participant, type ParticipantReply, type UserSeatContext, type ViewMessage } from '../simulation/participant.ts';
import { withoutThinking, type VisibleReply } from '../simulation/thinking.ts';

/** Bumped whenever the prompt's wording changes, so results stay comparable. */
/** llm-user-6: a thinking model's reasoning is taken out of every reply before it is read or sent. */
/** llm-user-7: the inner state and the rating are constrained by grammars built from their schemas (whitespace bounded), not json_object. */
export const LLM_USER_PROMPT_VERSION = 'llm-user-7';

/** The first request: there is no agent message yet for the simulator to answer. */
export const KICKOFF = '[The customer-service chat has opened. Write your first message to the agent.]';
const EMPTY_NUDGE = '[Your last reply was empty. Write the customer\'s next message.]';

/** The hidden scenario as the simulator sees it. Never shown to the agent. */
export function renderHiddenScenario(scenario: Scenario): string {
  const u = scenario.user;
  const known = Object.entries(u.knownInfo).map(([k, v]) => `- ${k.replace(/_/g, ' ')}: ${v}`);
  return [
    `Why you are getting in touch: ${u.reasonForContact}`,
    `What you know:\n${known.length ? known.join('\n') : '- nothing beyond the above'}`,
    `What you do not know (never make these up):\n${u.unknownInfo.length ? u.unknownInfo.map((x) => `- ${x}`).join('\n') : '- anything not listed above'}`,
    `Your task:\n${u.taskInstructions}`,
  ].join('\n\n');
}

/** The simulator's system prompt: guidelines, persona, hidden scenario, control signals. */
export function renderUserSystemPrompt(ctx: UserSeatContext): string {
  return [
    'You are role-playing a CUSTOMER who is contacting a customer-service agent. You are not an assistant and you never help the agent.',
    '# How to play\n' +
      [
        '- Write one message at a time, as the customer, in the first person. Never write the agent\'s side.',
        '- Use only the facts given below. If you are asked for something that is not there, say you do not know or do not have it. Never invent numbers, names, emails or dates.',
        '- Unless your character says otherwise, do not say everything at once: give a detail when the agent asks for it. Use your own words; never copy this text.',
        '- Stay in character for the whole conversation, and keep your messages as short as this person would.',
        '- Who you are decides how you talk (tone, length, patience, what you offer unasked); your situation decides what you want and what you know. If your situation describes a manner that differs from who you are, keep the manner of who you are and the goal of your situation.',
        '- When your task is done, or clearly cannot be done, write a short closing message ending with ###STOP###.',
        '- If the agent transfers you to a human, reply with ###TRANSFER###. If the conversation needs information you do not have and cannot go on, reply with ###OUT-OF-SCOPE###.',
      ].join('\n'),
    `# Who you are\n${renderPolicy(ctx.persona)}`,
    `# Your situation (private: the agent cannot see this)\n${renderHiddenScenario(ctx.scenario)}`,
  ].join('\n\n');
}

const AS_ASSISTANT = /\b(how (can|may) i (help|assist) you|is there anything else i can (help|do)|as an ai\b|i am an ai|i'm an ai|i am a language model)/i;

/** True when `text` repeats 8 or more consecutive words of `source`: copied, not paraphrased. */
export function copiesVerbatim(text: string, source: string, n = 8): boolean {
  const words = (s: string) => s.toLowerCase().match(/[a-z0-9@.'-]+/g) ?? [];
  const src = words(source);
  if (src.length < n) return false;
  const grams = new Set<string>();
  for (let i = 0; i + n <= src.length; i++) grams.add(src.slice(i, i + n).join(' '));
  const out = words(text);
  for (let i = 0; i + n <= out.length; i++) if (grams.has(out.slice(i, i + n).join(' '))) return true;
  return false;
}

/* ------------------------------------------------- inner state and satisfaction */

/** Longest string kept from any field of the inner state, and from unparseable output. */
const LATENT_FIELD_MAX = 200;

const STATE_FIELDS = ['progress', 'emotion', 'beliefAboutAgent'] as const;

function stateSchema(withSatisfaction: boolean): string {
  const properties: Record<string, Json> = {
    progress: { type: 'string' },
    emotion: { type: 'string' },
    beliefAboutAgent: { type: 'string' },
  };
  const required: string[] = [...STATE_FIELDS];
  if (withSatisfaction) {
    properties.satisfaction = { type: 'integer', enum: [1, 2, 3, 4, 5] };
    properties.reason = { type: 'string' };
    required.push('satisfaction', 'reason');
  }
  return JSON.stringify({ type: 'object', properties, required, additionalProperties: false });
}

/** JSON Schemas sent as the response format: the first turn has no agent turn to rate yet. */
export const LATENT_SCHEMA = stateSchema(false);
export const LATENT_SATISFACTION_SCHEMA = stateSchema(true);

/**
 * The request for the inner state, appended to the message the simulator is answering. The
 * format is spelled out in the text too: with only the engine's constraint, small models may
 * emit whitespace until max_tokens (webllm-notes.md, "Sampling and structure").
 */
export function renderLatentRequest(withSatisfaction: boolean): string {
  const fields = [
    '"progress": "<how far your task has got, a few words>"',
    '"emotion": "<how you feel right now, one or two words>"',
    '"beliefAboutAgent": "<what you think of the agent, a few words>"',
    ...(withSatisfaction
      ? ['"satisfaction": <a whole number from 1 to 5: how satisfied you are with the agent\'s last message, 5 = very>', '"reason": "<one line: why>"']
      : []),
  ];
  return (
    '[Before you reply, write down your private thoughts as the customer. The agent will never see them. ' +
    `Answer with only this JSON object and nothing else: {${fields.join(', ')}}]`
  );
}

/** The rating alone, as the response format when the inner state is off. */
export const SATISFACTION_SCHEMA = JSON.stringify({
  type: 'object',
  properties: { satisfaction: { type: 'integer', enum: [1, 2, 3, 4, 5] }, reason: { type: 'string' } },
  required: ['satisfaction', 'reason'],
  additionalProperties: false,
});

/**
 * The request for the rating alone (the inner state is off), appended to the agent's message
 * the simulator is answering, like the inner-state request.
 */
export function renderSatisfactionRequest(): string {
  return (
    '[Before you reply, rate the agent privately as the customer. The agent will never see this. ' +
    'Answer with only this JSON object and nothing else: {"satisfaction": <a whole number from 1 to 5: how satisfied you are with the agent\'s last message, 5 = very>, "reason": "<one line: why>"}]'
  );
}

/**
 * The response formats sent for the inner state and the rating: grammars generated from the
 * schemas above (keys in their order, as the requests show them), with bounded whitespace;
 * json_object would let a small model pad with whitespace until max_tokens.
 */
export const LATENT_FORMAT = jsonGrammarFormat(LATENT_SCHEMA);
export const LATENT_SATISFACTION_FORMAT = jsonGrammarFormat(LATENT_SATISFACTION_SCHEMA);
export const SATISFACTION_FORMAT = jsonGrammarFormat(SATISFACTION_SCHEMA);

/** Sent after the inner state or the rating: now the customer speaks. */
export const SPEAK_REQUEST = '[Now write your next message to the agent, as the customer. Only the message itself, no JSON.]';

function shortText(v: Json | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s+/g, ' ').trim();
  return s ? s.slice(0, LATENT_FIELD_MAX) : undefined;
}

/** A 1–5 rating from what a small model writes: 4, "4", "4/5", 4.6, 9 (clamped). */
function readRating(v: Json | undefined): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = v.match(/-?\d+(\.\d+)?/);
    if (m) n = Number(m[0]);
  }
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.min(5, Math.max(1, Math.round(n)));
}

export interface InnerState {
  latent: JsonObject;
  satisfaction?: number;
  flags: string[];
}

/**
 * Reads the simulator's inner state tolerantly (code fences, stray text, single quotes,
 * trailing commas, output cut short). Never throws: what cannot be read is kept as
 * `{unparsed: <first 200 chars>}` with the flag `latent_unparsed` (and `satisfaction_unparsed`
 * when a rating was asked for and none could be read).
 */
export function parseInnerState(text: string, withSatisfaction: boolean): InnerState {
  const flags: string[] = [];
  const obj = readObject(text);
  const latent: JsonObject = {};
  if (obj) {
    const lower = new Map(Object.entries(obj).map(([k, v]) => [k.toLowerCase().replace(/[^a-z]/g, ''), v]));
    for (const f of STATE_FIELDS) {
      const v = shortText(obj[f] ?? lower.get(f.toLowerCase()));
      if (v !== undefined) latent[f] = v;
    }
  }
  if (Object.keys(latent).length === 0) {
    latent.unparsed = text.trim().slice(0, LATENT_FIELD_MAX);
    flags.push('latent_unparsed');
  }
  let satisfaction: number | undefined;
  if (withSatisfaction) {
    satisfaction = obj ? readRating(obj.satisfaction ?? obj.rating ?? obj.score) : undefined;
    const reason = obj ? shortText(obj.reason) : undefined;
    if (satisfaction === undefined) flags.push('satisfaction_unparsed');
    else if (reason !== undefined) latent.satisfactionReason = reason;
  }
  return { latent, ...(satisfaction !== undefined ? { satisfaction } : {}), flags };
}

/**
 * Reads the rating alone (the inner state is off), as tolerantly as `parseInnerState`. `latent`
 * holds only the reason (`satisfactionReason`), or, when no rating could be read, the first 200
 * characters as `satisfactionUnparsed` with the flag `satisfaction_unparsed`. Never throws.
 */
export function parseSatisfaction(text: string): InnerState {
  const obj = readObject(text);
  const satisfaction = obj ? readRating(obj.satisfaction ?? obj.rating ?? obj.score) : undefined;
  if (satisfaction === undefined) {
    return { latent: { satisfactionUnparsed: text.trim().slice(0, LATENT_FIELD_MAX) }, flags: ['satisfaction_unparsed'] };
  }
  const reason = obj ? shortText(obj.reason) : undefined;
  return { latent: reason !== undefined ? { satisfactionReason: reason } : {}, satisfaction, flags: [] };
}

/** The first JSON object in what the model wrote, read loosely; undefined when there is none. */
function readObject(text: string): { [key: string]: Json } | undefined {
  const start = text.indexOf('{');
  if (start === -1) return undefined;
  const r = readLoose(text, start, true);
  return r.ok && r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? r.value : undefined;
}

/** The turn's usage: the spoken reply's, with the inner-state (or rating) request's tokens and time added. */
function combinedUsage(spoken: LlmReply, thought: LlmReply | undefined): TurnUsage {
  if (!thought) return spoken.usage;
  const u = { ...spoken.usage };
  u.promptTokens += thought.usage.promptTokens;
  u.completionTokens += thought.usage.completionTokens;
  if (u.e2eLatencyMs !== undefined && thought.usage.e2eLatencyMs !== undefined) u.e2eLatencyMs += thought.usage.e2eLatencyMs;
  if (u.cachedPromptTokens !== undefined || thought.usage.cachedPromptTokens !== undefined) {
    u.cachedPromptTokens = (u.cachedPromptTokens ?? 0) + (thought.usage.cachedPromptTokens ?? 0);
  }
  return u;
}

export interface LlmUserOptions {
  /**
   * Before each reply, ask the model for a short inner state (progress, emotion, belief about
   * the agent), stored on the turn and never shown to the agent. Default true. The 1–5
   * satisfaction with the agent's last turn is asked for either way (see createLlmUser).
   */
  latentState?: boolean;
}

/**
 * An LLM playing the user: it sees the conversation with the roles flipped (the agent's lines
 * arrive as "user" messages, its own are "assistant"), and the hidden scenario in its prompt.
 * Failures that peer benchmarks report are flagged on the turn, never hidden.
 *
 * With `latentState` (the default) each turn is two requests on the same seat: the simulator
 * first "thinks" (one JSON object: progress, emotion, beliefAboutAgent, and after the first turn
 * satisfaction 1–5 with a reason, in one request to save one), then "speaks". Without it, every
 * turn that answers the agent still starts with a request for the rating alone (satisfaction
 * and reason), so the satisfaction trajectory never depends on the inner state; only the
 * opening message is a single request. The thinking (or rating) request and its reply stay in
 * the simulator's own history, so every request still extends the previous one (the engine's
 * cache is kept) and the simulator remembers what it thought. Only the spoken message is
 * returned as content: the orchestrator shows only content to the agent, so neither the inner
 * state nor the rating reaches it. Unreadable JSON is flagged, never fatal.
 */
export function createLlmUser(ctx: UserSeatContext, makeSeat: SeatFactory, opts: LlmUserOptions = {}): Participant {
  const latentState = opts.latentState ?? true;
  // A thinking model's reasoning would leak the hidden goal to the agent: it is taken out first.
  const seat = withoutThinking(makeSeat(renderUserSystemPrompt(ctx)));
  const hidden = `${ctx.scenario.user.taskInstructions}\n${ctx.scenario.user.reasonForContact}`;
  // Dynamic persona controls: what this seat has seen so far, and the traits in force.
  const controls = new ControlState(ctx.persona);
  const seen = { userTurn: 0, unhelpful: 0, toolErrors: 0 };
  return {
    id: 'llm-user',
    role: 'user',
    async nextMessage(view: readonly ViewMessage[], turnCtx): Promise<ParticipantReply> {
      const incomingView = sinceLastOwn(view).incoming;
      const incoming: LlmMessage[] = incomingView.map((m) => ({ role: 'user', content: m.content }));
      const first: LlmMessage[] = incoming.length ? incoming : [{ role: 'user', content: KICKOFF }];
      const flags: string[] = [];
      let toSpeak = first;
      let thought: VisibleReply | undefined;
      let inner: InnerState | undefined;
      // Rate the agent's last turn when there is one: an opening message answers nobody.
      const rate = incoming.length > 0;
      if (latentState || rate) {
        const last = first[first.length - 1]!;
        // The request rides on the last incoming message, so one user message follows the
        // previous reply (roles keep alternating, which some chat templates require).
        const request = latentState ? renderLatentRequest(rate) : renderSatisfactionRequest();
        const format = latentState ? (rate ? LATENT_SATISFACTION_FORMAT : LATENT_FORMAT) : SATISFACTION_FORMAT;
        const ask: LlmMessage[] = [...first.slice(0, -1), { role: 'user', content: `${last.content}\n\n${request}` }];
        thought = await seat.reply(ask, { signal: turnCtx.signal, responseFormat: format });
        if (turnCtx.signal?.aborted) {
          const err = new Error(`Aborted while the user simulator was ${latentState ? 'thinking' : 'rating the agent'}.`);
          err.name = 'AbortError';
          throw err;
        }
        inner = latentState ? parseInnerState(thought.content, rate) : parseSatisfaction(thought.content);
        flags.push(...inner.flags);
        toSpeak = [{ role: 'user', content: SPEAK_REQUEST }];
      }
      // Controls fire once the agent's last message has been rated; a change reaches the
      // model as a note on this turn's request (the system prompt stays as it was, so every
      // request still extends the previous one).
      seen.userTurn++;
      if (isUnhelpful(inner?.satisfaction)) seen.unhelpful++;
      seen.toolErrors += toolErrorsSeen(incomingView);
      const fired = controls.active ? controls.step(seen) : [];
      const control = fired.length ? recordControls(fired) : undefined;
      const changes = netChanges(fired);
      if (changes.length) {
        const note = renderControlUpdate(changes);
        const last = toSpeak[toSpeak.length - 1]!;
        const content = thought ? `${note}\n\n${last.content}` : `${last.content}\n\n${note}`;
        toSpeak = [...toSpeak.slice(0, -1), { role: last.role, content }];
      }
      if (control) flags.push(...control.flags);
      let reply = await seat.reply(toSpeak, { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
      if (reply.content.trim() === '') {
        flags.push('empty_reply_retried');
        reply = await seat.reply([{ role: 'user', content: EMPTY_NUDGE }], { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
        if (reply.content.trim() === '') {
          const err = new Error('The user simulator replied with nothing, twice.');
          err.name = 'EmptyReplyError';
          throw err;
        }
      }
      const content = reply.content.trim();
      const reasoning = [thought?.reasoning, reply.reasoning].filter(Boolean).join('\n\n');
      const latent: JsonObject = { ...inner?.latent, ...control?.latent };
      if (AS_ASSISTANT.test(content)) flags.push('replied_as_assistant');
      if (copiesVerbatim(content, hidden)) flags.push('copied_instructions');
      return {
        content,
        flags,
        usage: combinedUsage(reply, thought),
        authorDetail: seat.model,
        ...(Object.keys(latent).length ? { latent } : {}),
        ...(inner?.satisfaction !== undefined ? { satisfaction: inner.satisfaction } : {}),
        ...(reasoning ? { reasoning } : {}),
      };
    },
  };
}

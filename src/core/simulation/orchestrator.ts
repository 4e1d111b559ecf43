import type {
  ControlSignal,
  ErrorRecord,
  JsonObject,
  Role,
  InteractionMode,
  TerminationReason,
  ToolCall,
  ToolSpec,
  Turn,
} from '../model/types.ts';
import type { Environment } from '../scenarios/environment.ts';
import { deriveSeed, mulberry32 } from '../stats/rng.ts';
import type { Participant, ParticipantReply, ViewMessage } from './participant.ts';
import { USER_UNKNOWN_VALUE_FLAG } from './leak-check.ts';
import { CONTEXT_ERRORS } from './context-fit.ts';

/** Error names that mean the model runtime died (GPU lost, worker gone), not the participant. */
export const ENGINE_LOST_ERRORS: readonly string[] = ['DeviceLostError', 'EngineLostError', 'GPUDeviceLostError'];

/**
 * How a seat's failure ends the session: infrastructure endings (the engine lost, the context
 * window full) apart from the seat's own errors. A full window says at which turn it filled.
 */
export function failureEnding(error: ErrorRecord, seat: Role, turnIndex: number): { end: TerminationReason; error: ErrorRecord } {
  if (ENGINE_LOST_ERRORS.includes(error.name)) return { end: 'engine_lost', error };
  if (CONTEXT_ERRORS.includes(error.name)) {
    const where = `Turn ${turnIndex + 1}, the ${seat === 'user' ? 'user simulator' : 'agent'}'s request.`;
    return { end: 'context_exhausted', error: { name: error.name, message: `${where} ${error.message}` } };
  }
  return { end: seat === 'user' ? 'user_error' : 'agent_error', error };
}

export interface ConversationSeats {
  user: Participant;
  agent: Participant;
  environment: Environment;
}

export interface ConversationOptions {
  sessionId: string;
  /** Seed of this session; each seat gets its own stream derived from it. */
  seed: number;
  /** Every stored turn counts, tool-calling steps of the agent included. */
  maxTurns: number;
  /** Failed tool calls and participant errors, in total, before the session is stopped. */
  maxErrors: number;
  signal?: AbortSignal;
  /** Called with each finished turn before the next one starts; awaited (storage writes here). */
  onTurn?: (turn: Turn) => void | Promise<void>;
  /** Streamed text of the turn in progress, with the seat producing it. */
  onDelta?: (role: Role, text: string) => void;
  /** Agentic mode routes the agent's ask_user calls to the user seat. Default: conversational. */
  mode?: InteractionMode;
  /** Clock, injectable for tests. */
  now?: () => number;
  /**
   * The leak check (leak-check.ts), run on every stored user turn, answers to ask_user
   * included: given the turn's text and the agent's messages the user had been shown before it,
   * the values the user could not know. Any flag the turn `user_unknown_value` and are listed
   * on it (`Turn.unknownValues`). Absent: no check.
   */
  checkUserTurn?: (text: string, agentSaid: readonly string[]) => string[];
}

/** The tool an agent uses in agentic mode to ask the simulated user a question. */
export const ASK_USER_TOOL: ToolSpec = {
  name: 'ask_user',
  description: 'Ask the user one question when you need information only they have. Their answer comes back as the result.',
  parameters: {
    type: 'object',
    properties: { question: { type: 'string', description: 'One clear question for the user.' } },
    required: ['question'],
    additionalProperties: false,
  },
  kind: 'read',
};

export interface ConversationResult {
  turns: Turn[];
  termination: TerminationReason;
  error?: ErrorRecord;
  errorCount: number;
  finalDb: JsonObject;
}

const SIGNALS: [string, ControlSignal][] = [
  ['###STOP###', 'stop'],
  ['###TRANSFER###', 'transfer'],
  ['###OUT-OF-SCOPE###', 'out_of_scope'],
];

/** Finds a control signal token in a message, e.g. "Thanks! ###STOP###". */
export function parseControlSignal(content: string): ControlSignal | undefined {
  for (const [token, signal] of SIGNALS) if (content.includes(token)) return signal;
  return undefined;
}

const USER_CONTROL_TERMINATION: Record<ControlSignal, TerminationReason> = {
  stop: 'user_stop',
  transfer: 'transfer',
  out_of_scope: 'out_of_scope',
};

const AFFIRM = /\b(yes|yeah|yep|sure|go ahead|please do|do it|confirm(ed)?|that's (right|correct)|correct|proceed)\b/i;
const ASKS_TO_CONFIRM = /\b(confirm|shall i|should i|would you like me to|do you want me to|want me to|proceed|go ahead)\b[^?]*\?/i;

/**
 * A stop right after the user confirmed an action, before the agent acted on it. Peer
 * benchmarks report simulators ending conversations this way. Flagged when the agent asked for
 * confirmation, the user said yes (in the stop message or the one before it), and no write
 * has succeeded since that question.
 */
function stopsBeforeAction(turns: readonly Turn[], stopText: string, env: Environment): boolean {
  const writes = new Set(env.tools.filter((t) => t.kind === 'write').map((t) => t.name));
  if (writes.size === 0) return false;
  /** Walks back over agent turns from `from`; returns where it stopped and whether they wrote. */
  const agentRun = (from: number) => {
    let i = from;
    let wrote = false;
    let asked = false;
    for (; i >= 0 && turns[i]!.role === 'agent'; i--) {
      if (turns[i]!.toolCalls.some((c) => c.result.ok && writes.has(c.name))) wrote = true;
      if (ASKS_TO_CONFIRM.test(turns[i]!.content)) asked = true;
    }
    return { i, wrote, asked };
  };
  const last = agentRun(turns.length - 1);
  if (last.wrote) return false;
  if (last.asked && AFFIRM.test(stopText.replace(/###[A-Z-]+###/g, ''))) return true;
  const prevUser = last.i >= 0 ? turns[last.i] : undefined;
  if (!prevUser || !AFFIRM.test(prevUser.content)) return false;
  return agentRun(last.i - 1).asked;
}

/** What the agent said in the user's view of the conversation: its messages and ask_user questions. */
const saidToUser = (view: readonly ViewMessage[]) => view.filter((m) => m.from === 'other').map((m) => m.content);

/** The conversation as one seat sees it: its own messages are `self`, the other's `other`. */
export function seatView(turns: readonly Turn[], role: Role): ViewMessage[] {
  const view: ViewMessage[] = [];
  /** Failed tool calls not yet attached to a message the user saw. */
  let pendingErrors = 0;
  for (const t of turns) {
    if (role === 'user') {
      // The user never sees tool traffic; a tool-only agent step is invisible to them. The one
      // exception is a question asked through ask_user, which reaches the user as a message.
      if (t.role === 'agent') {
        pendingErrors += t.toolCalls.filter((c) => !c.result.ok).length;
        if (t.content.trim() !== '') {
          view.push({ from: 'other', content: t.content, acts: t.acts, turnIndex: t.index, ...(pendingErrors ? { toolErrors: pendingErrors } : {}) });
          pendingErrors = 0;
        }
        for (const c of t.toolCalls) {
          if (c.name === ASK_USER_TOOL.name && typeof c.arguments.question === 'string') {
            view.push({ from: 'other', content: c.arguments.question, turnIndex: t.index });
          }
        }
        continue;
      }
      view.push({ from: 'self', content: t.content, acts: t.acts, turnIndex: t.index });
    } else {
      // An answer to ask_user reaches the agent as that call's result, not a second time.
      if (t.role === 'user' && t.flags.includes('answer_to_ask_user')) continue;
      view.push(
        t.role === 'agent'
          ? { from: 'self', content: t.content, acts: t.acts, toolCalls: t.toolCalls, turnIndex: t.index }
          : { from: 'other', content: t.content, acts: t.acts, turnIndex: t.index },
      );
    }
  }
  return view;
}

function toErrorRecord(err: unknown): ErrorRecord {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; message?: unknown };
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: String(e.message ?? err) };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * Runs one conversation: routes user ↔ agent ↔ environment, runs tools, enforces maximum
 * turns and errors, honours stop signals and the abort signal, and records every turn.
 * It never throws for a participant's failure: that ends the session as data.
 */
export async function runConversation(
  seats: ConversationSeats,
  opts: ConversationOptions,
): Promise<ConversationResult> {
  const now = opts.now ?? Date.now;
  const rngs = {
    user: mulberry32(deriveSeed(opts.seed, 'user')),
    agent: mulberry32(deriveSeed(opts.seed, 'agent')),
  };
  const turns: Turn[] = [];
  const agentic = opts.mode === 'agentic';
  let errorCount = 0;
  let next: Role = 'user';
  /** The leak check on a user message: its unknown values, flagging `flags` when there are any. */
  const checkUser = (text: string, agentSaid: readonly string[], flags: string[]): string[] => {
    const unknown = opts.checkUserTurn?.(text, agentSaid) ?? [];
    if (unknown.length) flags.push(USER_UNKNOWN_VALUE_FLAG);
    return unknown;
  };

  const end = (termination: TerminationReason, error?: ErrorRecord): ConversationResult => ({
    turns,
    termination,
    ...(error ? { error } : {}),
    errorCount,
    finalDb: seats.environment.snapshot(),
  });

  for (;;) {
    if (opts.signal?.aborted) return end('aborted');
    if (turns.length >= opts.maxTurns) return end('max_turns');

    const participant = next === 'user' ? seats.user : seats.agent;
    const seat = next;
    const index = turns.length;
    const startedAt = now();
    let reply: ParticipantReply;
    const view = seatView(turns, next);
    const agentSaid = next === 'user' ? saidToUser(view) : [];
    try {
      reply = await participant.nextMessage(view, {
        turnIndex: index,
        rng: rngs[next],
        signal: opts.signal,
        ...(opts.onDelta ? { onDelta: (text: string) => opts.onDelta!(seat, text) } : {}),
      });
    } catch (err) {
      const error = toErrorRecord(err);
      if (opts.signal?.aborted || error.name === 'AbortError') return end('aborted', error);
      const failure = failureEnding(error, next, index);
      return end(failure.end, failure.error);
    }
    // A turn finished after the user pressed stop is the turn in flight: not recorded.
    if (opts.signal?.aborted) return end('aborted');

    const flags = [...(reply.flags ?? [])];
    const toolCalls: ToolCall[] = [];
    /** Answers the user gave to ask_user during this agent turn, recorded right after it. */
    const answers: ParticipantReply[] = [];
    /** For each answer, what the agent had said to the user when it was given. */
    const answerSaid: string[][] = [];
    const askUser = async (
      question: string,
    ): Promise<{ reply: ParticipantReply } | { end: TerminationReason; error?: ErrorRecord }> => {
      const view = [...seatView(turns, 'user'), { from: 'other' as const, content: question, turnIndex: index }];
      for (const a of answers) view.push({ from: 'self', content: a.content, turnIndex: index });
      answerSaid.push(saidToUser(view));
      try {
        return { reply: await seats.user.nextMessage(view, { turnIndex: index, rng: rngs.user, signal: opts.signal }) };
      } catch (err) {
        const error = toErrorRecord(err);
        if (opts.signal?.aborted || error.name === 'AbortError') return { end: 'aborted', error };
        return failureEnding(error, 'user', index);
      }
    };
    let transferred = false;
    if (next === 'agent') {
      (reply.invalidToolCalls ?? []).forEach((bad, i) => {
        toolCalls.push({
          id: `t${index}-x${i}`,
          name: '(unreadable call)',
          arguments: { raw: bad.raw.slice(0, 2000) },
          result: { ok: false, error: { name: 'MalformedCall', message: bad.message } },
        });
        errorCount++;
      });
    }
    if (reply.toolCalls?.length) {
      if (next === 'user') {
        flags.push('user_tool_call_ignored');
      } else {
        for (const [i, req] of reply.toolCalls.entries()) {
          const args = req.arguments ?? {};
          if (agentic && req.name === ASK_USER_TOOL.name) {
            const question = typeof args.question === 'string' ? args.question.trim() : '';
            if (!question) {
              toolCalls.push({ id: `t${index}-${i}`, name: req.name, arguments: args, result: { ok: false, error: { name: 'InvalidArguments', message: 'ask_user: missing required argument "question".' } } });
              errorCount++;
              continue;
            }
            // The user answers now, from its hidden knowledge; the answer is recorded after this turn.
            const asked = await askUser(question);
            if ('end' in asked) return end(asked.end, asked.error);
            answers.push(asked.reply);
            toolCalls.push({ id: `t${index}-${i}`, name: req.name, arguments: args, result: { ok: true, value: { answer: asked.reply.content } } });
            continue;
          }
          const result = await seats.environment.callAsync(req.name, args);
          toolCalls.push({ id: `t${index}-${i}`, name: req.name, arguments: args, result });
          if (!result.ok) errorCount++;
          else if (seats.environment.isTransfer(req.name)) transferred = true;
        }
      }
    }
    // Any failed call, an unreadable one included, marks the turn.
    if (toolCalls.some((c) => !c.result.ok)) flags.push('tool_error');
    if (flags.includes('participant_error')) errorCount++;

    const control = reply.control ?? parseControlSignal(reply.content);
    if (next === 'user' && control === 'stop' && stopsBeforeAction(turns, reply.content, seats.environment)) {
      flags.push('premature_stop');
    }
    const unknown = next === 'user' ? checkUser(reply.content, agentSaid, flags) : [];
    const turn: Turn = {
      sessionId: opts.sessionId,
      index,
      role: next,
      author: reply.authorDetail ? `${participant.id}/${reply.authorDetail}` : participant.id,
      content: reply.content,
      toolCalls,
      ...(reply.acts ? { acts: reply.acts } : {}),
      ...(control ? { control } : {}),
      ...(reply.latent ? { latent: reply.latent } : {}),
      ...(reply.satisfaction !== undefined ? { satisfaction: reply.satisfaction } : {}),
      ...(reply.reasoning ? { reasoning: reply.reasoning } : {}),
      flags,
      ...(unknown.length ? { unknownValues: unknown } : {}),
      startedAt,
      durationMs: Math.max(0, now() - startedAt),
      ...(reply.usage ? { usage: reply.usage } : {}),
    };
    turns.push(turn);
    await opts.onTurn?.(turn);
    for (const [i, a] of answers.entries()) {
      const answerFlags = [...(a.flags ?? []), 'answer_to_ask_user'];
      const answerUnknown = checkUser(a.content, answerSaid[i]!, answerFlags);
      const answer: Turn = {
        sessionId: opts.sessionId,
        index: turns.length,
        role: 'user',
        author: a.authorDetail ? `${seats.user.id}/${a.authorDetail}` : seats.user.id,
        content: a.content,
        toolCalls: [],
        ...(a.acts ? { acts: a.acts } : {}),
        ...(a.latent ? { latent: a.latent } : {}),
        ...(a.satisfaction !== undefined ? { satisfaction: a.satisfaction } : {}),
        ...(a.reasoning ? { reasoning: a.reasoning } : {}),
        flags: answerFlags,
        ...(answerUnknown.length ? { unknownValues: answerUnknown } : {}),
        startedAt,
        durationMs: 0,
        ...(a.usage ? { usage: a.usage } : {}),
      };
      turns.push(answer);
      await opts.onTurn?.(answer);
    }
    // A user who ends the conversation while answering a question ends it.
    const answerControl = answers.map((a) => a.control ?? parseControlSignal(a.content)).find((c) => c !== undefined);
    if (answerControl) return end(USER_CONTROL_TERMINATION[answerControl]);

    if (errorCount > 0 && errorCount >= opts.maxErrors) return end('too_many_errors');
    if (next === 'user') {
      if (control) return end(USER_CONTROL_TERMINATION[control]);
      next = 'agent';
    } else {
      if (transferred || control === 'transfer') return end('transfer');
      // After tool calls (readable or not) the agent acts again with their results.
      next = toolCalls.length > 0 ? 'agent' : 'user';
    }
  }
}

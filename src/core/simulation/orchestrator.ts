import type {
  ControlSignal,
  ErrorRecord,
  JsonObject,
  Role,
  TerminationReason,
  ToolCall,
  Turn,
} from '../model/types.ts';
import type { Environment } from '../scenarios/environment.ts';
import { deriveSeed, mulberry32 } from '../stats/rng.ts';
import type { Participant, ParticipantReply, ViewMessage } from './participant.ts';

/** Error names that mean the model runtime died (GPU lost, worker gone), not the participant. */
export const ENGINE_LOST_ERRORS: readonly string[] = ['DeviceLostError', 'EngineLostError', 'GPUDeviceLostError'];

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
  /** Clock, injectable for tests. */
  now?: () => number;
}

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

/** The conversation as one seat sees it: its own messages are `self`, the other's `other`. */
export function seatView(turns: readonly Turn[], role: Role): ViewMessage[] {
  const view: ViewMessage[] = [];
  for (const t of turns) {
    if (role === 'user') {
      // The user never sees tool traffic; a tool-only agent step is invisible to them.
      if (t.role === 'agent' && t.content.trim() === '') continue;
      view.push({ from: t.role === 'user' ? 'self' : 'other', content: t.content, acts: t.acts, turnIndex: t.index });
    } else {
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
  let errorCount = 0;
  let next: Role = 'user';

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
    try {
      reply = await participant.nextMessage(seatView(turns, next), {
        turnIndex: index,
        rng: rngs[next],
        signal: opts.signal,
        ...(opts.onDelta ? { onDelta: (text: string) => opts.onDelta!(seat, text) } : {}),
      });
    } catch (err) {
      const error = toErrorRecord(err);
      if (opts.signal?.aborted || error.name === 'AbortError') return end('aborted', error);
      if (ENGINE_LOST_ERRORS.includes(error.name)) return end('engine_lost', error);
      return end(next === 'user' ? 'user_error' : 'agent_error', error);
    }
    // A turn finished after the user pressed stop is the turn in flight: not recorded.
    if (opts.signal?.aborted) return end('aborted');

    const flags = [...(reply.flags ?? [])];
    const toolCalls: ToolCall[] = [];
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
        reply.toolCalls.forEach((req, i) => {
          const args = req.arguments ?? {};
          const result = seats.environment.call(req.name, args);
          toolCalls.push({ id: `t${index}-${i}`, name: req.name, arguments: args, result });
          if (!result.ok) errorCount++;
          else if (seats.environment.isTransfer(req.name)) transferred = true;
        });
        if (toolCalls.some((c) => !c.result.ok)) flags.push('tool_error');
      }
    }
    if (flags.includes('participant_error')) errorCount++;

    const control = reply.control ?? parseControlSignal(reply.content);
    if (next === 'user' && control === 'stop' && stopsBeforeAction(turns, reply.content, seats.environment)) {
      flags.push('premature_stop');
    }
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
      flags,
      startedAt,
      durationMs: Math.max(0, now() - startedAt),
      ...(reply.usage ? { usage: reply.usage } : {}),
    };
    turns.push(turn);
    await opts.onTurn?.(turn);

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

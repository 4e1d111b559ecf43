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
    const index = turns.length;
    const startedAt = now();
    let reply: ParticipantReply;
    try {
      reply = await participant.nextMessage(seatView(turns, next), {
        turnIndex: index,
        rng: rngs[next],
        signal: opts.signal,
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
      // After tool calls the agent acts again with their results; otherwise the user speaks.
      next = toolCalls.length > 0 ? 'agent' : 'user';
    }
  }
}

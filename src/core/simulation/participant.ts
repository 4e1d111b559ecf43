import type {
  ControlSignal,
  DialogueAct,
  JsonObject,
  Role,
  Scenario,
  Persona,
  ToolCall,
  ToolSpec,
  TurnUsage,
} from '../model/types.ts';
import type { Rng } from '../stats/rng.ts';

/**
 * One message as a seat sees it. `self` is the seat's own earlier message, `other` the other
 * seat's. The user seat never sees tool calls; the agent seat sees its own calls with results.
 */
export interface ViewMessage {
  from: 'self' | 'other';
  content: string;
  acts?: DialogueAct[];
  /** Only on the agent seat's own messages: the calls it made and what came back. */
  toolCalls?: ToolCall[];
  /**
   * Only in the user seat's view of agent messages: how many of the agent's tool calls failed
   * since its previous visible message. The user never sees the calls themselves, but a person
   * notices the fumbling ("sorry, let me try that again"), and persona controls react to it.
   */
  toolErrors?: number;
  /** Index of the stored turn this message comes from. */
  turnIndex: number;
}

/** What the user seat is given: the hidden scenario side and its persona. */
export interface UserSeatContext {
  role: 'user';
  scenario: Scenario;
  persona: Persona;
  /** The session's seed, for participants that derive their own (per-request model seeds). */
  seed?: number;
}

/** What the agent seat is given: policy and tools, never the user's hidden goal. */
export interface AgentSeatContext {
  role: 'agent';
  scenarioId: string;
  domain: string;
  policy: string;
  tools: ToolSpec[];
  /** The session's seed, for participants that derive their own (per-request model seeds). */
  seed?: number;
}

export type SeatContext = UserSeatContext | AgentSeatContext;

/** Per-turn information passed to a participant. */
export interface TurnContext {
  /** Index the produced turn will have. */
  turnIndex: number;
  /** Seeded generator private to this seat in this session. */
  rng: Rng;
  signal?: AbortSignal;
  /** Receives a model's text as it streams, for live views; the turn itself still comes whole. */
  onDelta?: (text: string) => void;
}

/** A tool call as a participant requests it, before the environment runs it. */
export interface ToolCallRequest {
  name: string;
  arguments: JsonObject;
}

/** What a participant produces for one turn. */
export interface ParticipantReply {
  content: string;
  /** Agent seat only: tools to run. The agent is asked again once they have run. */
  toolCalls?: ToolCallRequest[];
  /**
   * Agent seat only: calls it tried to make but that could not be read (malformed JSON, no
   * name). Each becomes an error result the agent sees, counts toward maximum errors, and the
   * agent acts again.
   */
  invalidToolCalls?: { raw: string; message: string }[];
  acts?: DialogueAct[];
  control?: ControlSignal;
  latent?: JsonObject;
  satisfaction?: number;
  /** A thinking model's reasoning, taken out of `content`; stored on the turn, never shown to the other seat. */
  reasoning?: string;
  /** Flags to record on the turn. "participant_error" also counts toward maximum errors. */
  flags?: string[];
  usage?: TurnUsage;
  /** Model id or other author detail, appended to the participant id on the turn. */
  authorDetail?: string;
}

/**
 * One seat's occupant: an LLM, a classical simulator, a rule-based agent or a person.
 * The orchestrator does not know which. A participant is created per session, so it may
 * keep state across its turns.
 */
export interface Participant {
  readonly id: string;
  readonly role: Role;
  nextMessage(view: readonly ViewMessage[], ctx: TurnContext): Promise<ParticipantReply>;
}

/**
 * Where a seat last spoke in its view, and the other seat's messages since: what a
 * participant has to answer this turn. `lastOwn` is -1 before its first message.
 */
export function sinceLastOwn(view: readonly ViewMessage[]): { lastOwn: number; incoming: ViewMessage[] } {
  let lastOwn = -1;
  for (let i = view.length - 1; i >= 0; i--) {
    if (view[i]!.from === 'self') {
      lastOwn = i;
      break;
    }
  }
  return { lastOwn, incoming: view.slice(lastOwn + 1).filter((m) => m.from === 'other') };
}

/** Builds a fresh participant for one session. */
export type ParticipantFactory<C extends SeatContext = SeatContext> = (context: C) => Participant;

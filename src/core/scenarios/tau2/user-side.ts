/**
 * The user side of a τ²-bench task in our terms: the free-text instructions become a UserSide,
 * with the facts the user holds pulled out as slots for the agenda simulator, and a goal built
 * from the gold write actions and the information the agent must convey.
 */
import type { GoalRequest, Json, UserGoal, UserSide } from '../../model/types.ts';
import { identifiersNeedingSource } from '../user-knowledge.ts';

/** τ²-bench's structured user instructions (StructuredUserInstructions). */
export interface Tau2Instructions {
  domain?: string;
  reason_for_call: string;
  known_info?: string | null;
  unknown_info?: string | null;
  task_instructions: string;
}

/** A gold action as τ²-bench writes it (only what the user side needs). */
export interface Tau2GoldAction {
  name: string;
  arguments: Record<string, Json>;
  compare_args?: string[] | null;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** τ²-bench user ids: lower-case words joined by "_" and a number, e.g. "mei_kovacs_8020". */
const USER_ID = /\b[a-z]+(?:_[a-z]+)+_\d+\b/g;
const ZIP = /(?<![\d.])\d{5}(?!\d|\.\d)/g;
/** Retail order ids, with or without their "#": "#W2378156", "W5061109". */
const ORDER_ID = /#?\bW\d{7}\b/g;
/** Airline reservation ids where the text names them: "reservation number is PEP4E0", "reservation EHGLP3". */
const RESERVATION = /\b(?:[Rr]eservation|[Cc]onfirmation)(?: (?:[Nn]umber|[Ii]d|ID|[Cc]ode))?(?: is)?:?\s+([A-Z0-9]{6})\b/g;
/** "You are Yusuf Rossi", "Your name is Mei Patel", "called Noah Patel", "You're Chen Smith". */
const NAME = /\b(?:[Yy]our? name is|[Yy]ou are|[Yy]ou're|called)\s+([A-Z][a-z]+(?:[ -][A-Z][a-z]+)*)/;

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Puts values under slot, slot_2, slot_3… */
function numbered(into: Record<string, string>, slot: string, values: readonly string[]): void {
  values.forEach((v, i) => {
    into[i === 0 ? slot : `${slot}_${i + 1}`] = v;
  });
}

/**
 * The facts a τ²-bench user holds, as slots: name (and first/last name), user_id, email(s),
 * zip code(s), order id(s) and reservation id(s), read from the known-info text; order and
 * reservation ids also from the other texts the user has (reason for call, task
 * instructions). The whole known-info text is kept under `details`, so nothing is lost when
 * a pattern misses.
 */
export function extractKnownInfo(knownInfo: string | null | undefined, otherTexts: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const text = knownInfo ?? '';
  const name = NAME.exec(text)?.[1];
  if (name) {
    out['name'] = name;
    const parts = name.split(' ');
    if (parts.length >= 2) {
      out['first_name'] = parts[0]!;
      out['last_name'] = parts.slice(1).join(' ');
    }
  }
  const userId = unique(text.match(USER_ID) ?? []);
  numbered(out, 'user_id', userId);
  numbered(out, 'email', unique(text.match(EMAIL) ?? []));
  // Digits inside emails and user ids are not zip codes.
  const bare = text.replace(EMAIL, ' ').replace(USER_ID, ' ');
  numbered(out, 'zip', unique(bare.match(ZIP) ?? []));
  const orders = unique([text, ...otherTexts].flatMap((t) => t.match(ORDER_ID) ?? []));
  if (orders.length > 0) {
    out['order_id'] = orders[0]!;
    if (orders.length > 1) out['order_ids'] = orders.join(', ');
  }
  const reservations = unique([text, ...otherTexts].flatMap((t) => [...t.matchAll(RESERVATION)].map((m) => m[1]!)));
  if (reservations.length > 0) {
    out['reservation_id'] = reservations[0]!;
    if (reservations.length > 1) out['reservation_ids'] = reservations.join(', ');
  }
  if (text.trim()) out['details'] = text.trim();
  return out;
}

/**
 * Where a τ²-bench user has the ids their instructions give them (user id, order and
 * reservation numbers, the known-info text that holds them): τ²-bench hands them over there.
 */
export const TAU2_INSTRUCTIONS_SOURCE = "the task's instructions (τ²-bench gives it to the user there)";

/**
 * `UserSide.knownFrom` for known facts: `source` for every slot whose value holds an
 * identifier that needs one (personal details such as a zip code need none).
 */
export function sourcesFor(knownInfo: Record<string, string>, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [slot, value] of Object.entries(knownInfo)) if (identifiersNeedingSource(slot, value).length > 0) out[slot] = source;
  return out;
}

/** Second person to first: the user's own words for a clause of their instructions. */
export function toFirstPerson(clause: string): string {
  return clause
    .replace(/\byou're\b/gi, "I'm")
    .replace(/\byou are\b/gi, 'I am')
    .replace(/\byou were\b/gi, 'I was')
    .replace(/\byourself\b/gi, 'myself')
    .replace(/\byours\b/gi, 'mine')
    .replace(/\byour\b/gi, 'my')
    // "help you", "allows you to": an object, so "me"
    .replace(/\b(help|tell|give|send|show|let|ask|asks|call|contact|email|refund|charge|to|for|with|about) you\b/gi, '$1 me')
    .replace(/\byou to\b/gi, 'me to')
    .replace(/\byou\b/gi, 'I')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts a phrase to at most `max` characters at a word boundary. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 20)).replace(/[,;:]$/, '');
}

/** "you (also) want to X": X runs to the end of the sentence or to the next ", and you …". */
const WANT_TO =
  /\byou (?:also |first |then |just |really |now )*(?:want|would like|wish|need|are hoping|hope) to ((?:(?!,? (?:and|but|then|so|also) you\b)[^.!?;])+)/gi;
const LEARN = /^(know|check|find out|figure out|ask|inquire|learn|confirm|see)\b/i;

/** The things a reason-for-call says the user wants, in their words ("cancel my order"). */
export function wantedPhrases(reason: string): string[] {
  return [...reason.matchAll(WANT_TO)].map((m) => clip(toFirstPerson(m[1]!.trim()), 120)).filter((p) => p.length > 2);
}

/** An argument value as the user would say it: strings as they are, lists joined. */
export function sayValue(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return JSON.stringify(value);
}

/** What a user asks for to get a gold write done: a verb phrase for the tool. */
export type UtteranceFor = (tool: string) => string;

/** A tool name as a verb phrase, for tools without a written utterance: "book_reservation" → "book reservation". */
export function plainUtterance(tool: string): string {
  return tool.replace(/_/g, ' ');
}

/** A gold argument the user cannot know and that could not be described in words. */
export interface UnsayableValue {
  tool: string;
  arg: string;
  value: string;
}

/**
 * How the user states a gold write's compared arguments: `expect` holds only what the user can
 * say (values from their own texts, or descriptions of records), `unsayable` the values left
 * out because the user cannot know them. The ids themselves stay in the gold actions.
 */
export type ArgumentSayer = (action: Tau2GoldAction, compared: readonly string[]) => { expect: Record<string, string>; unsayable: UnsayableValue[] };

/** Every compared value as it is: for callers with no user texts to check against (tests of the shape alone). */
export const sayEveryValue: ArgumentSayer = (action, compared) => {
  const expect: Record<string, string> = {};
  for (const arg of compared) {
    const v = action.arguments[arg];
    if (v === undefined || v === null || v === '') continue;
    expect[arg] = sayValue(v);
  }
  return { expect, unsayable: [] };
};

/**
 * The agenda simulator's goal: one action request per gold write (the tool and what the user
 * insists on, from `say`: only values the user can know, records described in words), then one
 * info request per piece of information the agent must convey (the slot is the information
 * itself, so the request is met when the agent says it). A task with neither gets one request
 * for what the reason for call asks, and accepts a refusal: there the right outcome is that
 * nothing changes.
 */
export function buildGoal(
  actions: readonly Tau2GoldAction[],
  isWrite: (tool: string) => boolean,
  communicateInfo: readonly string[],
  reason: string,
  utteranceFor: UtteranceFor,
  say: ArgumentSayer = sayEveryValue,
): { goal: UserGoal; unsayable: UnsayableValue[] } {
  const requests: GoalRequest[] = [];
  const unsayable: UnsayableValue[] = [];
  for (const action of actions) {
    if (!isWrite(action.name)) continue;
    const compared = action.compare_args ?? Object.keys(action.arguments);
    const said = say(action, compared);
    unsayable.push(...said.unsayable);
    requests.push({ type: 'action', utterance: utteranceFor(action.name), tool: action.name, expect: said.expect });
  }
  const wants = wantedPhrases(reason);
  const learning = wants.find((w) => LEARN.test(w));
  communicateInfo.forEach((info, i) => {
    requests.push({
      type: 'info',
      // The first question in the reason for call, else a plain one.
      utterance: i === 0 && learning ? learning : 'ask about something on my account',
      slot: info,
    });
  });
  if (requests.length === 0) {
    return {
      goal: { requests: [{ type: 'info', utterance: wants[0] ?? 'get help with a request', slot: 'resolution' }], acceptsRefusal: true },
      unsayable,
    };
  }
  return { goal: { requests }, unsayable };
}

/** Text with at least one letter or digit, or undefined ("." is τ²-bench's placeholder). */
function meaningful(text: string | null | undefined): string | undefined {
  return text && /[\p{L}\p{N}]/u.test(text) ? text.trim() : undefined;
}

/**
 * Maps τ²-bench's user scenario (structured instructions or a plain string, plus an optional
 * persona) onto our UserSide. The persona text, where there is one, leads the task
 * instructions, as τ²-bench puts it before the instructions in the user's prompt. The ids
 * pulled out of the instructions are known from them (`knownFrom`: TAU2_INSTRUCTIONS_SOURCE).
 */
export function mapUserSide(
  instructions: Tau2Instructions | string,
  persona: string | null | undefined,
  goal: UserGoal,
): UserSide {
  const structured = typeof instructions === 'string' ? undefined : instructions;
  const reason = structured ? structured.reason_for_call.trim() : (instructions as string).trim();
  const ownInstructions = structured ? meaningful(structured.task_instructions) : reason;
  const personaText = meaningful(persona);
  const taskInstructions =
    [personaText ? `Persona: ${personaText}` : undefined, ownInstructions].filter(Boolean).join('\n\n') ||
    'Pursue the reason for your call as described, one step at a time.';
  const unknown = meaningful(structured?.unknown_info);
  const knownInfo = structured
    ? extractKnownInfo(structured.known_info, [structured.reason_for_call, structured.task_instructions])
    : extractKnownInfo(null, [reason]);
  const knownFrom = sourcesFor(knownInfo, TAU2_INSTRUCTIONS_SOURCE);
  return {
    reasonForContact: reason,
    knownInfo,
    ...(Object.keys(knownFrom).length > 0 ? { knownFrom } : {}),
    unknownInfo: unknown ? [unknown] : [],
    taskInstructions,
    goal,
  };
}

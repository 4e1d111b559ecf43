/**
 * A generic frame-based agent: the classical baseline for any domain, built from the tool
 * specs (names, descriptions, JSON-Schema parameters, read/write kind) and the policy text
 * alone. It reads the user's text only and answers in plain text, so it can face the agenda
 * simulator, an LLM user or a person.
 *
 * Each request is a frame: the tool that serves it (picked by keyword overlap of the user's
 * words with tool names and descriptions) and that tool's parameters as slots. Slots are
 * filled from what the user says (labelled values, shapes learnt from the examples in the
 * parameter descriptions, enum values), from earlier tool results, and by chaining a read
 * tool that can supply them; what is still missing is asked for, one slot at a time. When
 * the policy asks for identification and a lookup tool by personal details exists, the user
 * is identified first. Before a write the agent states the call and waits for a yes; after
 * it, it reports the outcome with its key figures, or the tool's error as a refusal. When it
 * keeps getting nowhere it hands over to a person, if the domain has a transfer tool.
 *
 * It never invents values: every argument comes from the user's words or a tool's result.
 * It is deterministic: it uses no randomness at all.
 */
import type { Json, JsonObject, ToolSpec } from '../model/types.ts';
import type { AgentSeatContext, Participant, ParticipantReply, ToolCallRequest, ViewMessage } from '../simulation/participant.ts';
import { sinceLastOwn } from '../simulation/participant.ts';
import { todayFromPolicy } from '../scenarios/domains/helpers.ts';
import { normalize, slotLabel } from '../users/nlu.ts';
import {
  AFFIRM,
  answerSentences,
  bareAnswer,
  BYE,
  CONFUSED,
  contentWords,
  DEFLECT,
  DONT_KNOW,
  examplesIn,
  idComposition,
  type IdPart,
  INSIST,
  isDigitsOnly,
  isInfoRequest,
  isoDateIn,
  isVagueRequest,
  labelledValues,
  labelMatches,
  labelCore,
  matchEnum,
  nameIn,
  NEGATE,
  paramsOf,
  paramWords,
  scoreIntents,
  shapeMatches,
  splitId,
  stem,
  type ParamSpec,
} from './frame-nlu.ts';

export const FRAME_AGENT_ID = 'frame';
/**
 * Bump when behaviour changes, so stored results stay comparable.
 * frame-1.3.0: asks which of two equally fitting tools ("pickup or delivery?") and passes over
 * tools doing something unsaid (cancel_refill for "refill"); verbs inside "find out whether…"
 * ask for a lookup; a vague opening ("a problem with my order") is asked what to do; an info
 * request asked again is answered again; a phrase naming several records fills a list
 * parameter with all; "new_X" parameters leave out the current X and ask for the details
 * that tell the options apart; a relative's records ("my son's inhaler") are looked up via the
 * caller's linked ids; a follow-up to a refused action keeps its things; several values for
 * one parameter are confirmed once and acted on for each; a guide named after the requested
 * action is opened; lookups of earlier requests are reused; "leaves" means departure.
 * frame-1.3.1: a greeting alone is greeted back and thanks alone get "you're welcome", rather
 * than "Sorry, I did not catch that".
 * frame-1.4.0: ids made of other parameters' values (a flight id from flight number and date, as
 * its examples show) are put together, a new one from the pieces the user changes, with dates
 * said in words read in the policy's year; ids a record lists under its plural ("flights") are
 * taken; a write refused until another step is taken ("unlock it before…") offers that step
 * when the policy names its tool, confirms it, takes it, then confirms and retries the action.
 * frame-1.4.1: thanks after a word of approval ("Great, thanks.") are thanks too, never taken
 * for a request out of scope.
 * frame-1.5.0: "where" questions no tool fits are answered from the place a looked-up record points
 * to by id (a refill's store_id, looked up with list_stores); "everything"/"all" requests act on
 * every record the action's description admits (an "eligible" status), naming those left out.
 * frame-1.6.0: a "new_X" list (new_item_ids) is filled one record per current one, from the
 * looked-up records of the same kind holding the details the user gave (a variant of the same
 * product, "new color silver"), asked for by what tells them apart, corrected from the details
 * said with a "no"; ids in a confirmation are read out with what their records hold (a new
 * variant's options, a card's kind and last digits), the person's own record looked up first
 * when an id was seen only as a reference.
 * frame-1.7.0: before an action is offered, the read tools the policy says to look things up with
 * first ("… its flights with `get_flight_status` before offering anything") are called with what
 * the action's arguments give them, whole or as an id's pieces (a flight id's number and date).
 * frame-1.7.1: new records for a list are of the same kind as the one they replace (same keys,
 * same name), values such as "750ml" count as attributes, each current record gets its own
 * questions, and no tool is chained for them; a record found by its own id is described even
 * with two fields ("paypal"); bare record ids are left out of reports; a record picked among
 * several by the user's words is picked by this request's words first; before asking which of
 * two to five records is meant, they are read, so the question names them by what they hold
 * (a record with no name of its own, an order, by its id, status and the names of what it holds),
 * and when the user does not know the id such a question is asked once before giving up; a
 * choice offered back is not echoed in the confirmation, which describes the record instead;
 * things named that the record the user gave does not hold ("the camera" in an order without
 * one) are looked for in the person's other records of that kind, and the one holding them all
 * is taken instead, saying so.
 */
export const FRAME_AGENT_VERSION = 'frame-1.7.1';

/** Tuning knobs; the defaults are what the registered seat uses. */
export interface FrameAgentOptions {
  /** Turns without progress (unanswerable questions, misunderstandings) before handing over. */
  maxFailures?: number;
  /** Times one slot is asked for in one request before the request is dropped. */
  maxAsks?: number;
  /** Tool rounds allowed between two user messages. */
  maxToolRounds?: number;
}

/** Parameters that identify a person; a read tool taking only these is an identity lookup. */
const PERSONAL = new Set(['email', 'name', 'full name', 'first name', 'last name', 'zip', 'postcode', 'postal', 'phone', 'date birth', 'dob']);
/** A policy sentence asking for a look-up before acting: "Look up the order with `get_order` … before offering anything". */
const LOOKUP_BEFORE = /\b(?:look(?:s|ed)? up|check|verify|consult|review)\b[^.\n]*\bbefore\b|\bbefore\b[^.\n]*\b(?:look(?:s|ed)? up|check)\b/i;
const IDENTIFY_POLICY = /\b(identify|identif|authenticat|verify the|look (?:the|them|the customer|the user|the employee)[a-z ]{0,12} up|locat(?:e|ing) their)/i;

/** Result fields worth reporting after an action, by key. */
const KEY_FIELD = /(status|amount|total|refund|price|balance|credit|cost|fee|difference|tracking|carrier|level|approv|state|eta|due|date|_on$|_at$|result|message|team|assigned|reference|ticket|case)/i;
const MONEY = /(amount|total|refund|price|balance|credit|cost|fee|difference|paid|charge)/i;
/** Fields never read out unasked: they name the person, and the user checks them. */
const PERSONAL_FIELD = /^(name|email|phone|address|first_name|last_name|zip|dob|user_id|password)$/i;

interface Slot {
  value: Json;
  /** The user's own words for it, quoted in confirmations so they recognise their request. */
  said?: string;
  /** Kept across requests (identity) or only for the current one. */
  session: boolean;
}

/** A troubleshooting guide as its tool returned it: steps to relay and outcomes to pick from. */
export interface Guide {
  steps: string[];
  outcomes: { reports: string; meaning: string; action: string }[];
}

/** One action a guide's outcome names, in order; alternatives share a group. */
export interface PlanStep {
  tool: ToolSpec;
  clause: string;
  group: number;
  /** The clause's condition ("if the account is locked"), when it has one. */
  condition?: string;
  /** A step a tool error asked for before the action that follows it: reported as a step, not as the request done. */
  before?: boolean;
}

interface Goal {
  tool: ToolSpec;
  kind: 'write' | 'read' | 'transfer' | 'guide';
  /** The guide, once looked up (kind 'guide'). */
  guide?: Guide;
  /** Times the agent asked for the readings the guide needs. */
  readingAsks: number;
  /** Index in the user's messages from which answers to the guide's questions count. */
  readingsFrom: number;
  /** The readings asked for ("error code"): their own words do not pick an outcome. */
  readings: string[];
  /** Guide steps already relayed to the user. */
  relayed: Set<string>;
  /** The user's words that opened it. */
  text: string;
  confirmed: boolean;
  /** The agent already stated the call and asked for a yes this many times. */
  confirmations: number;
  /** The user's phrases for array / id slots that need resolving against records ("Piranesi"). */
  phrases: Map<string, string>;
  asks: Map<string, number>;
  unknown: Set<string>;
  /** Index in the user's messages where the request began. */
  startedAt: number;
  /** Values taken from results that the user said no to, per parameter. */
  rejected: Map<string, Set<string>>;
  /**
   * Tools the request fits equally, each with the words of its name the others lack
   * ("pickup", "delivery"): the user is asked which, once identified. Undefined once settled.
   */
  alternatives?: { tool: ToolSpec; words: string[] }[];
  /** Times the agent asked which of the alternatives is meant. */
  toolAsks: number;
  /** Bare details the user corrected with ("L", "olive"): values a wanted record holds. */
  details: string[];
  /**
   * The request is for a relative ("my son's inhaler"): the one of the caller's linked records
   * it is about, once settled ('' when there is none to settle), with its name for confirmations.
   */
  relative?: { id: string; name: string };
  /**
   * The request names several values for one single-valued parameter ("refill RX-1 and RX-2"):
   * one confirmation covers them all, the action runs once for each, one report follows.
   */
  multi?: { param: string; values: string[]; back: number; reports: string[]; left?: string };
  /** Times the agent asked for the details that tell the records apart ("which size and color"). */
  detailAsks: number;
  /** A "where" question: the id of the place record (a store) whose location is read out. */
  place?: string;
  /** Parameters asked for again as a choice among the records that could be meant. */
  choiceAsked: Set<string>;
}

interface RecordEntry {
  tool: string;
  args: JsonObject;
  value: Json;
  /** The request it was made for; -1 for identification. */
  goal: number;
}

type Pending =
  | { kind: 'none' }
  | { kind: 'intent' }
  | { kind: 'slot'; param: ParamSpec; identify: boolean; choices?: Choice[]; relative?: boolean }
  | { kind: 'confirm'; call: ToolCallRequest }
  | { kind: 'tool' }
  | { kind: 'detail'; param: ParamSpec }
  | { kind: 'reading' }
  | { kind: 'after' };

/** One option of a "which one do you mean" question: the value and the words it was offered by. */
export interface Choice {
  value: Json;
  text: string;
}

type Decision = { type: 'call'; calls: ToolCallRequest[] } | { type: 'say'; text: string; end?: boolean };

export function createFrameAgent(ctx: AgentSeatContext, options: FrameAgentOptions = {}): Participant {
  return new FrameAgent(ctx, options);
}

class FrameAgent implements Participant {
  readonly id = FRAME_AGENT_ID;
  readonly role = 'agent' as const;

  private readonly tools: ToolSpec[];
  private readonly params = new Map<string, ParamSpec[]>();
  private readonly transferTool?: ToolSpec;
  /** A read tool that opens troubleshooting guides, and the guide ids its spec names. */
  private readonly guideTool?: ToolSpec;
  private readonly guideIds: string[] = [];
  private readonly identifyTools: ToolSpec[];
  private readonly needIdentify: boolean;
  private readonly maxFailures: number;
  private readonly maxAsks: number;
  private readonly maxToolRounds: number;

  private slots = new Map<string, Slot>();
  private records: RecordEntry[] = [];
  private called = new Set<string>();
  private goal?: Goal;
  private goalIndex = 0;
  private pending: Pending = { kind: 'none' };
  private identified = false;
  private identifyTried = new Set<string>();
  private identityUnknown = new Set<string>();
  private inFlight: ToolCallRequest[] | null = null;
  private outbox: string[] = [];
  private failures = 0;
  private lastRefusal?: { text: string; outOfScope: boolean; goalText: string };
  private userText: string[] = [];
  private rounds = 0;
  private ended = false;
  /** Actions a guide's outcome calls for, still to do; the one under way; the request they serve. */
  private plan: PlanStep[] = [];
  private planCurrent?: PlanStep;
  private planText = '';
  /** The arguments of the last action that failed: a follow-up ("a renewal then") is about the same things. */
  private failedArgs?: JsonObject;
  /** Requests that named only a thing, already answered by asking what to do with it. */
  private askedIntentFor = new Set<string>();
  /** "I want X instead" requests already acted on by dropping the proposed action. */
  private insteadSeen = new Set<string>();
  /** The year of today's date in the policy: "June 18" is read in it. */
  private readonly year?: number;
  /** How ids are made of other parameters' values, per parameter name (null: they are not). */
  private readonly compositions = new Map<string, IdPart[] | null>();
  /** Composed ids with the user's words for their pieces ("SK201, June 18"), for confirmations. */
  private composedWords = new Map<string, string>();
  /** The policy text: a step a tool error asks for is taken only with a tool the policy names. */
  private readonly policy: string;
  /** Actions already retried after a step a tool error asked for ("reset_mfa>unlock_account"). */
  private preconditionsTried = new Set<string>();
  /** Read tools the policy says to look things up with before acting ("… with `get_flight_status` before offering anything"). */
  private readonly checkTools: ToolSpec[];

  constructor(ctx: AgentSeatContext, options: FrameAgentOptions) {
    // ask_user (agentic mode) is the orchestrator's, not the domain's: this agent talks directly.
    this.tools = ctx.tools.filter((t) => t.name !== 'ask_user');
    for (const t of this.tools) this.params.set(t.name, paramsOf(t));
    this.transferTool = this.tools.find((t) => /transfer|human/.test(t.name));
    this.identifyTools = this.tools
      .filter((t) => t.kind === 'read' && t !== this.transferTool)
      .filter((t) => {
        const ps = this.params.get(t.name)!;
        return ps.length > 0 && ps.every((p) => isPersonal(p.name));
      })
      // Email first: policies prefer it, and it is one slot instead of three.
      .sort((a, b) => Number(!this.hasParam(a, 'email')) - Number(!this.hasParam(b, 'email')));
    // A getter by the identified entity's own id (get_member for find_member_by_email) identifies too.
    const entities = new Set(this.identifyTools.map((t) => entityOf(t.name)));
    for (const t of this.tools) {
      if (t.kind !== 'read' || this.identifyTools.includes(t) || t === this.transferTool) continue;
      const req = this.params.get(t.name)!.filter((p) => p.required);
      if (req.length === 1 && entities.has(entityOf(t.name)) && req[0]!.name === `${entityOf(t.name)}_id`) this.identifyTools.push(t);
    }
    this.needIdentify = this.identifyTools.length > 0 && IDENTIFY_POLICY.test(ctx.policy);
    // A guide tool: a read tool about guides or troubleshooting, taking one id.
    this.guideTool = this.tools.find((t) => t.kind === 'read' && t !== this.transferTool && /guide|troubleshoot/i.test(`${t.name} ${t.description}`) && this.params.get(t.name)!.filter((p) => p.required).length === 1);
    if (this.guideTool) {
      const gp = this.params.get(this.guideTool.name)!.find((p) => p.required)!;
      const ids = new Set<string>([...(gp.enum ?? []), ...examplesIn(gp.description)]);
      for (const text of [this.guideTool.description, gp.description]) for (const m of text.matchAll(/\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b/g)) ids.add(m[0]);
      this.guideIds = [...ids];
    }
    // Today's date as the policy states it, else any date it names.
    const today = todayFromPolicy(ctx.policy) ?? /\b\d{4}-\d{2}-\d{2}\b/.exec(ctx.policy)?.[0];
    if (today) this.year = Number(today.slice(0, 4));
    this.policy = ctx.policy;
    const checking = ctx.policy.split(/\n+|(?<=[.!?])\s+/).filter((s) => LOOKUP_BEFORE.test(s));
    this.checkTools = this.tools.filter((t) => t.kind === 'read' && t !== this.transferTool && !this.identifyTools.includes(t) && checking.some((s) => new RegExp(`\\b${t.name}\\b`).test(s)));
    this.maxFailures = options.maxFailures ?? 3;
    this.maxAsks = options.maxAsks ?? 2;
    this.maxToolRounds = options.maxToolRounds ?? 8;
  }

  async nextMessage(view: readonly ViewMessage[]): Promise<ParticipantReply> {
    const last = view[view.length - 1];
    if (this.inFlight && last?.from === 'self' && last.toolCalls) {
      this.inFlight = null;
      for (const call of last.toolCalls) this.onResult(call.name, call.arguments, call.result);
    } else {
      this.inFlight = null;
      this.rounds = 0;
      const { incoming } = sinceLastOwn(view);
      const text = incoming.map((m) => m.content).join('\n').trim();
      if (text) this.onUser(text);
    }
    const d = this.decide();
    if (d.type === 'call') {
      this.rounds++;
      this.inFlight = d.calls;
      for (const c of d.calls) this.called.add(callKey(c));
      return { content: '', toolCalls: d.calls };
    }
    const content = [...this.outbox, d.text].filter(Boolean).join(' ');
    this.outbox = [];
    return { content, ...(d.end ? { control: 'stop' as const } : {}) };
  }

  /* ------------------------------------------------------------ reading the user */

  private onUser(text: string): void {
    this.userText.push(text);
    const pending = this.pending;
    this.pending = { kind: 'none' };
    let progress = false;

    // Anything labelled or shaped like a known parameter is taken, whatever was asked.
    progress = this.harvest(text) || progress;

    if (pending.kind === 'reading' && this.goal?.kind === 'guide') {
      // The user's report on the guide's steps: read against the guide's outcomes in decide().
      this.failures = 0;
      return;
    }
    if (pending.kind === 'tool' && this.goal?.alternatives) {
      const chosen = pickAlternative(this.goal.alternatives, text);
      if (chosen) {
        this.goal.tool = chosen;
        this.goal.alternatives = undefined;
        this.fillEnums(chosen, this.goal.text);
        this.failures = 0;
        return;
      }
      this.failures++;
      return;
    }
    if (pending.kind === 'detail' && this.goal && DEFLECT.test(text)) {
      // "Why do you need that?": the question stands, and is asked again.
      this.goal.detailAsks--;
      return;
    }
    if (pending.kind === 'detail' && this.goal) {
      // Bare answers to "which size and color": values the wanted record holds ("L and forest").
      const held = new Set(this.detailHolders(pending.param).flatMap((h) => textLeaves(h).map((l) => l.value)));
      for (const sentence of sentencesOfText(text)) {
        if (labelledValues(sentence).length > 0) continue;
        const bare = bareAnswer(sentence);
        if (!bare || DONT_KNOW.test(sentence)) continue;
        for (const part of bare.split(/\s*,\s*|\s+and\s+/)) {
          const d = normalize(part).replace(/[.!]+$/, '');
          if (held.has(d) && !this.goal.details.includes(d)) this.goal.details.push(d);
        }
      }
      this.failures = 0;
      return;
    }
    if (pending.kind === 'slot' && pending.relative && this.goal) {
      const picked = pickChoice(pending.choices ?? [], text);
      if (picked) {
        this.goal.relative = { id: String(picked.value), name: picked.text };
        this.slots.set(pending.param.name, { value: picked.value, said: picked.text, session: false });
        this.failures = 0;
      } else this.failures++;
      return;
    }
    if (pending.kind === 'slot') {
      const picked = pending.choices ? pickChoice(pending.choices, text) : undefined;
      if (picked) progress = this.put(pending.param, picked.value, picked.text) || progress;
      else progress = this.answerTo(pending.param, text, pending.identify) || progress;
    } else if (pending.kind === 'confirm' && this.goal) {
      if (NEGATE.test(normalize(text))) {
        const instead = wantInstead(text);
        const current = this.planCurrent;
        const hasAlternative = current !== undefined && this.plan.some((x) => x !== current && x.group === current.group);
        // A guide's action with an alternative: the alternative is offered (below). The same
        // "instead" twice means re-reading it led back here: no new reading, no loop.
        if (instead && !hasAlternative && !this.insteadSeen.has(normalize(instead))) {
          this.insteadSeen.add(normalize(instead));
          // "No, I want X instead": not a correction of this action but another request. The
          // action is dropped (its picked values stay rejected) and the intent read from X.
          this.dropForInstead(pending.call, instead);
          return;
        }
        // Corrections come with the "no": labelled ones were harvested above; bare ones are
        // matched to the parameter they fit.
        this.goal.confirmed = false;
        const fixed = this.correction(text, pending.call) || progress;
        if (!fixed && hasAlternative) {
          // A guide's action the user does not want: its alternative is offered instead.
          this.plan = this.plan.filter((x) => x !== current);
          this.endGoal();
          return;
        }
        if (!fixed) this.failures++;
        return;
      }
      if (AFFIRM.test(normalize(text))) {
        this.goal.confirmed = true;
        return;
      }
    }

    if (!this.goal) {
      this.startGoal(text);
      if (this.goal) return;
      if (this.lastRefusal && INSIST.test(text)) return;
      if (BYE.test(text) || /\b(thanks|thank you|thx)\b/i.test(text)) return;
      if (pending.kind === 'intent' || pending.kind === 'after' || pending.kind === 'none') this.failures++;
      return;
    }
    if (!progress && (CONFUSED.test(text) || pending.kind === 'slot')) this.failures++;
    if (progress) this.failures = 0;
  }

  /** Labelled values, names, emails and distinctive ids anywhere in the text. */
  private harvest(text: string): boolean {
    let got = false;
    const all = this.allParams();
    for (const { label, value } of labelledValues(text)) {
      // A parameter named exactly so ("flight number") before one the label only loosely fits (flight_id).
      const p = all.find((q) => normalize(q.name.replace(/_/g, ' ')) === normalize(label)) ?? all.find((q) => labelMatches(label, q));
      if (p) {
        got = this.setFromText(p, value, value) || got;
      } else {
        // Not a parameter of any tool ("name" where tools take first and last names): kept
        // under its own name for derivations.
        const key = normalize(label).replace(/\s+/g, '_');
        if (!this.slots.has(key)) this.slots.set(key, { value, said: value, session: isPersonal(key) });
      }
    }
    const name = nameIn(text);
    if (name && !this.slots.has('name')) this.slots.set('name', { value: name, said: name, session: true });
    // Distinctive shapes (letters or symbols in them) name their parameter without a label.
    const byShape = new Map<string, Set<string>>();
    for (const p of all) {
      if (!p.shape || isDigitsOnly(p.shape)) continue;
      for (const m of shapeMatches(text, p.shape)) {
        const set = byShape.get(m) ?? new Set<string>();
        set.add(p.name);
        byShape.set(m, set);
      }
    }
    for (const [value, names] of byShape) {
      if (names.size !== 1) continue;
      const p = all.find((q) => q.name === [...names][0])!;
      if (p.type === 'array') continue;
      const cur = this.slots.get(p.name);
      if (cur?.value === value) continue;
      this.slots.set(p.name, { value, said: value, session: this.isIdentityParam(p.name) });
      got = true;
    }
    return got;
  }

  /**
   * Drops the proposed action for the one the user says they want instead. When that is the
   * same tool again, the values the agent picked for the refused call are not offered again.
   */
  private dropForInstead(call: ToolCallRequest, instead: string): void {
    const old = this.goal!;
    const derived = this.params.get(old.tool.name)!.filter((p) => typeof call.arguments[p.name] === 'string' && this.slots.get(p.name)?.said === undefined);
    if (this.planCurrent) this.plan = this.plan.filter((x) => x !== this.planCurrent);
    this.goal = undefined;
    this.planCurrent = undefined;
    this.startGoal(instead);
    const g = this.goal as Goal | undefined;
    if (!g) {
      this.pending = { kind: 'after' };
      return;
    }
    this.failures = 0;
    if (g.tool === old.tool) {
      for (const [k, v] of old.rejected) g.rejected.set(k, new Set(v));
      for (const p of derived) {
        const set = g.rejected.get(p.name) ?? new Set<string>();
        set.add(call.arguments[p.name] as string);
        g.rejected.set(p.name, set);
        this.slots.delete(p.name);
      }
    }
  }

  /** Bare corrections after a "no": each goes to the one parameter of the call it fits. */
  private correction(text: string, call: ToolCallRequest): boolean {
    const g = this.goal!;
    const params = this.params.get(g.tool.name)!;
    // Details for new records of a list are what the "no" was about: nothing else is dropped.
    if (this.correctNewList(text, call, params)) return true;
    let fixed = false;
    for (const sentence of sentencesOfText(text)) {
      if (sentence.endsWith('?') || NEGATE.test(normalize(sentence)) && sentence.split(' ').length <= 6) continue;
      if (labelledValues(sentence).length > 0) continue;
      const bare = bareAnswer(sentence);
      if (!bare) continue;
      const typed = params.filter((p) => (p.enum || p.shape) && this.typedValue(p, bare) !== undefined);
      if (typed.length === 1) {
        fixed = this.put(typed[0]!, this.typedValue(typed[0]!, bare)!, bare) || fixed;
        continue;
      }
      const phrased = params.filter((p) => g.phrases.has(p.name));
      if (phrased.length === 1) {
        g.phrases.set(phrased[0]!.name, bare);
        this.slots.delete(phrased[0]!.name);
        fixed = true;
        continue;
      }
      // A free-text value the agent took from a record, not from the user: the user's words replace it.
      const free = params.filter((p) => p.name in call.arguments && !p.enum && !p.shape && p.type === 'string' && this.slots.get(p.name)?.said === undefined);
      if (free.length === 1) {
        fixed = this.put(free[0]!, bare, bare) || fixed;
        continue;
      }
      fixed = this.rejectDerived(params, call, bare) || fixed;
    }
    return fixed;
  }

  /**
   * A "no" to new records the agent picked for a list (new_item_ids): the details said with it,
   * labelled ("my new brightness is low") or bare ("It's low"), are what the new ones must hold;
   * the list is derived again with them.
   */
  private correctNewList(text: string, call: ToolCallRequest, params: ParamSpec[]): boolean {
    const g = this.goal!;
    let fixed = false;
    for (const p of params) {
      if (p.type !== 'array' || !/^new_./.test(p.name) || !Array.isArray(call.arguments[p.name]) || this.slots.get(p.name)?.said !== undefined) continue;
      const elem = elementKey(p.name);
      // Every record of the kind looked up: what a detail may be a value of.
      const held = new Set<string>();
      const visit = (v: Json, depth: number): void => {
        if (depth > 6 || v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
        if (typeof v[elem] === 'string') for (const l of textLeaves(v)) held.add(l.value);
        Object.values(v).forEach((x) => visit(x, depth + 1));
      };
      for (const r of this.records) if (r.goal === -1 || r.goal === this.goalIndex) visit(r.value, 0);
      let said = labelledValues(text).some(({ value }) => held.has(normalize(value)));
      for (const sentence of sentencesOfText(text)) {
        if (labelledValues(sentence).length > 0) continue;
        const bare = bareAnswer(sentence);
        const d = bare ? normalize(bare).replace(/[.!]+$/, '') : '';
        if (d && held.has(d)) {
          if (!g.details.includes(d)) g.details.push(d);
          said = true;
        }
      }
      if (said) {
        this.slots.delete(p.name);
        fixed = true;
      }
    }
    return fixed;
  }

  /**
   * The user said no and named something ("It's amlodipine"): the ids the agent picked from
   * results are dropped, first those for which another candidate fits the words better, else
   * those the words do not touch at all. They are derived again, with the new words.
   */
  private rejectDerived(params: ParamSpec[], call: ToolCallRequest, words: string): boolean {
    const g = this.goal!;
    const ws = new Set(contentWords(words));
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    const derived = params.filter((p) => typeof call.arguments[p.name] === 'string' && this.slots.get(p.name)?.said === undefined);
    const better: ParamSpec[] = [];
    const untouched: ParamSpec[] = [];
    // A short detail said as is ("L", "40 L"): a record holding exactly that value fits it.
    const detail = normalize(words).replace(/[.!]+$/, '');
    const exact = detail.split(' ').length <= 2 ? detail : undefined;
    const holds = (h: JsonObject) => (exact !== undefined && leavesOf(h).some((l) => l.value === exact) ? 1 : 0);
    for (const p of derived) {
      const current = call.arguments[p.name] as string;
      const cands = [...this.candidates(p, recs).values()];
      const mine = cands.find((c) => c.value === current);
      const mineScore = mine ? overlap(ws, mine.holder, mine.key) + holds(mine.holder) : 0;
      if (cands.some((c) => c.value !== current && overlap(ws, c.holder, c.key) + holds(c.holder) > mineScore)) {
        better.push(p);
        if (exact !== undefined && cands.some((c) => holds(c.holder))) g.details.push(exact);
      } else if (mineScore === 0) untouched.push(p);
    }
    const drop = better.length > 0 ? better : untouched;
    for (const p of drop) {
      const set = g.rejected.get(p.name) ?? new Set<string>();
      set.add(call.arguments[p.name] as string);
      g.rejected.set(p.name, set);
      this.slots.delete(p.name);
    }
    return drop.length > 0;
  }

  /** The user's answer to the question for `p`. */
  private answerTo(p: ParamSpec, text: string, identify: boolean): boolean {
    const sentences = answerSentences(text);
    if (sentences.length === 0) return false;
    const joined = sentences.join(' ');
    if (DONT_KNOW.test(joined) && !this.slots.has(p.name)) {
      if (identify) this.identityUnknown.add(p.name);
      this.goal?.unknown.add(p.name);
      return true;
    }
    if (DEFLECT.test(text) && !this.slots.has(p.name)) return false;
    if (this.slots.has(p.name) && this.slots.get(p.name)!.said !== undefined && labelledValues(text).length > 0) return true;
    // Typed extraction first; else the bare answer sentence.
    const bare = bareAnswer(sentences[0]!);
    const value = this.typedValue(p, joined);
    if (value !== undefined) return this.put(p, value, bare || joined);
    if (!bare || (this.slots.has(p.name) && labelledValues(text).length > 0)) return this.slots.has(p.name);
    return this.setFromText(p, bare, bare);
  }

  /** A value of p's type found in free text, or undefined. */
  private typedValue(p: ParamSpec, text: string): Json | undefined {
    if (p.enum) return matchEnum(text, p.enum);
    if (p.shape) {
      const ms = [...new Set(shapeMatches(text, p.shape))];
      if (ms.length > 0) return p.type === 'array' ? ms : ms[0]!;
    }
    if (p.type === 'number' || p.type === 'integer') {
      const m = /-?\d+(?:\.\d+)?/.exec(text.replace(/,(?=\d{3}\b)/g, ''));
      if (m) return Number(m[0]);
    }
    if (p.type === 'boolean') {
      if (AFFIRM.test(text)) return true;
      if (NEGATE.test(text)) return false;
    }
    if (/date/.test(p.name)) {
      const d = isoDateIn(text, this.year);
      if (d) return d;
    }
    return undefined;
  }

  /** Sets p from a piece of the user's text, converting to its type; phrases that need a lookup are kept for later. */
  private setFromText(p: ParamSpec, raw: string, said: string): boolean {
    const typed = this.typedValue(p, raw);
    if (typed !== undefined) return this.put(p, typed, said);
    if (p.enum) {
      // An enum value not recognised: keep the words; a later lookup may tell.
      return false;
    }
    // One token with a digit in it is an id as the user gives it, even in an unexpected shape.
    if (p.type === 'string' && /^[A-Za-z0-9#_.\-]+$/.test(raw) && /\d/.test(raw)) return this.put(p, raw, said);
    if (p.shape || p.type === 'array') {
      // "Piranesi" for item ids: resolved against looked-up records; a value picked before gives way.
      if (this.goal) {
        this.goal.phrases.set(p.name, raw);
        if (this.slots.get(p.name)?.said === undefined) this.slots.delete(p.name);
      }
      return true;
    }
    if (p.type === 'number' || p.type === 'integer' || p.type === 'boolean') return false;
    return this.put(p, p.slug ? slugify(raw) : raw, said);
  }

  private put(p: ParamSpec | string, value: Json, said?: string): boolean {
    const name = typeof p === 'string' ? p : p.name;
    this.slots.set(name, { value, ...(said !== undefined ? { said } : {}), session: this.isIdentityParam(name) });
    return true;
  }

  /* ------------------------------------------------------------ goals */

  private startGoal(text: string): void {
    const transferAsked = /\b(human|real person|representative|supervisor|someone else)\b/i.test(text);
    if (this.transferTool && transferAsked) {
      this.goal = this.newGoal(this.transferTool, 'transfer', text);
      return;
    }
    if (this.lastRefusal?.outOfScope && INSIST.test(text) && this.transferTool) {
      this.goal = this.newGoal(this.transferTool, 'transfer', this.lastRefusal.goalText);
      return;
    }
    // Thanks alone start nothing (they are answered with "you're welcome").
    if (THANKS_ONLY.test(text.trim())) return;
    const wantText = sentencesWanting(text);
    if (!wantText) return;
    const guideId = isInfoRequest(wantText) ? undefined : this.matchGuide(wantText);
    if (guideId !== undefined) {
      this.goal = this.newGoal(this.guideTool!, 'guide', wantText);
      this.put(this.params.get(this.guideTool!.name)!.find((p) => p.required)!, guideId);
      this.lastRefusal = undefined;
      return;
    }
    const candidates = this.tools.filter((t) => t !== this.transferTool && t !== this.guideTool && !this.identifyTools.includes(t));
    const writes = candidates.filter((t) => t.kind === 'write');
    const reads = candidates.filter((t) => t.kind === 'read');
    let alternatives: { tool: ToolSpec; words: string[] }[] | undefined;
    const pickBest = (pool: ToolSpec[]): ToolSpec | undefined => {
      const scores = scoreIntents(wantText, pool).filter((s) => s.nameHits.length > 0);
      if (scores.length === 0) return undefined;
      const said = new Set(contentWords(wantText));
      let top = scores.filter((s) => Math.abs(s.score - scores[0]!.score) < 1e-9);
      // Among equals, a tool whose name does something the user never asked for ("cancel_refill"
      // for "refill my atorvastatin") gives way to those that do not.
      const plain = top.filter((s) => !unsaidVerbs(s.tool, said).length);
      if (plain.length > 0) top = plain;
      // Among equals, the tool that needs fewest questions.
      top.sort((a, b) => this.missingCount(a.tool) - this.missingCount(b.tool));
      alternatives = top.length >= 2 && pool[0]?.kind === 'write' ? distinctAlternatives(top.map((s) => this.tools.find((t) => t.name === s.tool)!)) : undefined;
      return this.tools.find((t) => t.name === top[0]!.tool);
    };
    const info = isInfoRequest(wantText);
    const write = pickBest(writes);
    const writeAlternatives = alternatives;
    // Verbs inside what the user wants to learn ("find out whether my refill is ready") ask for nothing to be done.
    const actionPart = info ? wantText.replace(/\b(find out|know|check (?:whether|if))\b.*$/i, '') : wantText;
    const writeHasVerb = write ? (scoreIntents(actionPart, [write])[0]?.nameHits ?? []).some((w) => !isNounish(w)) : false;
    let tool: ToolSpec | undefined;
    let kind: Goal['kind'] = 'write';
    if (write && !writeHasVerb && !info && isVagueRequest(wantText) && !this.askedIntentFor.has(wantText)) {
      // Only a thing named ("a problem with an order"), nothing to do with it: ask what.
      const read = pickBest(reads);
      const readHasVerb = read ? scoreIntents(wantText, [read])[0]!.nameHits.some((w) => !isNounish(w)) : false;
      if (!readHasVerb) {
        this.askedIntentFor.add(wantText);
        const noun = scoreIntents(wantText, [write])[0]!.nameHits[0]!;
        this.outbox.push(`I can help with your ${noun}. What would you like to do?`);
        this.pending = { kind: 'intent' };
        return;
      }
    }
    if (write && (writeHasVerb || !info)) {
      tool = write;
      alternatives = writeAlternatives;
    } else {
      tool = pickBest(reads);
      kind = 'read';
    }
    // "Where do I pick it up?": the place a record just discussed points to, looked up by id.
    const place = !tool && WHERE.test(wantText) ? this.placeLookup() : undefined;
    if (place) {
      this.goal = this.newGoal(place.tool, 'read', wantText);
      this.goal.place = place.id;
      for (const [k, v] of Object.entries(place.args)) this.put(k, v);
      this.lastRefusal = undefined;
      return;
    }
    if (!tool) {
      this.outbox.push(
        `I'm sorry, I can't help with that: it is outside what I can do here.`,
      );
      this.lastRefusal = { text: 'outside what I can do here', outOfScope: true, goalText: wantText };
      this.pending = { kind: 'after' };
      return;
    }
    this.goal = this.newGoal(tool, kind, wantText);
    if (kind === 'write' && alternatives) this.goal.alternatives = alternatives;
    if (kind === 'write') {
      for (const p of this.params.get(tool.name)!) {
        if (!p.required || p.type !== 'string' || !p.shape) continue;
        const values = [...new Set(shapeMatches(wantText, p.shape))];
        if (values.length < 2 || values.length > 5) continue;
        this.goal.multi = { param: p.name, values, back: 0, reports: [] };
        this.put(p, values[0]!, values[0]!);
        break;
      }
    }
    this.lastRefusal = undefined;
    this.fillEnums(tool, wantText);
  }

  /** Enum values said in the request itself ("stolen", "write access") fill their slots. */
  private fillEnums(tool: ToolSpec, text: string): void {
    for (const p of this.params.get(tool.name)!) {
      if (p.enum && !this.slots.has(p.name)) {
        const v = matchEnum(text, p.enum);
        if (v !== undefined) this.put(p, v, v);
      }
    }
  }

  private newGoal(tool: ToolSpec, kind: Goal['kind'], text: string, keep = false): Goal {
    // A guide's next action goes on with the same records and details; another request does not.
    if (!keep) {
      this.goalIndex++;
      // Details of an earlier request do not carry over; identity does.
      for (const [k, s] of this.slots) if (!s.session && !this.mentionedIn(text, k, s)) this.slots.delete(k);
      this.harvestFrom(text);
      // Right after an action failed, the next request is about the same things ("ask my doctor
      // for a renewal then"), unless it says it is about another ("the other order").
      const failed = this.failedArgs;
      this.failedArgs = undefined;
      if (failed && !OTHER_THING.test(text)) {
        for (const p of this.params.get(tool.name) ?? []) {
          const v = failed[p.name];
          if (v !== undefined && !this.slots.has(p.name) && typeof v !== 'object') this.slots.set(p.name, { value: v, session: false });
        }
      }
    }
    return {
      tool,
      kind,
      text,
      confirmed: false,
      confirmations: 0,
      phrases: new Map(),
      asks: new Map(),
      unknown: new Set(),
      startedAt: Math.max(0, this.userText.length - 1),
      rejected: new Map(),
      choiceAsked: new Set(),
      readingAsks: 0,
      toolAsks: 0,
      details: [],
      detailAsks: 0,
      readingsFrom: this.userText.length,
      readings: [],
      relayed: new Set(),
    };
  }

  /**
   * The guide the request is about: the guide id sharing the most words with it, when one
   * of those words names no tool ("vpn", "printer": a symptom, not an action).
   */
  private matchGuide(text: string): string | undefined {
    if (!this.guideTool || this.guideIds.length === 0) return undefined;
    const words = new Set(contentWords(text));
    const toolWords = new Set(this.tools.flatMap((t) => contentWords(t.name.replace(/_/g, ' '))));
    // The action the request names ("report_lost_or_stolen"): a guide named by its words is the
    // guide for that action ("lost-or-stolen-device"), though those words name a tool.
    const writes = this.tools.filter((t) => t.kind === 'write');
    const action = scoreIntents(text, writes).filter((x) => x.nameHits.some((w) => !isNounish(w)))[0];
    const actionWords = new Set(action ? contentWords(action.tool.replace(/_/g, ' ')) : []);
    const scored = this.guideIds
      .map((id) => {
        const hits = [...new Set(contentWords(id.replace(/-/g, ' ')))].filter((w) => words.has(w));
        const covers = hits.some((w) => actionWords.has(w) && !isNounish(w));
        return { id, score: hits.length + (covers ? 0.5 : 0), keep: covers || hits.some((w) => !toolWords.has(w)) };
      })
      .filter((x) => x.score > 0 && x.keep)
      .sort((a, b) => b.score - a.score);
    if (scored.length === 0 || scored[0]!.score === scored[1]?.score) return undefined;
    return scored[0]!.id;
  }

  private mentionedIn(text: string, _key: string, s: Slot): boolean {
    return typeof s.value === 'string' && s.value.length > 2 && text.includes(s.value);
  }

  private harvestFrom(text: string): void {
    this.harvest(text);
  }

  private endGoal(): void {
    this.goal = undefined;
    this.planCurrent = undefined;
    this.pending = { kind: 'after' };
  }

  /* ------------------------------------------------------------ guides */

  /**
   * Follows a looked-up guide: picks the outcome the user's report fits; else relays the
   * steps and asks for the readings they name, then, when several outcomes still fit, asks
   * which of them the user sees.
   */
  private guideStep(g: Goal, guide: Guide): Decision {
    if (guide.outcomes.length === 1) return this.followOutcome(g, guide.outcomes[0]!);
    const said = this.userText.slice(g.readingsFrom).join(' ');
    // Codes in the opening ("error 691") count too; its other words only name the problem.
    const opening = this.userText.slice(g.startedAt, g.readingsFrom).join(' ').split(/\s+/).filter((w) => /\d/.test(w)).join(' ');
    // The guide's topic ("laptop") and the readings asked for ("light") tell no outcome apart.
    const topic = String(this.slots.get(this.params.get(g.tool.name)!.find((p) => p.required)!.name)?.value ?? '').replace(/-/g, ' ');
    const exclude = new Set(contentWords(`${topic} ${g.readings.join(' ')}`).filter((w) => w.length > 2));
    const fits = matchOutcomes(guide, `${said} ${opening}`, exclude);
    if (fits.length === 1) return this.followOutcome(g, guide.outcomes[fits[0]!]!);
    g.readingAsks++;
    const heard = `${said} ${opening}`;
    // Steps for one case only ("For E-13 only: …") once the user's report names that case.
    const steps = guide.steps.filter((st) => {
      const only = /^for ([^:]{1,40}?)(?: only)?:/i.exec(st);
      return !only || normalize(heard).includes(normalize(only[1]!));
    });
    const lead = g.readingAsks === 1 ? `Let's work through the troubleshooting steps. ` : '';
    const instructions = steps
      .filter((st) => !g.relayed.has(st))
      .map(instructionOf)
      .filter(Boolean)
      .join(' ');
    for (const st of steps) g.relayed.add(st);
    if (g.readingAsks === 1) {
      const readings = readingsIn(steps.join(' '));
      if (readings.length > 0) {
        g.readings = readings;
        this.pending = { kind: 'reading' };
        const lights = readings.every((r) => /(light|lights|led|indicator|colou?r)$/.test(r));
        const q = lights ? `What does ${listWords(readings.map((r) => `the ${r}`))} show?` : `What ${readings.length > 1 ? 'are' : 'is'} ${listWords(readings.map((r) => `the ${r}`))}?`;
        return { type: 'say', text: `${lead}${instructions} ${q}`.replace(/\s+/g, ' ').trim() };
      }
    }
    if (g.readingAsks <= this.maxAsks + 1) {
      const pool = fits.length > 1 ? fits : guide.outcomes.map((_, i) => i);
      const options = withoutCommonStart(pool.map((i) => guide.outcomes[i]!.reports.replace(/\s*,\s*/g, ' ').replace(/[.;]+$/, '')));
      this.pending = { kind: 'reading' };
      return { type: 'say', text: `${lead}${instructions} Which of these matches what you see: ${listWords(options, 'or')}?`.replace(/\s+/g, ' ').trim() };
    }
    return this.dropGoal('I could not tell from your answers which case of the troubleshooting guide applies.');
  }

  /** The outcome's meaning is told; the actions it names become the plan. */
  private followOutcome(g: Goal, outcome: Guide['outcomes'][number]): Decision {
    const steps = planFrom(outcome.action, this.tools.filter((t) => t !== this.guideTool && (t.kind === 'write' || t === this.transferTool)));
    if (outcome.meaning) this.outbox.push(`That points to: ${outcome.meaning.replace(/[.]+$/, '')}.`);
    this.planText = g.text;
    this.endGoal();
    if (steps.length === 0) {
      this.outbox.push(`According to the guide: ${outcome.action.replace(/[.]+$/, '')}.`);
      return this.decide();
    }
    this.plan = steps;
    return this.decide();
  }

  /**
   * Starts the next action of the plan: in its group of alternatives, the first whose
   * condition the records bear out, else the first they do not contradict (a lone
   * alternative they contradict is skipped).
   */
  private nextPlanGoal(): boolean {
    while (this.plan.length > 0) {
      const group = this.plan[0]!.group;
      const alts = this.plan.filter((x) => x.group === group);
      const verdicts = alts.map((a) => (a.condition ? this.checkCondition(a.condition) : true));
      let pick = verdicts.indexOf(true);
      if (pick < 0) pick = verdicts.indexOf(undefined);
      if (pick < 0 && alts.length > 1) pick = 0;
      if (pick < 0) {
        this.plan = this.plan.filter((x) => x.group !== group);
        continue;
      }
      const step = alts[pick]!;
      const kind: Goal['kind'] = step.tool === this.transferTool ? 'transfer' : 'write';
      this.goal = this.newGoal(step.tool, kind, kind === 'transfer' ? this.planText : `${this.planText} ${step.clause}`, true);
      this.planCurrent = step;
      // Values the guide names ("fault code battery") fill their slots; else the request's words.
      for (const p of this.params.get(step.tool.name)!) {
        if (!p.enum) continue;
        const v = matchEnum(step.clause.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (m) => (this.tools.some((t) => t.name === m) ? ' ' : m)), p.enum) ?? matchEnum(this.planText, p.enum);
        if (v !== undefined) this.put(p, v, v);
      }
      return true;
    }
    return false;
  }

  /**
   * Whether the records bear out a condition such as "if the account is locked" or "if the
   * employee has an open ticket": true when a record of the thing named holds the state
   * word, false when such records exist and none does, undefined when none was looked up.
   */
  private checkCondition(condition: string): boolean | undefined {
    const c = normalize(condition);
    const negated = /\b(no|not|none|without)\b|n't\b/.test(c);
    const pairs: { noun: string; state?: string }[] = [];
    for (const m of c.matchAll(/\bthe ([a-z]+) (?:is|are|was) (?:not )?([a-z]+)/g)) pairs.push({ noun: m[1]!, state: m[2]! });
    for (const m of c.matchAll(/\b(?:an?|any) ([a-z]+) ([a-z]+)/g)) pairs.push({ noun: m[2]!, state: m[1]! });
    for (const m of c.matchAll(/\bno ([a-z]+)/g)) pairs.push({ noun: m[1]! });
    if (pairs.length === 0) return undefined;
    let verdict: boolean | undefined;
    for (const { noun, state } of pairs) {
      const things = this.recordsOf(noun);
      if (things.length === 0) continue;
      const holds = state === undefined ? true : things.some((o) => Object.values(o).some((v) => typeof v === 'string' && normalize(v) === state));
      verdict = negated ? !holds : holds;
      if (verdict) return true;
    }
    return verdict;
  }

  /** Objects of a kind in this request's records: held under that key, or returned by a tool named for it. */
  private recordsOf(noun: string): JsonObject[] {
    const out: JsonObject[] = [];
    const n = stem(noun);
    const visit = (v: Json, depth: number): void => {
      if (depth > 4 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
      for (const [k, x] of Object.entries(v)) {
        if (stem(k) === n && isObject(x)) out.push(x);
        visit(x, depth + 1);
      }
    };
    for (const r of this.records) {
      if (r.goal !== -1 && r.goal !== this.goalIndex) continue;
      if (contentWords(r.tool.replace(/_/g, ' ')).includes(n)) {
        if (isObject(r.value)) out.push(r.value);
        else if (Array.isArray(r.value)) out.push(...r.value.filter(isObject));
      } else visit(r.value, 0);
    }
    return out;
  }

  /* ------------------------------------------------------------ deciding */

  private decide(): Decision {
    if (this.ended) return { type: 'say', text: 'Goodbye.' };
    if (this.rounds >= this.maxToolRounds) {
      this.rounds = 0;
      return this.stuck('I am going around in circles looking this up.');
    }
    if (this.failures >= this.maxFailures) return this.stuck('I am not able to make progress on this.');
    if (!this.goal && this.plan.length > 0 && this.nextPlanGoal()) return this.decide();
    const g = this.goal;
    if (!g) {
      // What to do was asked (the question is in the outbox): wait for the answer.
      if (this.pending.kind === 'intent' && this.outbox.length > 0) return { type: 'say', text: '' };
      // Thanks alone, with nothing asked: acknowledged, not taken for a request not understood.
      const lastUser = this.userText[this.userText.length - 1] ?? '';
      const thanked = this.outbox.length === 0 && THANKS_ONLY.test(lastUser.trim());
      if (this.outbox.length > 0 || this.pending.kind === 'after' || thanked) {
        this.pending = { kind: 'after' };
        return { type: 'say', text: `${thanked ? "You're welcome! " : ''}Is there anything else I can help you with?` };
      }
      if (this.userText.length > 0 && this.lastRefusal && INSIST.test(this.userText[this.userText.length - 1]!)) {
        this.pending = { kind: 'after' };
        return { type: 'say', text: `I'm sorry, but I really cannot do that: ${this.lastRefusal.text}. Is there anything else I can help you with?` };
      }
      this.pending = { kind: 'intent' };
      const greeted = this.userText.length === 0 || GREETING_ONLY.test(lastUser.trim());
      return { type: 'say', text: greeted ? 'Hello! How can I help you today?' : 'Sorry, I did not catch that. How can I help you today?' };
    }
    if (g.kind === 'transfer') return this.transfer(g.text);

    if (this.needIdentify && !this.identified) {
      const d = this.identifyStep();
      if (d) return d;
    }
    if (g.relative === undefined) {
      const d = this.relativeStep(g);
      if (d) return d;
    }

    if (g.alternatives) {
      if (g.toolAsks < this.maxAsks) {
        g.toolAsks++;
        this.pending = { kind: 'tool' };
        const options = listWords(g.alternatives.map((a) => a.words.join(' ')), 'or');
        return { type: 'say', text: `${g.toolAsks > 1 ? 'Sorry, I still need this: w' : 'W'}ould you like ${options}?` };
      }
      // No answer that picks one: the one needing fewest questions, as before.
      g.alternatives = undefined;
    }

    if (g.kind === 'guide') {
      if (g.guide) return this.guideStep(g, g.guide);
      const call = { name: g.tool.name, arguments: this.argsFor(g.tool) };
      if (!this.called.has(callKey(call))) return { type: 'call', calls: [call] };
      // Opened before (the request came back): the same guide, read again from its record.
      const seen = [...this.records].reverse().find((r) => callKey({ name: r.tool, arguments: r.args }) === callKey(call));
      const again = seen ? parseGuide(seen.value, this.tools) : undefined;
      if (again) {
        g.guide = again;
        g.readingsFrom = Math.max(0, this.userText.length - 1);
        return this.guideStep(g, again);
      }
      return this.dropGoal('I could not open the troubleshooting guide for this.');
    }

    const tool = g.tool;
    const params = this.params.get(tool.name)!;
    const listed = this.listFor(params);
    if (listed) return listed;
    // Look up what is already known (the order before changing it) as soon as it is known.
    const look = this.lookup(params);
    if (look) return look;
    for (const p of params) {
      if (this.valueFor(p) !== undefined) continue;
      if (!p.required) continue;
      const chained = this.chain(p, tool);
      if (chained) return chained;
      // A search that could supply it waits on a choice the user can make (a genre): ask that first.
      const filter = this.searchFilter(p, tool);
      if (filter) return this.ask(filter, false);
      // "Refill everything that is due": every record the action's description says it takes.
      const every = !g.multi && EVERY.test(g.text) ? this.everyValue(p) : undefined;
      if (every) {
        if (every.values.length > 1) g.multi = { param: p.name, values: every.values, back: 0, reports: [], ...(every.left ? { left: every.left } : {}) };
        else if (every.left) this.outbox.push(every.left);
        this.put(p, every.values[0]!);
        continue;
      }
      // New records for a list: asked by what tells them apart ("which new color and size for the T-Shirt?"), not by id.
      if (p.type === 'array' && /^new_./.test(p.name)) {
        const list = this.newList(p);
        // What could replace them is looked up first: a read tool taking ids the current ones hold (their product).
        const look = this.lookupReplacements(list.bare ?? [], elementKey(p.name));
        if (look) return look;
        // Each of the current records may need its own question: the budget is per record.
        const current = this.slots.get(p.name.slice(4))?.value;
        // (Read again when records were only taken over from an earlier request: they count now.)
        const open = g.detailAsks < this.maxAsks * (Array.isArray(current) ? Math.max(1, current.length) : 1) ? (list.bare ? this.newList(p) : list).open : undefined;
        const keys = open && open.holders.length > 1 ? differingKeys(open.holders) : undefined;
        if (keys) {
          g.detailAsks++;
          this.pending = { kind: 'detail', param: p };
          return { type: 'say', text: `Which new ${listWords(keys)} would you like${open!.name ? ` for the ${open!.name}` : ''}?` };
        }
      }
      if (g.unknown.has(p.name) || (g.asks.get(p.name) ?? 0) >= this.maxAsks) {
        if (isDescriptive(p)) {
          // A free-text note the user has nothing for: say so rather than make one up.
          this.put(p, 'not stated by the customer');
          continue;
        }
        // An id made of pieces ("SK201-2026-06-18"): the pieces the user may know, one at a time.
        const piece = this.pieceToAsk(p);
        if (piece) return this.ask(piece, false);
        // Before giving up: the records already looked up may hold the one the user describes
        // ("my new size is L" against a product's variants).
        const matched = this.matchRecords(p);
        if (matched !== undefined) {
          this.put(p, matched);
          continue;
        }
        // The person's own record lists what is theirs (their orders): read it, then look again.
        if (/_id$/.test(p.name) && !this.isIdentityParam(p.name)) {
          const own = this.personLookup(tool);
          if (own) return own;
        }
        // Things the user names that the record they named does not hold ("the camera" in an
        // order without one): the person's other records of that kind are read, and the one
        // holding them all is taken instead, saying so.
        if (p.type === 'array' && g.phrases.has(p.name)) {
          const moved = this.elsewhere(p, tool);
          if (moved === 'moved') continue;
          if (moved) return moved;
        }
        const searched = this.search(p);
        if (searched === 'found') continue;
        if (searched) return searched;
        // The user does not know the id, and two to five records could be meant: ask which, by
        // what each holds, once, before giving up.
        if (!g.choiceAsked.has(p.name) && !p.enum && p.type !== 'array') {
          const n = this.liveCandidates(p).length;
          if (n >= 2 && n <= 5) {
            g.choiceAsked.add(p.name);
            return this.ask(p, false);
          }
        }
        const details = g.detailAsks >= this.maxAsks ? undefined : this.telling(p);
        if (details) {
          g.detailAsks++;
          this.pending = { kind: 'detail', param: p };
          return { type: 'say', text: /^new_/.test(p.name) ? `Which new ${listWords(details)} would you like?` : `Which ${listWords(details)} do you mean?` };
        }
        return this.dropGoal(`I need the ${labelOf(p)} to ${phrase(tool.name)}, and I could not get it.`);
      }
      // Several records could be meant and a look-up reads each: read them first, so the
      // question names them by what they hold ("#W1 (Desk Lamp, Hiking Boots)"), not by id alone.
      const before = (g.asks.get(p.name) ?? 0) === 0 ? this.fetchCandidates(p) : undefined;
      // Records read for an earlier request, now taken over: decide again with them in view.
      if (before === 'reused') return this.decide();
      if (before) return before;
      return this.ask(p, false);
    }
    const args = this.argsFor(tool);
    if (g.kind === 'read') {
      const call = { name: tool.name, arguments: args };
      if (!this.called.has(callKey(call))) return { type: 'call', calls: [call] };
      // Called already (asked again): the answer is read out again from that result.
      const seen = [...this.records].reverse().find((r) => callKey({ name: r.tool, arguments: r.args }) === callKey(call));
      const fields = seen ? reportFields(seen.value, contentWords(g.text), true) : '';
      if (fields) this.outbox.push(`Here is what I found. ${fields}`);
      this.endGoal();
      return this.decide();
    }
    if (!g.confirmed && g.confirmations === 0) {
      // Things named that the record given does not hold: the one that does is taken instead.
      for (const p of this.params.get(tool.name)!) {
        if (p.type !== 'array' || !g.phrases.has(p.name)) continue;
        const moved = this.elsewhere(p, tool);
        if (moved === 'moved') return this.decide();
        if (moved) return moved;
      }
      // Ids picked from records that do not say what they are (a payment method seen only as an
      // order's payment): the person's own record is read first, so the confirmation can say.
      const look = this.lookupUndescribed(tool, args);
      if (look) return look;
      // What the policy says to check before offering anything (the flights of a reservation) is looked up first.
      const checks = this.policyLookups(tool, args);
      if (checks) return checks;
    }
    if (!g.confirmed) {
      g.confirmations++;
      if (g.confirmations > this.maxAsks + 1) return this.dropGoal('we could not agree on the details');
      const call = { name: tool.name, arguments: args };
      this.pending = { kind: 'confirm', call };
      const forWhom = g.relative?.name ? ` for ${g.relative.name}` : '';
      const each = g.multi ? `${this.describeArgs(tool, { ...args, [g.multi.param]: g.multi.values })}, once for each` : this.describeArgs(tool, args);
      return { type: 'say', text: `To be sure: I will ${phrase(tool.name)}${forWhom} with ${each}; shall I proceed?` };
    }
    if (g.multi) {
      g.multi.back = 0;
      g.multi.reports = [];
      const param = g.multi.param;
      return { type: 'call', calls: g.multi.values.map((v) => ({ name: tool.name, arguments: { ...args, [param]: v } })) };
    }
    return { type: 'call', calls: [{ name: tool.name, arguments: args }] };
  }

  private identifyStep(): Decision | undefined {
    const candidates: { tool: ToolSpec; group: ParamSpec[] }[] = [];
    for (const t of this.identifyTools) {
      const ps = this.params.get(t.name)!;
      const required = ps.filter((p) => p.required);
      if (required.length > 0) candidates.push({ tool: t, group: required });
      else {
        const email = ps.filter((p) => /email/.test(p.name));
        const rest = ps.filter((p) => !/email/.test(p.name));
        if (email.length) candidates.push({ tool: t, group: email });
        if (rest.length) candidates.push({ tool: t, group: rest });
      }
    }
    candidates.sort((a, b) => Number(!a.group.some((p) => /email/.test(p.name))) - Number(!b.group.some((p) => /email/.test(p.name))));
    const open = candidates.filter((c) => !this.identifyTried.has(`${c.tool.name}:${c.group.map((p) => p.name).join(',')}`));
    // One the agent can run now.
    for (const c of open) {
      const args: JsonObject = {};
      let ok = true;
      for (const p of c.group) {
        const v = this.valueFor(p);
        if (v === undefined) ok = false;
        else args[p.name] = v;
      }
      if (ok) {
        this.identifyTried.add(`${c.tool.name}:${c.group.map((p) => p.name).join(',')}`);
        return { type: 'call', calls: [{ name: c.tool.name, arguments: args }] };
      }
    }
    // Else ask for what the first still possible way lacks.
    for (const c of open) {
      if (c.group.some((p) => this.identityUnknown.has(p.name) || (p.name === 'name' && this.identityUnknown.has('first_name')))) continue;
      const missing = c.group.find((p) => this.valueFor(p) === undefined)!;
      const asked = this.goal!.asks.get(missing.name) ?? 0;
      if (asked >= this.maxAsks) {
        this.identityUnknown.add(missing.name);
        continue;
      }
      return this.ask(missing, true);
    }
    // No way left: go on without, with what the user can tell directly.
    this.identified = true;
    return undefined;
  }

  private ask(p: ParamSpec, identify: boolean): Decision {
    const g = this.goal!;
    const n = (g.asks.get(p.name) ?? 0) + 1;
    g.asks.set(p.name, n);
    this.pending = { kind: 'slot', param: p, identify };
    const label = labelOf(p);
    const head = descriptionHead(p);
    const other = head && labelCore(head) !== labelCore(label) ? head : undefined;
    const plural = p.type === 'array';
    const lead = n > 1 ? 'Sorry, I still need this: ' : identify && n === 1 && this.userText.length <= 1 ? 'I can help with that. First I need to identify you. ' : '';
    // Options go inside the question: a separate sentence naming them would read as a statement.
    const options = p.enum ? ` (${listWords(p.enum.map((e) => e.replace(/_/g, ' ')), 'or')})` : other ? ` (${other})` : '';
    let q = `${lead}What ${plural ? 'are' : 'is'} your ${label}${options}?`;
    // Several records fit: name them briefly and ask which one is meant.
    if (!p.enum && p.type !== 'array') {
      let found = this.liveCandidates(p);
      // Only those the user's words fit best ("Main Street", "blood pressure"), when the words fit some.
      const words = this.recordWords();
      const fit = found.map((c) => {
        const rec = this.recordOf(p, String(c.value));
        return rec ? overlapDeep(words, rec) : 0;
      });
      const top = Math.max(0, ...fit);
      if (top > 0) found = found.filter((_, i) => fit[i] === top);
      if (found.length >= 2 && found.length <= 5) {
        const held = found.map((c) => this.recordOf(p, String(c.value)) ?? c.holder);
        const opts = found.map((c, i) => {
          const words = choiceWords(held[i]!, held, p);
          // A record with no name of its own (an order, known by its items) goes with its id.
          const named = Object.keys(held[i]!).some((k) => NAME_KEY.test(k));
          return !words ? String(c.value) : named ? words : `${String(c.value)} (${words})`;
        });
        // The options named by what people know them by (drug and strength, store and town), not by ids.
        if (new Set(opts).size === opts.length) {
          this.pending = { kind: 'slot', param: p, identify, choices: found.map((c, i) => ({ value: c.value, text: opts[i]! })) };
          q = `${lead}Which ${nounOf(p)} do you mean: ${listWords(opts, 'or')}?`;
        } else {
          const ids = found.map((c) => {
            const b = this.brief(p.name, String(c.value));
            return `${String(c.value)}${b ? ` (${b})` : ''}`;
          });
          q = `${lead}Which ${label}${other ? ` (${other})` : ''} do you mean: ${listWords(ids, 'or')}?`;
        }
      }
    }
    return { type: 'say', text: q };
  }

  /**
   * A request about a relative ("my daughter's allergy medicine"): the caller's record lists
   * ids of records of its own kind (can_order_for: the patients they act for). Each is looked
   * up; the one the user's words name is used, else the user is asked which, by first name.
   */
  private relativeStep(g: Goal): Decision | undefined {
    if (!RELATIVE.test(g.text)) {
      g.relative = { id: '', name: '' };
      return undefined;
    }
    for (const r of this.records) {
      if (r.goal !== -1 || !isObject(r.value) || typeof r.value['id'] !== 'string') continue;
      const own = r.value['id'];
      const key = `${entityOf(r.tool)}_id`;
      const getter = this.tools.find((t) => t.kind === 'read' && this.params.get(t.name)!.filter((q) => q.required).map((q) => q.name).join() === key);
      if (!getter) continue;
      const shape = new RegExp(`^${[...own].map((ch) => (/[A-Za-z]/.test(ch) ? '[A-Za-z]' : /\d/.test(ch) ? '\\d' : ch.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('')}$`);
      const ids = new Set<string>();
      for (const v of Object.values(r.value)) if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && x !== own && shape.test(x)) ids.add(x);
      if (ids.size === 0) continue;
      const calls = [...ids].map((id) => ({ name: getter.name, arguments: { [key]: id } })).filter((c) => !this.called.has(callKey(c)));
      if (calls.length > 0) return { type: 'call', calls };
      const recs = [...ids]
        .map((id) => [...this.records].reverse().find((x) => x.tool === getter.name && x.args[key] === id)?.value)
        .filter((v): v is JsonObject => isObject(v) && typeof v['id'] === 'string');
      if (recs.length === 0) continue;
      const param = this.params.get(getter.name)!.find((q) => q.name === key)!;
      const nameOf = (x: JsonObject) => {
        const n = Object.entries(x).find(([k, v]) => NAME_KEY.test(k) && typeof v === 'string')?.[1];
        return typeof n === 'string' ? n : String(x['id']);
      };
      const words = new Set(contentWords(this.requestWords().replace(/['\u2019]s\b/g, '')));
      // By the words of their names they do not share (first names, not the family name).
      const ownWords = (x: JsonObject) => contentWords(nameOf(x)).filter((w) => !recs.every((o) => contentWords(nameOf(o)).includes(w)));
      const named = recs.filter((x) => ownWords(x).some((w) => words.has(w)));
      const chosen = named.length === 1 ? named[0]! : recs.length === 1 ? recs[0]! : undefined;
      if (chosen) {
        g.relative = { id: chosen['id'] as string, name: nameOf(chosen) };
        this.slots.set(key, { value: chosen['id'] as string, said: nameOf(chosen), session: false });
        return undefined;
      }
      // Several, none named: which one, by first name (what a parent calls them).
      const firsts = recs.map((x) => nameOf(x).split(/\s+/)[0]!);
      const texts = new Set(firsts).size === firsts.length ? firsts : recs.map(nameOf);
      this.pending = { kind: 'slot', param, identify: false, relative: true, choices: recs.map((x, i) => ({ value: x['id'] as string, text: texts[i]! })) };
      return { type: 'say', text: `Which one do you mean: ${listWords(texts, 'or')}?` };
    }
    g.relative = { id: '', name: '' };
    return undefined;
  }

  /** A value for p from the slots, or derived from them and from tool results. */
  private valueFor(p: ParamSpec): Json | undefined {
    const s = this.slots.get(p.name);
    if (s !== undefined) return this.fitType(p, this.completeId(p, s.value));
    const derived = this.derive(p);
    if (derived !== undefined && !this.slots.has(p.name)) this.slots.set(p.name, { value: derived, session: this.isIdentityParam(p.name) });
    return derived;
  }

  private fitType(p: ParamSpec, v: Json): Json {
    if (p.type === 'array' && !Array.isArray(v)) return typeof v === 'string' ? v.split(/\s*,\s*|\s+and\s+/).filter(Boolean) : [v];
    if ((p.type === 'number' || p.type === 'integer') && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    return v;
  }

  private derive(p: ParamSpec): Json | undefined {
    const name = this.slots.get('name')?.value ?? this.slots.get('full_name')?.value;
    if (typeof name === 'string' && name.includes(' ')) {
      if (p.name === 'first_name') return name.split(/\s+/)[0]!;
      if (p.name === 'last_name') return name.split(/\s+/).slice(1).join(' ');
    }
    if ((p.name === 'name' || p.name === 'full_name') && this.slots.has('first_name') && this.slots.has('last_name')) {
      return `${String(this.slots.get('first_name')!.value)} ${String(this.slots.get('last_name')!.value)}`;
    }
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    // "Piranesi" for item ids: find the records the user's words name.
    const phraseText = this.goal?.phrases.get(p.name);
    // New records for a list of current ones (new_item_ids beside item_ids), one for each.
    if (p.type === 'array' && /^new_./.test(p.name)) {
      const list = this.newList(p);
      if (list.values) return list.values;
    }
    // A new id made of pieces ("SK201" on "June 18"): put together before any record is taken for it.
    if (/^new_./.test(p.name)) {
      const composed = (phraseText !== undefined ? this.compose(p, phraseText) : undefined) ?? this.compose(p);
      if (composed !== undefined) return composed;
    }
    if (phraseText !== undefined) {
      const resolved = resolvePhrase(p, phraseText, recs.map((r) => r.value));
      if (resolved !== undefined) {
        this.slots.set(p.name, { value: resolved, said: phraseText, session: false });
        return resolved;
      }
      return undefined;
    }
    // An id an identity lookup returned: "user_id" from find_user_id_by_email, "employee_id" from find_employee_*.
    for (const r of recs) {
      if (r.goal !== -1 && !r.tool.startsWith('find')) continue;
      const entity = entityOf(r.tool);
      if (typeof r.value === 'string' && (r.tool.includes(p.name) || `${entity}_id` === p.name)) return r.value;
      if (isObject(r.value) && `${entity}_id` === p.name && typeof r.value['id'] === 'string') return r.value['id'];
    }
    // The same key in a result, or an id of the parameter's shape, when the results hold one
    // such value only, or one the user's words single out.
    if (p.type !== 'array' && !p.enum && (p.shape || /_id$/.test(p.name))) {
      const found = this.candidates(p, recs);
      for (const v of this.goal?.rejected.get(p.name) ?? []) found.delete(JSON.stringify(v));
      if (found.size === 1) return [...found.values()][0]!.value;
      // Only records the action admits by a word of its name or description ("a pending order" for modify_pending_order_items).
      if (found.size > 1) {
        const admitted = this.admittedByAction(p, [...found.values()]);
        if (admitted.length > 0 && admitted.length < found.size) {
          for (const [k, f] of [...found]) if (!admitted.includes(f)) found.delete(k);
          if (found.size === 1) return [...found.values()][0]!.value;
        }
      }
      if (found.size > 1 && this.goal?.details.length) {
        // A detail the user corrected with picks the record ("no, L").
        const matched = this.matchRecords(p);
        if (matched !== undefined) return matched;
      }
      if (found.size > 1) {
        const words = this.recordWords();
        const scored = [...found.values()].map((f) => ({ f, score: overlap(words, f.holder, f.key) })).sort((a, b) => b.score - a.score);
        if (scored[0]!.score > 0 && scored[0]!.score > (scored[1]?.score ?? 0)) return scored[0]!.f.value;
        // The one record of the kind the action is about ("cancel_refill": the one open refill listed).
        const object = this.goal ? contentWords(this.goal.tool.name.replace(/_/g, ' '))[1] : undefined;
        // Not for the thing the action changes to ("change_refill_store": the new store is not the refill's).
        if (object && !labelCore(p.name).split(' ').some((w) => contentWords(this.goal!.tool.name.replace(/_/g, ' ')).includes(w))) {
          const own = this.candidates(p, recs.filter((r) => r.tool !== this.goal!.tool.name && contentWords(r.tool.replace(/_/g, ' ')).includes(object)));
          for (const v of this.goal?.rejected.get(p.name) ?? []) own.delete(JSON.stringify(v));
          if (own.size === 1) return [...own.values()][0]!.value;
        }
      }
    }
    // An id made of pieces the user gave ("SK101" and "2026-06-15"), when no record holds it.
    if (!/^new_./.test(p.name)) return this.compose(p);
    return undefined;
  }

  /**
   * What the user said about the thing a request is about: labelled details that fill no
   * parameter ("my new color is silver": color = silver), then the bare details noted for p.
   */
  private saidAttributes(p: ParamSpec, note = true): { key: string; value: string }[] {
    const g = this.goal!;
    const params = this.params.get(g.tool.name)!;
    const attrs: { key: string; value: string }[] = [];
    for (const t of [g.text, ...this.userText.slice(g.startedAt)]) {
      for (const { label, value } of labelledValues(t)) {
        if (isPersonal(label) || params.some((q) => labelMatches(label, q))) continue;
        const key = normalize(label).replace(/^(?:new|preferred|desired|other)\s+/, '').split(' ').pop()!;
        // "my new color is black, red": one value each, for the things the request is about.
        for (const one of value.split(/\s*,\s*|\s+and\s+/).filter(Boolean)) attrs.push({ key: stem(key === 'colour' ? 'color' : key), value: normalize(one) });
      }
    }
    // (Not while the holders themselves are being worked out: noting asks for them.)
    if (note) this.noteDetails(p);
    for (const d of g.details) attrs.push({ key: '', value: d });
    return attrs;
  }

  /**
   * A "new_X" list (new_item_ids beside item_ids): for each current value of X, the record of
   * the same kind that the user wants instead. Candidates are records holding an X id other than
   * the current one, with no attribute the current record lacks (a variant of the same product,
   * not another product's line), found in a look-up that also holds one of the current record's
   * ids (the product's variant list); those marked unavailable are passed over while others
   * remain. Of them, those holding every detail the user gave that they can hold ("new color
   * silver"); of those, the one keeping most of the current record's other values. `values`
   * when every current value has exactly one; else `open` is the first unsettled one, its name
   * and the candidates, to ask for the details that tell them apart.
   */
  private newList(p: ParamSpec): { values?: string[]; open?: { name: string; holders: JsonObject[] }; bare?: JsonObject[] } {
    const g = this.goal;
    if (!g || p.type !== 'array' || !/^new_./.test(p.name)) return {};
    const key = p.name.slice(4);
    const current = this.slots.get(key)?.value;
    if (!Array.isArray(current) || current.length === 0 || !current.every((v) => typeof v === 'string')) return {};
    const elem = elementKey(key);
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    const holders: { id: string; rec: JsonObject; from: number }[] = [];
    const visit = (v: Json, from: number, depth: number): void => {
      if (depth > 6 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, from, depth + 1));
      if (typeof v[elem] === 'string') holders.push({ id: v[elem] as string, rec: v, from });
      Object.values(v).forEach((x) => visit(x, from, depth + 1));
    };
    recs.forEach((r, i) => visit(r.value, i, 0));
    const attrsOf = (rec: JsonObject) => textLeaves(rec).filter(isAttribute);
    const rejected = g.rejected.get(p.name) ?? new Set<string>();
    const said = this.saidAttributes(p, false);
    const values: string[] = [];
    /** Current records with nothing looked up to replace them with yet. */
    const bare: JsonObject[] = [];
    for (const id of current as string[]) {
      const mine = holders.filter((h) => h.id === id).sort((a, b) => attrsOf(b.rec).length - attrsOf(a.rec).length)[0];
      if (!mine) return {};
      const mineAttrs = attrsOf(mine.rec);
      // The kind of record: its keys (values of any shape, "1000ml" too), and its name where both have one.
      const keysOf = (rec: JsonObject) => textLeaves(rec).filter((l) => !/\bid\b|_id$|ids$/.test(l.key)).map((l) => l.key);
      const mineKeys = new Set(keysOf(mine.rec));
      const nameKey = Object.keys(mine.rec).find((k) => NAME_KEY.test(k) && typeof mine.rec[k] === 'string');
      const ids = new Set(Object.entries(mine.rec).filter(([k, v]) => typeof v === 'string' && /(^|_)id$/.test(k)).map(([, v]) => v as string));
      const related = new Set(recs.map((r, i) => (holdsAnyString(r.value, ids) ? i : -1)).filter((i) => i >= 0));
      const seen = new Set<string>();
      let cands = holders.filter((h) => {
        if (h.id === id || seen.has(h.id) || rejected.has(h.id) || !related.has(h.from)) return false;
        const keys = keysOf(h.rec);
        if (keys.length === 0 || !keys.every((k) => mineKeys.has(k))) return false;
        if (nameKey && typeof h.rec[nameKey] === 'string' && h.rec[nameKey] !== mine.rec[nameKey]) return false;
        seen.add(h.id);
        return true;
      });
      const offered = cands.filter((h) => h.rec['available'] !== false && h.rec['in_stock'] !== false);
      if (offered.length > 0) cands = offered;
      const keyed = (h: { rec: JsonObject }, a: { key: string; value: string }) => {
        const leaves = attrsOf(h.rec);
        const byKey = leaves.filter((l) => a.key !== '' && stem(l.key.split(' ').pop()!) === a.key);
        return (byKey.length > 0 ? byKey : leaves).some((l) => l.value === a.value);
      };
      // Details this kind of record can hold at all ("clicky" means nothing to a thermostat).
      const applicable = said.filter((a) => cands.some((h) => attrsOf(h.rec).some((l) => l.value === a.value)));
      // Of the details with one key ("color: black, red"), a record holds one; bare ones, each.
      const groups = new Map<string, { key: string; value: string }[]>();
      applicable.forEach((a, i) => {
        const k = a.key === '' ? `#${i}` : a.key;
        groups.set(k, [...(groups.get(k) ?? []), a]);
      });
      const pool = cands.filter((h) => [...groups.values()].every((g) => g.some((a) => keyed(h, a))));
      const name = typeof mine.rec['name'] === 'string' ? mine.rec['name'] : '';
      if (cands.length === 0) bare.push(mine.rec);
      if (bare.length > 0) continue;
      if (applicable.length === 0 || pool.length === 0) return { open: { name, holders: cands.map((h) => h.rec) } };
      const kept = (h: { rec: JsonObject }) => attrsOf(h.rec).filter((l) => mineAttrs.some((m) => m.key === l.key && m.value === l.value)).length;
      const scored = pool.map((h) => ({ h, n: kept(h) })).sort((a, b) => b.n - a.n);
      if (scored.length > 1 && scored[0]!.n === scored[1]!.n) return { open: { name, holders: pool.map((h) => h.rec) } };
      values.push(scored[0]!.h.id);
    }
    return bare.length > 0 ? { bare } : { values };
  }

  /**
   * An id the user does not know, found among looked-up records by what they said about it:
   * records holding an id for p (under p's key, a key p's name ends with, or "id" in p's
   * shape) whose fields agree with every "my X is Y" the user gave in this request; among
   * several, the one sharing most fields with the other records (the colour of the item
   * being exchanged). Without such details, the record the request's words single out.
   */
  private matchRecords(p: ParamSpec): Json | undefined {
    if (p.type !== 'string' || p.enum || !this.goal) return undefined;
    const g = this.goal;
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    const core = labelCore(p.name).split(' ').filter(Boolean);
    const shape = p.shape ? new RegExp(`^(?:${p.shape.source})$`) : undefined;
    const keyFits = (k: string): boolean => {
      if (k === p.name) return true;
      if (k === 'id') return shape !== undefined;
      if (!/(_id|id)$/.test(k)) return false;
      const kc = labelCore(k).split(' ').filter(Boolean);
      return kc.length > 0 && core.slice(-kc.length).join(' ') === kc.join(' ');
    };
    const cands: { id: string; rec: JsonObject; from: number }[] = [];
    let from = 0;
    const visit = (v: Json, depth: number): void => {
      if (depth > 6 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
      const hit = Object.entries(v).find(([k, x]) => typeof x === 'string' && keyFits(k) && (k !== 'id' || shape!.test(x)));
      if (hit && !g.rejected.get(p.name)?.has(hit[1] as string)) {
        if (!cands.some((c) => c.id === hit[1])) cands.push({ id: hit[1] as string, rec: v, from });
      }
      Object.values(v).forEach((x) => visit(x, depth + 1));
    };
    recs.forEach((r, i) => {
      from = i;
      visit(r.value, 0);
    });
    if (/^new_./.test(p.name)) {
      // The thing being changed holds its current value: a new one differs from it.
      const filled = this.otherSlotValues(p.name);
      const current = new Set(cands.filter((c) => holdsOneOf(c.rec, filled)).map((c) => c.id));
      const others = cands.filter((c) => !current.has(c.id));
      // Kept as "the thing being replaced" for what it shares with the options (its colour).
      if (others.length > 0) cands.splice(0, cands.length, ...others, ...cands.filter((c) => current.has(c.id)).map((c) => ({ ...c, id: '' })));
    }
    if (cands.length === 0) return undefined;
    const attrs = this.saidAttributes(p);
    // Details no candidate holds at all ("my order nubmer is HP-1", a typo for a known label) tell none apart.
    attrs.splice(0, attrs.length, ...attrs.filter((a) => cands.some((c) => leavesOf(c.rec).some((l) => l.value === a.value))));
    let pool = cands;
    if (attrs.length > 0) {
      pool = cands.filter((c) => {
        const leaves = leavesOf(c.rec);
        return attrs.every((a) => {
          const keyed = leaves.filter((l) => stem(l.key === 'colour' ? 'color' : l.key) === a.key);
          return (keyed.length > 0 ? keyed : leaves).some((l) => l.value === a.value);
        });
      });
      if (pool.length > 1) {
        // The thing being replaced is held in another look-up (the order's item): what it shares
        // with an option (its colour) is what the user keeps.
        const scored = pool
          .map((c) => {
            const known = new Set(cands.filter((o) => o.from !== c.from).flatMap((o) => leavesOf(o.rec).map((l) => `${l.key}=${l.value}`)));
            return { c, n: leavesOf(c.rec).filter((l) => known.has(`${l.key}=${l.value}`)).length };
          })
          .sort((a, b) => b.n - a.n);
        if (scored[0]!.n > (scored[1]?.n ?? -1)) pool = [scored[0]!.c];
      }
    } else {
      const words = this.recordWords();
      const scored = cands.map((c) => ({ c, n: overlapDeep(words, c.rec) })).sort((a, b) => b.n - a.n);
      pool = scored[0]!.n > 0 && scored[0]!.n > (scored[1]?.n ?? 0) ? [scored[0]!.c] : [];
    }
    return pool.length === 1 && pool[0]!.id !== '' ? pool[0]!.id : undefined;
  }

  /**
   * A partial id the user gave ("SK202") completed from records, when exactly one id of p's
   * shape there starts with it ("SK202-2026-06-10"); else the value as given.
   */
  private completeId(p: ParamSpec, v: Json): Json {
    if (typeof v !== 'string' || !p.shape || p.type !== 'string') return v;
    const shape = new RegExp(`^(?:${p.shape.source})$`);
    if (shape.test(v) || v.length < 2) return v;
    const found = new Set<string>();
    const head = v.toLowerCase();
    const visit = (x: Json, depth: number): void => {
      if (depth > 6 || x === null) return;
      if (typeof x === 'string') {
        if (shape.test(x) && x.toLowerCase().startsWith(head) && /^[^A-Za-z0-9]/.test(x.slice(v.length))) found.add(x);
        return;
      }
      if (typeof x === 'object') (Array.isArray(x) ? x : Object.values(x)).forEach((y) => visit(y, depth + 1));
    };
    for (const r of this.records) if (r.goal === -1 || r.goal === this.goalIndex) visit(r.value, 0);
    if (found.size === 1) return [...found][0]!;
    // A piece of a composed id ("SK105" for a flight id made of number and date): the rest is filled in.
    return this.compose(p, v) ?? v;
  }

  /** How p's ids are made of other parameters' values, from the examples in its description. */
  private compositionOf(p: ParamSpec): IdPart[] | undefined {
    if (!this.compositions.has(p.name)) {
      let found: IdPart[] | null = null;
      if (p.type === 'string' && p.shape && !p.enum) {
        const own = new RegExp(`^(?:${p.shape.source})$`);
        for (const ex of examplesIn(p.description)) {
          // The pieces: parameters of another shape (an id's own kin are made the same way).
          const others = this.allParams().filter((q) => q.name !== p.name && q.shape && !new RegExp(`^(?:${q.shape.source})$`).test(ex));
          const parts = own.test(ex) ? idComposition(ex, others) : undefined;
          if (parts) {
            found = parts;
            break;
          }
        }
      }
      this.compositions.set(p.name, found);
    }
    return this.compositions.get(p.name) ?? undefined;
  }

  /**
   * A piece of p the user has not been asked for yet, when p is made of pieces ("the new date"
   * for a new flight id): a parameter of the piece's kind, named "new_…" for a new id.
   */
  private pieceToAsk(p: ParamSpec): ParamSpec | undefined {
    const parts = this.compositionOf(p);
    const g = this.goal;
    if (!parts || !g) return undefined;
    const isNew = /^new_./.test(p.name);
    for (const x of parts) {
      if (!('param' in x)) continue;
      const name = isNew ? `new_${x.param}` : x.param;
      if (this.slots.has(name) || g.unknown.has(name) || (g.asks.get(name) ?? 0) >= this.maxAsks) continue;
      const q = this.allParams().find((y) => y.name === x.param)!;
      return { ...q, name, description: '', required: true };
    }
    return undefined;
  }

  /**
   * An id made of other parameters' values ("SK201-2026-06-18": a flight number and a date),
   * put together from what the user said: a piece they gave for the id itself (`given`), a
   * piece labelled new ("my new date is June 18") or said in this request. A "new_X" id takes
   * the pieces the user did not change from the current X (the flight being replaced), and
   * must differ from it. Undefined when a piece is missing.
   */
  private compose(p: ParamSpec, given?: string): string | undefined {
    const parts = this.compositionOf(p);
    if (!parts || !this.goal) return undefined;
    const shapes = new Map<string, RegExp>();
    const all = this.allParams();
    for (const x of parts) if ('param' in x) shapes.set(x.param, all.find((q) => q.name === x.param)!.shape!);
    const whole = (v: string, shape: RegExp) => new RegExp(`^(?:${shape.source})$`).test(v);
    const isNew = /^new_./.test(p.name);
    const oldParam = isNew ? this.params.get(this.goal.tool.name)!.find((q) => q.name === p.name.slice(4)) : undefined;
    const oldValue = oldParam ? this.valueFor(oldParam) : undefined;
    const old = typeof oldValue === 'string' ? splitId(oldValue, parts, shapes) : undefined;
    if (isNew && !old) return undefined;
    const read = (raw: Json | undefined, param: string): string | undefined => {
      if (typeof raw !== 'string') return undefined;
      const shape = shapes.get(param)!;
      if (whole(raw, shape)) return raw;
      const d = whole('2026-01-01', shape) ? isoDateIn(raw, this.year) : undefined;
      if (d && whole(d, shape)) return d;
      const m = shapeMatches(raw, shape);
      return m.length === 1 ? m[0] : undefined;
    };
    let out = '';
    let fresh = false;
    const words: string[] = [];
    const pieces: string[] = [];
    for (const x of parts) {
      if ('text' in x) {
        out += x.text;
        continue;
      }
      const labelled = this.slots.get(`new_${x.param}`);
      const own = this.slots.get(x.param);
      const fromGiven = read(given, x.param);
      const fromNew = fromGiven === undefined ? read(labelled?.value, x.param) : undefined;
      const said = own?.said !== undefined ? read(own.value, x.param) : undefined;
      const kept = old?.get(x.param);
      const v = fromGiven ?? fromNew ?? (said !== undefined && said !== kept ? said : undefined) ?? kept;
      if (v === undefined) return undefined;
      if (v !== kept) fresh = true;
      out += v;
      pieces.push(v);
      // The user's own words for the piece when they read as it ("June 18"); a date in words else.
      const told = fromGiven !== undefined ? given : fromNew !== undefined ? labelled!.said : v === said ? own!.said : undefined;
      words.push(told !== undefined && read(told, x.param) === v ? told : dateInWords(v) ?? v);
    }
    if (isNew && !fresh) return undefined;
    if (words.some((w, i) => w !== pieces[i])) this.composedWords.set(`${p.name}=${out}`, words.join(', '));
    return out;
  }

  /** Values in results that could fill p: under its own key, or ids of its shape. */
  private candidates(p: ParamSpec, recs: RecordEntry[]): Map<string, { value: Json; holder: JsonObject; key?: string }> {
    const found = new Map<string, { value: Json; holder: JsonObject; key?: string }>();
    for (const r of recs) collectKey(r.value, p.name, found);
    if (/^new_./.test(p.name)) this.newValues(p.name.slice(4), recs, found);
    if (p.shape) {
      const shape = new RegExp(`^(?:${p.shape.source})$`);
      const core = labelCore(p.name);
      // "default_store" holds a store id too, and its name says which one it is.
      const fits = (k: string) => k === 'id' || k === p.name || k === core || k.endsWith(`_${core}`);
      // A record's list of them under the plural ("flights": the reservation's flight ids).
      const listed = (k: string) => !/_ids?$/.test(k) && k !== core && labelCore(k) === core;
      const visit = (v: Json, depth: number): void => {
        if (depth > 5 || v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
        for (const [k, x] of Object.entries(v)) {
          if (typeof x === 'string' && fits(k) && shape.test(x) && !found.has(JSON.stringify(x))) found.set(JSON.stringify(x), { value: x, holder: v, ...(k !== 'id' ? { key: k } : {}) });
          else {
            if (Array.isArray(x) && listed(k)) for (const y of x) if (typeof y === 'string' && shape.test(y) && !found.has(JSON.stringify(y))) found.set(JSON.stringify(y), { value: y, holder: v, key: k });
            visit(x, depth + 1);
          }
        }
      };
      for (const r of recs) visit(r.value, 0);
    }
    return found;
  }

  /**
   * What tells apart the records that could give p, when the user knows no id: the keys of
   * their short text values that differ among them ("size", "color"), at most two.
   */
  private telling(p: ParamSpec): string[] | undefined {
    if (p.type !== 'string' || p.enum) return undefined;
    this.noteDetails(p);
    const said = this.goal?.details ?? [];
    // Only those that hold every detail already given ("forest": which size is still open).
    const found = this.detailHolders(p).filter((h) => said.every((d) => textLeaves(h).some((l) => l.value === d)));
    if (found.length < 2) return undefined;
    const byKey = new Map<string, Set<string>>();
    for (const h of found) {
      for (const l of textLeaves(h)) {
        if (/\bid\b|_id$|ids$/.test(l.key) || /\d{3,}|[a-z]+-\d|\d-[a-z]/.test(l.value)) continue;
        byKey.set(l.key, (byKey.get(l.key) ?? new Set()).add(l.value));
      }
    }
    const keys = [...byKey].filter(([, vs]) => vs.size > 1 && vs.size < found.length + 1).map(([k]) => k).slice(0, 2);
    return keys.length > 0 ? keys : undefined;
  }

  /** The records that could give p (a product's variants), less those the user said no to. */
  private detailHolders(p: ParamSpec): JsonObject[] {
    if (p.type === 'array' && /^new_./.test(p.name)) return this.newList(p).open?.holders ?? [];
    return this.liveCandidates(p).map((c) => c.holder);
  }

  /** What could fill p in this request's records (see `candidates`), less the values the user said no to. */
  private liveCandidates(p: ParamSpec): { value: Json; holder: JsonObject; key?: string }[] {
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    return [...this.candidates(p, recs).values()].filter((c) => !this.goal?.rejected.get(p.name)?.has(String(c.value)));
  }

  /**
   * Details the request names with their key ("for size 10", "in olive color"): values the
   * wanted record holds, noted like bare ones.
   */
  private noteDetails(p: ParamSpec): void {
    const g = this.goal;
    if (!g) return;
    const said = ` ${normalize(this.requestWords()).replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ')} `;
    for (const h of this.detailHolders(p)) {
      for (const l of textLeaves(h)) {
        const v = l.value.replace(/[^a-z0-9 ]+/g, ' ').trim();
        if (!v || g.details.includes(l.value)) continue;
        if (said.includes(` ${l.key} ${v} `) || said.includes(` ${v} ${l.key} `)) g.details.push(l.value);
      }
    }
  }

  /**
   * Values for a "new_X" parameter (new_variant_id): those found under X, less the one the
   * thing being changed holds now (the ordered item's own variant): a new one differs from it.
   * The thing being changed is a record that also holds a value of the request's other slots.
   */
  private newValues(key: string, recs: RecordEntry[], found: Map<string, { value: Json; holder: JsonObject; key?: string }>): void {
    const filled = this.otherSlotValues(`new_${key}`);
    const all: { value: Json; holder: JsonObject }[] = [];
    const visit = (v: Json, depth: number): void => {
      if (depth > 5 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
      const hit = v[key];
      if (hit !== undefined && hit !== null && typeof hit !== 'object') all.push({ value: hit, holder: v });
      Object.values(v).forEach((x) => visit(x, depth + 1));
    };
    for (const r of recs) visit(r.value, 0);
    const current = new Set(all.filter((x) => holdsOneOf(x.holder, filled)).map((x) => JSON.stringify(x.value)));
    for (const x of all) {
      const k = JSON.stringify(x.value);
      if (!current.has(k) && !found.has(k)) found.set(k, { value: x.value, holder: x.holder, key });
    }
  }

  /**
   * The string values of the request's slots other than `except`: what the thing being changed
   * by a "new_X" request holds now (the ordered item's id beside its current variant).
   */
  private otherSlotValues(except: string): Set<string> {
    const out = new Set<string>();
    for (const q of this.goal ? this.params.get(this.goal.tool.name)! : []) {
      const v = this.slots.get(q.name)?.value;
      if (typeof v === 'string' && q.name !== except) out.add(v);
    }
    return out;
  }

  /**
   * The user's words that can single out a record: the request's, less those naming the
   * action itself ("refill" in "refill my sertraline" would fit every prescription's refill fields).
   */
  private recordWords(): Set<string> {
    const action = new Set(this.goal ? contentWords(this.goal.tool.name.replace(/_/g, ' ')) : []);
    // Words that fill a choice of the action ("to write" for the level) say what to do, not which record.
    for (const p of this.goal ? this.params.get(this.goal.tool.name)! : []) {
      const v = this.slots.get(p.name)?.value;
      if (p.enum && typeof v === 'string') for (const w of contentWords(v.replace(/_/g, ' '))) action.add(w);
    }
    // Bare numbers ("40" of "40 mg") would fit house numbers and quantities anywhere.
    return new Set(contentWords(this.requestWords()).filter((w) => !action.has(w) && !/^\d+$/.test(w)));
  }

  /** What the user said about the current request: its opening and the details given since. */
  private requestWords(): string {
    const g = this.goal;
    if (!g) return '';
    const since = this.userText.slice(g.startedAt);
    return [g.text, ...since].join(' ');
  }

  /**
   * Finds an id the user does not know among those listed in results (the customer's
   * order_ids): looks each up, then keeps the one the user's words single out ("my latest
   * order", a title they mentioned).
   */
  private search(p: ParamSpec): Decision | 'found' | undefined {
    const getter = this.getterOf(p.name);
    if (!getter) return undefined;
    const ids = this.listedIds(p.name, this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex));
    if (ids.size === 0 || ids.size > 8) return undefined;
    const calls = [...ids].map((id) => ({ name: getter.name, arguments: { [p.name]: id } })).filter((c) => !this.called.has(callKey(c)));
    if (calls.length > 0) return { type: 'call', calls };
    const fetched = this.records.filter((r) => r.tool === getter.name && typeof r.args[p.name] === 'string' && ids.has(r.args[p.name] as string));
    if (fetched.length === 0) return undefined;
    let chosen: RecordEntry | undefined;
    const text = this.goal?.text ?? '';
    if (/\b(latest|last|most recent|newest|recent)\b/i.test(text)) {
      const dated = fetched.map((r) => ({ r, d: firstDate(r.value) })).filter((x) => x.d !== undefined);
      dated.sort((a, b) => (a.d! < b.d! ? 1 : -1));
      if (dated.length > 0 && dated[0]!.d !== dated[1]?.d) chosen = dated[0]!.r;
    } else {
      // The words of this request first (the items of an earlier request point to its own order), then all.
      const g = this.goal;
      const texts = g ? [[g.text, ...this.userText.slice(g.startedAt)], this.userText] : [this.userText];
      for (const t of texts) {
        const words = new Set(contentWords(t.join(' ')));
        const scored = fetched.map((r) => ({ r, s: isObject(r.value) ? overlapDeep(words, r.value) : 0 })).sort((a, b) => b.s - a.s);
        if (scored[0]!.s > 0 && scored[0]!.s > (scored[1]?.s ?? 0)) {
          chosen = scored[0]!.r;
          break;
        }
      }
    }
    if (!chosen) return undefined;
    this.put(p, chosen.args[p.name]!);
    return 'found';
  }

  /** The read tool that takes `param` alone: get_order_details for order_id. */
  private getterOf(param: string): ToolSpec | undefined {
    return this.tools.find((t) => t.kind === 'read' && this.params.get(t.name)!.filter((q) => q.required).map((q) => q.name).join() === param);
  }

  /** The ids of `param`'s kind that records list under its plural ("orders", "order_ids", "order_list"). */
  private listedIds(param: string, records: readonly RecordEntry[]): Set<string> {
    const core = labelCore(param);
    const listKeys = new Set([`${core}_ids`, `${core}s`, `${core}_list`]);
    const ids = new Set<string>();
    const visit = (v: Json, depth: number): void => {
      if (depth > 4 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
      for (const [k, x] of Object.entries(v)) {
        if (listKeys.has(k) && Array.isArray(x)) for (const id of x) if (typeof id === 'string') ids.add(id);
        if (listKeys.has(k) && isObject(x)) for (const id of Object.keys(x)) ids.add(id);
        visit(x, depth + 1);
      }
    };
    for (const r of records) visit(r.value, 0);
    return ids;
  }

  /**
   * For a list parameter whose words (`phrases`) the looked-up records do not resolve: another
   * id parameter of the action (order_id) whose getter reads records listed in the person's own
   * record; those not read yet are read, and when exactly one of them holds what the words name,
   * it replaces the value given, and the user is told. 'moved' when it did.
   */
  private elsewhere(p: ParamSpec, tool: ToolSpec): Decision | 'moved' | undefined {
    const g = this.goal!;
    const text = g.phrases.get(p.name)!;
    for (const q of this.params.get(tool.name)!) {
      if (q === p || q.type === 'array' || !/_id$/.test(q.name) || this.isIdentityParam(q.name)) continue;
      const getter = this.getterOf(q.name);
      if (!getter) continue;
      const ids = this.listedIds(q.name, this.records);
      // Where the person's records are listed: their own record, read first.
      if (ids.size === 0) {
        const own = this.personLookup(tool);
        if (own) return own;
      }
      if (ids.size < 2 || ids.size > 8) continue;
      const calls = [...ids].map((id) => ({ name: getter.name, arguments: { [q.name]: id } })).filter((c) => !this.called.has(callKey(c)));
      if (calls.length > 0) return { type: 'call', calls };
      const recordFor = (id: string) => [...this.records].reverse().find((r) => r.tool === getter.name && r.args[q.name] === id);
      const holding = [...ids].filter((id) => {
        const rec = recordFor(id);
        return rec !== undefined && resolvePhrase(p, text, [rec.value]) !== undefined;
      });
      const given = this.slots.get(q.name)?.value;
      if (holding.length !== 1 || holding[0] === given) continue;
      // Only when the record given does not hold them itself.
      const givenRec = typeof given === 'string' ? recordFor(given) : undefined;
      if (givenRec && resolvePhrase(p, text, [givenRec.value]) !== undefined) continue;
      for (const id of ids) this.reuse({ name: getter.name, arguments: { [q.name]: id } });
      this.slots.set(q.name, { value: holding[0]!, session: false });
      this.slots.delete(p.name);
      g.unknown.delete(p.name);
      if (typeof given === 'string') this.outbox.push(`I found ${text} in ${labelOf(q)} ${holding[0]}, not in ${given}.`);
      return 'moved';
    }
    return undefined;
  }

  /**
   * The look-ups that read the records an id parameter could take (two to five ids found in
   * results, none read yet), with the one read tool taking that parameter alone.
   */
  private fetchCandidates(p: ParamSpec): Decision | 'reused' | undefined {
    if (p.enum || p.type === 'array') return undefined;
    const getter = this.getterOf(p.name);
    if (!getter || getter === this.goal?.tool) return undefined;
    const found = this.liveCandidates(p).filter((c) => typeof c.value === 'string');
    if (found.length < 2 || found.length > 5) return undefined;
    let reused = false;
    const calls = found
      .filter((c) => !this.recordOf(p, c.value as string))
      .map((c) => ({ name: getter.name, arguments: { [p.name]: c.value } }))
      .filter((c) => {
        if (!this.called.has(callKey(c))) return true;
        this.reuse(c);
        reused = true;
        return false;
      });
    return calls.length > 0 ? { type: 'call', calls } : reused ? 'reused' : undefined;
  }

  /** Read tools that look up what the request already names (get_order for an order id). */
  private lookup(params: ParamSpec[]): Decision | undefined {
    for (const p of params) {
      const s = this.slots.get(p.name);
      if (!s || typeof s.value !== 'string') continue;
      for (const t of this.tools) {
        if (t.kind !== 'read' || t === this.goal?.tool || t === this.transferTool || this.identifyTools.includes(t)) continue;
        const ps = this.params.get(t.name)!.filter((q) => q.required);
        if (ps.length !== 1 || ps[0]!.name !== p.name) continue;
        const call = { name: t.name, arguments: { [p.name]: s.value } };
        if (this.called.has(callKey(call))) {
          this.reuse(call);
          continue;
        }
        return { type: 'call', calls: [call] };
      }
    }
    return undefined;
  }

  /**
   * For ids in `args` the agent picked itself and has no readable record of: the read tools
   * taking only the identified person's id (get_user_details), not called yet in this session.
   */
  private lookupUndescribed(tool: ToolSpec, args: JsonObject): Decision | undefined {
    const undescribed = this.params.get(tool.name)!.filter((p) => {
      const v = args[p.name];
      if (typeof v !== 'string' || p.enum || this.isIdentityParam(p.name) || this.slots.get(p.name)?.said !== undefined) return false;
      if (!(p.shape || /_id$/.test(p.name))) return false;
      // Described by its own record ("id" = v), or by a record with a name; not by one that only points to it.
      const rec = this.recordOf(p, v);
      return !rec || !readableWords(rec, p) || (rec['id'] !== v && !Object.keys(rec).some((k) => NAME_KEY.test(k)));
    });
    return undescribed.length > 0 ? this.personLookup(tool) : undefined;
  }

  /**
   * The identified person's own record: read tools taking only their id (get_user_details), not
   * called yet. It lists what is theirs (orders, payment methods), for ids they do not know.
   */
  private personLookup(tool?: ToolSpec): Decision | undefined {
    const calls: ToolCallRequest[] = [];
    for (const t of this.tools) {
      if (t.kind !== 'read' || t === tool || t === this.transferTool) continue;
      const ps = this.params.get(t.name)!.filter((q) => q.required);
      // By the person's id (user_id), not by personal details: that finds them, it does not describe them.
      if (ps.length !== 1 || !/_id$/.test(ps[0]!.name) || !this.isIdentityParam(ps[0]!.name)) continue;
      const v = this.valueFor(ps[0]!);
      if (typeof v !== 'string') continue;
      const call = { name: t.name, arguments: { [ps[0]!.name]: v } };
      if (this.called.has(callKey(call))) {
        this.reuse(call);
        continue;
      }
      calls.push(call);
    }
    return calls.length > 0 ? { type: 'call', calls } : undefined;
  }

  /**
   * Look-ups that list what could replace records of a list (a product's variants for ordered
   * items): each read tool whose required parameters are all ids a record holds, called once
   * per record with them.
   */
  private lookupReplacements(records: readonly JsonObject[], own: string): Decision | undefined {
    const calls: ToolCallRequest[] = [];
    for (const rec of records) {
      for (const t of this.tools) {
        if (t.kind !== 'read' || t === this.goal?.tool || t === this.transferTool || this.identifyTools.includes(t)) continue;
        const ps = this.params.get(t.name)!.filter((q) => q.required);
        // Not by the record's own id (`own`): that reads it again rather than what could replace it.
        if (ps.length === 0 || !ps.every((q) => q.name !== own && /(^|_)id$/.test(q.name) && typeof rec[q.name] === 'string')) continue;
        const call = { name: t.name, arguments: Object.fromEntries(ps.map((q) => [q.name, rec[q.name]!])) };
        if (this.called.has(callKey(call))) {
          this.reuse(call);
          continue;
        }
        if (!calls.some((c) => callKey(c) === callKey(call))) calls.push(call);
      }
    }
    return calls.length > 0 ? { type: 'call', calls } : undefined;
  }

  /**
   * A lookup made for an earlier request (the order, before a failed cancellation) serves the
   * current one too: its record is taken over rather than ignored or fetched again.
   */
  private reuse(call: ToolCallRequest): void {
    const key = callKey(call);
    if (this.records.some((r) => r.goal === this.goalIndex && callKey({ name: r.tool, arguments: r.args }) === key)) return;
    const earlier = [...this.records].reverse().find((r) => callKey({ name: r.tool, arguments: r.args }) === key);
    if (earlier && earlier.goal !== -1) this.records.push({ ...earlier, goal: this.goalIndex });
  }

  /** A read tool that can supply p from what is known, not yet called with these arguments. */
  private chain(p: ParamSpec, target: ToolSpec): Decision | undefined {
    // New records for a list of current ones are found from those (newList), not by chaining.
    if (p.type === 'array' && /^new_./.test(p.name) && Array.isArray(this.slots.get(p.name.slice(4))?.value)) return undefined;
    const head = descriptionHead(p);
    const core = [...new Set([...labelCore(p.name).split(' '), ...(head ? labelCore(head).split(' ') : [])])].filter(Boolean);
    if (core.length === 0) return undefined;
    let best: { call: ToolCallRequest; score: number } | undefined;
    for (const t of this.tools) {
      if (t.kind !== 'read' || t === target || t === this.transferTool || this.identifyTools.includes(t)) continue;
      const ps = this.params.get(t.name)!;
      if (ps.some((q) => q.name === p.name)) continue;
      const nameWords = new Set(contentWords(t.name.replace(/_/g, ' ')));
      const descWords = new Set(contentWords(t.description));
      let score = 0;
      for (const c of core) score += nameWords.has(c) ? 2 : descWords.has(c) ? 1 : 0;
      if (score === 0) continue;
      const args: JsonObject = {};
      let ok = true;
      for (const q of ps.filter((q) => q.required)) {
        const v = this.valueFor(q);
        if (v === undefined) {
          ok = false;
          break;
        }
        args[q.name] = v;
      }
      if (!ok) continue;
      const call = { name: t.name, arguments: args };
      if (this.called.has(callKey(call))) continue;
      if (!best || score > best.score) best = { call, score };
    }
    return best ? { type: 'call', calls: [best.call] } : undefined;
  }

  /**
   * A search filter to ask for before p: the missing parameter of the read tool that best
   * supplies p (the same scoring as chain), when every parameter it lacks is a choice from a
   * list (enum) the user has not yet been asked about twice or said they do not know.
   */
  private searchFilter(p: ParamSpec, target: ToolSpec): ParamSpec | undefined {
    const g = this.goal!;
    const head = descriptionHead(p);
    const core = [...new Set([...labelCore(p.name).split(' '), ...(head ? labelCore(head).split(' ') : [])])].filter(Boolean);
    let best: { missing: ParamSpec[]; score: number } | undefined;
    for (const t of this.tools) {
      if (t.kind !== 'read' || t === target || t === this.transferTool || this.identifyTools.includes(t)) continue;
      const ps = this.params.get(t.name)!;
      if (ps.some((q) => q.name === p.name)) continue;
      const nameWords = new Set(contentWords(t.name.replace(/_/g, ' ')));
      let score = 0;
      for (const c of core) score += nameWords.has(c) ? 2 : 0;
      if (score === 0) continue;
      const missing = ps.filter((q) => q.required && this.valueFor(q) === undefined);
      if (missing.length === 0 || !missing.every((q) => q.enum && !g.unknown.has(q.name) && (g.asks.get(q.name) ?? 0) < this.maxAsks)) continue;
      if (!best || score > best.score) best = { missing, score };
    }
    return best?.missing[0];
  }

  private argsFor(tool: ToolSpec): JsonObject {
    const args: JsonObject = {};
    for (const p of this.params.get(tool.name)!) {
      const v = this.valueFor(p);
      if (v !== undefined && (p.required || this.slots.get(p.name)?.said !== undefined)) args[p.name] = v;
    }
    return args;
  }

  private describeArgs(tool: ToolSpec, args: JsonObject): string {
    const parts: string[] = [];
    for (const p of this.params.get(tool.name)!) {
      if (!(p.name in args)) continue;
      const v = args[p.name]!;
      const raw = Array.isArray(v) ? v.map(String).join(', ') : String(v);
      // Enum values read as words: "store_credit" → "store credit".
      const shown = p.enum ? raw.replace(/_/g, ' ') : raw;
      const said = this.slots.get(p.name)?.said;
      const pieces = typeof v === 'string' ? this.composedWords.get(`${p.name}=${v}`) : undefined;
      // The user's words, unless they are the value offered back to them with its description ("#W1 (pending; …)").
      const echoed = said !== undefined && normalize(said).startsWith(normalize(shown));
      const extra = pieces ? ` (${pieces})` : said && !echoed && normalize(said) !== normalize(shown) && !normalize(shown).includes(normalize(said)) ? ` (${said})` : '';
      let about = typeof v === 'string' && !extra ? this.brief(p.name, v) : '';
      let own = extra;
      // Ids in a list (the items, the new variants) are read out with what their records hold, so
      // the user can check them: the user's own words would only be echoed back.
      if (Array.isArray(v) && v.length > 0 && !p.enum) {
        const elem = elementKey(p.name);
        const words = v.map((x) => (typeof x === 'string' ? this.attributesOf(elem, x) : '')).filter(Boolean);
        if (words.length === v.length) {
          about = words.join('; ');
          own = '';
        }
      }
      // An id the agent picked from records (a saved address) means nothing to the user by
      // itself: the record's readable fields go with it, so they can check it.
      if (!about && typeof v === 'string' && !pieces && !p.enum && (p.shape || /_id$/.test(p.name)) && !this.isIdentityParam(p.name)) {
        const rec = this.recordOf(p, v);
        about = rec ? readableWords(rec, p) : '';
        // The record's words say more than the user's own ("PayPal" for "my paypal account").
        if (about) own = '';
      }
      parts.push(`${labelOf(p)} ${shown}${own}${about ? ` (${about})` : ''}`);
    }
    return listWords(parts);
  }

  /** What the record with `key` = id holds, as "color silver, brightness low" (ids and numbers left out). */
  private attributesOf(key: string, id: string): string {
    // Every record holding it; the one that also names it (an order's line) is read out.
    const all: JsonObject[] = [];
    const visit = (v: Json, depth: number): void => {
      if (depth > 6 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
      if (v[key] === id) all.push(v);
      else Object.values(v).forEach((x) => visit(x, depth + 1));
    };
    for (const r of [...this.records].reverse()) if (r.goal === -1 || r.goal === this.goalIndex) visit(r.value, 0);
    const rec = all.find((r) => Object.keys(r).some((k) => NAME_KEY.test(k) && typeof r[k] === 'string')) ?? all[0];
    if (!rec) return '';
    const leaves = textLeaves(rec).filter(isAttribute);
    const nameKey = Object.keys(rec).find((k) => NAME_KEY.test(k) && typeof rec[k] === 'string');
    const rest = leaves.filter((l) => !nameKey || l.key !== normalize(nameKey)).slice(0, 5).map((l) => `${l.key} ${l.value}`).join(', ');
    return nameKey ? `${rec[nameKey] as string}${rest ? `: ${rest}` : ''}` : rest;
  }

  /** The looked-up record a value is the id of (the store S101 itself, not the patient whose default it is). */
  private recordOf(p: ParamSpec, value: string): JsonObject | undefined {
    // The record itself (its "id" is the value) before one that holds the value under p's name:
    // that may be the record, or one that merely points to it (an order's payment).
    for (const own of [true, false]) {
      let found: JsonObject | undefined;
      const visit = (v: Json, depth: number): void => {
        if (found || depth > 5 || v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
        if ((own ? v['id'] === value && Object.keys(v).length >= 2 : v[p.name] === value && Object.keys(v).length > 2)) found = v;
        else Object.values(v).forEach((x) => visit(x, depth + 1));
      };
      for (const r of [...this.records].reverse()) if (r.goal === -1 || r.goal === this.goalIndex) visit(r.value, 0);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * A list of every record of a kind (list_stores), fetched when the request names that kind
   * ("the Elm Street store") and the id is not the user's own words: the names in it can
   * then be matched to what the user said rather than to an id picked by its key.
   */
  private listFor(params: ParamSpec[]): Decision | undefined {
    const words = new Set(contentWords(this.requestWords()));
    for (const p of params) {
      if (!p.required || p.type !== 'string' || p.enum || !(p.shape || /_id$/.test(p.name))) continue;
      if (this.slots.get(p.name)?.said !== undefined) continue;
      const core = labelCore(p.name).split(' ').filter(Boolean);
      if (core.length === 0 || !core.some((c) => words.has(c))) continue;
      for (const t of this.tools) {
        if (t.kind !== 'read' || t === this.goal?.tool || t === this.transferTool || t === this.guideTool || this.identifyTools.includes(t)) continue;
        const ps = this.params.get(t.name)!;
        if (ps.some((q) => q.required) || !/^(list|all|get_all|search)/.test(t.name)) continue;
        const nameWords = new Set(contentWords(t.name.replace(/_/g, ' ')));
        if (!core.every((c) => nameWords.has(c))) continue;
        const call = { name: t.name, arguments: {} };
        if (this.called.has(callKey(call)) && this.records.some((r) => r.tool === t.name && r.goal === this.goalIndex)) continue;
        if (this.slots.get(p.name)?.said === undefined) this.slots.delete(p.name);
        this.called.delete(callKey(call));
        return { type: 'call', calls: [call] };
      }
    }
    return undefined;
  }

  /** A few words on a looked-up record ("delivered; Piranesi, The Overstory"), for confirmations. */
  private brief(param: string, value: string): string {
    let holder: JsonObject | undefined;
    const r = [...this.records].reverse().find((x) => x.args[param] === value && Object.keys(x.args).length === 1);
    if (r && isObject(r.value)) holder = r.value;
    else {
      const visit = (v: Json, depth: number): void => {
        if (holder || depth > 5 || v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
        if ((v['id'] === value || v[param] === value) && Object.keys(v).length > 2) holder = v;
        else Object.values(v).forEach((x) => visit(x, depth + 1));
      };
      for (const x of [...this.records].reverse()) visit(x.value, 0);
    }
    if (!holder) return '';
    const rv = holder;
    const out: string[] = [];
    const visit = (v: Json, key: string, depth: number): void => {
      if (depth > 3 || out.length >= 6) return;
      if (Array.isArray(v)) return v.slice(0, 5).forEach((x) => visit(x, key, depth + 1));
      if (isObject(v)) return Object.entries(v).forEach(([k, x]) => visit(x, k, depth + 1));
      if (typeof v === 'string' && /^(title|name|model|product|product_name|summary|description|drug)$/.test(key) && depth > 0) out.push(v);
    };
    visit(rv, '', 0);
    for (const k of ['name', 'title', 'drug', 'model', 'product', 'town', 'city', 'strength']) if (typeof rv[k] === 'string' && !out.includes(rv[k] as string)) out.push(rv[k] as string);
    const status = typeof rv['status'] === 'string' ? rv['status'] : '';
    return [status, out.join(', ')].filter(Boolean).join('; ');
  }

  /* ------------------------------------------------------------ results */

  private onResult(name: string, args: JsonObject, result: { ok: true; value: Json } | { ok: false; error: { name: string; message: string } }): void {
    const tool = this.tools.find((t) => t.name === name);
    const g = this.goal;
    const isIdentify = tool !== undefined && this.identifyTools.includes(tool);
    if (result.ok) {
      this.records.push({ tool: name, args, value: result.value, goal: isIdentify ? -1 : this.goalIndex });
      if (isIdentify) {
        this.identified = true;
        // The identity's details belong to the whole conversation.
        for (const [k, v] of Object.entries(args)) this.slots.set(k, { value: v, said: String(v), session: true });
      }
    }
    if (tool === this.transferTool) {
      this.ended = true;
      this.outbox.push(result.ok ? 'I am transferring you to a human agent now; they will take it from here.' : `I could not transfer you: ${result.error.message}`);
      this.endGoal();
      return;
    }
    if (!g || tool === undefined) return;
    if (g.kind === 'guide' && tool === g.tool && result.ok) {
      const guide = parseGuide(result.value, this.tools);
      if (guide) {
        g.guide = guide;
        g.readingsFrom = this.userText.length;
        return;
      }
    }
    if (!result.ok) {
      const pre = tool === g.tool && g.kind === 'write' && !g.multi && !this.planCurrent ? this.precondition(tool, result.error.message) : undefined;
      if (pre) {
        // "Unlock it before resetting MFA": that step is offered (and confirmed) first, then the action again.
        this.preconditionsTried.add(`${tool.name}>${pre.name}`);
        this.outbox.push(`I could not ${phrase(name)} yet: ${softenError(result.error.message)} I can ${phrase(pre.name)} first, then ${phrase(name)}.`);
        this.plan = [
          { tool: pre, clause: '', group: 0, before: true },
          { tool, clause: '', group: 1 },
        ];
        this.planText = g.text;
        this.endGoal();
        return;
      }
      if (tool === g.tool) {
        // A guide's action refused: its alternative, if any, is tried next.
        if (this.planCurrent) this.plan = this.plan.filter((x) => x !== this.planCurrent);
        // The policy said no (or the details were wrong): the user hears the tool's reason.
        const reason = softenError(result.error.message);
        this.outbox.push(`Unfortunately, I could not ${phrase(name)}${g.multi ? ` for ${String(args[g.multi.param])}` : ''}: ${reason}`);
        this.failedArgs = { ...args };
        // One of several runs of the action: the goal ends when every result is back.
        if (g.multi && ++g.multi.back < g.multi.values.length) return;
        if (g.multi?.left) this.outbox.push(g.multi.left);
        this.lastRefusal = { text: reason.replace(/[.!]+$/, ''), outOfScope: false, goalText: g.text };
        this.endGoal();
      } else if (isIdentify) {
        this.outbox.push(`I could not find an account with those details (${softenError(result.error.message).replace(/[.!]+$/, '')}).`);
        // A wrong value is not kept: the user is asked again or another way is tried.
        for (const k of Object.keys(args)) if (this.slots.get(k)?.session) this.slots.delete(k);
        this.failures++;
      } else {
        // A lookup with a value the user gave failed: forget it so it is asked again.
        for (const k of Object.keys(args)) {
          const s = this.slots.get(k);
          if (s && !s.session) this.slots.delete(k);
        }
        this.outbox.push(`I could not find that (${softenError(result.error.message).replace(/[.!]+$/, '')}).`);
        this.failures++;
      }
      return;
    }
    if (tool === g.tool) {
      // Done: the other alternatives of this guide action are not needed.
      if (this.planCurrent) {
        const group = this.planCurrent.group;
        this.plan = this.plan.filter((x) => x.group !== group);
      }
      if (g.kind === 'write' && this.planCurrent?.before) {
        const fields = reportFields(result.value, contentWords(g.text), false);
        this.outbox.push(`That first step went through: I was able to ${phrase(name)}.${fields ? ` ${fields}` : ''}`);
        this.endGoal();
      } else if (g.kind === 'write' && g.multi) {
        const fields = reportFields(result.value, contentWords(g.text), false);
        this.outbox.push(`All done for ${String(args[g.multi.param])}.${fields ? ` ${fields}` : ''}`);
        if (++g.multi.back < g.multi.values.length) return;
        if (g.multi.left) this.outbox.push(g.multi.left);
        this.endGoal();
      } else if (g.kind === 'write') {
        const fields = reportFields(result.value, contentWords(g.text), false);
        this.outbox.push(`All done: your request to ${phrase(name)} has been completed successfully.${fields ? ` ${fields}` : ''}`);
        this.endGoal();
      } else if (g.place !== undefined) {
        const where = placeWords(result.value, g.place);
        this.outbox.push(where ? `It is at ${where}.` : 'I looked it up, but found nothing to report.');
        this.endGoal();
      } else {
        const fields = reportFields(result.value, contentWords(g.text), true);
        this.outbox.push(fields ? `Here is what I found. ${fields}` : 'I looked it up, but found nothing to report.');
        this.endGoal();
      }
      this.failures = 0;
    }
  }

  /**
   * The write tool for a step a tool error says must come first ("unlock it before resetting
   * MFA", "the account must be unlocked first"): another write tool whose name has that verb,
   * which the policy names. Once per action and step.
   */
  /**
   * For a "where" question no tool matches: the latest record looked up for a request that
   * points to another record by id ("store_id": "S104"), and a read tool that returns that
   * record with its location (its description names an address or location): one taking that
   * id, or one listing all records of the kind ("list_stores").
   */
  private placeLookup(): { tool: ToolSpec; args: JsonObject; id: string } | undefined {
    const reads = this.tools.filter((t) => t.kind === 'read' && t !== this.transferTool && !this.identifyTools.includes(t) && LOCATION_DESC.test(t.description ?? ''));
    for (const r of [...this.records].reverse()) {
      if (r.goal === -1) continue;
      const objs = Array.isArray(r.value) ? r.value.filter(isObject) : isObject(r.value) ? [r.value] : [];
      for (const o of objs) {
        for (const [k, v] of Object.entries(o)) {
          const m = /^([a-z]+)_id$/.exec(k);
          if (!m || typeof v !== 'string' || !v) continue;
          // Only a tool named after the kind of record the id points to ("store_id": list_stores).
          for (const t of reads.filter((x) => contentWords(x.name.replace(/_/g, ' ')).some((w) => stem(w) === stem(m[1]!)))) {
            const req = this.params.get(t.name)!.filter((p) => p.required);
            if (req.length === 1 && req[0]!.name === k) return { tool: t, args: { [k]: v }, id: v };
            if (req.length === 0) return { tool: t, args: {}, id: v };
          }
        }
      }
    }
    return undefined;
  }

  /**
   * The candidates whose record holds a one-word value that tells them apart and that the
   * action's name or description uses ("pending" for modify_pending_order_items, "delivered"
   * for return_delivered_order_items): the only records the action can work on.
   */
  private admittedByAction<T extends { value: Json; holder: JsonObject }>(p: ParamSpec, found: readonly T[]): T[] {
    if (!this.goal) return [];
    const held = found.map((c) => (typeof c.value === 'string' ? this.recordOf(p, c.value) : undefined) ?? c.holder);
    const words = new Set(contentWords(`${this.goal.tool.name.replace(/_/g, ' ')} ${this.goal.tool.description ?? ''}`).map(stem));
    return found.filter((_, i) =>
      Object.entries(held[i]!).some(([k, v]) => {
        if (typeof v !== 'string' || !held.some((h) => h[k] !== v)) return false;
        const ws = contentWords(v.replace(/_/g, ' '));
        return ws.length === 1 && words.has(stem(ws[0]!));
      }),
    );
  }

  /**
   * For a request about every record ("everything that is due"): the values of p among the
   * records looked up whose field tells them apart with a word of the action's description
   * ("refill_status": "eligible" for "Queue a refill of an eligible prescription"). Undefined
   * unless at least two records fit p and such a field picks some of them (at most five).
   */
  private everyValue(p: ParamSpec): { values: string[]; left?: string } | undefined {
    if (p.type !== 'string' || p.enum || !this.goal) return undefined;
    const recs = this.records.filter((r) => r.goal === -1 || r.goal === this.goalIndex);
    const found = [...this.candidates(p, recs).values()].filter((c) => typeof c.value === 'string');
    if (found.length < 2) return undefined;
    const held = found.map((c) => this.recordOf(p, String(c.value)) ?? c.holder);
    const desc = new Set(contentWords(this.goal.tool.description ?? '').map(stem));
    const telling = (rec: JsonObject): string | undefined =>
      Object.entries(rec).find(([k, v]) => {
        if (typeof v !== 'string' || !held.some((h) => h[k] !== v)) return false;
        const ws = contentWords(v.replace(/_/g, ' '));
        return ws.length === 1 && desc.has(stem(ws[0]!));
      })?.[0];
    const keys = held.map(telling);
    const values = found.filter((_, i) => keys[i] !== undefined).map((c) => String(c.value));
    if (values.length === 0 || values.length > 5) return undefined;
    // The records left out are named, with what keeps them out and the dates that go with it.
    const key = keys.find((k) => k !== undefined)!;
    const kept = held.filter((_, i) => keys[i] !== undefined);
    const left = held
      .filter((_, i) => keys[i] === undefined)
      .map((rec) => {
        const why = Object.entries(rec).filter(([k, v]) => v !== null && (k === key || (typeof v === 'string' && isoDateIn(v) === v && kept.every((o) => o[k] !== v))));
        return `${choiceWords(rec, held, p) || String(found[held.indexOf(rec)]!.value)}: ${why.map(([k, v]) => `${k.replace(/_/g, ' ')} ${String(v).replace(/_/g, ' ')}`).join(', ')}`;
      });
    return { values, ...(left.length ? { left: `Not included: ${left.join('; ')}.` } : {}) };
  }

  /**
   * Before an action is offered: the read tools the policy says to check things with first,
   * called with what the action's arguments give them, whole or as the pieces of an id made of
   * other values (a flight id's number and date), each once. What the policy checks (a flight's
   * delay) is then seen, and the look-up made, before the action is proposed.
   */
  private policyLookups(tool: ToolSpec, args: JsonObject): Decision | undefined {
    const sources: Map<string, string>[] = [new Map(Object.entries(args).filter((e): e is [string, string] => typeof e[1] === 'string'))];
    const all = this.allParams();
    for (const p of this.params.get(tool.name)!) {
      const v = args[p.name];
      const parts = typeof v === 'string' ? this.compositionOf(p) : undefined;
      if (typeof v !== 'string' || !parts) continue;
      const shapes = new Map<string, RegExp>();
      for (const x of parts) if ('param' in x) shapes.set(x.param, all.find((q) => q.name === x.param)!.shape!);
      const pieces = splitId(v, parts, shapes);
      if (pieces) sources.push(pieces);
    }
    const calls: ToolCallRequest[] = [];
    for (const t of this.checkTools) {
      const req = this.params.get(t.name)!.filter((q) => q.required);
      if (t === tool || req.length === 0) continue;
      for (const src of sources) {
        if (!req.every((q) => src.has(q.name))) continue;
        const call = { name: t.name, arguments: Object.fromEntries(req.map((q) => [q.name, src.get(q.name)!])) };
        if (!this.called.has(callKey(call)) && !calls.some((c) => callKey(c) === callKey(call))) calls.push(call);
      }
    }
    return calls.length > 0 ? { type: 'call', calls } : undefined;
  }

  private precondition(tool: ToolSpec, message: string): ToolSpec | undefined {
    for (const seg of message.split(/[:;.]\s+|[:;.]$/)) {
      const m = /^\s*([a-z]+)\s+(?:it|them|this|that|the [a-z]+(?: [a-z]+)?)\s+(?:first|before)\b/i.exec(seg) ?? /\b(?:must|needs? to|has to|should) be ([a-z]+)\s+(?:first|before)\b/i.exec(seg);
      if (!m) continue;
      const writes = this.tools.filter((t) => t.kind === 'write' && t !== tool && t !== this.transferTool);
      const best = scoreIntents(m[1]!, writes).filter((x) => x.nameHits.some((w) => !isNounish(w)))[0];
      const pre = best ? writes.find((t) => t.name === best.tool) : undefined;
      if (!pre || this.preconditionsTried.has(`${tool.name}>${pre.name}`)) continue;
      if (!this.policy.includes(pre.name) && !normalize(this.policy).includes(phrase(pre.name))) continue;
      return pre;
    }
    return undefined;
  }

  /* ------------------------------------------------------------ endings */

  private dropGoal(why: string): Decision {
    const g = this.goal!;
    this.failures++;
    if (this.planCurrent) this.plan = this.plan.filter((x) => x !== this.planCurrent);
    this.lastRefusal = { text: why.replace(/[.!]+$/, ''), outOfScope: true, goalText: g.text };
    this.endGoal();
    this.outbox.push(`I'm sorry, I am unable to go on with this: ${why}`);
    return this.decide();
  }

  private stuck(why: string): Decision {
    this.failures = 0;
    if (this.transferTool) return this.transfer(this.goal?.text ?? this.userText[this.userText.length - 1] ?? why);
    this.goal = undefined;
    this.pending = { kind: 'after' };
    return { type: 'say', text: `I'm sorry, I am unable to help further with this: ${why} Is there anything else I can help you with?` };
  }

  private transfer(text: string): Decision {
    const tool = this.transferTool!;
    const args: JsonObject = {};
    for (const p of this.params.get(tool.name)!) {
      if (!p.required) continue;
      const v = this.valueFor(p);
      if (v !== undefined) args[p.name] = v;
      else if (p.type === 'string') args[p.name] = `The user asked: "${text.slice(0, 200)}". ${this.goal ? '' : 'I could not help within the policy.'}`.trim();
    }
    this.goal = undefined;
    return { type: 'call', calls: [{ name: tool.name, arguments: args }] };
  }

  /* ------------------------------------------------------------ helpers */

  private allParams(): ParamSpec[] {
    const seen = new Map<string, ParamSpec>();
    // The current tool's parameters first, so its reading of a label wins.
    const order = this.goal ? [this.goal.tool, ...this.tools] : this.tools;
    for (const t of order) for (const p of this.params.get(t.name) ?? []) if (!seen.has(p.name)) seen.set(p.name, p);
    return [...seen.values()];
  }

  private hasParam(t: ToolSpec, re: string): boolean {
    return (this.params.get(t.name) ?? []).some((p) => p.name.includes(re));
  }

  private isIdentityParam(name: string): boolean {
    if (isPersonal(name)) return true;
    return this.identifyTools.some((t) => t.name.includes(name) || `${entityOf(t.name)}_id` === name);
  }

  private missingCount(toolName: string): number {
    return (this.params.get(toolName) ?? []).filter((p) => p.required && this.slots.get(p.name) === undefined && !this.isIdentityParam(p.name)).length;
  }
}

/* ------------------------------------------------------------ pure helpers */

function isPersonal(name: string): boolean {
  const n = normalize(name).replace(/\b(of|code|number|address|on|account)\b/g, ' ').replace(/\s+/g, ' ').trim();
  return PERSONAL.has(n) || PERSONAL.has(normalize(name)) || /^(email|zip|postcode|phone)/.test(n);
}

/** Free-text notes (reason, summary) rather than facts: may be left "not stated". */
function isDescriptive(p: ParamSpec): boolean {
  return p.type === 'string' && !p.enum && !p.shape && /^(reason|summary|note|notes|comment|comments|description|details|message|explanation)$/.test(p.name);
}

/** The short text and number fields of a record, its nested ones included ("options.size"), normalised. */
function leavesOf(rec: JsonObject, depth = 0): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const [k, x] of Object.entries(rec)) {
    if (typeof x === 'string' && x.length <= 60) out.push({ key: normalize(k), value: normalize(x) });
    else if (typeof x === 'number') out.push({ key: normalize(k), value: String(x) });
    else if (isObject(x) && depth < 2) out.push(...leavesOf(x, depth + 1));
  }
  return out;
}

/** A record's short text values, nested ones too, with their keys (numbers left out: prices, stock). */
function textLeaves(rec: JsonObject, depth = 0): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const [k, x] of Object.entries(rec)) {
    if (typeof x === 'string' && x.length <= 60) out.push({ key: normalize(k), value: normalize(x) });
    else if (isObject(x) && depth < 2) out.push(...textLeaves(x, depth + 1));
  }
  return out;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** An ISO date as people say it: "2026-06-18" → "June 18"; undefined for anything else. */
function dateInWords(v: string): string | undefined {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(v);
  const month = m ? MONTH_NAMES[Number(m[1]) - 1] : undefined;
  return month ? `${month} ${Number(m![2])}` : undefined;
}

function firstDate(v: Json): string | undefined {
  if (!isObject(v)) return undefined;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' && /placed|created|date|ordered|_on$|_at$/.test(k) && /^\d{4}-\d{2}-\d{2}/.test(x)) return x;
  return undefined;
}

/** What the user wants instead, said after a "no" ("No. What I want is to return my lamp."), as a request. */
export function wantInstead(text: string): string | undefined {
  for (const sentence of sentencesOfText(text)) {
    const m = /\b(?:what i (?:really )?(?:want|would like|need) is to|i (?:just |only )?(?:want|need|would like) to)\s+(.+?)(?:\s+instead)?[.!]*$/i.exec(sentence);
    if (m && !DONT_KNOW.test(sentence)) return `I want to ${m[1]!}.`;
    const n = /\bi want (.+?) instead\b/i.exec(sentence);
    if (n) return `I want ${n[1]!}.`;
  }
  return undefined;
}

function sentencesOfText(text: string): string[] {
  return text.split(/(?<=[.?!])\s+|\n+/).map((x) => x.trim()).filter(Boolean);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function callKey(c: ToolCallRequest): string {
  return `${c.name}:${JSON.stringify(c.arguments)}`;
}

/** The thing a lookup tool is about: find_customer → customer, find_user_id_by_email → user. */
function entityOf(toolName: string): string {
  const m = /^(?:find|get|lookup|search|list)_([a-z]+)/.exec(toolName);
  return m ? m[1]! : toolName;
}

/** A tool's name as words: cancel_pending_order → "cancel pending order". */
function phrase(toolName: string): string {
  return toolName.replace(/_/g, ' ');
}

function labelOf(p: ParamSpec): string {
  return slotLabel(p.name);
}

function listWords(parts: readonly string[], conj = 'and'): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} ${conj} ${parts[parts.length - 1]}`;
}

/** The head noun phrase of a parameter's description: "Asset tag of the device" → "asset tag". */
function descriptionHead(p: ParamSpec): string | undefined {
  const m = /^(?:the\s+)?(?:user's\s+|customer's\s+|employee's\s+)?([a-z][a-z -]{2,30}?)(?:\s+(?:of|on|for|to|that|in)\b|,|\.|\s+e\.g\.|\s+such as|\s+\(|$)/i.exec(p.description.trim());
  if (!m) return undefined;
  const h = normalize(m[1]!);
  if (h.split(' ').length > 3 || /\b(the|a|an|which|how|where|why|what|id|ids)$/.test(h) || /^(which|how|where|why|what|one|two|ids?)\b/.test(h)) return undefined;
  return h;
}

function slugify(s: string): string {
  return normalize(s).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** A request about another thing than the last one. */
const OTHER_THING = /\b(another|other|different|second|new|else)\b/i;

/** Does the record hold one of the values in a field of its own? */
/** Values that are codes rather than attributes: long numbers, letters joined to digits by a dash ("750ml" is an attribute). */
const CODE_VALUE = /^\d{5,}$|\d{6,}|[a-z]+-\d|\d-[a-z]/;

/** A record's field that describes it (color silver, capacity 750ml), not an id or a code. */
const isAttribute = (l: { key: string; value: string }): boolean => !/\bid\b|_id$|ids$/.test(l.key) && !CODE_VALUE.test(l.value);

/** The key of one element of a list parameter: new_item_ids → item_id, item_ids → item_id, flights → flight. */
function elementKey(listParam: string): string {
  return listParam.replace(/^new_/, '').replace(/_ids$/, '_id').replace(/s$/, '');
}

/** The keys whose short text values differ among records ("size", "color"), at most three. */
function differingKeys(holders: readonly JsonObject[]): string[] | undefined {
  const byKey = new Map<string, Set<string>>();
  for (const h of holders) {
    for (const l of textLeaves(h)) {
      if (!isAttribute(l)) continue;
      byKey.set(l.key, (byKey.get(l.key) ?? new Set()).add(l.value));
    }
  }
  const keys = [...byKey].filter(([, vs]) => vs.size > 1).map(([k]) => k).slice(0, 3);
  return keys.length > 0 ? keys : undefined;
}

/** Whether any string anywhere in v is one of `values`. */
function holdsAnyString(v: Json, values: ReadonlySet<string>, depth = 0): boolean {
  if (typeof v === 'string') return values.has(v);
  if (depth > 6 || v === null || typeof v !== 'object') return false;
  return (Array.isArray(v) ? v : Object.values(v)).some((x) => holdsAnyString(x, values, depth + 1));
}

const holdsOneOf = (rec: JsonObject, values: ReadonlySet<string>): boolean => Object.values(rec).some((y) => typeof y === 'string' && values.has(y));

/** A message that only greets ("Hi!", "Good morning."). */
const GREETING_ONLY = /^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?: there)?[.!,]*$/i;

/** A message that only thanks ("Thank you.", "thanks a lot!"). */
const THANKS_ONLY =
  /^(?:(?:ok(?:ay)?|great|perfect|cool|awesome|lovely|wonderful|brilliant|excellent|(?:that's|that is) (?:great|perfect|fine))[,.!]* )?(?:thanks?|thank you|thx|ty|cheers)(?: (?:so much|a lot|very much))?[.!]*$/i;

/** The request is for someone in the caller's care or family ("my son's inhaler"). */
const RELATIVE = /\b(?:my|our) (?:little |youngest |eldest |oldest |elderly )?(?:son|daughter|child|kid|boy|girl|children|kids|sons|daughters|wife|husband|partner|mother|father|mom|mum|dad|parent|grandson|granddaughter|grandmother|grandfather)\b/i;

/** Canonical verbs that change something of their own: a tool named by one does that, not just what its other words say. */
const STRONG_VERBS = new Set(['cancel', 'return', 'exchange', 'modify', 'unlock', 'reset', 'repair', 'replacement', 'escalate', 'resolve', 'delete', 'remove']);

/** The strong verbs in a tool's name that the user's words do not contain. */
export function unsaidVerbs(toolName: string, said: ReadonlySet<string>): string[] {
  return contentWords(toolName.replace(/_/g, ' ')).filter((w) => STRONG_VERBS.has(w) && !said.has(w));
}

/**
 * Tools a request fits equally, told apart by the words of their names that the others lack
 * ("request_refill_pickup" / "request_refill_delivery": pickup, delivery). Undefined when
 * some tool has no such word (nothing to ask by) or the words overlap.
 */
export function distinctAlternatives(tools: readonly ToolSpec[]): { tool: ToolSpec; words: string[] }[] | undefined {
  if (tools.length < 2 || tools.length > 3) return undefined;
  const names = tools.map((t) => t.name.split('_').filter(Boolean));
  const stems = names.map((ws) => ws.map(stem));
  const out = tools.map((tool, i) => ({ tool, words: names[i]!.filter((_, j) => stems.every((o, k) => k === i || !o.includes(stems[i]![j]!))) }));
  return out.every((o) => o.words.length > 0 && o.words.length <= 2) ? out : undefined;
}

/** The alternative whose own words the reply uses, when exactly one does. */
export function pickAlternative(alts: readonly { tool: ToolSpec; words: string[] }[], reply: string): ToolSpec | undefined {
  const said = new Set(contentWords(reply));
  const hits = alts.filter((a) => a.words.some((w) => said.has(stem(w))));
  return hits.length === 1 ? hits[0]!.tool : undefined;
}

/** Words that name things rather than actions: a request that shares only these with a write tool is no request to run it. */
function isNounish(w: string): boolean {
  return ['order', 'item', 'address', 'payment', 'account', 'access', 'ticket', 'device', 'user', 'detail', 'pending', 'delivered', 'product', 'level', 'status', 'track', 'ship'].includes(w);
}

/** The sentences that say what the user wants (greetings, asides and stated details left out). */
function sentencesWanting(text: string): string {
  const ss = sentencesOfText(text).filter((s) => !/\bmy [a-z ]+ (is|are)\b/i.test(s) && labelledValues(s).length === 0 && answerSentences(s).length > 0 || /\?$/.test(s) && !/\bmy [a-z ]+ (is|are)\b/i.test(s));
  if (ss.length > 0) return ss.join(' ');
  // Only a greeting-led line ("Hi, I want to…") or only chatter ("This is taking a while."):
  // the first may still carry the request.
  return /\b(want|wanna|like to|need|help me|can (?:you|u)|could you|please|would like)\b/i.test(text) ? text : '';
}

/** Error text the user simulator would misread as success ("has been shipped") put plainly. */
function softenError(msg: string): string {
  return msg
    .replace(/\bhas been\b/gi, 'was')
    .replace(/\bhave been\b/gi, 'were')
    .replace(/\bis now\b/gi, 'is')
    .replace(/\bsuccessfully\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function collectKey(v: Json, key: string, out: Map<string, { value: Json; holder: JsonObject }>, depth = 0): void {
  if (depth > 5) return;
  if (Array.isArray(v)) for (const x of v) collectKey(x, key, out, depth + 1);
  else if (isObject(v)) {
    const hit = v[key];
    if (hit !== undefined && hit !== null && typeof hit !== 'object') out.set(JSON.stringify(hit), { value: hit, holder: v });
    for (const x of Object.values(v)) collectKey(x, key, out, depth + 1);
  }
}

function overlap(words: Set<string>, holder: JsonObject, key?: string): number {
  let n = 0;
  // A value found under a named key ("default_store") is described by that key, not by its holder.
  const text = key
    ? key.replace(/_/g, ' ')
    : Object.values(holder)
        .filter((x) => typeof x === 'string')
        .join(' ');
  for (const w of new Set(contentWords(text))) if (words.has(w)) n++;
  return n;
}

/**
 * Resolves the user's words for an id parameter ("Piranesi", "the Dune Messiah and Dune")
 * against records: objects that carry the id key (item_ids → item_id, or id) and whose
 * text fields the words name. Every part must resolve, each to one record.
 */
function resolvePhrase(p: ParamSpec, text: string, values: Json[]): Json | undefined {
  const single = p.name.replace(/_ids$/, '_id').replace(/s$/, '');
  const idKeys = [p.name, single, 'id'];
  const objects: { id: string; texts: string[]; words: Set<string> }[] = [];
  const seen = new Set<string>();
  const visit = (v: Json, depth: number): void => {
    if (depth > 5) return;
    if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (isObject(v)) {
      const key = idKeys.find((k) => typeof v[k] === 'string');
      if (key && key !== 'id' ? true : key === 'id' && depth > 0) {
        const id = v[key!] as string;
        const texts = Object.entries(v)
          .filter(([k, x]) => k !== key && typeof x === 'string' && (x as string).length > 1)
          .map(([, x]) => normalize(x as string));
        // What the record holds below it too ("options": blue, S, v-neck), to tell alike names apart.
        const words = new Set(textLeaves(v).flatMap((l) => l.value.split(/[^a-z0-9-]+/)).filter(Boolean));
        const sig = `${id}|${texts.join('|')}`;
        if (!seen.has(sig)) {
          seen.add(sig);
          objects.push({ id, texts, words });
        }
      }
      Object.values(v).forEach((x) => visit(x, depth + 1));
    }
  };
  values.forEach((v) => visit(v, 0));
  if (objects.length === 0) return undefined;
  const parts = text
    .split(/\s*,\s*|\s+and\s+|\s*&\s*/)
    .map((s) => normalize(s).replace(/^(the|a|an|my)\s+(?=\S+\s)/, '').replace(/[.!?]+$/, ''))
    .filter(Boolean);
  const ids: string[] = [];
  for (const part of parts) {
    const scored = objects
      .map((o) => {
        let score = 0;
        for (const t of o.texts) {
          const tt = t.replace(/^(the|a|an)\s+/, '');
          if (tt === part || t === part) score = Math.max(score, 3);
          else if (t.includes(part)) score = Math.max(score, 2);
          else if (part.includes(tt) && tt.length >= 4) score = Math.max(score, 1 + tt.length / 1000);
        }
        if (normalize(o.id) === part) score = 4;
        return { id: o.id, score };
      })
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score);
    if (scored.length === 0) return undefined;
    let top = scored.filter((s) => s.score === scored[0]!.score);
    if (new Set(top.map((s) => s.id)).size > 1) {
      // Alike names ("T-Shirt (blue size S v-neck)"): the one holding most of the other words said.
      const said = part.split(/[^a-z0-9-]+/).filter((w) => w.length > 0);
      const held = top.map((t) => ({ t, n: said.filter((w) => objects.find((o) => o.id === t.id)!.words.has(w)).length }));
      const most = Math.max(...held.map((h) => h.n));
      const best = held.filter((h) => h.n === most).map((h) => h.t);
      if (most > 0 && new Set(best.map((b) => b.id)).size < new Set(top.map((t) => t.id)).size) top = best;
    }
    if (new Set(top.map((s) => s.id)).size > 1) {
      // A list parameter: words that name several records alike ("the Harbor Crew T-Shirts") name them all.
      if (p.type !== 'array') return undefined;
      ids.push(...top.map((s) => s.id));
      continue;
    }
    ids.push(top[0]!.id);
  }
  const unique = [...new Set(ids)];
  return p.type === 'array' ? unique : unique.length === 1 ? unique[0]! : undefined;
}

/**
 * The fields of a result worth saying, as "label: value" parts: those the user's words name
 * and, for actions, statuses and amounts. Money keeps two decimals ("27.00").
 */
export function reportFields(value: Json, userWords: readonly string[], info: boolean): string {
  const words = new Set(userWords);
  const rows: { path: string; key: string; v: Json; score: number }[] = [];
  let target: Json = value;
  // A list: the element the user's words single out, else a short list of all.
  if (Array.isArray(value) && value.length > 0) {
    const objs = value.filter(isObject);
    if (objs.length > 0) {
      const scored = objs.map((o) => ({ o, s: overlapDeep(words, o) })).sort((a, b) => b.s - a.s);
      target = scored[0]!.o;
    }
  }
  const visit = (v: Json, path: string, key: string, depth: number): void => {
    if (depth > 3) return;
    if (Array.isArray(v)) {
      // The latest entry of a history (refunds, payments) is the one this action made.
      if (v.length > 0 && isObject(v[v.length - 1])) visit(v[v.length - 1]!, path, key, depth + 1);
      else if (v.length > 0 && v.length <= 6 && v.every((x) => typeof x !== 'object')) rows.push({ path, key, v: v.map(String).join(', '), score: scoreKey(key, path, words, info, v.map(String).join(', ')) });
      return;
    }
    if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) visit(x, path ? `${path} ${k}` : k, k, depth + 1);
      return;
    }
    if (v === null || v === '') return;
    rows.push({ path, key, v, score: scoreKey(key, path, words, info, v) });
  };
  if (isObject(target) || Array.isArray(target)) visit(target, '', '', 0);
  else if (target !== null) return `Result: ${String(target)}.`;
  // Bare record ids ("items item id: 3358616356") tell a person nothing, and read as a claim about
  // what they asked for: left out, unless the key says it is a reference to keep (a tracking number).
  const code = (r: { key: string; v: Json }) => !KEY_FIELD.test(r.key) && (/(^|_)ids?$/.test(r.key) ? /\d{5,}/.test(String(r.v)) : /^\d{6,}(?:, \d{6,})*$/.test(String(r.v)));
  const picked = rows.filter((r) => r.score > 0 && !PERSONAL_FIELD.test(r.key) && !code(r)).sort((a, b) => b.score - a.score).slice(0, info ? 10 : 8);
  if (picked.length === 0) return '';
  return (
    picked
      .map((r) => {
        const shown = typeof r.v === 'number' && (MONEY.test(r.path) || !Number.isInteger(r.v)) ? r.v.toFixed(2) : String(r.v);
        return `${r.path.replace(/_/g, ' ')}: ${shown}`;
      })
      .join('; ') + '.'
  );
}

function scoreKey(key: string, path: string, words: Set<string>, info: boolean, v?: Json): number {
  let s = 0;
  // People named in a result (the manager who approves, the doctor): short, and the user wants them.
  if (typeof v === 'string' && !PERSONAL_FIELD.test(key) && (/_name$|manager|doctor|prescriber|assignee|owner|contact|technician/.test(key) || /^[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2}$/.test(v))) s += 1;
  const kw = contentWords(path.replace(/_/g, ' '));
  for (const w of kw) if (words.has(w) || words.has(stem(w))) s += 3;
  if (KEY_FIELD.test(key)) s += /status|amount|total|refund|tracking|level/.test(key) ? 2 : 1;
  if (info && /date|_on$|_at$|eta|note/.test(key)) s += 1;
  return s;
}

function overlapDeep(words: Set<string>, o: JsonObject): number {
  return [...new Set(contentWords(JSON.stringify(o).replace(/[{}"\[\]:,_]/g, ' ')))].filter((w) => words.has(w)).length;
}

/** Words asking for every record of a kind. */
const EVERY = /\b(everything|every|all|each)\b/i;
/** Words asking where something is. */
const WHERE = /\bwhere\b/i;
/** A tool description that promises a location. */
const LOCATION_DESC = /\b(address|addresses|location|locations)\b/i;
/** Fields that say where a place is. */
const PLACE_FIELD = /^(name|address|street|city|town|district|location|postcode|zip|zip_code|postal_code)$/i;

/** The record with this id in a result (or the result itself), as its name and address ("Harbor Street, 9 Harbor Street, Riverton"). */
export function placeWords(value: Json, id: string): string {
  const objs = Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : [];
  const rec = objs.find((o) => Object.values(o).some((v) => v === id)) ?? (objs.length === 1 ? objs[0] : undefined);
  if (!rec) return '';
  const parts = Object.entries(rec).filter(([k, v]) => PLACE_FIELD.test(k) && typeof v === 'string' && v !== '').map(([, v]) => String(v));
  return [...new Set(parts)].join(', ');
}

/* ------------------------------------------------------------ guides */

/**
 * A guide in a tool result: its steps (the first list of sentences) and outcomes (the first
 * list of records with text fields): the field naming tools is the action, a field about
 * what the user reports or sees is the report, another one the meaning. Undefined when the
 * result has no outcomes.
 */
export function parseGuide(value: Json, tools: readonly ToolSpec[]): Guide | undefined {
  let steps: string[] | undefined;
  let rows: JsonObject[] | undefined;
  const visit = (v: Json, depth: number): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (!steps && v.length > 0 && v.every((x) => typeof x === 'string')) steps = v as string[];
      else if (!rows && v.length > 0 && v.every((x) => isObject(x) && Object.values(x).filter((y) => typeof y === 'string').length >= 2)) rows = v as JsonObject[];
      else v.forEach((x) => visit(x, depth + 1));
      return;
    }
    Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  visit(value, 0);
  if (!rows) return undefined;
  const keys = Object.keys(rows[0]!).filter((k) => rows!.every((r) => typeof r[k] === 'string'));
  const toolMentions = (k: string) => rows!.filter((r) => tools.some((t) => (r[k] as string).includes(t.name))).length;
  const action = keys.find((k) => /action|do$|next|then|resolution|fix/.test(k)) ?? [...keys].sort((a, b) => toolMentions(b) - toolMentions(a))[0];
  const rest = keys.filter((k) => k !== action);
  const reports = rest.find((k) => /report|result|symptom|see|show|reading|observ|when|if|says/.test(k)) ?? rest[0];
  if (!action || !reports) return undefined;
  const meaning = rest.find((k) => k !== reports);
  return {
    steps: steps ?? [],
    outcomes: rows.map((r) => ({ reports: r[reports] as string, action: r[action] as string, meaning: meaning ? (r[meaning] as string) : '' })),
  };
}

/**
 * The outcomes a user's report fits best: by the report words they share, each word
 * weighted by how few outcomes use it; `exclude` are words of the question itself.
 */
export function matchOutcomes(guide: Guide, said: string, exclude: ReadonlySet<string>): number[] {
  const words = new Set(contentWords(said).filter((w) => !exclude.has(w)));
  if (words.size === 0) return [];
  const sets = guide.outcomes.map((o) => new Set(contentWords(o.reports)));
  const df = new Map<string, number>();
  for (const s of sets) for (const w of s) df.set(w, (df.get(w) ?? 0) + 1);
  const scores = sets.map((s) => [...s].filter((w) => words.has(w)).reduce((n, w) => n + 1 / df.get(w)!, 0));
  const best = Math.max(...scores);
  if (best <= 0) return [];
  return scores.map((x, i) => (Math.abs(x - best) < 1e-9 ? i : -1)).filter((i) => i >= 0);
}

/**
 * The actions an outcome names, in order: "A; then B" is a sequence, "A, if X; otherwise: B"
 * alternatives. Each clause's tool is the one it names, else the one whose verb it uses.
 */
export function planFrom(action: string, tools: readonly ToolSpec[]): PlanStep[] {
  const out: PlanStep[] = [];
  const parts = action.split(/(;\s*then\s+|,?\s+then\s+|;)/i);
  let group = 0;
  let prevConditional = false;
  for (let i = 0; i < parts.length; i += 2) {
    const clause = parts[i]!.trim();
    const sep = i > 0 ? parts[i - 1]! : '';
    const condition = /\bif\b[^,;:]*/i.exec(clause)?.[0] ?? /^([^:]{3,40}):/.exec(clause)?.[1];
    if (i > 0 && (/then/i.test(sep) || !(condition || prevConditional))) group++;
    prevConditional = condition !== undefined;
    if (!clause) continue;
    const named = tools
      .map((t) => ({ t, at: clause.indexOf(t.name) }))
      .filter((x) => x.at >= 0)
      .sort((a, b) => a.at - b.at)[0]?.t;
    let tool = named;
    if (!tool) {
      const best = scoreIntents(clause, tools).filter((x) => x.nameHits.some((w) => !isNounish(w)))[0];
      tool = best ? tools.find((t) => t.name === best.tool) : undefined;
    }
    if (!tool) continue;
    out.push({ tool, clause, group, ...(condition ? { condition } : {}) });
  }
  return out;
}

/** What a guide's steps ask the user to read out: "the error code", "the charging light". */
export function readingsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of normalize(text).matchAll(/\b(?:the|its|their)\s+((?:[a-z]+[ -]){0,2}?(?:code|light|lights|tag|colou?r|reading|led|indicator))\b/g)) {
    const r = m[1]!.trim();
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

/** A guide step as said to the user: "Ask the employee to restart it" → "Please restart it."; bare questions left to the question. */
function instructionOf(step: string): string {
  const s = step.replace(/^for [^:]{1,40}:\s*/i, '');
  const m = /^ask (?:the (?:employee|user|customer|caller|patient)|them|him|her)\s+to\s+(.+)$/i.exec(s);
  if (m) return `Please ${m[1]!.replace(/\btell you\b/g, 'tell me').replace(/\bthe (?:employee|user|customer|caller)'s\b/g, 'your')}`.replace(/([^.!?])$/, '$1.');
  if (/^ask\b/i.test(s)) return '';
  return s.replace(/([^.!?])$/, '$1.');
}

/** Options with the words they all start with left out: "E-13 and it prints" / "E-13 and the jam" → "it prints" / "the jam". */
function withoutCommonStart(options: string[]): string[] {
  if (options.length < 2) return options;
  const split = options.map((o) => o.split(/\s+/));
  let n = 0;
  while (split.every((w) => w.length > n + 1 && normalize(w[n]!) === normalize(split[0]![n]!))) n++;
  return split.map((w) => w.slice(n).join(' '));
}

/** What a parameter's values are called: "Prescription number" → "prescription", store_id → "store". */
function nounOf(p: ParamSpec): string {
  const head = descriptionHead(p) ?? slotLabel(p.name);
  const n = normalize(head).replace(/\b(number|id|ids|code|no)\b/g, ' ').replace(/\s+/g, ' ').trim();
  return n || labelOf(p);
}

/** Keys that name a record to a person. */
/** Keys holding the last digits of a card or an account number. */
const LAST_DIGITS = /^last_?(?:four|4|digits)$/i;
const NAME_KEY = /^(name|title|drug|product|product_name|model|first_name|full_name|description)$/;
/** Keys never used to tell records apart in a question: ids, dates, contact details. */
const NOT_SHOWN = /(^id$|_id$|_ids$|date|_on$|_at$|phone|email|hours|serial|password|dob|birth|_from$|last_filled|expires)/;

/**
 * A record as a person tells it from the others: its name-like field, then up to two short
 * fields whose values differ among the records ("Main Street (40 Main Street, Riverton)").
 */
export function choiceWords(rec: JsonObject, all: readonly JsonObject[], p?: ParamSpec): string {
  const shape = p?.shape ? new RegExp(`^(?:${p.shape.source})$`) : undefined;
  const shown = (k: string, v: Json | undefined): v is string =>
    typeof v === 'string' && v.length > 0 && v.length <= 40 && !NOT_SHOWN.test(k) && !(shape && shape.test(v));
  const nameKey = Object.keys(rec).find((k) => NAME_KEY.test(k) && shown(k, rec[k]));
  const differing = Object.keys(rec).filter((k) => k !== nameKey && shown(k, rec[k]) && all.some((o) => o !== rec && o[k] !== rec[k]));
  const name = nameKey ? (rec[nameKey] as string) : '';
  const extra = differing.slice(0, 2).map((k) => rec[k] as string);
  if (!name) {
    // A record with no name of its own is known by what it holds: an order by its items' names.
    const held = Object.values(rec)
      .filter(Array.isArray)
      .flatMap((list) => (list as Json[]).filter(isObject).map((o) => Object.entries(o).find(([k, v]) => NAME_KEY.test(k) && typeof v === 'string')?.[1] as string | undefined))
      .filter((n): n is string => n !== undefined);
    const contents = [...new Set(held)].slice(0, 8).join(', ');
    if (contents) return extra.length ? `${extra.join(', ')}; ${contents}` : contents;
  }
  if (!name) return extra.join(', ');
  return extra.length ? `${name} (${extra.join(', ')})` : name;
}

/**
 * A record as the user can check it, without its ids: its name-like field, then up to three
 * other short text fields ("work (200 Berkeley St, Boston, MA 02116)"). Empty when it has none.
 */
export function readableWords(rec: JsonObject, p?: ParamSpec): string {
  const shape = p?.shape ? new RegExp(`^(?:${p.shape.source})$`) : undefined;
  const shown = (k: string, v: Json | undefined): v is string =>
    typeof v === 'string' && v.length > 0 && v.length <= 80 && !NOT_SHOWN.test(k) && !/^(status|type|kind)$/.test(k) && !(shape && shape.test(v)) && !/^[A-Za-z]*\d[\w-]*$/.test(v);
  const nameKey = Object.keys(rec).find((k) => NAME_KEY.test(k) && shown(k, rec[k]));
  const rest = Object.keys(rec).filter((k) => k !== nameKey && shown(k, rec[k])).slice(0, 3).map((k) => rec[k] as string);
  // The last digits of a card or account are how its owner knows it: "ending in 2478".
  const lastKey = Object.keys(rec).find((k) => LAST_DIGITS.test(k) && /^\d{2,6}$/.test(String(rec[k])));
  if (lastKey) rest.push(`ending in ${String(rec[lastKey])}`);
  // Codes made of words ("credit_card") are read as words.
  for (let i = 0; i < rest.length; i++) if (/^[a-z]+(?:_[a-z]+)+$/.test(rest[i]!)) rest[i] = rest[i]!.replace(/_/g, ' ');
  const head = nameKey ? (rec[nameKey] as string) : rest.shift() ?? '';
  if (!head) return '';
  return rest.length ? `${head} (${rest.join(', ')})` : head;
}

/** The option a reply picks: the one sharing the most of its words with the reply, when that one is clear. */
export function pickChoice(choices: readonly Choice[], reply: string): Choice | undefined {
  const said = new Set(contentWords(reply));
  const ordinal = /\b(first|second|third|last)\b/i.exec(reply)?.[1]?.toLowerCase();
  const sets = choices.map((c) => new Set(contentWords(c.text)));
  const df = new Map<string, number>();
  for (const s of sets) for (const w of s) df.set(w, (df.get(w) ?? 0) + 1);
  // Words every option shares ("Main Street") tell none apart.
  const scores = sets.map((s) => [...s].filter((w) => said.has(w) && df.get(w)! < choices.length).length);
  const best = Math.max(...scores);
  if (best > 0 && scores.filter((x) => x === best).length === 1) return choices[scores.indexOf(best)];
  if (ordinal) {
    const i = { first: 0, second: 1, third: 2, last: choices.length - 1 }[ordinal]!;
    return choices[i];
  }
  return undefined;
}

import type { DialogueAct, GoalRequest, ItemPreferences, Json, JsonObject, PreferenceRule, TraitValues } from '../model/types.ts';
import { sinceLastOwn, type Participant, type ParticipantReply, type UserSeatContext, type ViewMessage } from '../simulation/participant.ts';
import { chance, randInt, type Rng } from '../stats/rng.ts';
import { describedIn, isNumberValue, mentionsNumber, normalize, optionsOf, parseAgentText, refusalGrounds, slotAliases, slotKey, statedCompact, statedIds, statedPart, statedValue } from './nlu.ts';
import { renderUserActs, type Register, type RenderStyle } from './render.ts';
import { ControlState, isUnhelpful, netChanges, recordControls, toolErrorsSeen } from '../personas/controls.ts';

/**
 * The agenda-based user simulator (Schatzmann et al., 2007), a classical baseline.
 *
 * The goal is held as constraints (`knownInfo`, what the user can tell) and requests
 * (what they want done or learnt). The agenda is a stack of user dialogue acts. Each turn
 * the simulator reads the agent's acts (its own, or parsed from its text), pushes the
 * responses they call for (answers, corrections, confirmations, the next request), then
 * pops one to a few acts and renders them from varied templates. It ends with a stop
 * signal when every request is met, or gives up when the agent makes no progress.
 *
 * It only ever says what it knows (its known info and the values its requests insist on):
 * asked for anything else it says it does not know; asked to pick among options, it picks
 * the one its facts or its task's words point to, else says it does not know which. It agrees
 * only to the actions it wants, and a report of a different action does not settle its request.
 *
 * A request with hidden preferences (`prefer`, a recommendation) judges the items the agent
 * offers by their records in the scenario's database: it picks the one option that meets every
 * preference, accepts a proposal that does, rejects one that does not with the first broken
 * preference's reason ("no, I've seen that one"), and leaves, bored, after `boredAfter` rejections.
 */

/**
 * agenda-1.2: a confirmation states a value the way codes write it ("40 L" in P120-OLIVE-40L),
 * and a one- or two-character value ("L") only as a word of its own, not as a letter of "forest".
 * agenda-1.3: a refusal must be earned. It is accepted only when the agent's message gives the
 * goal's `refusalReason` (any of its phrases) or, for a goal that names none, some reason at
 * all; a bare "I can't help with that" is pushed back, then the request is said again, until
 * patience runs out. An agent's inability ("I could not find your account") is no refusal.
 * Also: a record the user knows by description ("Mastercard credit card ending in 2478") is
 * picked among options, and found stated in a confirmation, by what the agent says it holds;
 * a detail a later request holds with another value is offered again, not taken as said; a
 * question for several new details ("which new color, brightness and power source…") asks each;
 * among options, the one holding what the current request is about is picked first; asked
 * several things at once, it says what it knows before "I don't know".
 */
export const AGENDA_VERSION = 'agenda-1.3';

/** How the persona's traits shape the simulator. */
export interface AgendaParams {
  /** Most acts popped per turn (verbosity, initiative). */
  maxActsPerTurn: number;
  /** Volunteers identifying details unprompted (cooperativeness). */
  volunteer: boolean;
  /** Chance of asking "why do you need that?" the first time a slot is requested. */
  deflectRate: number;
  /** Agent turns without progress the user tolerates before giving up (patience). */
  patienceTurns: number;
  /** Opens vaguely, and says what they want only on the next turn (clarity). */
  vagueOpening: boolean;
  /** How quickly no-progress turns make the user sound upset (emotion). */
  temper: number;
  /** Rejected recommendations after which the user leaves, bored (patience). */
  boredAfter: number;
  style: Omit<RenderStyle, 'upset'>;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Maps persona traits (1–5) onto simulator parameters. */
export function agendaParamsFromTraits(t: TraitValues): AgendaParams {
  const register: Register = t.formality <= 2 ? 'casual' : t.formality >= 4 ? 'formal' : 'neutral';
  return {
    maxActsPerTurn: clamp(1 + Math.round((t.verbosity - 1) / 2) + (t.initiative >= 4 ? 1 : 0) - (t.initiative <= 1 ? 1 : 0), 1, 4),
    volunteer: t.cooperativeness >= 4,
    deflectRate: t.cooperativeness <= 2 ? (3 - t.cooperativeness) * 0.35 : 0,
    patienceTurns: 2 + t.patience * 2,
    vagueOpening: t.clarity <= 2,
    temper: 0.1 + (t.emotion - 1) * 0.1,
    boredAfter: 2 + Math.floor((t.patience - 1) / 2),
    style: {
      register,
      typoRate: (t.noise - 1) * 0.05,
      driftRate: (t.drift - 1) * 0.08,
      learner: t.proficiency <= 2,
    },
  };
}

type RequestState = 'pending' | 'stated' | 'confirmed' | 'done' | 'refused';

/** Everything the simulator knows and feels; stored on each turn as latent state. */
interface AgendaState {
  agenda: DialogueAct[];
  requestIdx: number;
  requests: RequestState[];
  /** Slots said, with the value said: a later request's other value for one is news, not a repeat. */
  given: Map<string, string | undefined>;
  deflected: Set<string>;
  pushedBack: Set<number>;
  /** Requests met with a refusal that gave no reason (or not the goal's), or with an inability. */
  unearned: Set<number>;
  noProgress: number;
  frustration: number;
  /** Items offered against the user's preferences and rejected. */
  rejections: number;
  finished: boolean;
  outcome?: 'goal_met' | 'gave_up' | 'refused_accepted';
}

export function createAgendaUser(ctx: UserSeatContext, params?: AgendaParams): Participant {
  let p = params ?? agendaParamsFromTraits(ctx.persona.traits);
  // Dynamic persona controls: the traits in force change the parameters from the turn a
  // control fires. Explicit `params` (tests, tuning) stay fixed.
  const controls = new ControlState(ctx.persona);
  const seen = { userTurn: 0, unhelpful: 0, toolErrors: 0 };
  let control: { flags: string[]; latent: JsonObject } | undefined;
  function applyControls(rating: number | undefined, incoming: readonly ViewMessage[]): void {
    seen.userTurn++;
    if (isUnhelpful(rating)) seen.unhelpful++;
    seen.toolErrors += toolErrorsSeen(incoming);
    const fired = controls.active ? controls.step(seen) : [];
    control = fired.length ? recordControls(fired) : undefined;
    if (!params && netChanges(fired).length) p = agendaParamsFromTraits(controls.traits);
  }
  const user = ctx.scenario.user;
  const goal = user.goal.requests;
  const known = user.knownInfo;
  const tools = new Set(ctx.scenario.agent.tools.map((t) => t.name));
  const slotsOfInterest = [
    ...new Set([
      ...Object.keys(known),
      // Info that is a value itself (τ²-bench: "54.04", a tracking number) is listened for in the text, not as a slot name.
      ...goal.flatMap((r) => (r.type === 'info' ? (isValueInfo(r.slot) ? [] : [r.slot]) : Object.keys(r.expect))),
      'email', 'name', 'zip', 'order_id', 'items', 'refund_method', 'address', 'reason',
    ]),
  ];
  /** Words of what the user wants and knows about its situation, for picking among options. */
  const taskText = canonicalWords(normalize([user.taskInstructions, user.reasonForContact, ...goal.map((r) => r.utterance)].join(' ')));
  const taskWords = new Set(contentWords(taskText));
  const taskStems = new Set([...taskWords].map(stem));
  /** Everything the agent has said so far: information already heard is not asked for again. */
  const heard: string[] = [];
  /** Options the user picked for its own slots ("original payment" for "original payment method"): the agent may say them back. */
  const picked = new Map<string, string>();
  const s: AgendaState = {
    agenda: [],
    requestIdx: 0,
    requests: goal.map(() => 'pending'),
    given: new Map(),
    deflected: new Set(),
    pushedBack: new Set(),
    unearned: new Set(),
    noProgress: 0,
    frustration: 0,
    rejections: 0,
    finished: false,
  };

  const current = (): GoalRequest | undefined => goal[s.requestIdx];

  /** The current request's hidden preferences, when it is a recommendation. */
  const preferences = (): ItemPreferences | undefined => {
    const r = current();
    return r?.type === 'action' ? r.prefer : undefined;
  };

  /** The catalog records the text names, by their name field or their id (a longer name wins over one inside it). */
  function itemsNamed(pr: ItemPreferences, text: string): JsonObject[] {
    const table = ctx.scenario.initialDb[pr.table];
    const rows = (Array.isArray(table) ? table : table && typeof table === 'object' ? Object.values(table) : []).filter(
      (r): r is JsonObject => r !== null && typeof r === 'object' && !Array.isArray(r),
    );
    const said = ` ${normalize(text).replace(/[^a-z0-9'-]+/g, ' ')} `;
    const words = (v: Json | undefined) => (typeof v === 'string' || typeof v === 'number' ? normalize(String(v)).replace(/[^a-z0-9'-]+/g, ' ').trim() : '');
    const hits = rows
      .map((r) => ({ r, name: words(r[pr.nameField]), id: words(r['id']) }))
      .filter((x) => (x.name.length >= 2 && said.includes(` ${x.name} `)) || (x.id.length >= 2 && said.includes(` ${x.id} `)));
    return hits.filter((x) => !hits.some((y) => y !== x && y.name.length > x.name.length && y.name.includes(x.name) && !said.includes(` ${x.id} `))).map((x) => x.r);
  }

  /** The first preference an item breaks, if any. */
  function brokenRule(pr: ItemPreferences, item: JsonObject): PreferenceRule | undefined {
    return pr.rules.find((rule) => {
      const v = item[rule.field];
      if (rule.is !== undefined && !(typeof v === typeof rule.is && normalize(String(v)) === normalize(String(rule.is)))) return true;
      if (rule.max !== undefined && !(typeof v === 'number' && v <= rule.max)) return true;
      if (rule.min !== undefined && !(typeof v === 'number' && v >= rule.min)) return true;
      if (rule.notIn !== undefined && (typeof v === 'string' || typeof v === 'number') && rule.notIn.some((x) => normalize(String(x)) === normalize(String(v)))) return true;
      return false;
    });
  }

  /** Rejects an offered item with the reason; the last rejection the user bears ends the chat. */
  function reject(reason: string, all: boolean, answers: DialogueAct[]): void {
    s.rejections++;
    if (s.rejections >= p.boredAfter) {
      finish('gave_up');
      s.agenda = [{ act: 'bye', value: 'bored' }, { act: 'reject', value: reason, ...(all ? { slot: 'all' } : {}) }];
      return;
    }
    answers.push({ act: 'reject', value: reason, ...(all ? { slot: 'all' } : {}) });
  }

  /**
   * Options offered for a recommendation: the one that meets every preference is picked; when
   * none does, all are rejected with the first one's reason. Undefined when the options name no
   * item, or several fit (the usual choice then applies).
   */
  function judgeOptions(pr: ItemPreferences, options: string[], answers: DialogueAct[], slot: string | undefined): boolean {
    const named = options.map((o) => itemsNamed(pr, o));
    if (named.every((n) => n.length !== 1)) return false;
    const items = named.map((n) => (n.length === 1 ? n[0]! : undefined));
    const fits = items.map((it) => it !== undefined && brokenRule(pr, it) === undefined);
    const count = fits.filter(Boolean).length;
    if (count === 1) {
      const item = items[fits.indexOf(true)]!;
      answers.push({ act: 'pick', ...(slot ? { slot } : {}), value: String(item[pr.nameField] ?? item['id']) });
      return true;
    }
    if (count === 0 && items.every((it) => it !== undefined)) {
      reject(brokenRule(pr, items[0]!)!.reason, true, answers);
      return true;
    }
    return false;
  }

  /** A slot's value: the request's own value first (the current one by default), then the general goal. */
  function valueOf(slot: string, r: GoalRequest | undefined = current()): string | undefined {
    const raw = r && r.type === 'action' ? r.expect[slot] : undefined;
    if (raw !== undefined) return known[raw] ?? raw;
    return known[slot];
  }

  /**
   * The slot the user knows that an asked label names: the slot itself, one of its aliases,
   * or the same words with ids, numbers and codes taken as one ("flight id" → flight_number,
   * "fault code" → error_code). Undefined when the user knows nothing by that name.
   */
  function resolveSlot(label: string, alt?: string): string | undefined {
    const asked = [label, ...(alt ? [alt] : [])].map(slotKey);
    const r = current();
    const mine = [...new Set([...(r?.type === 'action' ? Object.keys(r.expect) : []), ...Object.keys(known)])].filter(
      (k) => valueOf(k) !== undefined,
    );
    for (const a of asked) if (mine.includes(a)) return a;
    for (const a of asked) for (const k of mine) if (slotAliases(k).some((al) => slotKey(al) === a)) return k;
    for (const a of asked) for (const k of mine) if (labelSignature(a) === labelSignature(k)) return k;
    // "new flight id" for the flight the user wants: a value of the current request is its target.
    const targets = r?.type === 'action' ? Object.keys(r.expect).filter((k) => valueOf(k) !== undefined) : [];
    for (const a of asked) {
      if (!a.startsWith('new_')) continue;
      const rest = labelSignature(a.slice(4));
      const k = targets.find((t) => labelSignature(t) === rest);
      if (k) return k;
    }
    return undefined;
  }

  /** "I don't know", and what a forthcoming user offers instead: the details of what they want. */
  function dontKnow(slot: string, which = false): DialogueAct[] {
    const out: DialogueAct[] = [{ act: 'dont_know', slot, ...(which ? { value: 'which' } : {}) }];
    // Asked for an item they want recommended, anyone says what kind of item they are after.
    if (p.volunteer || preferences()) {
      // The current request's details; with none, those of the requests before it (the same matter).
      const r = current();
      const own = r?.type === 'action' ? Object.keys(r.expect) : [];
      const before = goal.slice(0, s.requestIdx).flatMap((g) => (g.type === 'action' ? Object.keys(g.expect).map((k) => [k, g] as const) : []));
      const details: (readonly [string, GoalRequest | undefined])[] = own.length > 0 ? own.map((k) => [k, r] as const) : before;
      // Those closest to what was asked first ("new size" for a "new variant id").
      const near = (k: string) => labelSignature(k).split(' ').filter((w) => w !== 'id' && labelSignature(slot).split(' ').includes(w)).length;
      details.sort((x, y) => near(y[0]) - near(x[0]));
      for (const [k, g] of details) {
        const v = valueOf(k, g);
        if (v === undefined || (s.given.has(k) && s.given.get(k) === v) || out.length > 2 || out.some((x) => x.slot === k)) continue;
        out.push({ act: 'inform', slot: k, value: v, unprompted: true });
      }
    }
    return out;
  }

  /**
   * The option a user picks: the one holding the value asked for; else, when they know that
   * value, none (they say it instead); else the one their other facts or their task's words
   * point to, if exactly one does. Deterministic.
   */
  function chooseOption(options: string[], v: string | undefined): string | undefined {
    const norm = options.map((o) => canonicalWords(normalize(o)));
    const core = (o: string) => o.replace(/\s*\(.*\)\s*/g, ' ').trim();
    if (v !== undefined) {
      const nv = canonicalWords(normalize(v));
      let hits = options.filter((_, i) => norm[i]!.includes(nv) || (core(norm[i]!).length >= 3 && nv.includes(core(norm[i]!))));
      // A record the user knows by description ("my Visa ending in 1234"), offered by what it holds.
      if (hits.length === 0) hits = options.filter((o) => describedIn(o, v));
      return hits.length === 1 ? hits[0] : undefined;
    }
    const r = current();
    const factsOf = (values: readonly string[]) =>
      values
        // A list ("Water Bottle, Backpack") is a fact per thing.
        .flatMap((f) => (f.includes(', ') ? [f, ...f.split(/,\s*/)] : [f]))
        .map((f) => canonicalWords(normalize(f)))
        .filter((f) => f.length >= 3 && f.split(' ').length <= 6);
    // What this request is about decides first ("the order with the Gaming Mouse"), before
    // everything the user knows (the items of an earlier request).
    const requestValues = r?.type === 'action' ? Object.keys(r.expect).map((k) => valueOf(k) ?? '') : [];
    const own = factsOf(requestValues);
    if (own.length > 0) {
      const hits = norm.map((o) => own.filter((f) => o.includes(f)).length);
      const top = Math.max(...hits);
      if (top > 0 && hits.filter((h) => h === top).length === 1) return options[hits.indexOf(top)];
    }
    const facts = factsOf([...Object.values(known), ...requestValues]);
    const words = norm.map((o) => new Set(contentWords(o)));
    const scores = norm.map((o, i) => {
      const head = o.replace(/\s*\(.*\)\s*/g, ' ').trim();
      const described = contentWords(head).length >= 3 && !/\d/.test(head);
      if (described) {
        // An option that describes something ("the laptop starts normally after the reset") is no
        // record to recognise by one word: it takes a fact that says most of it ("blinking amber"
        // for "the light blinks amber"), or the task saying all of it.
        const ow = new Set(contentWords(o).map(stem));
        const hw = contentWords(head).map(stem);
        let score = 0;
        for (const f of facts) {
          const fw = contentWords(f).map(stem);
          if (fw.length >= 2 && fw.every((w) => ow.has(w)) && fw.length * 2 >= hw.length) score += 3;
        }
        if (hw.every((w) => taskStems.has(w))) score += 1;
        return score;
      }
      let score = 0;
      for (const f of facts) if (o.includes(f)) score += 3;
      // Only words that tell the options apart count.
      for (const w of words[i]!) if (!words.every((ws) => ws.has(w)) && taskWords.has(w)) score += 1;
      return score;
    });
    const best = Math.max(...scores);
    if (best <= 0 || scores.filter((x) => x === best).length > 1) return undefined;
    return options[scores.indexOf(best)];
  }

  /**
   * Which of the user's requests an agent's confirmation or report is about: by the tool it
   * names (agents that send acts), else by the action verbs it uses. 'current' when it cannot
   * tell; 'other' for an action the user never asked for; else the index of a later request.
   */
  function aboutWhich(a: DialogueAct, text: string): 'current' | 'other' | number {
    const r = current();
    const later = (fits: (g: GoalRequest) => boolean) =>
      goal.findIndex((g, i) => i > s.requestIdx && g.type === 'action' && s.requests[i] !== 'done' && fits(g));
    if (a.slot && tools.has(a.slot)) {
      if (r?.type === 'action' && r.tool === a.slot) return 'current';
      const j = later((g) => g.type === 'action' && g.tool === a.slot);
      return j >= 0 ? j : 'other';
    }
    // The user's own words echoed back ("reason: I'd like to return a book") are not the agent's proposal.
    let own = normalize(a.value ?? text);
    for (const g of goal) own = own.split(normalize(g.utterance)).join(' ');
    const said = actionVerbs(own);
    if (said.length === 0) return 'current';
    const fits = (g: GoalRequest) => {
      const wanted = requestVerbs(g);
      return wanted.size === 0 || said.some((v) => wanted.has(v));
    };
    if (r?.type === 'action' && fits(r)) return 'current';
    const j = later((g) => requestVerbs(g).size > 0 && said.some((v) => requestVerbs(g).has(v)));
    return j >= 0 ? j : 'other';
  }

  /** No, and what the user wants instead: the current request, said (again) now. */
  function wantInstead(): DialogueAct[] {
    if (s.requestIdx >= goal.length) return [{ act: 'negate' }];
    // A first request never said yet (a vague opening) is said now, in its first form.
    s.agenda = s.agenda.filter((x) => !(x.act === 'want' && x.slot !== 'vague'));
    const said = s.requests[s.requestIdx] !== 'pending';
    return [{ act: 'negate' }, said ? { act: 'want', slot: 'instead', value: goal[s.requestIdx]!.utterance } : wantAct(s.requestIdx, false)];
  }

  /** Info the agent has said: a value as such (numbers in any format), anywhere in `text`. */
  function heardInfo(slot: string, text: string): boolean {
    if (isNumberValue(slot)) return mentionsNumber(text, slot);
    return isValueInfo(slot) && normalize(text).includes(normalize(slot));
  }

  function wantAct(i: number, again: boolean): DialogueAct {
    return { act: 'want', slot: again ? 'again' : String(i), value: goal[i]?.utterance ?? '' };
  }

  /** The opening agenda, bottom to top: bye, volunteered details, the first want, greeting. */
  function initialAgenda(rng: Rng): void {
    s.agenda.push({ act: 'bye' });
    const first = goal[0];
    if (p.volunteer) {
      const details = first && first.type === 'action' ? Object.keys(first.expect) : [];
      const slots = [...new Set([...Object.keys(known).slice(0, 2), ...details])].reverse();
      for (const slot of slots) {
        const v = valueOf(slot);
        if (v !== undefined) s.agenda.push({ act: 'inform', slot, value: v, unprompted: true });
      }
    }
    if (p.vagueOpening) {
      s.agenda.push(wantAct(0, false));
      s.agenda.push({ act: 'want', slot: 'vague' });
    } else {
      s.agenda.push(wantAct(0, false));
    }
    if (p.style.register !== 'casual' || chance(rng, 0.5)) s.agenda.push({ act: 'greet' });
  }

  function advance(): void {
    s.requestIdx++;
    s.noProgress = 0;
    // Requests already settled on the way (a later action done early, info already heard) are passed over.
    while (s.requestIdx < goal.length) {
      const next = goal[s.requestIdx]!;
      if (s.requests[s.requestIdx] === 'done') s.requestIdx++;
      else if (next.type === 'info' && heardInfo(next.slot, heard.join('\n'))) {
        s.requests[s.requestIdx] = 'done';
        s.requestIdx++;
      } else break;
    }
    // Details still waiting to be said belonged to the request just settled.
    s.agenda = s.agenda.filter((a) => a.act !== 'inform');
    if (s.requestIdx < goal.length) {
      s.agenda.push(wantAct(s.requestIdx, true));
    } else {
      finish(s.outcome ?? 'goal_met');
    }
  }

  function finish(outcome: NonNullable<AgendaState['outcome']>): void {
    s.finished = true;
    s.outcome = outcome;
    s.agenda = outcome === 'gave_up' ? [{ act: 'bye', value: 'gave_up' }] : [{ act: 'bye' }, { act: 'thank' }];
  }

  /**
   * Does the agent's confirmation state what this user insists on? Returns the misses: values
   * not stated, and ids stated for a slot beyond those the user wants ("items 1 and 2" for item 1).
   */
  function confirmationMisses(text: string): string[] {
    const r = current();
    // A recommendation is judged by the item's record against the preferences, not by the words.
    if (!r || r.type !== 'action' || r.prefer) return [];
    const said = normalize(text);
    const slots = [...new Set([...Object.keys(r.expect), ...slotsOfInterest])];
    return Object.keys(r.expect).filter((slot) => {
      const v = valueOf(slot);
      if (v === undefined) return false;
      const parts = v.split(/,\s*|\s+and\s+/).map((part) => normalize(part));
      const option = picked.get(slot);
      if (option !== undefined && said.includes(normalize(option).replace(/\s*\(.*\)\s*/g, ' ').trim())) return false;
      // A record described in words is stated when the agent names it by what it holds ("mastercard, ending in 2478").
      if (!parts.every((part) => statedPart(said, part) || statedCompact(said, part)) && !describedIn(said, v)) return true;
      // Only values that are ids (one token with a digit): "123 Elm Street" is no list of ids.
      if (!parts.every((part) => /^[#a-z0-9_.\-/]*\d[#a-z0-9_.\-/]*$/.test(part))) return false;
      return statedIds(text, slot, slots).some((id) => !parts.includes(id));
    });
  }

  /** Answers a question for a slot (the user's own name for it, or the agent's label). */
  function answerSlot(asked: string, alt: string | undefined, rng: Rng, answers: DialogueAct[]): void {
    const slot = resolveSlot(asked, alt);
    const v = slot === undefined ? undefined : valueOf(slot);
    if (slot === undefined || v === undefined) {
      answers.push(...dontKnow(asked));
    } else if (s.given.has(slot)) {
      answers.push({ act: 'repeat', slot, value: v });
    } else if (!s.deflected.has(slot) && chance(rng, p.deflectRate)) {
      s.deflected.add(slot);
      answers.push({ act: 'deflect', slot });
    } else {
      answers.push({ act: 'inform', slot, value: v });
    }
  }

  /** Reacts to the agent's acts; returns whether the agent made progress. `parsed`: acts read from text. */
  function react(acts: DialogueAct[], text: string, rng: Rng, parsed: ReadonlySet<DialogueAct>): boolean {
    let progress = false;
    const answers: DialogueAct[] = [];
    // The request this message answers to: a report that settles it may come before a statement about it.
    const r = current();
    let askedForMore = false;
    /** The message refused without earning it (no reason, or only an inability). */
    let unearned = false;
    for (const a of acts) {
      switch (a.act) {
        case 'request': {
          if (!a.slot) break;
          if (a.slot === 'intent') {
            if (r) answers.push(wantAct(s.requestIdx, false));
            progress = true;
            break;
          }
          // Asked with options to pick from: the choice answers it.
          if (acts.some((x) => x.act === 'choose' && x.slot === a.slot)) break;
          answerSlot(a.slot, parsed.has(a) ? a.value : undefined, rng, answers);
          progress = true;
          break;
        }
        case 'choose': {
          const options = optionsOf(a);
          const pr = preferences();
          if (pr && !s.finished && options.length >= 1 && judgeOptions(pr, options, answers, a.slot)) {
            progress = true;
            break;
          }
          const slot = a.slot ? resolveSlot(a.slot) : undefined;
          const v = slot === undefined ? undefined : valueOf(slot);
          const choice = options.length >= 2 ? chooseOption(options, v) : undefined;
          if (choice !== undefined) {
            // Said as its head ("tableau", "RX-4410022") unless another option shares that head ("Main Street").
            const head = (o: string) => o.replace(/\s*\([^()]*\)\s*/g, ' ').trim();
            const said = head(choice) && options.filter((o) => normalize(head(o)) === normalize(head(choice))).length === 1 ? head(choice) : choice;
            answers.push({ act: 'pick', ...(a.slot ? { slot: a.slot } : {}), value: said });
            if (slot !== undefined && v !== undefined) {
              picked.set(slot, said);
              // Said now: not volunteered again later.
              s.given.set(slot, v);
              s.agenda = s.agenda.filter((x) => !(x.act === 'inform' && x.slot === slot));
            }
          } else if (slot !== undefined && v !== undefined) answerSlot(slot, undefined, rng, answers);
          else answers.push(...dontKnow(a.slot ?? 'choice', true));
          progress = true;
          break;
        }
        case 'confirm': {
          const about = aboutWhich(a, text);
          const pr = preferences();
          if (pr && about === 'current' && !s.finished) {
            // A recommendation proposed: rejected for the first preference it breaks.
            const items = itemsNamed(pr, a.value ?? text);
            const bad = items.length === 1 ? brokenRule(pr, items[0]!) : undefined;
            if (bad) {
              reject(bad.reason, false, answers);
              progress = true;
              break;
            }
          }
          if (about === 'other') {
            // An action the user never asked for: no, and what they want instead.
            answers.push(...wantInstead());
            progress = true;
            break;
          }
          const misses = typeof about === 'number' ? [] : confirmationMisses(a.value ?? text);
          if (misses.length === 0) {
            answers.push({ act: 'affirm' });
            if (about === 'current' && r?.type === 'action') s.requests[s.requestIdx] = 'confirmed';
          } else {
            answers.push({ act: 'negate' });
            for (const slot of misses) answers.push({ act: 'inform', slot, value: valueOf(slot) ?? '' });
          }
          progress = true;
          break;
        }
        case 'done': {
          if (r?.type !== 'action' || current() !== r || s.requests[s.requestIdx] === 'done') break;
          const about = aboutWhich(a, text);
          if (about === 'current') {
            s.requests[s.requestIdx] = 'done';
            progress = true;
            advance();
          } else if (typeof about === 'number') {
            // A later request of the user's, done first: settled, and passed over when its turn comes.
            s.requests[about] = 'done';
            progress = true;
          } else if (!answers.some((x) => x.act === 'negate')) {
            answers.push(...wantInstead());
          }
          break;
        }
        case 'inform': {
          if (r?.type === 'info' && current() === r && a.slot === r.slot) {
            s.requests[s.requestIdx] = 'done';
            progress = true;
            advance();
            break;
          }
          if (s.finished || !a.slot || !a.value) break;
          const mine = valueOf(a.slot, r);
          if (mine === undefined || (known[a.slot] === undefined && !(r?.type === 'action' && a.slot in r.expect))) break;
          // From text, only a value the sentence plainly states counts ("your email is x"): a mention is no claim.
          const stated = parsed.has(a) ? statedValue(a.value, a.slot) : a.value;
          if (stated === undefined || stated === mine) break;
          const ns = normalize(stated);
          const nm = normalize(mine);
          if (ns.includes(nm) || (ns.length >= 3 && nm.includes(ns))) break;
          // The agent stated one of the user's facts wrongly: correct it.
          answers.push({ act: 'negate' }, { act: 'inform', slot: a.slot, value: mine });
          break;
        }
        case 'refuse': {
          // A refusal of something the user has not asked for yet (an aside) is no answer to the goal.
          if (!r || s.requests[s.requestIdx] === 'pending' || s.requests[s.requestIdx] === 'done' || unearned) break;
          // Judged on the whole message: the reason may sit in the sentence before "so I can't".
          const grounds = refusalGrounds(text, user.goal.refusalReason?.says);
          // "I could not find you" refuses nothing; a refusal without the reason is not the one the user waits for.
          if (grounds === 'inability' || (grounds === 'no_reason' && user.goal.acceptsRefusal)) {
            unearned = true;
            break;
          }
          if (user.goal.acceptsRefusal || s.pushedBack.has(s.requestIdx)) {
            s.requests[s.requestIdx] = 'refused';
            progress = true;
            if (user.goal.acceptsRefusal) {
              s.outcome = 'refused_accepted';
              advance();
            } else {
              finish('gave_up');
            }
          } else {
            s.pushedBack.add(s.requestIdx);
            answers.push({ act: 'complain', value: 'refused' });
          }
          break;
        }
        case 'reqmore':
          // Answered after the whole message is read: it may also have told the user what they
          // wanted to learn ("Your refund is $12.50. Anything else?"), settling that request.
          askedForMore = true;
          break;
        case 'bye':
        case 'transfer':
          if (!s.finished) finish(s.requestIdx >= goal.length ? 'goal_met' : 'gave_up');
          break;
        default:
          break;
      }
    }
    // Information the user wants, said as such anywhere in the message ("$54.04"), settles it.
    for (let c = current(); c?.type === 'info' && heardInfo(c.slot, text); c = current()) {
      s.requests[s.requestIdx] = 'done';
      progress = true;
      advance();
    }
    // An unearned refusal makes no progress: the user pushes back once, then says its request
    // again, and gives up when its patience runs out. Answers to questions asked with it come first.
    if (unearned && !s.finished && current() && answers.length === 0) {
      const first = !s.unearned.has(s.requestIdx);
      s.unearned.add(s.requestIdx);
      if (first) answers.push({ act: 'complain', value: 'refused' });
      if ((!first || askedForMore) && !s.agenda.some((x) => x.act === 'want')) {
        answers.push({ act: 'want', slot: 'instead', value: current()!.utterance });
      }
    }
    if (askedForMore) {
      if (!s.finished && current() && !s.agenda.some((x) => x.act === 'want') && !answers.some((x) => x.act === 'want')) {
        answers.push(wantAct(s.requestIdx, true));
      }
      if (s.finished) progress = true;
    }
    if (answers.length === 0 && !progress && !s.finished && acts.length === 0) {
      answers.push({ act: 'complain', value: 'confused' });
    }
    // Asked several things at once, what the user knows is said first; "I don't know" (with
    // what a forthcoming user offers instead) comes after, so it never holds up a real answer.
    if (acts.filter((a) => a.act === 'request').length > 1) {
      const known: DialogueAct[] = [];
      const unknown: DialogueAct[] = [];
      for (let i = 0; i < answers.length; i++) {
        if (answers[i]!.act !== 'dont_know') {
          known.push(answers[i]!);
          continue;
        }
        unknown.push(answers[i]!);
        while (answers[i + 1]?.act === 'inform' && answers[i + 1]!.unprompted) unknown.push(answers[++i]!);
      }
      answers.splice(0, answers.length, ...known, ...unknown);
    }
    // An answer replaces any pending act that would say the same slot again.
    const answered = new Set(answers.filter((a) => a.act === 'inform' || a.act === 'repeat').map((a) => a.slot));
    s.agenda = s.agenda.filter((x) => !((x.act === 'inform' || x.act === 'repeat') && answered.has(x.slot)));
    // Answers go on top, in the order they were produced.
    for (const a of answers.reverse()) s.agenda.push(a);
    return progress;
  }

  /** Pops up to n acts. "bye" stays at the bottom until the goal is settled. */
  function pop(count: number): DialogueAct[] {
    let n = count;
    const out: DialogueAct[] = [];
    while (out.length < n && s.agenda.length > 0) {
      const top = s.agenda[s.agenda.length - 1]!;
      if (top.act === 'bye' && !s.finished) break;
      take(s.agenda.pop()!, out);
      // A greeting is not a turn's worth of content on its own.
      if (top.act === 'greet') n++;
      if (top.act === 'bye') break;
      // A rejection that ends the chat goes out with the goodbye.
      if (top.act === 'reject' && s.finished && s.agenda.at(-1)?.act === 'bye') {
        take(s.agenda.pop()!, out);
        break;
      }
      // A vague opening is a message of its own; the real request comes next turn.
      if (top.act === 'want' && top.slot === 'vague') break;
      // "I don't know" goes out with what a forthcoming user offers instead, as far as they say that much.
      if (top.act === 'dont_know') {
        for (let next = s.agenda.at(-1); next?.act === 'inform' && next.unprompted && out.length < Math.max(n, p.maxActsPerTurn); next = s.agenda.at(-1)) {
          take(s.agenda.pop()!, out);
        }
      }
      // A "no" goes out with its correction or with what the user wants instead (not with asides).
      if (top.act === 'negate') {
        for (let next = s.agenda.at(-1); next && ((next.act === 'inform' && !next.unprompted) || next.act === 'want'); next = s.agenda.at(-1)) {
          take(s.agenda.pop()!, out);
          if (next.act === 'want') break;
        }
      }
    }
    return out;
  }

  function take(a: DialogueAct, out: DialogueAct[]): void {
    out.push(a);
    if (a.act === 'want' && a.slot !== 'vague') {
      const i = a.slot === 'again' || a.slot === 'instead' ? s.requestIdx : Number(a.slot);
      if (s.requests[i] === 'pending') s.requests[i] = 'stated';
    }
  }

  function latent(): JsonObject {
    return {
      request: s.requestIdx < goal.length ? s.requestIdx : null,
      requests: [...s.requests],
      agendaTop: s.agenda.slice(-4).reverse().map((a) => [a.act, a.slot, a.value].filter(Boolean).join(':')),
      noProgress: s.noProgress,
      frustration: Number(s.frustration.toFixed(2)),
      ...(s.rejections > 0 ? { rejections: s.rejections } : {}),
      outcome: s.outcome ?? null,
    };
  }

  return {
    id: 'agenda',
    role: 'user',
    async nextMessage(view: readonly ViewMessage[], ctx): Promise<ParticipantReply> {
      const rng = ctx.rng;
      const { lastOwn: lastSelf, incoming } = sinceLastOwn(view);
      let satisfaction: number | undefined;

      if (lastSelf < 0 && s.agenda.length === 0) {
        applyControls(undefined, incoming);
        initialAgenda(rng);
        // An agent greeting before the user's first line asks for nothing yet.
      } else {
        const text = incoming.map((m) => m.content).join('\n');
        heard.push(text);
        const parsed = new Set<DialogueAct>();
        const acts = incoming.flatMap((m) => {
          if (m.acts) return m.acts;
          const read = parseAgentText(m.content, slotsOfInterest);
          for (const a of read) parsed.add(a);
          return read;
        });
        const progress = react(acts, text, rng, parsed);
        s.noProgress = progress ? 0 : s.noProgress + 1;
        s.frustration = clamp(progress ? s.frustration - 0.1 : s.frustration + p.temper, 0, 1);
        satisfaction = clamp(Math.round(5 - s.frustration * 4 - (progress ? 0 : 1)), 1, 5);
        applyControls(satisfaction, incoming);
        if (!s.finished && s.noProgress >= p.patienceTurns) finish('gave_up');
        if (!s.finished && s.noProgress >= 2 && chance(rng, s.frustration)) {
          s.agenda.push({ act: 'complain', value: 'slow' });
        }
      }

      const n = randInt(rng, 1, p.maxActsPerTurn);
      let acts = pop(n);
      // Always say something: an empty pop means the agenda is waiting on the agent.
      if (acts.length === 0) acts = [{ act: 'complain', value: 'confused' }];
      for (const a of acts) {
        if (a.act !== 'inform' || !a.slot) continue;
        s.given.set(a.slot, a.value);
      }
      const ended = acts.some((a) => a.act === 'bye');
      const content = renderUserActs(acts, { ...p.style, upset: s.frustration }, rng);
      return {
        content,
        acts,
        ...(ended ? { control: 'stop' as const } : {}),
        latent: control ? { ...latent(), ...control.latent } : latent(),
        ...(control?.flags.length ? { flags: control.flags } : {}),
        ...(satisfaction !== undefined ? { satisfaction } : {}),
      };
    },
  };
}

/** τ²-bench info goals name the value itself ("54.04", "1Z84F6…"), not a slot like "tracking_number". */
function isValueInfo(slot: string): boolean {
  return !/^[a-z][a-z0-9_]*$/.test(slot);
}

const STOP_WORDS = new Set(
  ('the a an and or of to in on at for with from by is are was were be been it its this that these those you your yours my me i we our us they them their he she his her as if then than so but not no yes do does did have has had will would can could should may might must want wants wanted like only just also when until which what who whom whose where why how one ones any some all each every both either neither there here about into over under again very more most less per via ask asks asked agent say says said tell told give gives gave given first message messages request requests exactly worded together full name date birth please ' +
    'out up off down onto upon still yet ever never always already really much many few other same such own too once ago while because since before after above below between through during without within along across behind beyond around against among get gets got let put see seen know knows need needs needed make made take took come came happen happens happening thing things something anything everything nothing someone anyone everyone thanks thank hello okay sure i\'m you\'re don\'t can\'t').split(' '),
);

/** Lower-case words worth matching: not stop words, three letters or more, or with a digit. */
function contentWords(text: string): string[] {
  return normalize(text)
    .split(/[^a-z0-9.]+/)
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w && !STOP_WORDS.has(w) && (w.length >= 3 || /\d/.test(w)));
}

/** Status words that mean the same to a customer: a "queued" refill is the pending one. */
const SAME_WORDS: [RegExp, string][] = [[/\b(queued|pending|requested|awaiting|open|in progress)\b/g, 'pending']];

function canonicalWords(text: string): string {
  let out = text;
  for (const [re, word] of SAME_WORDS) out = out.replace(re, word);
  return out;
}

/** A crude stem, enough to hear "blinks" in "blinking". */
function stem(word: string): string {
  return word.length > 5 ? word.replace(/(ing|ed|es|s)$/, '') : word.length > 3 ? word.replace(/s$/, '') : word;
}

/** Words that name the same kind of thing: ids, numbers and codes; faults and errors; phones. */
const LABEL_WORDS: Record<string, string> = {
  id: 'id', ids: 'id', number: 'id', numbers: 'id', no: 'id', num: 'id', code: 'id', identifier: 'id', reference: 'id', ref: 'id',
  fault: 'error', error: 'error', mobile: 'phone', cell: 'phone', phone: 'phone', telephone: 'phone',
  postcode: 'zip', postal: 'zip', zip: 'zip', 'e-mail': 'email', email: 'email',
};

/** A label's words as a set, with kindred words made one: "flight id" and flight_number agree. */
function labelSignature(label: string): string {
  const words = normalize(label)
    .replace(/_/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !['your', 'the', 'my', 'a', 'an'].includes(w))
    .map((w) => LABEL_WORDS[w] ?? w);
  return [...new Set(words)].sort().join(' ');
}

/** Action verbs by kind: two words of one kind name the same action ("change" and "modify"). */
const VERB_KINDS: Record<string, string[]> = {
  change: ['change', 'modify', 'update', 'edit', 'switch', 'move', 'amend', 'set', 'upgrade', 'downgrade', 'adjust', 'reschedule', 'rebook'],
  cancel: ['cancel', 'void'],
  return: ['return'],
  exchange: ['exchange', 'swap', 'replace'],
  book: ['book', 'reserve', 'purchase', 'buy'],
  add: ['add'],
  remove: ['remove', 'delete'],
  reset: ['reset', 'unlock', 'reactivate'],
  escalate: ['escalate'],
  resolve: ['resolve', 'close'],
  issue: ['issue', 'compensate', 'grant'],
  ship: ['ship', 'send', 'deliver', 'mail'],
  schedule: ['schedule'],
  repair: ['repair', 'fix'],
  report: ['report'],
  refill: ['refill'],
  renew: ['renew'],
};

const IRREGULAR: Record<string, string[]> = { send: ['sent'], buy: ['bought'] };
/** Forms that are nouns in practice: "reservation id", "shipping address". */
const NOT_VERBS = new Set(['reservation', 'reservations', 'shipping']);

/** Every inflected form of the verbs ("cancelled", "cancellation", "modifies") → its kind. */
const VERB_FORMS: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [kind, verbs] of Object.entries(VERB_KINDS)) {
    for (const v of verbs) {
      const stem = v.replace(/e$/, '');
      const y = v.endsWith('y') ? v.slice(0, -1) : undefined;
      const forms = [...(IRREGULAR[v] ?? []), v, `${v}s`, `${v}es`, `${v}ed`, `${v}d`, `${stem}ing`, `${v}ing`, `${v}led`, `${v}ling`, `${v}lation`, `${v}ation`, `${stem}ation`, `${v}ment`, `${stem}ment`, `${v}al`];
      if (y) forms.push(`${y}ies`, `${y}ied`, `${y}ication`);
      if (/[^aeiou][aeiou][bdgmnpt]$/.test(v)) forms.push(`${v}${v.at(-1)}ed`, `${v}${v.at(-1)}ing`);
      for (const f of forms) if (!m.has(f) && !NOT_VERBS.has(f)) m.set(f, kind);
    }
  }
  return m;
})();

/**
 * The kinds of action a sentence names, in order. A verb right after another names its object
 * ("cancel refill"), and one after an article is a noun ("the book"), so neither counts.
 */
function actionVerbs(text: string): string[] {
  const words = normalize(text).replace(/\ball set\b/g, ' ').split(/[^a-z'-]+/).filter(Boolean);
  const out: string[] = [];
  words.forEach((w, i) => {
    const kind = VERB_FORMS.get(w);
    if (!kind) return;
    const prev = words[i - 1];
    if (prev && (VERB_FORMS.has(prev) || /^(a|an|the|this|that|my|your|our|its|their|one|two|another|each|of)$/.test(prev))) return;
    if (!out.includes(kind)) out.push(kind);
  });
  return out;
}

/** The kinds of action a request names, by its tool and its words. */
function requestVerbs(r: GoalRequest): Set<string> {
  if (r.type !== 'action') return new Set();
  return new Set([...actionVerbs(r.tool.replace(/_/g, ' ')), ...actionVerbs(r.utterance)]);
}

import type { DialogueAct, GoalRequest, JsonObject, TraitValues } from '../model/types.ts';
import { sinceLastOwn, type Participant, type ParticipantReply, type UserSeatContext, type ViewMessage } from '../simulation/participant.ts';
import { chance, randInt, type Rng } from '../stats/rng.ts';
import { normalize, parseAgentText } from './nlu.ts';
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
 */

export const AGENDA_VERSION = 'agenda-1.0';

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
  given: Set<string>;
  deflected: Set<string>;
  pushedBack: Set<number>;
  noProgress: number;
  frustration: number;
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
  const slotsOfInterest = [
    ...new Set([
      ...Object.keys(known),
      ...goal.flatMap((r) => (r.type === 'info' ? [r.slot] : Object.keys(r.expect))),
      'email', 'name', 'zip', 'order_id', 'items', 'refund_method', 'address', 'reason',
    ]),
  ];
  const s: AgendaState = {
    agenda: [],
    requestIdx: 0,
    requests: goal.map(() => 'pending'),
    given: new Set(),
    deflected: new Set(),
    pushedBack: new Set(),
    noProgress: 0,
    frustration: 0,
    finished: false,
  };

  const current = (): GoalRequest | undefined => goal[s.requestIdx];

  /** A slot's value: the current request's own value first, then the general goal. */
  function valueOf(slot: string): string | undefined {
    const r = current();
    const raw = r && r.type === 'action' ? r.expect[slot] : undefined;
    if (raw !== undefined) return known[raw] ?? raw;
    return known[slot];
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

  /** Does the agent's confirmation state what this user insists on? Returns the misses. */
  function confirmationMisses(text: string): string[] {
    const r = current();
    if (!r || r.type !== 'action') return [];
    const said = normalize(text);
    return Object.keys(r.expect).filter((slot) => {
      const v = valueOf(slot);
      if (v === undefined) return false;
      return !v
        .split(/,\s*|\s+and\s+/)
        .map((part) => normalize(part))
        .every((part) => said.includes(part));
    });
  }

  /** Reacts to the agent's acts; returns whether the agent made progress. */
  function react(acts: DialogueAct[], text: string, rng: Rng): boolean {
    let progress = false;
    const answers: DialogueAct[] = [];
    const r = current();
    for (const a of acts) {
      switch (a.act) {
        case 'request': {
          if (!a.slot) break;
          if (a.slot === 'intent') {
            if (r) answers.push(wantAct(s.requestIdx, false));
            progress = true;
            break;
          }
          const v = valueOf(a.slot);
          if (v === undefined) {
            answers.push({ act: 'dont_know', slot: a.slot });
            progress = true;
          } else if (s.given.has(a.slot)) {
            answers.push({ act: 'repeat', slot: a.slot, value: v });
          } else if (!s.deflected.has(a.slot) && chance(rng, p.deflectRate)) {
            s.deflected.add(a.slot);
            answers.push({ act: 'deflect', slot: a.slot });
            progress = true;
          } else {
            answers.push({ act: 'inform', slot: a.slot, value: v });
            progress = true;
          }
          break;
        }
        case 'confirm': {
          const misses = confirmationMisses(a.value ?? text);
          if (misses.length === 0) {
            answers.push({ act: 'affirm' });
            if (r?.type === 'action') s.requests[s.requestIdx] = 'confirmed';
          } else {
            answers.push({ act: 'negate' });
            for (const slot of misses) answers.push({ act: 'inform', slot, value: valueOf(slot) ?? '' });
          }
          progress = true;
          break;
        }
        case 'done':
          if (r?.type === 'action' && s.requests[s.requestIdx] !== 'done') {
            s.requests[s.requestIdx] = 'done';
            progress = true;
            advance();
          }
          break;
        case 'inform': {
          if (r?.type === 'info' && a.slot === r.slot) {
            s.requests[s.requestIdx] = 'done';
            progress = true;
            advance();
          } else if (a.slot && a.value && known[a.slot] !== undefined && a.value !== known[a.slot] && !normalize(a.value).includes(normalize(known[a.slot]!))) {
            // The agent stated one of the user's facts wrongly: correct it.
            answers.push({ act: 'negate' }, { act: 'inform', slot: a.slot, value: known[a.slot]! });
          }
          break;
        }
        case 'refuse':
          // A refusal of something the user has not asked for yet (an aside) is no answer to the goal.
          if (!r || s.requests[s.requestIdx] === 'pending' || s.requests[s.requestIdx] === 'done') break;
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
        case 'reqmore':
          if (!s.finished && r && !s.agenda.some((x) => x.act === 'want')) answers.push(wantAct(s.requestIdx, true));
          if (s.finished) progress = true;
          break;
        case 'bye':
        case 'transfer':
          if (!s.finished) finish(s.requestIdx >= goal.length ? 'goal_met' : 'gave_up');
          break;
        default:
          break;
      }
    }
    if (answers.length === 0 && !progress && !s.finished && acts.length === 0) {
      answers.push({ act: 'complain', value: 'confused' });
    }
    // An answer replaces any pending act that would say the same slot again.
    const answered = new Set(answers.filter((a) => a.act === 'inform' || a.act === 'repeat').map((a) => a.slot));
    s.agenda = s.agenda.filter((x) => !(x.act === 'inform' && answered.has(x.slot)));
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
      out.push(s.agenda.pop()!);
      // A greeting is not a turn's worth of content on its own.
      if (top.act === 'greet') n++;
      if (top.act === 'want' && top.slot !== 'vague') {
        const i = top.slot === 'again' ? s.requestIdx : Number(top.slot);
        if (s.requests[i] === 'pending') s.requests[i] = 'stated';
      }
      if (top.act === 'bye') break;
      // A vague opening is a message of its own; the real request comes next turn.
      if (top.act === 'want' && top.slot === 'vague') break;
      // A "no" goes out with its correction.
      if (top.act === 'negate') while (s.agenda.at(-1)?.act === 'inform') out.push(s.agenda.pop()!);
    }
    return out;
  }

  function latent(): JsonObject {
    return {
      request: s.requestIdx < goal.length ? s.requestIdx : null,
      requests: [...s.requests],
      agendaTop: s.agenda.slice(-4).reverse().map((a) => [a.act, a.slot, a.value].filter(Boolean).join(':')),
      noProgress: s.noProgress,
      frustration: Number(s.frustration.toFixed(2)),
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
        const acts = incoming.flatMap((m) => m.acts ?? parseAgentText(m.content, slotsOfInterest));
        const progress = react(acts, text, rng);
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
      for (const a of acts) if (a.act === 'inform' && a.slot) s.given.add(a.slot);
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

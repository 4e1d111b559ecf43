import type { ControlTrigger, JsonObject, Persona, PersonaControl, TraitName, TraitValues } from '../model/types.ts';
import type { ViewMessage } from '../simulation/participant.ts';
import { UNHELPFUL_MAX_SATISFACTION } from './limits.ts';
import type { TraitChange } from './policy.ts';
import { TRAIT_NAMES } from './traits.ts';

/*
 * Controllable user simulation. A priori controls are the persona's traits, fixed from the
 * first turn. Step-wise dynamic controls change traits during a session: at the user's k-th
 * message, or on events (the n-th unhelpful agent message, the n-th tool error). Both
 * simulators keep one ControlState per session, step it once per user turn, use its traits,
 * and record what fired on that turn (flags and latent state), so a transcript shows where
 * each change took effect.
 */

/** What a user seat has seen when it is about to write a message. */
export interface ControlObservation {
  /** The user message about to be written, counted from 1. */
  userTurn: number;
  /** Agent messages this seat rated unhelpful (satisfaction ≤ 2) so far in the session. */
  unhelpful: number;
  /** Failed agent tool calls this seat has been shown so far in the session. */
  toolErrors: number;
}

/** One control that fired, with the trait values it actually changed. */
export interface FiredControl {
  /** Position of the control in the persona's `controls`. */
  index: number;
  control: PersonaControl;
  changes: TraitChange[];
}

/** A trigger in words, e.g. "at user turn 3" or "after 2 unhelpful agent turns". */
export function describeTrigger(when: ControlTrigger): string {
  switch (when.type) {
    case 'turn':
      return `at user turn ${when.turn}`;
    case 'unhelpful':
      return `after ${when.count} unhelpful agent turn${when.count === 1 ? '' : 's'}`;
    case 'tool_error':
      return `after ${when.count} tool error${when.count === 1 ? '' : 's'}`;
    default: {
      const never: never = when;
      throw new Error(`Unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

function holds(when: ControlTrigger, obs: ControlObservation): boolean {
  switch (when.type) {
    case 'turn':
      return obs.userTurn >= when.turn;
    case 'unhelpful':
      return obs.unhelpful >= when.count;
    case 'tool_error':
      return obs.toolErrors >= when.count;
    default: {
      const never: never = when;
      throw new Error(`Unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

/** A session's dynamic controls: the traits in force now, and which controls have fired. */
export class ControlState {
  #traits: TraitValues;
  readonly #controls: readonly PersonaControl[];
  readonly #fired = new Set<number>();

  constructor(persona: Pick<Persona, 'traits' | 'controls'>) {
    this.#traits = { ...persona.traits };
    this.#controls = persona.controls ?? [];
  }

  /** The traits in force now. */
  get traits(): TraitValues {
    return { ...this.#traits };
  }

  /** True when the persona has dynamic controls at all. */
  get active(): boolean {
    return this.#controls.length > 0;
  }

  /**
   * Fires every control whose trigger now holds and that has not fired yet, in the order
   * they are listed (a later one wins where two set the same trait), and returns them.
   */
  step(obs: ControlObservation): FiredControl[] {
    const fired: FiredControl[] = [];
    this.#controls.forEach((control, index) => {
      if (this.#fired.has(index) || !holds(control.when, obs)) return;
      this.#fired.add(index);
      const changes: TraitChange[] = [];
      for (const trait of TRAIT_NAMES) {
        const to = control.set[trait];
        if (to === undefined || to === this.#traits[trait]) continue;
        changes.push({ trait, from: this.#traits[trait], to });
        this.#traits[trait] = to;
      }
      fired.push({ index, control, changes });
    });
    return fired;
  }
}

/** The changes of several fired controls merged per trait: first value before, last after. */
export function netChanges(fired: readonly FiredControl[]): TraitChange[] {
  const byTrait = new Map<TraitName, TraitChange>();
  for (const f of fired) {
    for (const c of f.changes) {
      const prev = byTrait.get(c.trait);
      byTrait.set(c.trait, { trait: c.trait, from: prev?.from ?? c.from, to: c.to });
    }
  }
  return [...byTrait.values()].filter((c) => c.from !== c.to);
}

/** Flag raised on the turn where a control changes a trait, e.g. "persona_control:patience=1". */
export function controlFlag(change: TraitChange): string {
  return `persona_control:${change.trait}=${change.to}`;
}

/**
 * How fired controls are recorded on the turn where they take effect: one flag per changed
 * trait, and the details (which control, its trigger, each trait from → to) in latent state.
 */
export function recordControls(fired: readonly FiredControl[]): { flags: string[]; latent: JsonObject } {
  return {
    flags: netChanges(fired).map(controlFlag),
    latent: {
      personaControls: fired.map((f) => ({
        control: f.index,
        when: describeTrigger(f.control.when),
        changes: Object.fromEntries(f.changes.map((c) => [c.trait, [c.from, c.to]])),
        ...(f.control.note ? { note: f.control.note } : {}),
      })),
    },
  };
}

/** Whether a satisfaction rating marks the agent message it rates as unhelpful. */
export function isUnhelpful(satisfaction: number | undefined): boolean {
  return satisfaction !== undefined && satisfaction <= UNHELPFUL_MAX_SATISFACTION;
}

/**
 * Failed tool calls in the agent messages of a user seat's view since its last message.
 * The orchestrator decides what the user seat is shown; calls that are not in the view
 * cannot count.
 */
export function toolErrorsSeen(incoming: readonly ViewMessage[]): number {
  return incoming.reduce((n, m) => n + (m.toolErrors ?? (m.toolCalls ?? []).filter((c) => !c.result.ok).length), 0);
}

/**
 * Scheduled controls a run with `maxTurns` stored turns can never reach. The user's k-th
 * message is at the earliest turn 2(k − 1) (user and agent alternate, the user first).
 */
export function unreachableControls(persona: Pick<Persona, 'controls'>, maxTurns: number): { index: number; message: string }[] {
  return (persona.controls ?? []).flatMap((c, index) =>
    c.when.type === 'turn' && 2 * (c.when.turn - 1) >= maxTurns
      ? [{ index, message: `control ${index + 1} fires at user turn ${c.when.turn}, which a run of ${maxTurns} turns never reaches` }]
      : [],
  );
}

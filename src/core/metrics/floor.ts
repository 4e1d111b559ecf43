/**
 * A pack's floor: what an agent scores by doing nothing. The do-nothing agent
 * (`agents/refuse-all.ts`) answers every message with the same refusal and never calls a tool;
 * it plays every task of the pack against the agenda user simulator, through the same
 * `runSession` and evaluator as any run. A task it passes can be had for nothing (its right
 * outcome is no change and nothing to say), so a run's success rate is read beside it.
 *
 * A task counts as passed by the floor when any of the personas' sessions passed: the floor is
 * the most the do-nothing agent can get on that task from the users tried. By default one
 * persona, the cooperative `baseline`, plays every task once (one trial, a fixed seed), so the
 * figure is deterministic for a given pack, simulator version and agent version, and those are
 * stored with it.
 */
import type { Persona, RunSpec, Scenario, Session } from '../model/types.ts';
import { createRefuseAllAgent, REFUSE_ALL_VERSION } from '../agents/refuse-all.ts';
import type { DomainImpl } from '../scenarios/domain.ts';
import type { CodeToolRunner } from '../scenarios/environment.ts';
import type { GoldReplay } from '../scenarios/evaluator.ts';
import { planSessions, runSession } from '../simulation/session.ts';
import { AGENDA_VERSION, createAgendaUser } from '../users/agenda.ts';

/** What a pack's floor was measured with, and what it came to. Stored with the pack. */
export interface PackFloor {
  /** The do-nothing agent's version (`REFUSE_ALL_VERSION`). */
  agent: string;
  /** The user simulator's version (`AGENDA_VERSION`). */
  user: string;
  /** The personas that played each task. */
  personas: string[];
  seed: number;
  maxTurns: number;
  /** Tasks passed: those where any persona's session passed. */
  passed: number;
  /** Tasks played. */
  total: number;
  /** The ids of the tasks passed, so a run over some of the pack's tasks gets its own floor. */
  tasksPassed: string[];
  /** Sessions that ended in an error (a bug, or a code tool that failed): they count as failed. */
  errors: number;
}

/** The persona the floor uses when there is one: cooperative, so it measures the tasks. */
export const FLOOR_PERSONA = 'baseline';
export const FLOOR_SEED = 20_240_601;
/**
 * Turns per session. The do-nothing agent never progresses, so the agenda user gives up after
 * its patience (at most 12 agent turns for the most patient persona, about 26 turns in all);
 * a session cut at the turn limit instead would score 0 whatever the task, hiding the floor.
 */
export const FLOOR_MAX_TURNS = 40;

export interface FloorOptions {
  /** Personas to play each task with; by default `baseline` alone if given, else the first. */
  personaIds?: readonly string[];
  seed?: number;
  maxTurns?: number;
  /** Built-in code for the scenarios' domain; by default the built-in domain of that name. */
  domain?: DomainImpl;
  /** Runs scenario files' code tools in a sandbox. */
  codeRunner?: CodeToolRunner;
  signal?: AbortSignal;
  /**
   * Called after each session, and awaited: a page passes one that yields to the event loop,
   * so a 114-task pack never holds the page for more than one session at a time.
   */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** The personas the floor plays by default: `baseline` alone if present, else the first. */
export function floorPersonas(personas: readonly Persona[], ids?: readonly string[]): Persona[] {
  if (ids) return personas.filter((p) => ids.includes(p.id));
  const baseline = personas.find((p) => p.id === FLOOR_PERSONA);
  return baseline ? [baseline] : personas.slice(0, 1);
}

/**
 * Plays every task with the do-nothing agent against the agenda user and scores it. Never
 * throws for a session's failure (that session counts as failed); throws when aborted, or when
 * there is no persona to play the tasks with.
 */
export async function computeFloor(
  scenarios: readonly Scenario[],
  personas: readonly Persona[],
  opts: FloorOptions = {},
): Promise<PackFloor> {
  const players = floorPersonas(personas, opts.personaIds);
  if (players.length === 0) throw new Error('No persona to measure the floor with.');
  const seed = opts.seed ?? FLOOR_SEED;
  const maxTurns = opts.maxTurns ?? FLOOR_MAX_TURNS;
  const spec: RunSpec = {
    name: 'floor',
    scenarioIds: scenarios.map((s) => s.id),
    personaIds: players.map((p) => p.id),
    user: { kind: 'agenda', label: 'Agenda-based user', version: AGENDA_VERSION, settings: {} },
    agent: { kind: 'refuse-all', label: 'Do-nothing agent', version: REFUSE_ALL_VERSION, settings: {} },
    trials: 1,
    seed,
    maxTurns,
    maxErrors: 4,
  };
  const plans = planSessions('floor', spec, scenarios, players);
  const goldCache = new Map<string, GoldReplay>();
  const passed = new Set<string>();
  let errors = 0;
  for (let i = 0; i < plans.length; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('The floor was not finished.', 'AbortError');
    const plan = plans[i]!;
    const session: Session = await runSession(plan, {
      runId: 'floor',
      spec,
      ...(opts.domain ? { domain: opts.domain } : {}),
      ...(opts.codeRunner ? { codeRunner: opts.codeRunner } : {}),
      goldCache,
      createUser: (ctx) => createAgendaUser(ctx),
      createAgent: () => createRefuseAllAgent(),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (session.outcome === 'pass') passed.add(plan.scenario.id);
    if (session.outcome === 'error') errors++;
    // Plans come task by task (one trial): a task's gold replay is done with once the next
    // task starts, so memory stays flat over 114 tasks of a 2.8 MB database.
    if (plans[i + 1]?.scenario.id !== plan.scenario.id) goldCache.delete(plan.scenario.id);
    await opts.onProgress?.(i + 1, plans.length);
  }
  const ids = scenarios.map((s) => s.id);
  return {
    agent: REFUSE_ALL_VERSION,
    user: AGENDA_VERSION,
    personas: players.map((p) => p.id),
    seed,
    maxTurns,
    passed: passed.size,
    total: ids.length,
    tasksPassed: ids.filter((id) => passed.has(id)),
    errors,
  };
}

/** Whether a stored floor was measured with today's do-nothing agent and user simulator. */
export function floorIsCurrent(floor: PackFloor | undefined): floor is PackFloor {
  return !!floor && floor.agent === REFUSE_ALL_VERSION && floor.user === AGENDA_VERSION;
}

/** The floor over a run's tasks, which may come from several packs. */
export interface TasksFloor {
  /** Tasks, among those with a measured floor, that the do-nothing agent passes. */
  passed: number;
  /** Tasks whose pack has a measured floor. */
  total: number;
  /** Tasks whose pack has no floor (not measured yet, failed, or a scenario in no pack). */
  unknown: number;
}

/**
 * The floor over `taskIds`, each task scored by its own pack's floor (`floorOf`, undefined when
 * that pack has none): a run over some of a pack's tasks gets the floor over those tasks.
 */
export function floorOfTasks(taskIds: readonly string[], floorOf: (taskId: string) => PackFloor | undefined): TasksFloor {
  const out: TasksFloor = { passed: 0, total: 0, unknown: 0 };
  const passedSets = new Map<PackFloor, Set<string>>();
  for (const id of taskIds) {
    const floor = floorOf(id);
    if (!floor) {
      out.unknown++;
      continue;
    }
    let passed = passedSets.get(floor);
    if (!passed) passedSets.set(floor, (passed = new Set(floor.tasksPassed)));
    out.total++;
    if (passed.has(id)) out.passed++;
  }
  return out;
}

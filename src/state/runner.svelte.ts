import {
  agentEntries,
  agentEntrySeat,
  agentSeat,
  cleanOverrides,
  overridesOf,
  overridesProblem,
  planSessions,
  runSession,
  seatConfig,
  startedSession,
  userSeat,
  type GoldReplay,
  type Outcome,
  type Run,
  type RunSpec,
  type Scenario,
  type Turn,
  type JsonObject,
  type SeatDeps,
  type SeatFactory,
  type InteractionMode,
  type AgentEntry,
  type AgentEntryChoice,
  type AgentOverrides,
  type SeatConfig,
} from '../core/index.ts';
import { app, describeError, RUN_LOCK_PREFIX } from './app.svelte.ts';
import { EnginePool, type SamplingOverride } from './engines.svelte.ts';
import { resolveRoleModels } from './model-sources.ts';
import { describeRoles, firstTurnRefusal, memoryWarning } from './run-fit.ts';
import { ROLES_KEY, roleModelRef, type RoleSettings } from './models.svelte.ts';
import { codeToolRunner } from './tool-sandbox.ts';

/** How fast a run plays: classical participants are instant, so a demo can slow them down. */
export type Pace = 'instant' | 'fast' | 'readable';
export const PACE_DELAY_MS: Record<Pace, number> = { instant: 0, fast: 40, readable: 450 };

/** What the person chose on the New run page. */
export interface RunChoice {
  name: string;
  scenarioIds: string[];
  personaIds: string[];
  userKind: string;
  /** Values of the user seat's toggles (UserSeatOption.toggles); missing ones take their defaults. */
  userSettings?: Record<string, boolean>;
  agentKind: string;
  /**
   * The agents under test, in order, when the person chose them one by one ("+ Add another
   * agent to compare", or an LLM agent's own settings); replaces `agentKind`. Two or more are
   * a run that compares them (RunSpec.agents): every entry plays every session plan with the
   * same seeds. One is the run's only agent, as `agentKind` would be, with its overrides.
   */
  agents?: AgentEntryChoice[];
  trials: number;
  seed: number;
  maxTurns: number;
  maxErrors: number;
  pace: Pace;
  /** Conversational (default) or agentic: the agent may also ask the user through ask_user. */
  mode?: InteractionMode;
}

export interface LiveSessionInfo {
  id: string;
  scenarioTitle: string;
  personaName: string;
  trial: number;
  /** The agent entry playing it, in a run of several agents. */
  entry?: { id: string; label: string };
}

/** Live counts of one agent entry. */
export interface EntryProgress {
  done: number;
  passed: number;
  errors: number;
}

/** The most agents one run compares: each multiplies the run's sessions. */
export const MAX_AGENT_ENTRIES = 6;

/** The agents a choice names, in order: `agents` when given, else `agentKind` alone. */
export function agentChoices(choice: Pick<RunChoice, 'agentKind' | 'agents'>): AgentEntryChoice[] {
  return choice.agents?.length ? choice.agents : [{ kind: choice.agentKind }];
}

/** The sampling an agent seat's overrides change for its engine (none: the role's defaults). */
export function samplingOverride(o: AgentOverrides): SamplingOverride | undefined {
  return o.temperature !== undefined ? { temperature: o.temperature } : undefined;
}

/**
 * An LLM agent seat once its model is loaded: the engine's settings (model, file hash, runtime,
 * sampling as sent, with an override applied) and the overrides themselves, so the stored seat
 * says both what ran and what differed from the Agent role's defaults.
 */
export function loadedAgentSeat(seat: SeatConfig, settingsFor: (sampling?: SamplingOverride) => object): SeatConfig {
  const overrides = cleanOverrides(overridesOf(seat.settings));
  return {
    ...seat,
    settings: {
      ...(settingsFor(overrides ? samplingOverride(overrides) : undefined) as JsonObject),
      ...(overrides ? { overrides: { ...overrides } } : {}),
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs an evaluation in the page and keeps what the live view shows. Each turn is
 * written to storage the moment it finishes; the session record before its first turn
 * and after its last.
 */
export class RunController {
  running = $state(false);
  runId = $state<string | null>(null);
  total = $state(0);
  done = $state(0);
  passed = $state(0);
  errors = $state(0);
  startedAt = $state(0);
  current = $state<LiveSessionInfo | null>(null);
  /** The session in view: replaced, never mutated, so the list re-renders cheaply. */
  liveTurns = $state.raw<Turn[]>([]);
  /** The turn a model is writing now, as it streams. */
  liveDraft = $state.raw<{ role: 'user' | 'agent'; text: string } | null>(null);
  /** Outcome of every finished session, in order, for the progress strip. */
  outcomes = $state.raw<{ id: string; outcome: Outcome }[]>([]);
  /** Live counts per agent entry (runs of several agents), by entry id. */
  byEntry = $state.raw<Record<string, EntryProgress>>({});
  error = $state<string | null>(null);
  pace = $state<Pace>('fast');

  private controller: AbortController | null = null;
  /** The models behind LLM seats, per role. */
  readonly pool = new EnginePool();
  /** True while the run's models load, before its first session. */
  preparing = $state(false);

  rate = $derived(this.done ? this.passed / this.done : null);
  etaSeconds = $derived.by(() => {
    if (!this.running || this.done === 0) return null;
    const perSession = (Date.now() - this.startedAt) / this.done;
    return Math.round((perSession * (this.total - this.done)) / 1000);
  });

  /** Checks a choice and returns the problem in words, or null when it can run. */
  static problem(choice: RunChoice): string | null {
    if (choice.scenarioIds.length === 0) return 'Choose at least one scenario.';
    if (choice.personaIds.length === 0) return 'Choose at least one persona.';
    if (!Number.isInteger(choice.trials) || choice.trials < 1 || choice.trials > 50) return 'Trials per task must be a whole number from 1 to 50.';
    if (!Number.isInteger(choice.seed) || choice.seed < 0) return 'The seed must be a whole number, 0 or more.';
    if (!Number.isInteger(choice.maxTurns) || choice.maxTurns < 2 || choice.maxTurns > 500) return 'Maximum turns must be from 2 to 500.';
    if (!Number.isInteger(choice.maxErrors) || choice.maxErrors < 1 || choice.maxErrors > 100) return 'Maximum errors must be from 1 to 100.';
    const agents = agentChoices(choice);
    if (agents.length > MAX_AGENT_ENTRIES) return `Compare at most ${MAX_AGENT_ENTRIES} agents in one run.`;
    for (const [i, a] of agents.entries()) {
      let option;
      try {
        option = agentSeat(a.kind);
      } catch (err) {
        return describeError(err);
      }
      const p = overridesProblem(option, a.overrides);
      if (p) return agents.length > 1 ? `Agent ${i + 1}: ${p}` : p;
    }
    return null;
  }

  /** Starts a run; returns its id at once while sessions go on in the background. */
  async start(choice: RunChoice): Promise<string> {
    if (this.running) throw new Error('A run is already in progress.');
    const problem = RunController.problem(choice);
    if (problem) throw new Error(problem);
    // The library keeps light rows; the sessions need whole scenarios (database, policy, tools).
    // Scenarios of one pack share one database object here, so five retail tasks hold it once.
    const scenarios = await app.getScenarios(choice.scenarioIds);
    const personas = choice.personaIds
      .map((id) => app.personas.find((p) => p.id === id))
      .filter((p): p is NonNullable<typeof p> => !!p);
    const user = userSeat(choice.userKind);
    const chosen = agentChoices(choice);
    const options = chosen.map((c) => agentSeat(c.kind));
    const needed = [user.needsModel, options.find((o) => o.needsModel)?.needsModel].filter((r): r is 'user' | 'agent' => !!r);
    // The judge is optional: it runs when a task has NL assertions and the Judge role has a model.
    const judged = scenarios.some((s) => s.evaluation.nlAssertions.length > 0) && (await judgeChosen());
    const roles = judged ? [...needed, 'judge' as const] : needed;
    // Which models play the LLM roles: checked now, so a missing choice stops the run before it starts.
    const roleModels = roles.length ? await resolveRoleModels(roles) : null;
    const warnings: string[] = [];
    // Several agents: entries with distinct labels; one agent: its seat, as it always was.
    let described: Awaited<ReturnType<typeof describeRoles>> = {};
    if (roleModels) described = await describeRoles(roleModels.models);
    const entries: AgentEntry[] | null = chosen.length > 1 ? agentEntries(chosen, { modelLabel: described.agent?.label }) : null;
    const seats = entries ? entries.map((e) => e.seat) : [agentEntrySeat(options[0]!, chosen[0]!.overrides)];
    if (roleModels) {
      // Before anything is created: a first turn that cannot fit its window refuses the run,
      // and models that may not fit in memory together are a warning kept with the run. Every
      // LLM entry is checked (a prompt note lengthens its prompt), the user seat once.
      const fit = { user, userSettings: seatConfig(user, choice.userSettings).settings, scenarios, personas };
      const refusals = [await firstTurnRefusal({ ...fit, described: { user: described.user }, agent: options[0]! })];
      const checked = new Set<string>();
      for (const [i, seat] of seats.entries()) {
        // Entries that differ in temperature only have the same prompt: one check serves them.
        const key = `${seat.kind}\u0000${seat.version}`;
        if (!options[i]!.needsModel || checked.has(key)) continue;
        checked.add(key);
        const refusal = await firstTurnRefusal({ ...fit, described: { agent: described.agent }, agent: options[i]!, agentSettings: seat.settings });
        refusals.push(refusal && entries ? `${entries[i]!.label}: ${refusal}` : refusal);
      }
      const refusal = refusals.filter(Boolean).join('\n');
      if (refusal) throw new Error(refusal);
      const { gatherDeviceReport } = await import('../engine/device.ts');
      const device = await gatherDeviceReport(typeof navigator === 'undefined' ? undefined : navigator.gpu).catch(() => null);
      const memory = memoryWarning(roleModels.models, described, { shared: roleModels.shared, deviceMB: device?.webgpu ? device.estimatedMemoryMB : undefined });
      if (memory) warnings.push(memory);
    }
    const spec: RunSpec = {
      name: choice.name.trim() || defaultRunName(scenarios, choice),
      scenarioIds: scenarios.map((s) => s.id),
      personaIds: personas.map((p) => p.id),
      user: seatConfig(user, choice.userSettings),
      agent: seats[0]!,
      ...(entries ? { agents: entries } : {}),
      trials: choice.trials,
      seed: choice.seed,
      maxTurns: choice.maxTurns,
      maxErrors: choice.maxErrors,
      mode: choice.mode ?? 'conversational',
    };
    const runId = `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    const plans = planSessions(runId, spec, scenarios, personas);
    const run: Run = {
      id: runId,
      createdAt: Date.now(),
      status: 'running',
      spec,
      scenarioTitles: Object.fromEntries(scenarios.map((s) => [s.id, s.title])),
      personaNames: Object.fromEntries(personas.map((p) => [p.id, p.name])),
      totalSessions: plans.length,
      doneSessions: 0,
      passedSessions: 0,
      ...(warnings.length ? { warnings } : {}),
    };
    await app.storage.createRun(run);
    await app.refreshRuns();

    this.running = true;
    this.runId = runId;
    this.total = plans.length;
    this.done = 0;
    this.passed = 0;
    this.errors = 0;
    this.outcomes = [];
    this.byEntry = Object.fromEntries((entries ?? []).map((e) => [e.id, { done: 0, passed: 0, errors: 0 }]));
    this.liveTurns = [];
    this.error = null;
    this.pace = choice.pace;
    this.startedAt = Date.now();
    this.controller = new AbortController();
    const signal = this.controller.signal;
    const go = async () => {
      if (roleModels) {
        try {
          this.preparing = true;
          await this.pool.prepare(roleModels.models, {
            shared: roleModels.shared,
            resetChatEachRequest: roleModels.resetChat,
            constrainToolCalls: roleModels.constrainToolCalls,
            signal,
          });
          // Each seat's stored settings name the engine, model, file hash and sampling, next to
          // the seat's own (its toggles; an agent entry's overrides).
          const loaded = (seat: SeatConfig) =>
            agentSeat(seat.kind).needsModel ? loadedAgentSeat(seat, (sampling) => this.pool.settingsFor('agent', sampling)) : seat;
          run.spec = {
            ...run.spec,
            user: user.needsModel
              ? { ...run.spec.user, settings: { ...(this.pool.settingsFor('user') as unknown as JsonObject), ...run.spec.user.settings } }
              : run.spec.user,
            agent: loaded(run.spec.agent),
            ...(run.spec.agents ? { agents: run.spec.agents.map((e) => ({ ...e, seat: loaded(e.seat) })) } : {}),
          };
          await app.storage.updateRun(run.id, { spec: run.spec });
        } catch (err) {
          this.error = signal.aborted ? null : `The models could not be loaded: ${describeError(err)}`;
          const e = err as { name?: string };
          await app.storage.updateRun(run.id, {
            status: signal.aborted ? 'aborted' : 'interrupted',
            finishedAt: Date.now(),
            ...(signal.aborted ? {} : { error: { name: e?.name ?? 'Error', message: this.error ?? describeError(err) } }),
          });
          this.running = false;
          this.preparing = false;
          this.controller = null;
          this.pool.dispose();
          await app.refreshRuns();
          return;
        } finally {
          this.preparing = false;
        }
      }
      const deps: SeatDeps = { makeSeat: (role, seed) => this.pool.makeSeat(role, seed) };
      // An agent seat's overrides change its model's sampling; the prompt note it reads itself.
      const agentDeps = (seat: SeatConfig): SeatDeps => {
        const sampling = samplingOverride(overridesOf(seat.settings));
        return sampling ? { makeSeat: (role, seed) => this.pool.makeSeat(role, seed, role === 'agent' ? sampling : undefined) } : deps;
      };
      await this.loop(
        run,
        plans,
        // The seat is built from the stored spec, so a stored run says what was used.
        (ctx) => user.create(ctx, deps, run.spec.user.settings),
        (ctx, entry) => {
          const seat = entry?.seat ?? run.spec.agent;
          return agentSeat(seat.kind).create(ctx, agentDeps(seat), seat.settings);
        },
        signal,
        needed,
        judged ? (seed) => this.pool.makeSeat('judge', seed) : undefined,
      );
    };
    // Hold a Web Lock for the run's lifetime, so another tab opening meanwhile does not take
    // it for a run left behind by a closed tab.
    if (typeof navigator !== 'undefined' && navigator.locks) {
      void navigator.locks.request(RUN_LOCK_PREFIX + runId, go);
    } else {
      void go();
    }
    return runId;
  }

  stop(): void {
    this.controller?.abort();
  }

  private async loop(
    run: Run,
    plans: ReturnType<typeof planSessions>,
    createUser: Parameters<typeof runSession>[1]['createUser'],
    createAgent: Parameters<typeof runSession>[1]['createAgent'],
    signal: AbortSignal,
    modelRoles: ('user' | 'agent')[] = [],
    judge?: (sessionSeed: number) => SeatFactory,
  ): Promise<void> {
    const storage = app.storage;
    const goldCache = new Map<string, GoldReplay>();
    try {
      for (const plan of plans) {
        if (signal.aborted) break;
        this.current = {
          id: plan.id,
          scenarioTitle: plan.scenario.title,
          personaName: plan.persona.name,
          trial: plan.trial,
          ...(plan.entry ? { entry: { id: plan.entry.id, label: plan.entry.label } } : {}),
        };
        this.liveTurns = [];
        this.liveDraft = null;
        await storage.putSession(startedSession(plan, { runId: run.id, spec: run.spec }));
        let session;
        try {
          session = await runSession(plan, {
            runId: run.id,
            spec: run.spec,
            codeRunner: codeToolRunner,
            createUser,
            createAgent,
            signal,
            goldCache,
            ...(judge ? { judge } : {}),
            onDelta: (role, text) => {
              const d = this.liveDraft;
              this.liveDraft = { role, text: d && d.role === role ? d.text + text : text };
            },
            onTurn: async (turn) => {
              await storage.appendTurn(turn);
              this.liveDraft = null;
              this.liveTurns = [...this.liveTurns, turn];
              const delay = PACE_DELAY_MS[this.pace];
              if (delay > 0) await sleep(delay);
            },
          });
        } catch (err) {
          // runSession turns participant failures into data; this is a harness bug, kept as data too.
          session = {
            ...startedSession(plan, { runId: run.id, spec: run.spec }),
            status: 'done' as const,
            outcome: 'error' as const,
            finishedAt: Date.now(),
            termination: 'agent_error' as const,
            error: { name: 'HarnessError', message: describeError(err) },
          };
        }
        // Stored as deltas against the scenario's initial database, which is kept once.
        await storage.putSession(session, { initialDb: plan.scenario.initialDb });
        if (session.termination === 'aborted') break;
        // A lost engine (GPU device lost, worker gone) is replaced before the next session.
        if (session.termination === 'engine_lost') for (const role of modelRoles) await this.pool.recover(role, signal);
        if (session.score?.judge?.error?.name === 'EngineLostError') await this.pool.recover('judge', signal);
        this.done++;
        if (session.outcome === 'pass') this.passed++;
        if (session.outcome === 'error') this.errors++;
        this.outcomes = [...this.outcomes, { id: session.id, outcome: session.outcome }];
        if (plan.entry) {
          const e = this.byEntry[plan.entry.id] ?? { done: 0, passed: 0, errors: 0 };
          this.byEntry = {
            ...this.byEntry,
            [plan.entry.id]: { done: e.done + 1, passed: e.passed + (session.outcome === 'pass' ? 1 : 0), errors: e.errors + (session.outcome === 'error' ? 1 : 0) },
          };
        }
        await storage.updateRun(run.id, { doneSessions: this.done, passedSessions: this.passed });
        // Instant runs still yield to the page so progress paints and the stop button works.
        if (PACE_DELAY_MS[this.pace] === 0) await sleep(0);
      }
      await storage.updateRun(run.id, {
        status: signal.aborted ? 'aborted' : 'completed',
        finishedAt: Date.now(),
        doneSessions: this.done,
        passedSessions: this.passed,
      });
    } catch (err) {
      this.error = `The run stopped: ${describeError(err)}`;
      await storage.updateRun(run.id, { status: 'interrupted', finishedAt: Date.now() }).catch(() => {});
    } finally {
      this.running = false;
      this.current = null;
      this.controller = null;
      this.pool.dispose();
      await app.refreshRuns();
    }
  }
}

/** Whether the person chose a model for the Judge role (or a shared model for every role). */
async function judgeChosen(): Promise<boolean> {
  const saved = (await app.storage.getSetting<Partial<RoleSettings>>(ROLES_KEY)) ?? {};
  return roleModelRef(saved, 'judge') !== '';
}

function defaultRunName(scenarios: Scenario[], choice: RunChoice): string {
  const packs = [...new Set(scenarios.map((s) => s.packId ?? s.domain))].join(', ');
  const agents = agentChoices(choice).map((a) => a.kind).join(', ');
  return `${packs} · ${choice.userKind} vs ${agents} · k=${choice.trials}`;
}

export const runner = new RunController();

import type { AgentEntry, Json, Persona, RunSpec, Scenario, SeatConfig, Session, Turn } from '../model/types.ts';
import { canonicalHash } from '../scenarios/canonical.ts';
import type { DomainImpl } from '../scenarios/domain.ts';
import { createEnvironment, type CodeToolRunner } from '../scenarios/environment.ts';
import { evaluateSession, replayGoldAsync, type GoldReplay } from '../scenarios/evaluator.ts';
import { judgeAssertions, notJudged, type NlJudgement } from '../scenarios/judge.ts';
import { countClarifyingQuestions } from '../metrics/clarification.ts';
import { deriveSeed } from '../stats/rng.ts';
import { ASK_USER_TOOL, runConversation, type ConversationOptions } from './orchestrator.ts';
import { LEAK_CHECK_VERSION, USER_UNKNOWN_VALUE_FLAG, userTurnCheck } from './leak-check.ts';
import type { AgentSeatContext, Participant, UserSeatContext } from './participant.ts';
import type { SeatFactory } from './llm-seat.ts';

/** One session to run: a scenario, a persona and a trial number (and, in a run of several agents, the agent). */
export interface SessionPlan {
  id: string;
  scenario: Scenario;
  persona: Persona;
  trial: number;
  seed: number;
  /** The run's agent entry that plays this session (RunSpec.agents); absent in single-agent runs. */
  entry?: AgentEntry;
}

/**
 * The sessions of a run, in the order they run: trial-major, so stopping early still
 * leaves every (scenario, persona) pair covered by the trials done so far.
 *
 * With several agents (`spec.agents`), each (scenario, persona, trial) is played by every entry
 * in turn, with one seed for all of them: their sessions pair up, and stopping early leaves
 * every entry with the same sessions done. The entry's id goes into the session id, after the
 * run's. Without `agents` the plan is exactly the single-agent one (ids, seeds, order).
 */
export function planSessions(
  runId: string,
  spec: RunSpec,
  scenarios: readonly Scenario[],
  personas: readonly Persona[],
): SessionPlan[] {
  const entries = spec.agents?.length ? spec.agents : null;
  if (entries) {
    const ids = new Set(entries.map((e) => e.id));
    if (ids.size !== entries.length) throw new Error(`The run's agent entries must have distinct ids (${entries.map((e) => e.id).join(', ')}).`);
  }
  const plans: SessionPlan[] = [];
  for (let trial = 0; trial < spec.trials; trial++) {
    for (const scenario of scenarios) {
      for (const persona of personas) {
        const seed = deriveSeed(spec.seed, scenario.id, persona.id, trial);
        if (!entries) {
          plans.push({ id: `${runId}:${scenario.id}:${persona.id}:${trial}`, scenario, persona, trial, seed });
          continue;
        }
        for (const entry of entries) {
          plans.push({ id: `${runId}:${entry.id}:${scenario.id}:${persona.id}:${trial}`, scenario, persona, trial, seed, entry });
        }
      }
    }
  }
  return plans;
}

/**
 * A planned session's agent entry as the run spec holds it now: the runner fills in an LLM
 * entry's model settings after planning, and the stored spec is what a session records.
 */
export function planEntry(plan: SessionPlan, spec: RunSpec): AgentEntry | undefined {
  if (!plan.entry) return undefined;
  return spec.agents?.find((e) => e.id === plan.entry!.id) ?? plan.entry;
}

/** The agent seat a planned session records: its entry's seat, else the run's only agent. */
export function planAgentSeat(plan: SessionPlan, spec: RunSpec): SeatConfig {
  return planEntry(plan, spec)?.seat ?? spec.agent;
}

export interface SessionDeps {
  runId: string;
  spec: RunSpec;
  /** Built-in code for the scenarios' domain; by default the built-in domain of that name. */
  domain?: DomainImpl;
  /** Runs scenario files' code tools in a sandbox. */
  codeRunner?: CodeToolRunner;
  createUser(ctx: UserSeatContext): Participant;
  /** `entry`: the run's agent entry that plays the session, as the spec holds it (several agents only). */
  createAgent(ctx: AgentSeatContext, entry?: AgentEntry): Participant;
  signal?: AbortSignal;
  onTurn?: (turn: Turn) => void | Promise<void>;
  onDelta?: ConversationOptions['onDelta'];
  now?: () => number;
  /** Cache of gold replays per scenario; replays are pure, so one per run is enough. */
  goldCache?: Map<string, GoldReplay>;
  /**
   * The judge role's model for the session with this seed: it judges the NL assertions.
   * Without it they are reported as not judged and left out of the reward.
   */
  judge?: (sessionSeed: number) => SeatFactory;
}

/** A session record as it stands before its first turn. */
export function startedSession(plan: SessionPlan, deps: Pick<SessionDeps, 'runId' | 'spec' | 'now'>): Session {
  return {
    id: plan.id,
    runId: deps.runId,
    scenarioId: plan.scenario.id,
    personaId: plan.persona.id,
    trial: plan.trial,
    seed: plan.seed,
    user: deps.spec.user,
    agent: planAgentSeat(plan, deps.spec),
    ...(plan.entry ? { agentEntry: plan.entry.id } : {}),
    status: 'running',
    outcome: 'running',
    startedAt: (deps.now ?? Date.now)(),
    turnCount: 0,
    scenarioHash: scenarioFingerprint(plan.scenario),
    personaHash: canonicalHash(plan.persona as unknown as Json),
  };
}

const dbHashes = new WeakMap<object, string>();
const scenarioHashes = new WeakMap<object, string>();

/** Every field of a Scenario: what its fingerprint covers (checked against the type below). */
const SCENARIO_FIELDS = [
  'id', 'domain', 'packId', 'title', 'purpose', 'difficulty', 'user', 'agent', 'initialDb', 'evaluation', 'clarification',
] as const satisfies readonly (keyof Scenario)[];
// Fails to compile when Scenario gains a field the list above lacks.
type NoneUnlisted<M extends never> = M;
type _AllScenarioFields = NoneUnlisted<Exclude<keyof Scenario, (typeof SCENARIO_FIELDS)[number]>>;

/**
 * The canonical hash of everything a scenario is (its database by its own hash): stored with
 * each session, so a rerun can tell whether the scenario under the same id has changed since.
 * Cached per object: τ²-bench's 114 tasks share one 2.8 MB database, hashed once.
 *
 * Only the Scenario's own fields count: a stored scenario also carries when it was imported
 * (`importedAt`, `builtin`), and hashing those made every re-import of an unchanged pack look
 * like a new version. Sessions stored before hashed them too (see regrade.ts, which reads both).
 */
export function scenarioFingerprint(scenario: Scenario): string {
  let h = scenarioHashes.get(scenario);
  if (h) return h;
  let db = dbHashes.get(scenario.initialDb);
  if (!db) {
    db = canonicalHash(scenario.initialDb);
    dbHashes.set(scenario.initialDb, db);
  }
  const own: Record<string, unknown> = {};
  for (const k of SCENARIO_FIELDS) if (k in scenario) own[k] = scenario[k];
  h = canonicalHash({ ...own, initialDb: db } as unknown as Json);
  scenarioHashes.set(scenario, h);
  return h;
}

/**
 * Runs and scores one session. Never throws for a participant's failure: a session that
 * cannot even start (no agent for the domain) ends as an `agent_error` record.
 */
export async function runSession(plan: SessionPlan, deps: SessionDeps): Promise<Session> {
  const now = deps.now ?? Date.now;
  const base = startedSession(plan, deps);
  let user: Participant;
  let agent: Participant;
  try {
    user = deps.createUser({ role: 'user', scenario: plan.scenario, persona: plan.persona, seed: plan.seed });
  } catch (err) {
    return failed(base, 'user_error', err, now());
  }
  try {
    agent = deps.createAgent(
      {
        role: 'agent',
        scenarioId: plan.scenario.id,
        domain: plan.scenario.domain,
        policy: plan.scenario.agent.policy,
        tools: deps.spec.mode === 'agentic' ? [...plan.scenario.agent.tools, ASK_USER_TOOL] : plan.scenario.agent.tools,
        seed: plan.seed,
      },
      planEntry(plan, deps.spec),
    );
  } catch (err) {
    return failed(base, 'agent_error', err, now());
  }
  const envOptions = { domain: deps.domain, codeRunner: deps.codeRunner };
  const environment = createEnvironment(plan.scenario, envOptions);
  const result = await runConversation(
    { user, agent, environment },
    {
      sessionId: plan.id,
      seed: plan.seed,
      maxTurns: deps.spec.maxTurns,
      maxErrors: deps.spec.maxErrors,
      signal: deps.signal,
      onTurn: deps.onTurn,
      onDelta: deps.onDelta,
      mode: deps.spec.mode ?? 'conversational',
      now,
      // Every session, whatever fills the user seat: a leak or an invention shows either way.
      checkUserTurn: userTurnCheck(plan.scenario, plan.persona),
    },
  );
  let gold = deps.goldCache?.get(plan.scenario.id);
  if (!gold) {
    gold = await replayGoldAsync(plan.scenario, envOptions);
    deps.goldCache?.set(plan.scenario.id, gold);
  }
  const hardError = ['agent_error', 'user_error', 'engine_lost', 'context_exhausted', 'aborted'].includes(result.termination);
  const judgement = await judgeSession(plan, deps, result.turns, hardError);
  const { expectedDb, ...score } = evaluateSession(
    plan.scenario,
    envOptions,
    { termination: result.termination, finalDb: result.finalDb, turns: result.turns, ...(judgement ? { judgement } : {}) },
    gold,
  );
  return {
    ...base,
    status: 'done',
    outcome: hardError ? 'error' : score.reward === 1 ? 'pass' : 'fail',
    finishedAt: now(),
    turnCount: result.turns.length,
    termination: result.termination,
    ...(result.error ? { error: result.error } : {}),
    finalDb: result.finalDb,
    expectedDb,
    score,
    ...(deps.spec.mode === 'agentic'
      ? { questionsAsked: result.turns.reduce((n, t) => n + t.toolCalls.filter((c) => c.name === ASK_USER_TOOL.name).length, 0) }
      : {}),
    clarifyingQuestions: countClarifyingQuestions(result.turns),
    userUnknownValueTurns: result.turns.filter((t) => t.flags.includes(USER_UNKNOWN_VALUE_FLAG)).length,
    leakCheckVersion: LEAK_CHECK_VERSION,
  };
}

/** The judge's verdicts, when there is a judge and something to judge; a failed session is not judged. */
async function judgeSession(
  plan: SessionPlan,
  deps: SessionDeps,
  turns: readonly Turn[],
  hardError: boolean,
): Promise<NlJudgement | undefined> {
  const assertions = plan.scenario.evaluation.nlAssertions;
  if (!deps.judge || assertions.length === 0) return undefined;
  // Its outcome is "error" whatever the verdicts, so the judge's time is saved.
  if (hardError) return notJudged(assertions, 'Not judged: the session ended in an error.');
  return judgeAssertions(deps.judge(plan.seed), { scenario: plan.scenario, turns }, { signal: deps.signal });
}

function failed(base: Session, termination: 'user_error' | 'agent_error', err: unknown, at: number): Session {
  const e = err as { name?: string; message?: string };
  return {
    ...base,
    status: 'done',
    outcome: 'error',
    finishedAt: at,
    termination,
    error: { name: e?.name ?? 'Error', message: e?.message ?? String(err) },
  };
}

import type {
  ActionMatch,
  CriterionResult,
  GoldAction,
  Json,
  JsonObject,
  RewardBasis,
  Scenario,
  ScoreFlag,
  SessionScore,
  TerminationReason,
  ToolCall,
  ToolResult,
  Turn,
} from '../model/types.ts';
import { canonicalJson, diffJson, hashCanonicalText } from './canonical.ts';
import type { DomainImpl } from './domain.ts';
import { createEnvironment, type EnvironmentOptions } from './environment.ts';
import { notJudged, type NlJudgement } from './judge.ts';

/** The outcome of replaying a scenario's gold actions on a fresh copy of its database. */
export interface GoldReplay {
  /** One entry per gold action, in order. */
  results: ({ ok: true } | { ok: false; error: string })[];
  db: JsonObject;
}

function replayEntry(r: ToolResult): GoldReplay['results'][number] {
  return r.ok ? { ok: true } : { ok: false, error: r.error.message };
}

/**
 * Replays the gold actions, in order, on a fresh copy of the scenario's database: the
 * expected end state. Tools come from the scenario file or its built-in domain. A failing
 * action is recorded and the replay goes on, as in τ²-bench. Code tools need
 * `replayGoldAsync`.
 */
export function replayGold(scenario: Scenario, options?: DomainImpl | EnvironmentOptions): GoldReplay {
  const env = createEnvironment(scenario, options);
  const results = scenario.evaluation.goldActions.map((action) => replayEntry(env.call(action.name, action.arguments)));
  return { results, db: env.snapshot() };
}

/** `replayGold` for scenarios whose tools may include sandboxed code tools. */
export async function replayGoldAsync(scenario: Scenario, options?: DomainImpl | EnvironmentOptions): Promise<GoldReplay> {
  const env = createEnvironment(scenario, options);
  const results: GoldReplay['results'] = [];
  for (const action of scenario.evaluation.goldActions) results.push(replayEntry(await env.callAsync(action.name, action.arguments)));
  return { results, db: env.snapshot() };
}

/** What the evaluator needs from a finished session. */
export interface SessionEvidence {
  /**
   * How the session ended. Only an ending in `REWARDED_ENDINGS` can earn a reward (see
   * `endingCounts`); required so that no caller scores a session without saying how it ended.
   */
  termination: TerminationReason;
  finalDb: JsonObject;
  turns: readonly Pick<Turn, 'role' | 'content' | 'toolCalls'>[];
  /** The judge's verdicts on the NL assertions; without them those are "not judged". */
  judgement?: NlJudgement;
}

/**
 * The endings that can earn a reward, as in τ²-bench: the user stopped, or the conversation
 * was handed on (a transfer, or the user declaring the request out of scope, which τ²-bench
 * counts as the user stopping). Here the agent can only end a session by transferring it.
 * Every other ending (the turn limit, too many errors, a participant's or engine's failure, a
 * person stopping the run) gets reward 0 whatever the database holds.
 */
export const REWARDED_ENDINGS: readonly TerminationReason[] = ['user_stop', 'transfer', 'out_of_scope'];

/** Whether a session that ended this way can earn a reward. */
export function endingCounts(termination: TerminationReason): boolean {
  return REWARDED_ENDINGS.includes(termination);
}

/** How a session ended, as words that follow "the session ended". */
export const ENDING_TEXT: Record<TerminationReason, string> = {
  user_stop: 'with the user stopping',
  transfer: 'in a transfer',
  out_of_scope: 'with the user calling the request out of scope',
  max_turns: 'at the turn limit',
  too_many_errors: 'after too many errors',
  agent_error: 'in an agent error',
  user_error: 'in a user simulator error',
  engine_lost: 'when the model engine was lost',
  context_exhausted: "when a model's context window was full",
  aborted: 'when the run was stopped',
};

/** The note a score carries when its ending alone set the reward to 0. */
export function endingNote(termination: TerminationReason): string {
  return `Reward 0: the session ended ${ENDING_TEXT[termination]} (${termination}). Only sessions the user ends (or that end in a transfer) can pass, as in τ²-bench; each criterion's result shows what would have passed.`;
}

/** Every criterion, in the order results are listed. */
const ALL_CRITERIA: readonly RewardBasis[] = ['DB', 'ACTION', 'ENV_ASSERTION', 'COMMUNICATE', 'NL_ASSERTION'];

const NO_JUDGE = 'No judge ran: choose a model for the Judge role on the Models page to judge NL assertions.';

/** The tool calls the agent made, in order. Gold actions are the agent's to make. */
export function agentCalls(turns: SessionEvidence['turns']): ToolCall[] {
  return turns.filter((t) => t.role === 'agent').flatMap((t) => t.toolCalls);
}

/** Whether a call has the gold action's name and equal values for the compared arguments. */
export function callMatchesGold(gold: GoldAction, call: Pick<ToolCall, 'name' | 'arguments'>): boolean {
  if (call.name !== gold.name) return false;
  // Like τ²-bench: only the gold action's own (or listed) arguments count; extra ones are ignored.
  return comparedArgs(gold).every((k) => canonicalJson(gold.arguments[k]) === canonicalJson(call.arguments[k]));
}

function comparedArgs(gold: GoldAction): string[] {
  return gold.compareArgs ?? Object.keys(gold.arguments);
}

/**
 * Matches the gold actions to the agent's calls, order-insensitively and one call per gold
 * action (a multiset match: two identical gold actions need two calls). τ²-bench's action
 * check lets one call satisfy several identical gold actions; this is stricter on duplicates
 * and otherwise the same (name plus compared arguments, results not required).
 *
 * The matching is maximum (Kuhn's augmenting paths), so a call that fits several gold actions
 * never starves another. Among candidates, a call whose success agrees with the gold replay
 * is tried first, so the recorded call is the one that did what the gold call does.
 */
export function matchGoldActions(
  scenario: Pick<Scenario, 'evaluation' | 'agent'>,
  calls: readonly ToolCall[],
  gold?: Pick<GoldReplay, 'results'>,
): ActionMatch[] {
  const actions = scenario.evaluation.goldActions;
  const kinds = new Map(scenario.agent.tools.map((t) => [t.name, t.kind]));
  const goldOk = (i: number) => gold?.results[i]?.ok ?? true;
  const candidates = actions.map((a, i) => {
    const fits = calls.map((c, j) => ({ c, j })).filter(({ c }) => callMatchesGold(a, c));
    const agrees = fits.filter(({ c }) => c.result.ok === goldOk(i));
    const rest = fits.filter(({ c }) => c.result.ok !== goldOk(i));
    return [...agrees, ...rest].map(({ j }) => j);
  });
  const callOwner = new Array<number>(calls.length).fill(-1);
  const augment = (i: number, seen: Set<number>): boolean => {
    for (const j of candidates[i]!) {
      if (seen.has(j)) continue;
      seen.add(j);
      if (callOwner[j] === -1 || augment(callOwner[j]!, seen)) {
        callOwner[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < actions.length; i++) augment(i, new Set());
  const matchOf = new Map<number, number>();
  callOwner.forEach((i, j) => {
    if (i >= 0) matchOf.set(i, j);
  });
  return actions.map((a, i) => {
    const j = matchOf.get(i);
    const call = j === undefined ? undefined : calls[j]!;
    return {
      name: a.name,
      arguments: a.arguments,
      compareArgs: comparedArgs(a),
      write: kinds.get(a.name) !== 'read',
      matched: call !== undefined,
      ...(call ? { callId: call.id, callOk: call.result.ok } : {}),
    };
  });
}

/**
 * Whether every gold write action was made: matched, and by a call that succeeded where the
 * gold call succeeds on replay. Read actions are left out: looking things up changes nothing.
 */
export function goldWritesMade(actions: readonly ActionMatch[], gold?: Pick<GoldReplay, 'results'>): boolean {
  return actions.every((a, i) => !a.write || (a.matched && (a.callOk === true || gold?.results[i]?.ok === false)));
}

/**
 * Scores a session: the reward is the product over the scenario's reward basis, and 0 for a
 * session that did not end in one of `REWARDED_ENDINGS`. Every criterion's result is kept
 * either way, so a person can see why a session failed (or what would have passed). A
 * criterion in the basis that cannot be scored (NL assertions nobody judged) is left out with
 * a note.
 */
export function evaluateSession(
  scenario: Scenario,
  domain: DomainImpl | EnvironmentOptions | undefined,
  evidence: SessionEvidence,
  gold: GoldReplay = replayGold(scenario, domain),
): SessionScore & { expectedDb: JsonObject } {
  const ev = scenario.evaluation;
  const basis = ev.rewardBasis;
  const notes: string[] = [];
  gold.results.forEach((r, i) => {
    if (!r.ok) notes.push(`Gold action ${i + 1} (${ev.goldActions[i]?.name}) fails on replay: ${r.error}`);
  });

  // Each database serialised once: τ²-bench's are 2.8 MB.
  const expectedText = canonicalJson(gold.db);
  const actualText = canonicalJson(evidence.finalDb);
  const dbMatch = expectedText === actualText;
  const db = {
    match: dbMatch,
    expectedHash: hashCanonicalText(expectedText),
    actualHash: hashCanonicalText(actualText),
    diff: dbMatch ? [] : diffJson(gold.db, evidence.finalDb),
  };

  const agentText = evidence.turns
    .filter((t) => t.role === 'agent')
    .map((t) => t.content)
    .join('\n')
    .toLowerCase();
  const communicate = ev.communicateInfo.map((info) => ({
    info,
    found: agentText.includes(String(info).toLowerCase()),
  }));

  const envAssertions = ev.envAssertions.map((a) => {
    const actual = readPath(evidence.finalDb, a.path);
    return { path: a.path, expected: a.equals, actual, ok: canonicalJson(actual) === canonicalJson(a.equals) };
  });

  const actions = matchGoldActions(scenario, agentCalls(evidence.turns), gold);

  const judgement = evidence.judgement ?? notJudged(ev.nlAssertions, NO_JUDGE);
  const nlAssertions = ev.nlAssertions.map(
    (assertion, i) => judgement.results[i] ?? { assertion, verdict: 'not_judged' as const, reason: NO_JUDGE },
  );

  const result: Record<RewardBasis, CriterionResult['result']> = {
    DB: dbMatch ? 'pass' : 'fail',
    ACTION: actions.every((a) => a.matched) ? 'pass' : 'fail',
    ENV_ASSERTION: envAssertions.every((a) => a.ok) ? 'pass' : 'fail',
    COMMUNICATE: communicate.every((c) => c.found) ? 'pass' : 'fail',
    // One assertion judged unmet fails the criterion whatever the others; otherwise any
    // assertion without a verdict leaves the whole criterion unscored.
    NL_ASSERTION: nlAssertions.some((a) => a.verdict === 'not_met')
      ? 'fail'
      : nlAssertions.some((a) => a.verdict === 'not_judged')
        ? 'not_scored'
        : 'pass',
  };
  const present: Record<RewardBasis, boolean> = {
    DB: true,
    ACTION: ev.goldActions.length > 0,
    ENV_ASSERTION: ev.envAssertions.length > 0,
    COMMUNICATE: ev.communicateInfo.length > 0,
    NL_ASSERTION: ev.nlAssertions.length > 0,
  };
  const criteria: CriterionResult[] = ALL_CRITERIA.filter((c) => present[c] || basis.includes(c)).map((c) => ({
    criterion: c,
    inBasis: basis.includes(c),
    result: result[c],
  }));

  let pass = true;
  for (const c of criteria) {
    if (!c.inBasis) continue;
    if (c.result === 'fail') pass = false;
    if (c.result === 'not_scored') {
      const unjudged = nlAssertions.filter((a) => a.verdict === 'not_judged').length;
      notes.push(
        `${c.criterion} is in the reward basis but ${unjudged} of ${nlAssertions.length} assertion${nlAssertions.length === 1 ? ' was' : 's were'} not judged (${nlAssertions.find((a) => a.verdict === 'not_judged')!.reason}); it was left out of the reward.`,
      );
    }
  }

  const flags: ScoreFlag[] = [];
  if (communicate.length > 0) {
    const allSaid = communicate.every((c) => c.found);
    if (dbMatch && !allSaid) flags.push('db_right_info_missing');
    if (!dbMatch && allSaid) flags.push('info_conveyed_db_wrong');
  }
  const counts = endingCounts(evidence.termination);
  if (!counts) notes.push(endingNote(evidence.termination));
  const reward = pass && counts ? 1 : 0;
  return {
    reward,
    basis,
    ended: { termination: evidence.termination, counts },
    db,
    communicate,
    envAssertions,
    notes,
    actions,
    nlAssertions,
    ...(evidence.judgement && evidence.judgement.attempts > 0
      ? {
          judge: {
            model: judgement.model,
            attempts: judgement.attempts,
            ...(judgement.error ? { error: judgement.error } : {}),
            ...(judgement.clipped ? { clipped: judgement.clipped } : {}),
          },
        }
      : {}),
    criteria,
    strictReward: reward === 1 && goldWritesMade(actions, gold) ? 1 : 0,
    flags,
    expectedDb: gold.db,
  };
}

/** Reads `a.b[2].c` (or `a.b.2.c`) from JSON; undefined when any step is missing. */
export function readPath(root: Json, path: string): Json | undefined {
  // a.b[2]["c.d"] → a, b, 2, c.d
  const steps: string[] = [];
  const re = /\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'([^']*)'\s*\]|\[(\d+)\]|([^.[\]]+)/g;
  for (const m of path.matchAll(re)) steps.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : (m[2] ?? m[3] ?? m[4])!);
  let cur: Json | undefined = root;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(step)] : (cur as Record<string, Json>)[step];
  }
  return cur;
}

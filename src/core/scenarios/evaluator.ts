import type {
  Json,
  JsonObject,
  RewardBasis,
  Scenario,
  SessionScore,
  ToolResult,
  Turn,
} from '../model/types.ts';
import { canonicalHash, canonicalJson, diffJson } from './canonical.ts';
import type { DomainImpl } from './domain.ts';
import { createEnvironment, type EnvironmentOptions } from './environment.ts';

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
  finalDb: JsonObject;
  turns: readonly Pick<Turn, 'role' | 'content' | 'toolCalls'>[];
}

/** Criteria this evaluator can score now; NL assertions need a judge (a later issue). */
const SCORABLE: ReadonlySet<RewardBasis> = new Set(['DB', 'ENV_ASSERTION', 'COMMUNICATE']);

/**
 * Scores a session: the reward is the product over the scenario's reward basis. Every
 * criterion's result is kept so a person can see why a session failed.
 */
export function evaluateSession(
  scenario: Scenario,
  domain: DomainImpl | EnvironmentOptions | undefined,
  evidence: SessionEvidence,
  gold: GoldReplay = replayGold(scenario, domain),
): SessionScore & { expectedDb: JsonObject } {
  const basis = scenario.evaluation.rewardBasis;
  const notes: string[] = [];
  gold.results.forEach((r, i) => {
    if (!r.ok) notes.push(`Gold action ${i + 1} (${scenario.evaluation.goldActions[i]?.name}) fails on replay: ${r.error}`);
  });
  let pass = true;

  const dbMatch = canonicalJson(gold.db) === canonicalJson(evidence.finalDb);
  const db = {
    match: dbMatch,
    expectedHash: canonicalHash(gold.db),
    actualHash: canonicalHash(evidence.finalDb),
    diff: dbMatch ? [] : diffJson(gold.db, evidence.finalDb),
  };
  if (basis.includes('DB') && !dbMatch) pass = false;

  const agentText = evidence.turns
    .filter((t) => t.role === 'agent')
    .map((t) => t.content)
    .join('\n')
    .toLowerCase();
  const communicate = scenario.evaluation.communicateInfo.map((info) => ({
    info,
    found: agentText.includes(String(info).toLowerCase()),
  }));
  if (basis.includes('COMMUNICATE') && communicate.some((c) => !c.found)) pass = false;

  const envAssertions = scenario.evaluation.envAssertions.map((a) => {
    const actual = readPath(evidence.finalDb, a.path);
    return { path: a.path, expected: a.equals, actual, ok: canonicalJson(actual) === canonicalJson(a.equals) };
  });
  if (basis.includes('ENV_ASSERTION') && envAssertions.some((a) => !a.ok)) pass = false;

  for (const b of basis) {
    if (!SCORABLE.has(b)) notes.push(`${b} is in the reward basis but cannot be scored yet; it was left out.`);
  }
  return {
    reward: pass ? 1 : 0,
    basis,
    db,
    communicate,
    envAssertions,
    notes,
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

/**
 * Re-grading: scoring stored sessions again against the current definition of their scenario,
 * as τ²-bench's `evaluate-trajs --fresh-tasks` does, after a scenario changed under the same id
 * (a gold action fixed, an assertion added).
 *
 * What is re-run. The evaluator (evaluator.ts `evaluateSession`) on the session's stored turns
 * and final database, with the gold actions replayed on the current scenario's initial database.
 * The conversation itself is not re-run: it stays what the user simulator and the agent said
 * under the version they ran, so a changed user side (goal, known facts) is not reflected, and
 * the page says the sessions ran an older version even after they are re-graded.
 *
 * Judged NL assertions. No model is loaded: an assertion whose text is unchanged keeps the
 * verdict the judge gave (matched by text, each stored verdict used once), and one that is new
 * or reworded is "not judged", so the NL criterion is not scored and, if it is in the reward
 * basis, left out of the reward with a note, as for a run without a judge.
 *
 * Outcomes. A session that ended in an error (outcome "error") keeps that outcome: its ending,
 * not its criteria, decided it. Otherwise the new reward decides pass or fail.
 *
 * Which version a session is graded against: the last re-grading's `scenarioHash`, else the
 * version it ran (`Session.scenarioHash`). Sessions stored before fingerprints left out storage's
 * own fields (`builtin`, `importedAt`) hashed those too; both hashes count as current.
 */
import type {
  CriterionResult,
  Json,
  JsonObject,
  NlAssertionResult,
  Outcome,
  RewardBasis,
  Scenario,
  Session,
  SessionRegrade,
  SessionScore,
  Turn,
} from '../model/types.ts';
import { canonicalHash } from './canonical.ts';
import type { DomainImpl } from './domain.ts';
import type { EnvironmentOptions } from './environment.ts';
import { evaluateSession, type GoldReplay } from './evaluator.ts';
import type { NlJudgement } from './judge.ts';
import { scenarioFingerprint } from '../simulation/session.ts';

/** Why a re-graded NL assertion has no verdict. */
export const REGRADE_UNJUDGED_REASON =
  'Not judged: the assertion is new or was reworded after this session was judged, and re-grading loads no model.';

/** The note a re-graded score carries, naming the outcome it had before. */
export function regradeNote(previousOutcome: Outcome): string {
  return `Re-graded against a later definition of the scenario (the conversation ran an earlier one); the outcome was ${previousOutcome} before, and that score is kept with the session.`;
}

/** Where a session stands against its scenario's current definition. */
export type ScenarioVersionStatus = 'current' | 'older' | 'unknown';

/** The fingerprint of the scenario definition a session's score is against. */
export function gradedScenarioHash(session: Pick<Session, 'scenarioHash' | 'regrades'>): string | undefined {
  return session.regrades?.at(-1)?.scenarioHash ?? session.scenarioHash;
}

const dbHashes = new WeakMap<object, string>();
const storedHashes = new WeakMap<object, string>();

/**
 * The fingerprint as sessions stored before the fix computed it: every key of the object
 * handed in, storage's own included. Equal to `scenarioFingerprint` for a plain Scenario.
 */
export function storedScenarioFingerprint(scenario: Scenario): string {
  let h = storedHashes.get(scenario);
  if (h) return h;
  let db = dbHashes.get(scenario.initialDb);
  if (!db) {
    db = canonicalHash(scenario.initialDb);
    dbHashes.set(scenario.initialDb, db);
  }
  h = canonicalHash({ ...scenario, initialDb: db } as unknown as Json);
  storedHashes.set(scenario, h);
  return h;
}

/** Whether a session is graded against `scenario` as it is now, an older definition, or unknown (no hash stored). */
export function scenarioVersionStatus(session: Pick<Session, 'scenarioHash' | 'regrades'>, scenario: Scenario): ScenarioVersionStatus {
  const h = gradedScenarioHash(session);
  if (!h) return 'unknown';
  return h === scenarioFingerprint(scenario) || h === storedScenarioFingerprint(scenario) ? 'current' : 'older';
}

/** Whether the conversation ran the scenario as it is now (whatever it has been graded against since). */
export function ranCurrentVersion(session: Pick<Session, 'scenarioHash'>, scenario: Scenario): boolean {
  const h = session.scenarioHash;
  return h !== undefined && (h === scenarioFingerprint(scenario) || h === storedScenarioFingerprint(scenario));
}

/** Whether a session has a score to re-grade: finished and scored (a session that never started has none). */
export function canRegrade(session: Pick<Session, 'status' | 'score' | 'termination'>): boolean {
  return session.status === 'done' && session.score !== undefined && session.termination !== undefined;
}

/**
 * The judge's stored verdicts carried over to the current assertions: an assertion with the
 * same text keeps its verdict, any other is not judged (REGRADE_UNJUDGED_REASON). Undefined
 * when the scenario has no assertions.
 */
export function carriedJudgement(previous: SessionScore | undefined, assertions: readonly string[]): NlJudgement | undefined {
  if (assertions.length === 0) return undefined;
  const stored = new Map<string, NlAssertionResult[]>();
  for (const r of previous?.nlAssertions ?? []) {
    const list = stored.get(r.assertion);
    if (list) list.push(r);
    else stored.set(r.assertion, [r]);
  }
  let kept = 0;
  const results = assertions.map((assertion): NlAssertionResult => {
    const r = stored.get(assertion)?.shift();
    if (!r) return { assertion, verdict: 'not_judged', reason: REGRADE_UNJUDGED_REASON };
    if (r.verdict !== 'not_judged') kept++;
    return { ...r };
  });
  const judge = previous?.judge;
  // The judge's record stays only beside verdicts it gave.
  if (!judge || kept === 0) return { results, model: '', attempts: 0 };
  return {
    results,
    model: judge.model,
    attempts: judge.attempts,
    ...(judge.error ? { error: judge.error } : {}),
    ...(judge.clipped ? { clipped: judge.clipped } : {}),
  };
}

/** A criterion's result, or absent when the score does not list it. */
export type Verdict = CriterionResult['result'] | 'absent';

/** One criterion whose result a re-grading changes. */
export interface VerdictChange {
  criterion: RewardBasis;
  from: Verdict;
  to: Verdict;
  /** Whether it is part of the reward under the current definition (else under the old one). */
  inBasis: boolean;
}

/** What re-grading one session gives, before anything is written. */
export interface RegradeResult {
  sessionId: string;
  scenarioId: string;
  personaId: string;
  trial: number;
  agentEntry?: string;
  /** The fingerprint of the definition the new score is against. */
  scenarioHash: string;
  before: { outcome: Outcome; reward: 0 | 1 };
  after: { outcome: Outcome; reward: 0 | 1 };
  /** Criteria whose result changed, in the evaluator's order. */
  changes: VerdictChange[];
  /** Assertions left not judged because their text is new or changed. */
  unjudged: string[];
  score: SessionScore;
  /** The database the current gold actions lead to. */
  expectedDb: JsonObject;
}

/** What a session's re-grading reads: its stored record, final database and turns. */
export interface RegradeEvidence {
  session: Pick<Session, 'id' | 'scenarioId' | 'personaId' | 'trial' | 'agentEntry' | 'outcome' | 'termination' | 'score'>;
  finalDb: JsonObject;
  turns: readonly Pick<Turn, 'role' | 'content' | 'toolCalls'>[];
}

const CRITERIA_ORDER: readonly RewardBasis[] = ['DB', 'ACTION', 'ENV_ASSERTION', 'COMMUNICATE', 'NL_ASSERTION'];

/** Criteria whose result differs between two scores. */
export function verdictChanges(before: SessionScore | undefined, after: SessionScore): VerdictChange[] {
  // A score stored before criteria were listed has nothing to compare criterion by criterion.
  if (!before?.criteria) return [];
  const old = new Map(before.criteria.map((c) => [c.criterion, c]));
  const now = new Map((after.criteria ?? []).map((c) => [c.criterion, c]));
  const out: VerdictChange[] = [];
  for (const criterion of CRITERIA_ORDER) {
    const a = old.get(criterion);
    const b = now.get(criterion);
    const from: Verdict = a?.result ?? 'absent';
    const to: Verdict = b?.result ?? 'absent';
    if (from !== to) out.push({ criterion, from, to, inBasis: b?.inBasis ?? a?.inBasis ?? false });
  }
  return out;
}

/**
 * Scores a stored session again against `scenario` (its current definition), with the gold
 * replay of that definition (`replayGold` / `replayGoldAsync`, once per scenario). Pure: it
 * returns the new score and what changed, and writes nothing. Throws when the session has no
 * score or ending (see `canRegrade`): the caller chooses which sessions to re-grade.
 */
export function regradeSession(
  scenario: Scenario,
  evidence: RegradeEvidence,
  gold: GoldReplay,
  domain?: DomainImpl | EnvironmentOptions,
): RegradeResult {
  const s = evidence.session;
  if (!s.score || !s.termination) throw new Error(`Session "${s.id}" has no score to re-grade.`);
  if (s.scenarioId !== scenario.id) throw new Error(`Session "${s.id}" is of scenario "${s.scenarioId}", not "${scenario.id}".`);
  const judgement = carriedJudgement(s.score, scenario.evaluation.nlAssertions);
  const { expectedDb, ...fresh } = evaluateSession(
    scenario,
    domain,
    { termination: s.termination, finalDb: evidence.finalDb, turns: evidence.turns, ...(judgement ? { judgement } : {}) },
    gold,
  );
  const score: SessionScore = { ...fresh, notes: [...fresh.notes, regradeNote(s.outcome)] };
  const outcome: Outcome = s.outcome === 'error' ? 'error' : score.reward === 1 ? 'pass' : 'fail';
  return {
    sessionId: s.id,
    scenarioId: s.scenarioId,
    personaId: s.personaId,
    trial: s.trial,
    ...(s.agentEntry !== undefined ? { agentEntry: s.agentEntry } : {}),
    scenarioHash: scenarioFingerprint(scenario),
    before: { outcome: s.outcome, reward: s.score.reward },
    after: { outcome, reward: score.reward },
    changes: verdictChanges(s.score, score),
    unjudged: (judgement?.results ?? []).filter((r) => r.reason === REGRADE_UNJUDGED_REASON).map((r) => r.assertion),
    score,
    expectedDb,
  };
}

/** Whether re-grading changes anything a person reads: the outcome, the reward or a criterion. */
export function regradeChanged(r: RegradeResult): boolean {
  return r.before.outcome !== r.after.outcome || r.before.reward !== r.after.reward || r.changes.length > 0;
}

/**
 * The fields a re-grading writes to its session: the new score and outcome, and the record of
 * what they replace appended to `regrades`. `scenarioHash` (the version that ran) is left alone.
 */
export function regradePatch(
  session: Pick<Session, 'score' | 'outcome' | 'regrades'>,
  result: RegradeResult,
  at: number,
): { score: SessionScore; outcome: Outcome; expectedDb: JsonObject; regrades: SessionRegrade[] } {
  if (!session.score) throw new Error(`Session "${result.sessionId}" has no score to re-grade.`);
  const record: SessionRegrade = { at, scenarioHash: result.scenarioHash, previous: session.score, previousOutcome: session.outcome };
  return {
    score: result.score,
    outcome: result.after.outcome,
    expectedDb: result.expectedDb,
    regrades: [...(session.regrades ?? []), record],
  };
}

/** Counts of one criterion's changes over a re-grading. */
export interface CriterionChangeCount {
  criterion: RewardBasis;
  passToFail: number;
  failToPass: number;
  /** Any other change: to or from not scored, a criterion added or gone. */
  other: number;
}

/** What a re-grading of many sessions changes, in counts. */
export interface RegradeSummary {
  sessions: number;
  /** Sessions with any change (outcome, reward or a criterion). */
  changed: number;
  passedBefore: number;
  passedAfter: number;
  /** Outcomes pass → fail and fail → pass. */
  passToFail: number;
  failToPass: number;
  /** Per criterion with any change, in the evaluator's order. */
  byCriterion: CriterionChangeCount[];
  /** Sessions with an assertion left not judged (new or reworded text). */
  unjudged: number;
}

export function summarizeRegrade(results: readonly RegradeResult[]): RegradeSummary {
  const counts = new Map<RewardBasis, CriterionChangeCount>();
  let changed = 0;
  let passedBefore = 0;
  let passedAfter = 0;
  let passToFail = 0;
  let failToPass = 0;
  let unjudged = 0;
  for (const r of results) {
    if (regradeChanged(r)) changed++;
    if (r.before.outcome === 'pass') passedBefore++;
    if (r.after.outcome === 'pass') passedAfter++;
    if (r.before.outcome === 'pass' && r.after.outcome === 'fail') passToFail++;
    if (r.before.outcome === 'fail' && r.after.outcome === 'pass') failToPass++;
    if (r.unjudged.length) unjudged++;
    for (const c of r.changes) {
      let n = counts.get(c.criterion);
      if (!n) counts.set(c.criterion, (n = { criterion: c.criterion, passToFail: 0, failToPass: 0, other: 0 }));
      if (c.from === 'pass' && c.to === 'fail') n.passToFail++;
      else if (c.from === 'fail' && c.to === 'pass') n.failToPass++;
      else n.other++;
    }
  }
  return {
    sessions: results.length,
    changed,
    passedBefore,
    passedAfter,
    passToFail,
    failToPass,
    byCriterion: CRITERIA_ORDER.flatMap((c) => counts.get(c) ?? []),
    unjudged,
  };
}

/**
 * Re-grading a stored run against the library's current scenario definitions: which sessions
 * need it, computing the new scores (nothing written), and writing them on confirmation. The
 * scoring itself is core (scenarios/regrade.ts); this joins it with storage and the tool sandbox.
 */
import {
  canRegrade,
  regradePatch,
  regradeSession,
  replayGoldAsync,
  scenarioVersionStatus,
  type GoldReplay,
  type RegradeResult,
  type Scenario,
  type Session,
} from '../core/index.ts';
import type { Storage } from '../storage/repo.ts';
import { codeToolRunner } from './tool-sandbox.ts';

/** Where a run's sessions stand against the library's scenarios. */
export interface RegradeStatus {
  /** Scored sessions graded against an older definition than the library's, or an unrecorded one. */
  outdated: Session[];
  /** Of them, those whose version was never recorded (stored before versions were). */
  unknown: number;
  /** Scenario ids of the outdated sessions, in the run's order. */
  scenarioIds: string[];
  /** Sessions whose scenario is no longer in the library: they cannot be re-graded. */
  gone: number;
  /** Sessions already re-graded against the current definitions (their conversation ran an older one). */
  regraded: Session[];
}

/** Sorts a run's sessions by where they stand against `scenarios` (the library's, whole, by id). */
export function regradeStatus(sessions: readonly Session[], scenarios: ReadonlyMap<string, Scenario>, scenarioOrder: readonly string[]): RegradeStatus {
  const outdated: Session[] = [];
  const regraded: Session[] = [];
  let unknown = 0;
  let gone = 0;
  for (const s of sessions) {
    if (!canRegrade(s)) continue;
    const scenario = scenarios.get(s.scenarioId);
    if (!scenario) {
      gone++;
      continue;
    }
    const status = scenarioVersionStatus(s, scenario);
    if (status === 'current') {
      if (s.regrades?.length) regraded.push(s);
      continue;
    }
    if (status === 'unknown') unknown++;
    outdated.push(s);
  }
  const ids = new Set(outdated.map((s) => s.scenarioId));
  return { outdated, unknown, scenarioIds: scenarioOrder.filter((id) => ids.has(id)), gone, regraded };
}

/** A session re-grading could not score, and why. */
export interface RegradeSkip {
  sessionId: string;
  reason: string;
}

/**
 * The new scores of `sessions` against `scenarios`, computed from their stored turns and final
 * databases; nothing is written. Gold actions are replayed once per scenario (code tools in
 * the sandbox). `onProgress` is told after each session.
 */
export async function computeRegrade(
  storage: Storage,
  sessions: readonly Session[],
  scenarios: ReadonlyMap<string, Scenario>,
  onProgress?: (done: number, total: number) => void,
): Promise<{ results: RegradeResult[]; skipped: RegradeSkip[] }> {
  const env = { codeRunner: codeToolRunner };
  const gold = new Map<string, GoldReplay>();
  const results: RegradeResult[] = [];
  const skipped: RegradeSkip[] = [];
  let done = 0;
  for (const session of sessions) {
    const scenario = scenarios.get(session.scenarioId);
    if (!scenario) {
      skipped.push({ sessionId: session.id, reason: 'its scenario is no longer in the library' });
    } else {
      const [turns, dbs] = await Promise.all([storage.listTurns(session.id), storage.getSessionDbs(session.id)]);
      if (!dbs?.finalDb) {
        skipped.push({ sessionId: session.id, reason: 'its final database is not stored' });
      } else {
        let g = gold.get(scenario.id);
        if (!g) gold.set(scenario.id, (g = await replayGoldAsync(scenario, env)));
        results.push(regradeSession(scenario, { session, finalDb: dbs.finalDb, turns }, g, env));
      }
    }
    onProgress?.(++done, sessions.length);
  }
  return { results, skipped };
}

/**
 * Writes computed re-gradings, all or nothing (Storage.applyRegrades): new scores and
 * outcomes, the old ones kept in each session's `regrades`, the run's passed count recounted.
 */
export async function applyRegrade(storage: Storage, runId: string, sessions: readonly Session[], results: readonly RegradeResult[], at = Date.now()): Promise<void> {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const updates = results.map((r) => {
    const s = byId.get(r.sessionId);
    if (!s) throw new Error(`Session "${r.sessionId}" is not among the run's sessions.`);
    return { id: s.id, expectRegrades: s.regrades?.length ?? 0, patch: regradePatch(s, r, at) };
  });
  await storage.applyRegrades(runId, updates);
}

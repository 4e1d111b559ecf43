/**
 * What the leaderboard page reads from storage: for one pack, its scenarios' current versions,
 * and for every run on it the sessions' index keys and the versions it ran, read cheaply (no
 * session is deserialised but one per scenario and persona). The ranking is core
 * (metrics/leaderboard.ts); pins are a setting.
 */
import {
  entryFromSessionId,
  scenarioFingerprint,
  storedScenarioFingerprint,
  type LeaderboardPack,
  type LeaderboardRunInput,
  type LeaderboardSession,
  type Run,
  type Scenario,
} from '../core/index.ts';
import type { ScenarioSummary } from '../storage/db.ts';
import type { Storage } from '../storage/repo.ts';

/** The setting holding the pinned rows' keys (LeaderboardRow.key), across every pack. */
export const LEADERBOARD_PINS_KEY = 'leaderboard.pins';

/** The pinned row keys; anything malformed reads as none. */
export async function loadPins(storage: Storage): Promise<string[]> {
  const v = await storage.getSetting<unknown>(LEADERBOARD_PINS_KEY);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Pins `key` or unpins it; resolves the pins as stored. */
export async function togglePin(storage: Storage, key: string): Promise<string[]> {
  const pins = await loadPins(storage);
  const next = pins.includes(key) ? pins.filter((k) => k !== key) : [...pins, key];
  await storage.putSetting(LEADERBOARD_PINS_KEY, next);
  return next;
}

/** Scenario ids of a pack in the library's order (numbers in numeric order, as the Library lists them). */
export function packScenarioIds(library: readonly ScenarioSummary[], packId: string): string[] {
  const order = new Intl.Collator('en', { numeric: true });
  return library.filter((s) => s.packId === packId).map((s) => s.id).sort((a, b) => order.compare(a, b));
}

/** Runs with at least one scenario of the pack. */
export function runsOnPack(runs: readonly Run[], scenarioIds: readonly string[]): Run[] {
  const ids = new Set(scenarioIds);
  return runs.filter((r) => r.spec.scenarioIds.some((id) => ids.has(id)));
}

/**
 * The pack's current versions and every run on it, as buildLeaderboard reads them.
 * `getScenarios` gives whole scenarios (their fingerprints need the database and tools).
 */
export async function loadLeaderboardInput(
  storage: Storage,
  packId: string,
  library: readonly ScenarioSummary[],
  runs: readonly Run[],
  getScenarios: (ids: readonly string[]) => Promise<Scenario[]>,
): Promise<{ pack: LeaderboardPack; runs: LeaderboardRunInput[] }> {
  const scenarioIds = packScenarioIds(library, packId);
  const scenarios = await getScenarios(scenarioIds);
  const pack: LeaderboardPack = {
    id: packId,
    scenarioIds,
    // Sessions stored before the fingerprint left out storage's own fields hashed them too.
    current: Object.fromEntries(scenarios.map((s) => [s.id, [...new Set([scenarioFingerprint(s), storedScenarioFingerprint(s)])]])),
  };
  const inPack = new Set(scenarioIds);
  const inputs = await Promise.all(
    runsOnPack(runs, scenarioIds).map(async (run): Promise<LeaderboardRunInput> => {
      const [keys, versions] = await Promise.all([
        storage.listSessionKeys(run.id),
        storage.runVersions(run.id, run.spec.scenarioIds.filter((id) => inPack.has(id)), run.spec.personaIds),
      ]);
      const sessions: LeaderboardSession[] = keys.filter((k) => inPack.has(k.scenarioId));
      const entryIds = run.spec.agents?.map((e) => e.id) ?? [];
      if (entryIds.length) {
        // Index keys carry the session id, which names the entry; a session whose id does not
        // (a hand-made bundle) is read for its `agentEntry`.
        for (const [i, s] of sessions.entries()) {
          const entry = entryFromSessionId(s.id, run.id, entryIds, s.scenarioId, s.personaId) ?? (await storage.getSession(s.id, { dbs: false }))?.agentEntry;
          if (entry !== undefined) sessions[i] = { ...s, agentEntry: entry };
        }
      }
      return { run, sessions, scenarioHashes: versions.scenarios, personaHashes: versions.personas, regraded: versions.regraded };
    }),
  );
  return { pack, runs: inputs };
}

/**
 * The IndexedDB schema. This file and its siblings in src/storage/ are the only places in the
 * app that import Dexie; everything else goes through `Storage` (repo.ts).
 */
import type { GgufShape } from '../engine/wllama/gguf.ts';
import Dexie, { type Table } from 'dexie';
import { canonicalHash } from '../core/scenarios/canonical.ts';
import { applyDbDelta, diffDb, type DbDelta } from '../core/scenarios/db-delta.ts';
import type { Json, JsonObject, Persona, Run, Scenario, Session, ToolKind, Turn } from '../core/model/types.ts';
import type { PackFloor } from '../core/metrics/floor.ts';

/** The database name the app uses. Tests pass their own, unique per test. */
export const DEFAULT_DB_NAME = 'understudy';

/** A whole scenario with where it came from and when it arrived (hydrated from its parts). */
export type StoredScenario = Scenario & {
  /** Shipped with the app (re-seeded at start) rather than imported by the user. */
  builtin: boolean;
  /** Epoch ms of the last write by an import or a seed. */
  importedAt: number;
};

/**
 * A scenario row as stored since schema version 2, and what listings return: everything but
 * the heavy parts that many scenarios share. The initial database and the agent side (policy
 * and tools) live once each in `scenarioDbs` / `scenarioAgents` under their canonical hash,
 * so a 114-task pack over a 2.8 MB database stores that database once and lists in kilobytes.
 */
export type ScenarioSummary = Omit<Scenario, 'initialDb' | 'agent'> & {
  /** `canonicalHash` of the initial database: its key in `scenarioDbs`. */
  dbHash: string;
  /** `canonicalHash` of `{ policy, tools }`: its key in `scenarioAgents`. */
  agentHash: string;
  /** The agent's tools by name and kind, for listings that show them without loading them. */
  toolKinds: { name: string; kind: ToolKind }[];
  /** Shipped with the app (re-seeded at start) rather than imported by the user. */
  builtin: boolean;
  /** Epoch ms of the last write by an import or a seed. */
  importedAt: number;
};

/** An initial database, stored once however many scenarios start from it. */
export interface ScenarioDbRow {
  /** `canonicalHash(db)`. */
  hash: string;
  db: JsonObject;
}

/** A scenario's agent side (policy and tools), stored once however many scenarios share it. */
export interface ScenarioAgentRow {
  /** `canonicalHash(agent)`. */
  hash: string;
  agent: Scenario['agent'];
}

/** Where a stored pack came from. */
export type PackOrigin = 'builtin' | 'json' | 'tau2-bench';

/**
 * A scenario pack as a whole: what the library lists and deletes as one. Its scenarios carry
 * `packId` equal to `id`.
 */
export interface PackRecord {
  id: string;
  title: string;
  description: string;
  domain: string;
  origin: PackOrigin;
  /** Number of scenarios written with the pack. */
  taskCount: number;
  /** Epoch ms of the import (or seed). */
  importedAt: number;
  /** Named subsets of task (scenario) ids, e.g. τ²-bench's train / test / base splits. */
  splits?: Record<string, string[]>;
  /** What the import could not carry over, one line each, shown beside the pack. */
  notes?: string[];
  /**
   * What an agent that refuses everything scores on the pack (core/metrics/floor.ts),
   * measured after the pack is stored. Absent until then, and whenever the pack is written
   * again (an import or a changed built-in pack): a new record has none until it is measured.
   */
  floor?: PackFloor;
}

/** A persona as stored: where it came from and when it arrived. */
export type StoredPersona = Persona & {
  /** Shipped with the app (re-seeded at start) rather than imported by the user. */
  builtin: boolean;
  /** Epoch ms of the last write by an import or a seed. */
  importedAt: number;
};

/**
 * The IndexedDB implementation to use. Browsers have one globally; tests pass fake-indexeddb's
 * so no test depends on module evaluation order to install globals.
 */
export interface IndexedDBDeps {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
}

/**
 * Index on sessions used by `summarizeRun`: a key-only cursor over it yields everything the
 * per-scenario / per-persona counts need without deserialising sessions.
 */
export const SESSION_SUMMARY_INDEX = '[runId+scenarioId+personaId+outcome]';

/** Index on sessions counting termination reasons per run; unfinished sessions are absent. */
export const SESSION_TERMINATION_INDEX = '[runId+termination]';

/**
 * Index on sessions of runs that compare several agents (version 4): SESSION_SUMMARY_INDEX with
 * the agent entry after the run, so one entry's counts, or every entry's in one pass, come from
 * index keys alone. Sessions without `agentEntry` (single-agent runs) are absent from it.
 */
export const SESSION_ENTRY_SUMMARY_INDEX = '[runId+agentEntry+scenarioId+personaId+outcome]';

/** Index on sessions counting termination reasons per agent entry (version 4). */
export const SESSION_ENTRY_TERMINATION_INDEX = '[runId+agentEntry+termination]';

/** A session's final and expected databases, whole. */
export interface SessionDbs {
  finalDb?: JsonObject;
  expectedDb?: JsonObject;
}

/**
 * A session's databases as changes to the initial database they started from, which is kept
 * once in `scenarioDbs` however many sessions start from it: a τ²-bench retail session costs
 * a few kilobytes instead of two 2.8 MB copies.
 */
export interface SessionDbsDelta {
  /** `canonicalHash` of the initial database: its key in `scenarioDbs`. */
  baseHash: string;
  finalDelta?: DbDelta;
  expectedDelta?: DbDelta;
}

/**
 * The heavy part of a session, kept apart so listing a run's sessions reads only small rows.
 * Since schema version 3 a row holds deltas against `baseHash`; a row written without a known
 * initial database (before version 3, when its scenario was gone) holds whole databases.
 */
export interface SessionDbsRow extends SessionDbs, Partial<SessionDbsDelta> {
  sessionId: string;
}

/** A row holding `dbs` as deltas against `base`, the initial database whose hash is `base.hash`. */
export function compactSessionDbs(
  sessionId: string,
  dbs: SessionDbs,
  base: { hash: string; db: JsonObject },
): SessionDbsRow {
  return {
    sessionId,
    baseHash: base.hash,
    ...(dbs.finalDb !== undefined ? { finalDelta: diffDb(base.db, dbs.finalDb) } : {}),
    ...(dbs.expectedDb !== undefined ? { expectedDelta: diffDb(base.db, dbs.expectedDb) } : {}),
  };
}

/**
 * A row's whole databases. `base` is its initial database, required when the row holds deltas;
 * the result shares untouched records with it (read them, never mutate them).
 */
export function hydrateSessionDbs(row: SessionDbsRow, base: JsonObject | undefined): SessionDbs {
  if (row.baseHash === undefined) {
    return {
      ...(row.finalDb !== undefined ? { finalDb: row.finalDb } : {}),
      ...(row.expectedDb !== undefined ? { expectedDb: row.expectedDb } : {}),
    };
  }
  if (!base) throw new Error(`Session "${row.sessionId}": its initial database (${row.baseHash}) is missing from storage.`);
  return {
    ...(row.finalDelta !== undefined ? { finalDb: applyDbDelta(base, row.finalDelta) } : {}),
    ...(row.expectedDelta !== undefined ? { expectedDb: applyDbDelta(base, row.expectedDelta) } : {}),
  };
}

/** One app setting (model roles, custom models, …), stored as a key and a JSON-safe value. */
export interface SettingRow {
  key: string;
  value: unknown;
}

/**
 * A GGUF model the user added (by URL or from a local file), without its bytes. Listing these
 * stays light: the file itself lives in `ggufBlobs` under the same id.
 */
export interface GgufModelRecord {
  /** Derived from the file's SHA-256, so the same file always gets the same id. */
  id: string;
  /** File name (from the URL's last path segment or the picked file). */
  name: string;
  source: 'url' | 'file';
  /** Where it was downloaded from (source 'url' only). */
  url?: string;
  sizeBytes: number;
  /** SHA-256 of the whole file, lowercase hex. */
  sha256: string;
  /** `general.architecture` from the GGUF header, e.g. "llama". */
  architecture?: string;
  /**
   * The model's shape from its header (trained window, layers, heads, vocabulary), for the
   * context setting and the KV cache's memory. Absent on records stored before it was read:
   * read from the stored file's header when needed.
   */
  shape?: GgufShape;
  /** Epoch ms. */
  addedAt: number;
}

/** A GGUF model's bytes, kept in IndexedDB so the model works offline (never uploaded). */
export interface GgufBlobRow {
  id: string;
  blob: Blob;
}

export class UnderstudyDB extends Dexie {
  runs!: Table<Run, string>;
  sessions!: Table<Session, string>;
  /** Keyed by [sessionId, index]: one row per turn, written as soon as the turn ends. */
  turns!: Table<Turn, [string, number]>;
  /** Light rows since version 2 (see ScenarioSummary); whole scenarios in version 1. */
  scenarios!: Table<ScenarioSummary, string>;
  personas!: Table<StoredPersona, string>;
  sessionDbs!: Table<SessionDbsRow, string>;
  /** Key-value settings that outlive a page load (e.g. which model fills each role). */
  settings!: Table<SettingRow, string>;
  /** GGUF models for llama.cpp (wllama), without their bytes. */
  ggufModels!: Table<GgufModelRecord, string>;
  /** The GGUF files themselves, keyed by the model's id. */
  ggufBlobs!: Table<GgufBlobRow, string>;
  /** Initial databases by canonical hash (version 2). */
  scenarioDbs!: Table<ScenarioDbRow, string>;
  /** Agent sides (policy and tools) by canonical hash (version 2). */
  scenarioAgents!: Table<ScenarioAgentRow, string>;
  /** Scenario packs as a whole (version 2). */
  packs!: Table<PackRecord, string>;

  constructor(name: string = DEFAULT_DB_NAME, deps?: IndexedDBDeps) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);

    // Schema versions are only ever appended, never edited: a visitor's browser may hold any
    // earlier version. Each new version(n) states the full store list and, where the shape of
    // stored rows changes, an .upgrade(tx => …) that migrates them.
    this.version(1).stores({
      runs: 'id, createdAt, status',
      // Single-field indexes serve cross-run lookups ("every session of scenario X"); the
      // compound ones serve a run's results view, which always filters within one run.
      sessions: [
        'id',
        'runId',
        'scenarioId',
        'personaId',
        'outcome',
        '[runId+scenarioId]',
        '[runId+personaId]',
        '[runId+outcome]',
        '[runId+trial]',
        SESSION_SUMMARY_INDEX,
        SESSION_TERMINATION_INDEX,
      ].join(', '),
      turns: '[sessionId+index], sessionId',
      scenarios: 'id, packId, domain',
      personas: 'id, setId',
      sessionDbs: 'sessionId',
      // Added to version 1 before anything shipped; from now on new stores need a new version.
      settings: 'key',
      // Also added to version 1 before anything shipped.
      ggufModels: 'id, addedAt, sha256',
      ggufBlobs: 'id',
    });

    // Version 2: a scenario's initial database and agent side move out of its row into
    // content-addressed tables, so scenarios sharing a database (a whole τ²-bench domain)
    // store it once and listing scenarios reads no database at all.
    this.version(2)
      .stores({
        runs: 'id, createdAt, status',
        sessions: [
          'id',
          'runId',
          'scenarioId',
          'personaId',
          'outcome',
          '[runId+scenarioId]',
          '[runId+personaId]',
          '[runId+outcome]',
          '[runId+trial]',
          SESSION_SUMMARY_INDEX,
          SESSION_TERMINATION_INDEX,
        ].join(', '),
        turns: '[sessionId+index], sessionId',
        scenarios: 'id, packId, domain, dbHash, agentHash',
        personas: 'id, setId',
        sessionDbs: 'sessionId',
        settings: 'key',
        ggufModels: 'id, addedAt, sha256',
        ggufBlobs: 'id',
        scenarioDbs: 'hash',
        scenarioAgents: 'hash',
        packs: 'id, origin',
      })
      .upgrade(async (tx) => {
        const old = (await tx.table('scenarios').toArray()) as StoredScenario[];
        const parts = splitScenarios(old);
        await tx.table('scenarioDbs').bulkPut(parts.dbs);
        await tx.table('scenarioAgents').bulkPut(parts.agents);
        await tx.table('scenarios').bulkPut(parts.rows);
      });

    // Version 3: a session's final and expected databases are stored as deltas against its
    // scenario's initial database (kept once in scenarioDbs), indexed by that database's hash
    // so it is kept while a session needs it. Rows whose scenario is gone keep whole databases.
    this.version(3)
      .stores({
        runs: 'id, createdAt, status',
        sessions: [
          'id',
          'runId',
          'scenarioId',
          'personaId',
          'outcome',
          '[runId+scenarioId]',
          '[runId+personaId]',
          '[runId+outcome]',
          '[runId+trial]',
          SESSION_SUMMARY_INDEX,
          SESSION_TERMINATION_INDEX,
        ].join(', '),
        turns: '[sessionId+index], sessionId',
        scenarios: 'id, packId, domain, dbHash, agentHash',
        personas: 'id, setId',
        sessionDbs: 'sessionId, baseHash',
        settings: 'key',
        ggufModels: 'id, addedAt, sha256',
        ggufBlobs: 'id',
        scenarioDbs: 'hash',
        scenarioAgents: 'hash',
        packs: 'id, origin',
      })
      .upgrade(async (tx) => {
        const dbsTable = tx.table('sessionDbs');
        const ids = (await dbsTable.toCollection().primaryKeys()) as string[];
        if (ids.length === 0) return;
        const sessions = (await tx.table('sessions').bulkGet(ids)) as (Session | undefined)[];
        const scenarioIds = [...new Set(sessions.flatMap((s) => (s ? [s.scenarioId] : [])))];
        const scenarios = (await tx.table('scenarios').bulkGet(scenarioIds)) as (ScenarioSummary | undefined)[];
        const hashOfScenario = new Map(scenarios.flatMap((s) => (s ? [[s.id, s.dbHash] as const] : [])));
        const hashes = [...new Set(hashOfScenario.values())];
        const bases = new Map(
          ((await tx.table('scenarioDbs').bulkGet(hashes)) as (ScenarioDbRow | undefined)[]).flatMap((r) => (r ? [[r.hash, r.db] as const] : [])),
        );
        const scenarioOf = new Map(sessions.flatMap((s) => (s ? [[s.id, s.scenarioId] as const] : [])));
        await dbsTable.toCollection().modify((row: SessionDbsRow) => {
          if (row.baseHash !== undefined) return;
          const hash = hashOfScenario.get(scenarioOf.get(row.sessionId) ?? '');
          const base = hash === undefined ? undefined : bases.get(hash);
          if (hash === undefined || !base) return;
          const compact = compactSessionDbs(row.sessionId, row, { hash, db: base });
          delete row.finalDb;
          delete row.expectedDb;
          Object.assign(row, compact);
        });
      });

    // Version 4: several agents in one run (issue 14). Two indexes with the agent entry after
    // the run, so a per-entry summary reads index keys only, as summarizeRun does. No upgrade
    // function: no stored row changes shape. IndexedDB builds the new indexes over the rows
    // already stored when this version opens, and a session without `agentEntry` (every
    // session stored before, and every single-agent session after) is left out of them and
    // read as before through the indexes above.
    this.version(4).stores({
      runs: 'id, createdAt, status',
      sessions: [
        'id',
        'runId',
        'scenarioId',
        'personaId',
        'outcome',
        '[runId+scenarioId]',
        '[runId+personaId]',
        '[runId+outcome]',
        '[runId+trial]',
        SESSION_SUMMARY_INDEX,
        SESSION_TERMINATION_INDEX,
        SESSION_ENTRY_SUMMARY_INDEX,
        SESSION_ENTRY_TERMINATION_INDEX,
      ].join(', '),
      turns: '[sessionId+index], sessionId',
      scenarios: 'id, packId, domain, dbHash, agentHash',
      personas: 'id, setId',
      sessionDbs: 'sessionId, baseHash',
      settings: 'key',
      ggufModels: 'id, addedAt, sha256',
      ggufBlobs: 'id',
      scenarioDbs: 'hash',
      scenarioAgents: 'hash',
      packs: 'id, origin',
    });
  }
}

/** Scenarios split into light rows and their distinct shared parts. */
export interface SplitScenarios {
  rows: ScenarioSummary[];
  dbs: ScenarioDbRow[];
  agents: ScenarioAgentRow[];
}

/**
 * Splits whole scenarios into light rows plus one row per distinct database and agent side.
 * Hashes are computed once per object (a pack's scenarios share one database object), so a
 * 114-task pack over a 2.8 MB database hashes it once.
 */
export function splitScenarios(list: readonly StoredScenario[]): SplitScenarios {
  const dbHashes = new Map<object, string>();
  const agentHashes = new Map<object, Map<string, string>>();
  const dbs = new Map<string, ScenarioDbRow>();
  const agents = new Map<string, ScenarioAgentRow>();
  const rows = list.map((s) => {
    const { initialDb, agent, ...rest } = s;
    let dbHash = dbHashes.get(initialDb);
    if (dbHash === undefined) {
      dbHash = canonicalHash(initialDb);
      dbHashes.set(initialDb, dbHash);
    }
    if (!dbs.has(dbHash)) dbs.set(dbHash, { hash: dbHash, db: initialDb });
    // Packs give every task its own { policy, tools } object around the same tools array.
    const byPolicy = agentHashes.get(agent.tools) ?? new Map<string, string>();
    agentHashes.set(agent.tools, byPolicy);
    let agentHash = byPolicy.get(agent.policy);
    if (agentHash === undefined) {
      agentHash = canonicalHash(agent as unknown as Json);
      byPolicy.set(agent.policy, agentHash);
    }
    if (!agents.has(agentHash)) agents.set(agentHash, { hash: agentHash, agent });
    const row: ScenarioSummary = {
      ...rest,
      dbHash,
      agentHash,
      toolKinds: agent.tools.map((t) => ({ name: t.name, kind: t.kind })),
    };
    return row;
  });
  return { rows, dbs: [...dbs.values()], agents: [...agents.values()] };
}

/**
 * The IndexedDB schema. This file and its siblings in src/storage/ are the only places in the
 * app that import Dexie; everything else goes through `Storage` (repo.ts).
 */
import Dexie, { type Table } from 'dexie';
import type { JsonObject, Persona, Run, Scenario, Session, Turn } from '../core/model/types.ts';

/** The database name the app uses. Tests pass their own, unique per test. */
export const DEFAULT_DB_NAME = 'understudy';

/** A scenario as stored: where it came from and when it arrived. */
export type StoredScenario = Scenario & {
  /** Shipped with the app (re-seeded at start) rather than imported by the user. */
  builtin: boolean;
  /** Epoch ms of the last write by an import or a seed. */
  importedAt: number;
};

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
 * The heavy part of a session, its final and expected databases, kept apart so listing a
 * run's sessions reads only small rows.
 */
export interface SessionDbsRow {
  sessionId: string;
  finalDb?: JsonObject;
  expectedDb?: JsonObject;
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
  scenarios!: Table<StoredScenario, string>;
  personas!: Table<StoredPersona, string>;
  sessionDbs!: Table<SessionDbsRow, string>;
  /** Key-value settings that outlive a page load (e.g. which model fills each role). */
  settings!: Table<SettingRow, string>;
  /** GGUF models for llama.cpp (wllama), without their bytes. */
  ggufModels!: Table<GgufModelRecord, string>;
  /** The GGUF files themselves, keyed by the model's id. */
  ggufBlobs!: Table<GgufBlobRow, string>;

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
  }
}

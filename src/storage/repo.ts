/**
 * Repositories over the IndexedDB schema: the app's only way to read and write stored data.
 *
 * Nothing here validates. Every caller that writes data from outside the app (scenario packs,
 * persona sets, run bundles) must validate it in core first; storage trusts its input.
 */
import type { Collection, IndexableType } from 'dexie';
import type {
  ErrorRecord,
  Json,
  JsonObject,
  Outcome,
  Persona,
  Run,
  Scenario,
  Session,
  TerminationReason,
  Turn,
} from '../core/model/types.ts';
import { TERMINATION_REASONS } from '../core/model/types.ts';
import {
  DEFAULT_DB_NAME,
  SESSION_ENTRY_SUMMARY_INDEX,
  SESSION_ENTRY_TERMINATION_INDEX,
  SESSION_SUMMARY_INDEX,
  SESSION_TERMINATION_INDEX,
  UnderstudyDB,
  splitScenarios,
  type GgufModelRecord,
  type IndexedDBDeps,
  type PackRecord,
  type ScenarioSummary,
  type SplitScenarios,
  type StoredPersona,
  type StoredScenario,
  type SessionDbs,
  type SessionDbsRow,
  compactSessionDbs,
  hydrateSessionDbs,
} from './db.ts';
import { canonicalHash, canonicalJson } from '../core/scenarios/canonical.ts';
import type { PackFloor } from '../core/metrics/floor.ts';

/** A persona set's title and description, kept beside its members (which carry `setId`). */
export interface PersonaSetInfo {
  id: string;
  title: string;
  description: string;
}

/** Settings key prefix under which persona set titles are kept. */
export const PERSONA_SET_KEY = 'personaSet:';

// Bounds of IndexedDB's key order: -Infinity sorts before every key, an array holding an array
// after every key this schema stores (numbers < dates < strings < binary < arrays). A fresh
// array each time: key conversion treats one array met twice in a key as a cycle.
const MIN_KEY: IndexableType = -Infinity;
const maxKey = (): IndexableType => [[]];

/** A GGUF model to store: its record, and its bytes when they should be kept (always, in the app). */
export type GgufModelInput = GgufModelRecord & { blob?: Blob };

/** Fields of a run that may change after it is created. */
export type RunPatch = Partial<Omit<Run, 'id'>>;
/** Fields of a session that may change after it is created. */
export type SessionPatch = Partial<Omit<Session, 'id' | 'runId'>>;

/** A session as a run's index keys give it (Storage.listSessionKeys). */
export interface SessionKey {
  id: string;
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  /** Stopped by the person running the evaluation (termination "aborted"). */
  aborted: boolean;
}

/** The versions of its scenarios and personas a run played (Storage.runVersions). */
export interface RunVersions {
  /** Scenario id → the `scenarioHash` its sessions carry (undefined: not recorded). */
  scenarios: Record<string, string | undefined>;
  /** Persona id → the `personaHash` its sessions carry. */
  personas: Record<string, string | undefined>;
  /** Scenarios whose sessions have been re-graded. */
  regraded: string[];
}

/** One session's re-grading to write (Storage.applyRegrades). */
export interface RegradeWrite {
  id: string;
  patch: Pick<SessionPatch, 'score' | 'outcome' | 'regrades' | 'expectedDb'>;
  /** How many re-gradings the session had when the patch was computed. */
  expectRegrades: number;
}

/** Narrows a run's sessions; fields left out match everything. */
export interface SessionFilter {
  /** One agent entry's sessions, in a run of several agents (Session.agentEntry). */
  agentEntry?: string;
  scenarioId?: string;
  personaId?: string;
  outcome?: Outcome;
}

/** Counts for one group of sessions. */
export interface PassCounts {
  /** Sessions with outcome 'pass'. */
  passed: number;
  /** Sessions that have finished (any outcome but 'running'). */
  done: number;
  /** Sessions stored so far; the run's planned number is `Run.totalSessions`. */
  total: number;
}

/** What a run's results view shows at a glance, from one pass over the run's index entries. */
export interface RunSummary {
  runId: string;
  /** The agent entry these counts are of (summarizeRunEntries); absent: the whole run. */
  entry?: string;
  overall: PassCounts;
  outcomes: Record<Outcome, number>;
  byScenario: Record<string, PassCounts>;
  byPersona: Record<string, PassCounts>;
  /** scenarioId → personaId → counts: the cells of a scenario × persona grid. */
  byPair: Record<string, Record<string, PassCounts>>;
  /** Every reason is present, zero where no session ended that way. */
  terminations: Record<TerminationReason, number>;
}

/** The error recorded on sessions that were running when their tab went away. */
export const INTERRUPTED_ERROR: Readonly<ErrorRecord> = Object.freeze({
  name: 'Interrupted',
  message: 'The page was closed while this session was running.',
});

/**
 * The order sessions are listed and exported in: scenario, persona, trial (then id, so that
 * the order is total even for odd data).
 */
export function compareSessions(a: Session, b: Session): number {
  return (
    cmp(a.scenarioId, b.scenarioId) ||
    cmp(a.personaId, b.personaId) ||
    a.trial - b.trial ||
    cmp(a.id, b.id)
  );
}

// Code-unit order, not localeCompare: the order must not depend on the visitor's locale.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyCounts(): PassCounts {
  return { passed: 0, done: 0, total: 0 };
}

function emptySummary(runId: string): RunSummary {
  return {
    runId,
    overall: emptyCounts(),
    outcomes: { running: 0, pass: 0, fail: 0, error: 0 },
    byScenario: dict(),
    byPersona: dict(),
    byPair: dict(),
    terminations: Object.fromEntries(TERMINATION_REASONS.map((r) => [r, 0])) as Record<TerminationReason, number>,
  };
}

/** Counts one session (by its index key's fields) into a summary. */
function tally(summary: RunSummary, scenarioId: string, personaId: string, outcome: Outcome): void {
  const row = (summary.byPair[scenarioId] ??= dict());
  const groups = [
    summary.overall,
    (summary.byScenario[scenarioId] ??= emptyCounts()),
    (summary.byPersona[personaId] ??= emptyCounts()),
    (row[personaId] ??= emptyCounts()),
  ];
  const done = outcome !== 'running';
  const passed = outcome === 'pass';
  for (const g of groups) {
    g.total++;
    if (done) g.done++;
    if (passed) g.passed++;
  }
  summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
}

// Null-prototype maps: ids come from user files and "__proto__" must be an ordinary key.
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Splits a session into its light row and its whole databases (undefined when it has none). */
export function splitSession(session: Session): { light: Session; dbs?: SessionDbsRow } {
  const { finalDb, expectedDb, ...light } = session;
  if (finalDb === undefined && expectedDb === undefined) return { light };
  return {
    light,
    dbs: {
      sessionId: session.id,
      ...(finalDb !== undefined ? { finalDb } : {}),
      ...(expectedDb !== undefined ? { expectedDb } : {}),
    },
  };
}

/** The inverse of splitSession: a light row with its whole databases. */
export function joinSession(light: Session, dbs: SessionDbs | undefined): Session {
  if (!dbs) return light;
  return {
    ...light,
    ...(dbs.finalDb !== undefined ? { finalDb: dbs.finalDb } : {}),
    ...(dbs.expectedDb !== undefined ? { expectedDb: dbs.expectedDb } : {}),
  };
}

/** How a session's databases are written: against which initial database. */
export interface SessionWriteOptions {
  /**
   * The scenario's initial database the session started from. Given, the final and expected
   * databases are stored as deltas against it (and it is stored once, by hash, if it is not
   * already); left out, they are stored whole. Read-only: it is remembered by identity.
   */
  initialDb?: JsonObject;
}

export class Storage {
  constructor(readonly db: UnderstudyDB) {}

  // Initial databases this instance has hashed, or read from scenarioDbs, by identity: a run
  // hands the same (read-only) object for every session of a scenario, so a 2.8 MB database
  // is hashed and checked against the stored row once per run rather than once per session.
  private readonly dbHashes = new WeakMap<JsonObject, string>();
  private readonly storedDbs = new WeakSet<JsonObject>();

  /** Opens (creating or upgrading as needed) the app's database. */
  static open(name: string = DEFAULT_DB_NAME, deps?: IndexedDBDeps): Storage {
    return new Storage(new UnderstudyDB(name, deps));
  }

  close(): void {
    this.db.close();
  }

  /* ------------------------------------------------------------------ runs */

  /** Adds a new run; rejects if a run with that id exists. */
  async createRun(run: Run): Promise<void> {
    await this.db.runs.add(run);
  }

  /**
   * Merges `patch` into the stored run (a key set to undefined removes that field).
   * Resolves false when there is no such run.
   */
  async updateRun(id: string, patch: RunPatch): Promise<boolean> {
    return (await this.db.runs.update(id, patch)) > 0;
  }

  getRun(id: string): Promise<Run | undefined> {
    return this.db.runs.get(id);
  }

  /** All runs, newest first. */
  listRuns(): Promise<Run[]> {
    return this.db.runs.orderBy('createdAt').reverse().toArray();
  }

  /**
   * Deletes a run with all its sessions and their turns, in one transaction: either all of it
   * goes or none. Initial databases that only its sessions used go too. Resolves false when
   * there was no such run (orphaned sessions are still removed).
   */
  async deleteRun(id: string): Promise<boolean> {
    const { db } = this;
    return db.transaction('rw', [db.runs, db.sessions, db.turns, db.sessionDbs, db.scenarioDbs, db.scenarios], async () => {
      const existed = (await db.runs.get(id)) !== undefined;
      const sessionIds = await db.sessions.where('runId').equals(id).primaryKeys();
      if (sessionIds.length > 0) {
        await db.turns.where('sessionId').anyOf(sessionIds).delete();
        await db.sessionDbs.bulkDelete(sessionIds);
        await db.sessions.bulkDelete(sessionIds);
        // Key-only: the few stored databases, not their contents.
        await this.dropUnusedDbs(await db.scenarioDbs.toCollection().primaryKeys());
      }
      await db.runs.delete(id);
      return existed;
    });
  }

  /**
   * Call at app start. Runs still 'running' were left by a tab that closed: they become
   * 'interrupted'. Their sessions still 'running' (and those of any other run) become done,
   * outcome 'error', termination 'aborted', with `INTERRUPTED_ERROR`; their turns are kept,
   * `turnCount` is set to the turns actually stored and `finishedAt` to the end of the last
   * one. Affected runs get `doneSessions` / `passedSessions` recounted from their sessions, leaving
   * out the sessions cut short, as the runner does.
   *
   * `keepRunIds` names runs another tab is executing right now (e.g. from held Web Locks);
   * they and their sessions are left alone. Resolves with the ids of the runs marked.
   */
  async markInterruptedRuns(
    opts: { keepRunIds?: Iterable<string> } = {},
  ): Promise<string[]> {
    const keep = new Set(opts.keepRunIds ?? []);
    const { db } = this;
    return db.transaction('rw', db.runs, db.sessions, db.turns, async () => {
      const runIds = (await db.runs.where('status').equals('running').primaryKeys()).filter(
        (id) => !keep.has(id),
      );
      // Relies on the invariant outcome === 'running' ⇔ status === 'running'.
      const stale = (await db.sessions.where('outcome').equals('running').toArray()).filter(
        (s) => !keep.has(s.runId),
      );

      for (const s of stale) {
        const range = db.turns
          .where('[sessionId+index]')
          .between([s.id, MIN_KEY], [s.id, maxKey()], true, true);
        const [turnCount, last] = await Promise.all([range.count(), range.clone().last()]);
        const patch: SessionPatch = {
          status: 'done',
          outcome: 'error',
          termination: 'aborted',
          error: { ...INTERRUPTED_ERROR },
          turnCount,
          finishedAt: last ? Math.max(s.startedAt, last.startedAt + last.durationMs) : s.startedAt,
        };
        await db.sessions.update(s.id, patch);
      }

      for (const id of runIds) await db.runs.update(id, { status: 'interrupted' });

      const affected = new Set([...runIds, ...stale.map((s) => s.runId)]);
      for (const runId of affected) {
        // As the runner counts: a session cut short (termination 'aborted') is neither done nor
        // scored, so the Runs list's rate agrees with the run page's, which leaves it out too.
        const [done, passed] = await Promise.all([
          db.sessions
            .where('runId')
            .equals(runId)
            .filter((x) => x.outcome !== 'running' && x.termination !== 'aborted')
            .count(),
          db.sessions.where('[runId+outcome]').equals([runId, 'pass']).count(),
        ]);
        await db.runs.update(runId, { doneSessions: done, passedSessions: passed });
      }
      return runIds;
    });
  }

  /* -------------------------------------------------------------- sessions */

  /**
   * Inserts or replaces a session. Its final and expected databases go to a table of their
   * own, in the same transaction, so listings stay light: as deltas against `opts.initialDb`
   * when given (the way a run writes them), else whole. A session without databases drops any
   * stored ones. Throws, writing nothing, when a different database is stored under the
   * initial database's hash.
   */
  async putSession(session: Session, opts: SessionWriteOptions = {}): Promise<void> {
    const { db } = this;
    const { light, dbs } = splitSession(session);
    const base = dbs && opts.initialDb ? this.baseOf(opts.initialDb) : undefined;
    // Diffed before the transaction opens, so it is not held open by the CPU work.
    const row = dbs && base ? compactSessionDbs(session.id, dbs, base) : dbs;
    await db.transaction('rw', [db.sessions, db.sessionDbs, db.scenarioDbs], async () => {
      if (base) await this.storeBase(base);
      await db.sessions.put(light);
      if (row) await db.sessionDbs.put(row);
      else await db.sessionDbs.delete(session.id);
    });
  }

  /**
   * Merges `patch` into the stored session. Resolves false when there is no such session.
   * Databases in the patch are stored as deltas against `opts.initialDb`, else against the
   * initial database the session's stored ones already use, else whole.
   */
  async updateSession(id: string, patch: SessionPatch, opts: SessionWriteOptions = {}): Promise<boolean> {
    const { db } = this;
    const { finalDb, expectedDb, ...rest } = patch;
    const given = opts.initialDb ? this.baseOf(opts.initialDb) : undefined;
    return db.transaction('rw', db.sessions, db.sessionDbs, db.scenarioDbs, async () => {
      const found = (await db.sessions.update(id, rest)) > 0 || (await db.sessions.get(id)) !== undefined;
      if (found && (finalDb !== undefined || expectedDb !== undefined)) {
        const prev = await db.sessionDbs.get(id);
        const prevBase = prev?.baseHash !== undefined ? await this.readBase(prev.baseHash) : undefined;
        const whole = {
          ...(prev ? hydrateSessionDbs(prev, prevBase?.db) : {}),
          ...(finalDb !== undefined ? { finalDb } : {}),
          ...(expectedDb !== undefined ? { expectedDb } : {}),
        };
        const base = given ?? prevBase;
        if (given) await this.storeBase(given);
        await db.sessionDbs.put(base ? compactSessionDbs(id, whole, base) : { sessionId: id, ...whole });
      }
      return found;
    });
  }

  /**
   * A session, with its whole databases unless `opts.dbs` is false (the light row, as
   * listings return). The databases share untouched records with each other: read them,
   * never mutate them.
   */
  async getSession(id: string, opts: { dbs?: boolean } = {}): Promise<Session | undefined> {
    const { db } = this;
    if (opts.dbs === false) return db.sessions.get(id);
    return db.transaction('r', db.sessions, db.sessionDbs, db.scenarioDbs, async () => {
      const s = await db.sessions.get(id);
      if (!s) return undefined;
      const row = await db.sessionDbs.get(id);
      return row ? joinSession(s, await this.hydrate(row)) : s;
    });
  }

  /**
   * A session's final and expected databases, the heavy part of a session, whole, with the
   * initial database they were stored against when there is one (the session's own start,
   * even if its scenario has changed or gone since). Undefined when there is no such session.
   */
  async getSessionDbs(id: string): Promise<(SessionDbs & { initialDb?: JsonObject }) | undefined> {
    const { db } = this;
    return db.transaction('r', db.sessions, db.sessionDbs, db.scenarioDbs, async () => {
      const row = await db.sessionDbs.get(id);
      if (!row) return (await db.sessions.get(id)) ? {} : undefined;
      if (row.baseHash === undefined) return hydrateSessionDbs(row, undefined);
      const base = await this.readBase(row.baseHash);
      return { ...hydrateSessionDbs(row, base?.db), ...(base ? { initialDb: base.db } : {}) };
    });
  }

  /** A stored row's whole databases; reads its initial database when it holds deltas. */
  private async hydrate(row: SessionDbsRow): Promise<SessionDbs> {
    if (row.baseHash === undefined) return hydrateSessionDbs(row, undefined);
    return hydrateSessionDbs(row, (await this.readBase(row.baseHash))?.db);
  }

  /** An initial database with its hash, hashed at most once per object. */
  private baseOf(initialDb: JsonObject): { hash: string; db: JsonObject } {
    let hash = this.dbHashes.get(initialDb);
    if (hash === undefined) {
      hash = canonicalHash(initialDb);
      this.dbHashes.set(initialDb, hash);
    }
    return { hash, db: initialDb };
  }

  // Within a transaction over scenarioDbs.
  private async readBase(hash: string): Promise<{ hash: string; db: JsonObject } | undefined> {
    const row = await this.db.scenarioDbs.get(hash);
    if (!row) return undefined;
    this.dbHashes.set(row.db, hash);
    this.storedDbs.add(row.db);
    return { hash, db: row.db };
  }

  // Makes sure scenarioDbs holds `base` under its hash, within a transaction over it. The first
  // time an object is met its content is compared with the stored row: the hash is not
  // cryptographic, and a collision must fail loudly rather than give a session another base.
  private async storeBase(base: { hash: string; db: JsonObject }): Promise<void> {
    if (this.storedDbs.has(base.db) && (await this.db.scenarioDbs.where('hash').equals(base.hash).count()) > 0) return;
    const stored = await this.db.scenarioDbs.get(base.hash);
    if (!stored) await this.db.scenarioDbs.put(base);
    else if (canonicalJson(stored.db) !== canonicalJson(base.db))
      throw new Error(`Two different databases share the hash ${base.hash}; nothing was written.`);
    this.storedDbs.add(base.db);
  }

  /**
   * A run's sessions matching `filter`, ordered by scenario, persona, trial, without their
   * databases (ask getSessionDbs for those), so a results view of thousands stays light.
   */
  async listSessions(runId: string, filter: SessionFilter = {}): Promise<Session[]> {
    const sessions = await this.sessionQuery(runId, filter).toArray();
    return sessions.sort(compareSessions);
  }

  countSessions(runId: string, filter: SessionFilter = {}): Promise<number> {
    return this.sessionQuery(runId, filter).count();
  }

  // Picks the index that narrows most; whatever it leaves is filtered in JS.
  private sessionQuery(runId: string, f: SessionFilter): Collection<Session, string> {
    const s = this.db.sessions;
    if (f.agentEntry !== undefined) {
      // The entry index's fields in order: a filter narrows by its longest prefix.
      const prefix: IndexableType[] = [runId, f.agentEntry];
      for (const v of [f.scenarioId, f.personaId, f.outcome]) {
        if (v === undefined) break;
        prefix.push(v);
      }
      const rest = 5 - prefix.length;
      const c = rest === 0
        ? s.where(SESSION_ENTRY_SUMMARY_INDEX).equals(prefix as IndexableType)
        : s.where(SESSION_ENTRY_SUMMARY_INDEX).between(
            [...prefix, ...Array<IndexableType>(rest).fill(MIN_KEY)],
            [...prefix, ...Array.from({ length: rest }, maxKey)],
            true,
            true,
          );
      const { scenarioId, personaId, outcome } = f;
      return c.and(
        (x) =>
          (scenarioId === undefined || x.scenarioId === scenarioId) &&
          (personaId === undefined || x.personaId === personaId) &&
          (outcome === undefined || x.outcome === outcome),
      );
    }
    if (f.scenarioId !== undefined && f.personaId !== undefined) {
      const prefix = [runId, f.scenarioId, f.personaId];
      return f.outcome !== undefined
        ? s.where(SESSION_SUMMARY_INDEX).equals([...prefix, f.outcome])
        : s.where(SESSION_SUMMARY_INDEX).between([...prefix, MIN_KEY], [...prefix, maxKey()], true, true);
    }
    const outcome = f.outcome;
    const byOutcome = (c: Collection<Session, string>) =>
      outcome === undefined ? c : c.and((x) => x.outcome === outcome);
    if (f.scenarioId !== undefined)
      return byOutcome(s.where('[runId+scenarioId]').equals([runId, f.scenarioId]));
    if (f.personaId !== undefined)
      return byOutcome(s.where('[runId+personaId]').equals([runId, f.personaId]));
    if (outcome !== undefined) return s.where('[runId+outcome]').equals([runId, outcome]);
    return s.where('runId').equals(runId);
  }

  /**
   * Per-scenario, per-persona and per-pair pass counts and termination counts of a run.
   * Reads index keys only, never the sessions themselves (which hold whole databases), so it
   * stays cheap for runs of thousands of sessions.
   */
  async summarizeRun(runId: string): Promise<RunSummary> {
    const { db } = this;
    return db.transaction('r', db.sessions, async () => {
      const [keys, terminationCounts] = await Promise.all([
        db.sessions
          .where(SESSION_SUMMARY_INDEX)
          .between([runId, MIN_KEY, MIN_KEY, MIN_KEY], [runId, maxKey(), maxKey(), maxKey()], true, true)
          .keys(),
        Promise.all(
          TERMINATION_REASONS.map((r) =>
            db.sessions.where(SESSION_TERMINATION_INDEX).equals([runId, r]).count(),
          ),
        ),
      ]);

      const summary = emptySummary(runId);
      TERMINATION_REASONS.forEach((r, i) => (summary.terminations[r] = terminationCounts[i] ?? 0));
      for (const key of keys) {
        const [, scenarioId, personaId, outcome] = key as unknown as [string, string, string, Outcome];
        tally(summary, scenarioId, personaId, outcome);
      }
      return summary;
    });
  }

  /**
   * The summary of each agent entry of a run that compares several agents, by entry id, in one
   * pass over the entry indexes' keys: as cheap per entry as summarizeRun is per run. `entry`
   * narrows it to that entry. A single-agent run has no entries: the result is empty.
   */
  async summarizeRunEntries(runId: string, opts: { entry?: string } = {}): Promise<Map<string, RunSummary>> {
    const { db } = this;
    const head = opts.entry === undefined ? [runId] : [runId, opts.entry];
    const bounds = (fields: number): [IndexableType[], IndexableType[]] => [
      [...head, ...Array<IndexableType>(fields - head.length).fill(MIN_KEY)],
      [...head, ...Array.from({ length: fields - head.length }, maxKey)],
    ];
    return db.transaction('r', db.sessions, async () => {
      const [keys, endings] = await Promise.all([
        db.sessions.where(SESSION_ENTRY_SUMMARY_INDEX).between(...bounds(5), true, true).keys(),
        db.sessions.where(SESSION_ENTRY_TERMINATION_INDEX).between(...bounds(3), true, true).keys(),
      ]);
      const out = new Map<string, RunSummary>();
      const of = (entry: string) => {
        let s = out.get(entry);
        if (!s) out.set(entry, (s = { ...emptySummary(runId), entry }));
        return s;
      };
      for (const key of keys) {
        const [, entry, scenarioId, personaId, outcome] = key as unknown as [string, string, string, string, Outcome];
        tally(of(entry), scenarioId, personaId, outcome);
      }
      for (const key of endings) {
        const [, entry, reason] = key as unknown as [string, string, TerminationReason];
        const t = of(entry).terminations;
        if (reason in t) t[reason]++;
      }
      return out;
    });
  }

  /* ----------------------------------------------------------------- turns */

  /** Stores one finished turn (a single put; re-writing the same index replaces it). */
  async appendTurn(turn: Turn): Promise<void> {
    await this.db.turns.put(turn);
  }

  /** A session's turns in order. */
  listTurns(sessionId: string): Promise<Turn[]> {
    return this.db.turns
      .where('[sessionId+index]')
      .between([sessionId, MIN_KEY], [sessionId, maxKey()], true, true)
      .toArray();
  }

  /* ------------------------------------------- leaderboard and re-grading */

  /**
   * A run's sessions as its index keys give them (id, scenario, persona, outcome) and whether
   * each was stopped by the person: what the leaderboard counts, read without deserialising a
   * single session, as summarizeRun does.
   */
  async listSessionKeys(runId: string): Promise<SessionKey[]> {
    const { db } = this;
    return db.transaction('r', db.sessions, async () => {
      const aborted = new Set(await db.sessions.where(SESSION_TERMINATION_INDEX).equals([runId, 'aborted']).primaryKeys());
      const out: SessionKey[] = [];
      await db.sessions
        .where(SESSION_SUMMARY_INDEX)
        .between([runId, MIN_KEY, MIN_KEY, MIN_KEY], [runId, maxKey(), maxKey(), maxKey()], true, true)
        .eachKey((key, cursor) => {
          const [, scenarioId, personaId, outcome] = key as unknown as [string, string, string, Outcome];
          const id = cursor.primaryKey as string;
          out.push({ id, scenarioId, personaId, outcome, aborted: aborted.has(id) });
        });
      return out;
    });
  }

  /**
   * The versions a run's sessions ran: for each scenario its first session's `scenarioHash`
   * (and whether that session has been re-graded), for each persona its first session's
   * `personaHash`. One run plays one version of each, so one light row per scenario and per
   * persona tells it.
   */
  async runVersions(runId: string, scenarioIds: readonly string[], personaIds: readonly string[]): Promise<RunVersions> {
    const { db } = this;
    return db.transaction('r', db.sessions, async () => {
      const [byScenario, byPersona] = await Promise.all([
        Promise.all(scenarioIds.map((id) => db.sessions.where('[runId+scenarioId]').equals([runId, id]).first())),
        Promise.all(personaIds.map((id) => db.sessions.where('[runId+personaId]').equals([runId, id]).first())),
      ]);
      const scenarios: Record<string, string | undefined> = dict();
      const personas: Record<string, string | undefined> = dict();
      const regraded: string[] = [];
      scenarioIds.forEach((id, i) => {
        const s = byScenario[i];
        scenarios[id] = s?.scenarioHash;
        if (s?.regrades?.length) regraded.push(id);
      });
      personaIds.forEach((id, i) => (personas[id] = byPersona[i]?.personaHash));
      return { scenarios, personas, regraded };
    });
  }

  /**
   * Writes a re-grading of a run's sessions, all or nothing, in one transaction: each session's
   * new score, outcome and expected database with its `regrades` (the scores they replace), and
   * the run's passed count recounted from its sessions. Every session must still have the
   * number of re-gradings it had when the new scores were computed (`expectRegrades`): a
   * session changed meanwhile (another tab re-graded it) throws, and nothing is written.
   */
  async applyRegrades(runId: string, updates: readonly RegradeWrite[]): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.runs, db.sessions, db.sessionDbs, db.scenarioDbs], async () => {
      for (const u of updates) {
        const s = await db.sessions.get(u.id);
        if (!s || s.runId !== runId) throw new Error(`Session "${u.id}" is not in run "${runId}"; nothing was written.`);
        if ((s.regrades?.length ?? 0) !== u.expectRegrades)
          throw new Error(`Session "${u.id}" was re-graded meanwhile; nothing was written. Compute the re-grading again.`);
        await this.updateSession(u.id, u.patch);
      }
      const passed = await db.sessions.where('[runId+outcome]').equals([runId, 'pass']).count();
      await db.runs.update(runId, { passedSessions: passed });
    });
  }

  /* ------------------------------------------------------ scenarios/personas */

  /**
   * Inserts or replaces scenarios, all in one transaction. Each scenario's initial database
   * and agent side are stored once under their canonical hash, however many scenarios share
   * them; parts no scenario uses any more (nor, for databases, any stored session) are
   * removed. Callers must have validated the
   * scenarios (core/scenarios) first: storage writes what it is given.
   */
  async putScenarios(list: readonly Scenario[], opts: { builtin: boolean }): Promise<void> {
    const importedAt = Date.now();
    const split = splitScenarios(list.map((s) => ({ ...s, builtin: opts.builtin, importedAt })));
    const { db } = this;
    await db.transaction('rw', [db.scenarios, db.scenarioDbs, db.scenarioAgents, db.sessionDbs], async () => {
      const before = await db.scenarios.bulkGet(split.rows.map((r) => r.id));
      await this.writeSplit(split);
      await this.dropUnusedParts(before);
    });
  }

  /**
   * Stores a pack as one: its record and every scenario, replacing an earlier pack of the same
   * id whole (its scenarios that the new version lacks are deleted). All or nothing: if any
   * write fails, the library is as it was. `scenarios` must all carry `packId === pack.id`.
   */
  async putPack(
    pack: Omit<PackRecord, 'taskCount' | 'importedAt'>,
    scenarios: readonly Scenario[],
    opts: { builtin?: boolean } = {},
  ): Promise<void> {
    const stray = scenarios.find((s) => s.packId !== pack.id);
    if (stray) throw new Error(`Scenario "${stray.id}" does not belong to pack "${pack.id}".`);
    const importedAt = Date.now();
    const builtin = opts.builtin ?? false;
    const split = splitScenarios(scenarios.map((s) => ({ ...s, builtin, importedAt })));
    const record: PackRecord = { ...pack, taskCount: scenarios.length, importedAt };
    const { db } = this;
    await db.transaction('rw', [db.scenarios, db.scenarioDbs, db.scenarioAgents, db.packs, db.sessionDbs], async () => {
      const old = await db.scenarios.where('packId').equals(pack.id).toArray();
      const keep = new Set(split.rows.map((r) => r.id));
      const gone = old.filter((s) => !keep.has(s.id));
      const replaced = await db.scenarios.bulkGet(split.rows.map((r) => r.id));
      await db.scenarios.bulkDelete(gone.map((s) => s.id));
      await db.packs.put(record);
      await this.writeSplit(split);
      await this.dropUnusedParts([...old, ...replaced]);
    });
  }

  /**
   * Stores a pack's floor on its record, only if the record is still the one it was measured
   * for (same `importedAt`): a pack replaced or deleted meanwhile keeps what it has. Resolves
   * whether it was written.
   */
  async setPackFloor(id: string, importedAt: number, floor: PackFloor): Promise<boolean> {
    const { db } = this;
    return db.transaction('rw', db.packs, async () => {
      const record = await db.packs.get(id);
      if (!record || record.importedAt !== importedAt) return false;
      await db.packs.put({ ...record, floor });
      return true;
    });
  }

  /** Every stored pack record, by id. Built-in packs seeded before version 2 may lack one. */
  listPacks(): Promise<PackRecord[]> {
    return this.db.packs.toArray();
  }

  getPack(id: string): Promise<PackRecord | undefined> {
    return this.db.packs.get(id);
  }

  /**
   * Deletes a pack: its record, all its scenarios and the databases and agent sides only they
   * used, in one transaction (a database that stored sessions start from stays with them).
   * Resolves with the number of scenarios deleted.
   */
  async deletePack(id: string): Promise<number> {
    const { db } = this;
    return db.transaction('rw', [db.scenarios, db.scenarioDbs, db.scenarioAgents, db.packs, db.sessionDbs], async () => {
      const rows = await db.scenarios.where('packId').equals(id).toArray();
      await db.scenarios.bulkDelete(rows.map((r) => r.id));
      await db.packs.delete(id);
      await this.dropUnusedParts(rows);
      return rows.length;
    });
  }

  /** All scenarios, by id, without their databases and agent sides: light enough to keep in memory. */
  listScenarios(): Promise<ScenarioSummary[]> {
    return this.db.scenarios.toArray();
  }

  /** A whole scenario, its database and agent side joined back in. */
  async getScenario(id: string): Promise<StoredScenario | undefined> {
    return (await this.getScenarios([id]))[0];
  }

  /**
   * Whole scenarios for `ids`, in that order (undefined where there is none). Scenarios sharing
   * a database get the same database object: read it, never mutate it.
   */
  async getScenarios(ids: readonly string[]): Promise<(StoredScenario | undefined)[]> {
    const { db } = this;
    return db.transaction('r', [db.scenarios, db.scenarioDbs, db.scenarioAgents], async () => {
      const rows = await db.scenarios.bulkGet([...ids]);
      const dbHashes = [...new Set(rows.flatMap((r) => (r ? [r.dbHash] : [])))];
      const agentHashes = [...new Set(rows.flatMap((r) => (r ? [r.agentHash] : [])))];
      const [dbRows, agentRows] = await Promise.all([
        db.scenarioDbs.bulkGet(dbHashes),
        db.scenarioAgents.bulkGet(agentHashes),
      ]);
      const dbs = new Map(dbRows.flatMap((r) => (r ? [[r.hash, r.db] as const] : [])));
      // A run hands these back with each session: their hashes are known and they are stored.
      for (const [hash, initialDb] of dbs) {
        this.dbHashes.set(initialDb, hash);
        this.storedDbs.add(initialDb);
      }
      const agents = new Map(agentRows.flatMap((r) => (r ? [[r.hash, r.agent] as const] : [])));
      return rows.map((row) => {
        if (!row) return undefined;
        const initialDb = dbs.get(row.dbHash);
        const agent = agents.get(row.agentHash);
        // Only a bug (or a hand-edited database) separates a row from its parts; say which.
        if (!initialDb) throw new Error(`Scenario "${row.id}": its initial database (${row.dbHash}) is missing from storage.`);
        if (!agent) throw new Error(`Scenario "${row.id}": its policy and tools (${row.agentHash}) are missing from storage.`);
        const { dbHash: _d, agentHash: _a, toolKinds: _t, ...rest } = row;
        return { ...rest, agent, initialDb };
      });
    });
  }

  /**
   * Resolves false when there was no such scenario. Its database and agent side go too when no
   * other scenario (nor, for the database, stored session) uses them (same transaction). Runs
   * keep their titles for reports.
   */
  async deleteScenario(id: string): Promise<boolean> {
    const { db } = this;
    return db.transaction('rw', [db.scenarios, db.scenarioDbs, db.scenarioAgents, db.packs, db.sessionDbs], async () => {
      const row = await db.scenarios.get(id);
      if (!row) return false;
      await db.scenarios.delete(id);
      await this.dropUnusedParts([row]);
      // A pack whose last scenario went is gone too; otherwise its count follows.
      if (row.packId !== undefined) {
        const left = await db.scenarios.where('packId').equals(row.packId).count();
        if (left === 0) await db.packs.delete(row.packId);
        else await db.packs.update(row.packId, { taskCount: left });
      }
      return true;
    });
  }

  // Must run inside a transaction over scenarios, scenarioDbs and scenarioAgents. A part whose
  // hash is already stored is not rewritten (a 2.8 MB database re-imported costs nothing), but
  // its content is compared first: the hash is not cryptographic, so a collision must fail
  // loudly rather than hand one scenario another's database.
  private async writeSplit(split: SplitScenarios): Promise<void> {
    const { db } = this;
    const [oldDbs, oldAgents] = await Promise.all([
      db.scenarioDbs.bulkGet(split.dbs.map((d) => d.hash)),
      db.scenarioAgents.bulkGet(split.agents.map((a) => a.hash)),
    ]);
    const newDbs = split.dbs.filter((d, i) => {
      const old = oldDbs[i];
      if (old && canonicalJson(old.db) !== canonicalJson(d.db)) throw new Error(`Two different databases share the hash ${d.hash}; nothing was written.`);
      return !old;
    });
    const newAgents = split.agents.filter((a, i) => {
      const old = oldAgents[i];
      if (old && canonicalJson(old.agent as unknown as Json) !== canonicalJson(a.agent as unknown as Json))
        throw new Error(`Two different policy-and-tools sets share the hash ${a.hash}; nothing was written.`);
      return !old;
    });
    await db.scenarioDbs.bulkPut(newDbs);
    await db.scenarioAgents.bulkPut(newAgents);
    await db.scenarios.bulkPut(split.rows);
  }

  // Deletes the parts that `rows` (scenarios just removed or replaced) used and no stored
  // scenario (nor, for databases, session) uses any more. Runs inside the caller's transaction.
  private async dropUnusedParts(rows: readonly (ScenarioSummary | undefined)[]): Promise<void> {
    const { db } = this;
    const dbHashes = [...new Set(rows.flatMap((r) => (r ? [r.dbHash] : [])))];
    const agentHashes = [...new Set(rows.flatMap((r) => (r ? [r.agentHash] : [])))];
    await this.dropUnusedDbs(dbHashes);
    for (const hash of agentHashes) {
      if ((await db.scenarios.where('agentHash').equals(hash).count()) === 0) await db.scenarioAgents.delete(hash);
    }
  }

  // Deletes those of `hashes` that no scenario starts from and no session's databases are
  // stored against. Runs inside the caller's transaction over scenarios, scenarioDbs and sessionDbs.
  private async dropUnusedDbs(hashes: readonly string[]): Promise<void> {
    const { db } = this;
    for (const hash of hashes) {
      const used =
        (await db.scenarios.where('dbHash').equals(hash).count()) > 0 ||
        (await db.sessionDbs.where('baseHash').equals(hash).count()) > 0;
      if (!used) await db.scenarioDbs.delete(hash);
    }
  }

  /**
   * Inserts or replaces personas, all in one transaction. Callers must have validated them
   * (core/personas) first: storage writes what it is given.
   */
  async putPersonas(list: readonly Persona[], opts: { builtin: boolean }): Promise<void> {
    const importedAt = Date.now();
    const { db } = this;
    await db.transaction('rw', db.personas, () =>
      db.personas.bulkPut(list.map((p) => ({ ...p, builtin: opts.builtin, importedAt }))),
    );
  }

  /** All personas, by id. */
  listPersonas(): Promise<StoredPersona[]> {
    return this.db.personas.toArray();
  }

  getPersona(id: string): Promise<StoredPersona | undefined> {
    return this.db.personas.get(id);
  }

  /** Resolves false when there was no such persona. */
  async deletePersona(id: string): Promise<boolean> {
    const { db } = this;
    return db.transaction('rw', db.personas, async () => {
      const existed = (await db.personas.get(id)) !== undefined;
      await db.personas.delete(id);
      return existed;
    });
  }

  /**
   * Stores a persona set in one transaction: its members (each with `setId`), its title and
   * description (the setting `personaSet:<id>`), and drops earlier members of the same set
   * that the new version lacks. Callers validate first.
   */
  async putPersonaSet(info: PersonaSetInfo, personas: readonly Persona[], opts: { builtin: boolean }): Promise<void> {
    const importedAt = Date.now();
    const { db } = this;
    await db.transaction('rw', db.personas, db.settings, async () => {
      const keep = new Set(personas.map((p) => p.id));
      const stale = (await db.personas.where('setId').equals(info.id).primaryKeys()).filter((id) => !keep.has(id));
      await db.personas.bulkDelete(stale);
      await db.personas.bulkPut(personas.map((p) => ({ ...p, setId: info.id, builtin: opts.builtin, importedAt })));
      await db.settings.put({ key: PERSONA_SET_KEY + info.id, value: { id: info.id, title: info.title, description: info.description } });
    });
  }

  /** Title and description of every stored persona set that has them. */
  async listPersonaSets(): Promise<PersonaSetInfo[]> {
    const rows = await this.db.settings.where('key').startsWith(PERSONA_SET_KEY).toArray();
    return rows.map((r) => r.value as PersonaSetInfo);
  }

  /** Deletes a set's members that are not built-in, and its title; resolves how many were deleted. */
  async deletePersonaSet(id: string): Promise<number> {
    const { db } = this;
    return db.transaction('rw', db.personas, db.settings, async () => {
      const ids = (await db.personas.where('setId').equals(id).toArray()).filter((p) => !p.builtin).map((p) => p.id);
      await db.personas.bulkDelete(ids);
      if ((await db.personas.where('setId').equals(id).count()) === 0) await db.settings.delete(PERSONA_SET_KEY + id);
      return ids.length;
    });
  }

  /**
   * Upserts the built-in scenarios (expanded from the shipped packs) and personas in one
   * transaction, with the packs' records when given. A user-imported row with the same id wins
   * and is left untouched; its id is reported in `skipped`. Built-ins no longer shipped are not
   * removed. Callers validate first.
   */
  async seedBuiltins(
    scenarios: readonly Scenario[],
    personas: readonly Persona[],
    packs: readonly Omit<PackRecord, 'importedAt'>[] = [],
  ): Promise<{ scenarios: number; personas: number; skipped: string[] }> {
    const importedAt = Date.now();
    const { db } = this;
    return db.transaction(
      'rw',
      [db.scenarios, db.scenarioDbs, db.scenarioAgents, db.personas, db.packs, db.sessionDbs],
      async () => {
        const skipped: string[] = [];
        const keepBuiltin = <T extends { id: string }>(
          list: readonly T[],
          existing: ({ builtin: boolean } | undefined)[],
        ) =>
          list.filter((item, i) => {
            const userOwned = existing[i]?.builtin === false;
            if (userOwned) skipped.push(item.id);
            return !userOwned;
          });

        const before = await db.scenarios.bulkGet(scenarios.map((x) => x.id));
        const s = keepBuiltin(scenarios, before);
        const p = keepBuiltin(personas, await db.personas.bulkGet(personas.map((x) => x.id)));
        const userPacks = new Set(
          (await db.packs.bulkGet(packs.map((x) => x.id))).flatMap((r) => (r && r.origin !== 'builtin' ? [r.id] : [])),
        );
        await this.writeSplit(splitScenarios(s.map((x) => ({ ...x, builtin: true, importedAt }))));
        await this.dropUnusedParts(before.filter((r) => r?.builtin));
        await db.personas.bulkPut(p.map((x) => ({ ...x, builtin: true, importedAt })));
        await db.packs.bulkPut(packs.filter((x) => !userPacks.has(x.id)).map((x) => ({ ...x, importedAt })));
        return { scenarios: s.length, personas: p.length, skipped };
      },
    );
  }

  // ─── Settings ──────────────────────────────────────────────────────────────

  /** A stored setting, or undefined when it was never set. Callers check the shape they read. */
  async getSetting<T = unknown>(key: string): Promise<T | undefined> {
    const row = await this.db.settings.get(key);
    return row?.value as T | undefined;
  }

  /** Stores a setting (a structured-cloneable value), replacing any earlier one. */
  async putSetting(key: string, value: unknown): Promise<void> {
    await this.db.settings.put({ key, value });
  }

  // ─── GGUF models ───────────────────────────────────────────────────────────

  /**
   * Inserts or replaces a GGUF model; its bytes (when given) go to their own table in the same
   * transaction, so listing models never reads the files.
   */
  async putGgufModel(input: GgufModelInput): Promise<void> {
    const { db } = this;
    const { blob, ...record } = input;
    await db.transaction('rw', db.ggufModels, db.ggufBlobs, async () => {
      await db.ggufModels.put(record);
      if (blob) await db.ggufBlobs.put({ id: record.id, blob });
    });
  }

  /** Every stored GGUF model, oldest first, without the files. */
  listGgufModels(): Promise<GgufModelRecord[]> {
    return this.db.ggufModels.orderBy('addedAt').toArray();
  }

  getGgufModel(id: string): Promise<GgufModelRecord | undefined> {
    return this.db.ggufModels.get(id);
  }

  /** A stored model with this SHA-256, if any. */
  findGgufBySha256(sha256: string): Promise<GgufModelRecord | undefined> {
    return this.db.ggufModels.where('sha256').equals(sha256).first();
  }

  /** A GGUF model's file, or undefined when it is not stored. */
  async getGgufBlob(id: string): Promise<Blob | undefined> {
    return (await this.db.ggufBlobs.get(id))?.blob;
  }

  /** Deletes a GGUF model and its file in one transaction. Resolves false when there was none. */
  async deleteGgufModel(id: string): Promise<boolean> {
    const { db } = this;
    return db.transaction('rw', db.ggufModels, db.ggufBlobs, async () => {
      const existed = (await db.ggufModels.get(id)) !== undefined;
      await db.ggufModels.delete(id);
      await db.ggufBlobs.delete(id);
      return existed;
    });
  }
}

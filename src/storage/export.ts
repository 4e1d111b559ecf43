/**
 * Run bundles: one run with all its sessions and turns as JSON Lines.
 *
 *   line 1   {"type":"run","formatVersion":2,"exportedAt":"<ISO 8601>","run":{…}}
 *   then     {"type":"db","hash":"<canonical hash>","db":{…}}   each initial database once
 *   then     {"type":"session","session":{…},"dbs":{…},"turns":[…]}   ordered by scenario, persona, trial
 *
 * A session's final and expected databases travel as deltas against one of the "db" lines
 * ("dbs": baseHash, finalDelta, expectedDelta), so a run of 456 τ²-bench retail sessions
 * carries the 2.8 MB database once rather than 912 times. Sessions stored without a known
 * initial database carry theirs whole, in "session.finalDb" / "session.expectedDb", as every
 * session did in version 1 (which still imports).
 *
 * Every line is a standalone JSON value, so a bundle can be streamed, grepped and split. Inside
 * the records keys are written sorted, so the same stored data always exports to the same
 * bytes whatever order its fields were written in (an export → import → export round trip is
 * byte-identical apart from `exportedAt`).
 */
import type { z } from 'zod';
import type { JsonObject, Run, Session, Turn } from '../core/model/types.ts';
import { canonicalHash, canonicalJson } from '../core/scenarios/canonical.ts';
import { DbDeltaError, applyDbDelta, type DbDelta } from '../core/scenarios/db-delta.ts';
import {
  RUN_BUNDLE_FORMAT_VERSION,
  dbLineSchema,
  runLineSchema,
  sessionLineSchema,
  sessionLineSchemaV1,
  type RunBundleFormatVersion,
} from './bundle-schema.ts';
import { compactSessionDbs, type SessionDbsDelta, type SessionDbsRow } from './db.ts';
import { compareSessions, joinSession, splitSession, type Storage } from './repo.ts';

export { RUN_BUNDLE_FORMAT_VERSION } from './bundle-schema.ts';

/** A parsed, validated run bundle, its databases still as deltas. */
export interface RunBundle {
  /** The format the file was written in (version 1 reads as version 2 without "db" lines). */
  formatVersion: RunBundleFormatVersion;
  /** ISO 8601 time the bundle was written. */
  exportedAt: string;
  run: Run;
  /** The initial databases the sessions' deltas apply to, by canonical hash. */
  dbs: Map<string, JsonObject>;
  /**
   * In file order, each with its turns ordered by index, and `dbs` where its final and expected
   * databases come as deltas (else `session` holds them whole, if it has any). `line` is the
   * session's 1-based line in the file.
   */
  sessions: { session: Session; dbs?: SessionDbsDelta; turns: Turn[]; line: number }[];
}

/** A bundle that cannot be read or imported; `line` is 1-based where one line is at fault. */
export class RunBundleError extends Error {
  override name = 'RunBundleError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/**
 * Serialises one run, its sessions and their turns, read in one transaction so the bundle is
 * a consistent snapshot even while the run is still writing. Rejects if there is no such run.
 */
export async function exportRunJsonl(
  storage: Storage,
  runId: string,
  opts: { now?: Date } = {},
): Promise<string> {
  const { db } = storage;
  const { run, sessions, dbRows, bases, turns } = await db.transaction(
    'r',
    [db.runs, db.sessions, db.turns, db.sessionDbs, db.scenarioDbs],
    async () => {
      const run = await db.runs.get(runId);
      const sessions = (await db.sessions.where('runId').equals(runId).toArray()).sort(compareSessions);
      const rows = await db.sessionDbs.bulkGet(sessions.map((s) => s.id));
      const dbRows = new Map(rows.flatMap((r) => (r ? [[r.sessionId, r] as const] : [])));
      // In order of first use, so the same data exports to the same bytes.
      const hashes = [...new Set(sessions.flatMap((s) => dbRows.get(s.id)?.baseHash ?? []))];
      const bases = await db.scenarioDbs.bulkGet(hashes);
      bases.forEach((b, i) => {
        if (!b) throw new Error(`The initial database ${hashes[i]} that sessions of run "${runId}" start from is missing from storage.`);
      });
      const turns = sessions.length
        ? await db.turns.where('sessionId').anyOf(sessions.map((s) => s.id)).toArray()
        : [];
      return { run, sessions, dbRows, bases: bases.flatMap((b) => (b ? [b] : [])), turns };
    },
  );
  if (!run) throw new Error(`There is no run with id "${runId}" to export.`);

  const turnsBySession = new Map<string, Turn[]>();
  for (const t of turns) {
    const list = turnsBySession.get(t.sessionId);
    if (list) list.push(t);
    else turnsBySession.set(t.sessionId, [t]);
  }

  const exportedAt = (opts.now ?? new Date()).toISOString();
  const lines = [
    line({ type: 'run', formatVersion: RUN_BUNDLE_FORMAT_VERSION, exportedAt, run }),
    ...bases.map((b) => line({ type: 'db', hash: b.hash, db: b.db })),
  ];
  for (const light of sessions) {
    const own = (turnsBySession.get(light.id) ?? []).sort((a, b) => a.index - b.index);
    const row = dbRows.get(light.id);
    if (row?.baseHash !== undefined) {
      const dbs: SessionDbsDelta = {
        baseHash: row.baseHash,
        ...(row.finalDelta ? { finalDelta: row.finalDelta } : {}),
        ...(row.expectedDelta ? { expectedDelta: row.expectedDelta } : {}),
      };
      lines.push(line({ type: 'session', session: light, dbs, turns: own }));
    } else {
      lines.push(line({ type: 'session', session: joinSession(light, row), turns: own }));
    }
  }
  return lines.join('\n') + '\n';
}

// The envelope keeps its documented key order; everything below it is key-sorted.
function line(envelope: object): string {
  return JSON.stringify(envelope, function (this: unknown, key: string, value: unknown) {
    if (key === '' || value === null || typeof value !== 'object' || Array.isArray(value))
      return value;
    // fromEntries defines own properties, so a "__proto__" key stays data.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, (value as Record<string, unknown>)[k]]),
    );
  });
}

/**
 * Parses and validates a bundle line by line. Throws a `RunBundleError` naming the first bad
 * line and what is wrong with it, e.g. `line 3: "session.runId" is missing`. Blank lines and
 * CRLF line ends are tolerated. Each "db" line's hash is checked against its content, and
 * each session's deltas against the database they apply to.
 */
export function parseRunJsonl(text: string): RunBundle {
  let header: z.output<typeof runLineSchema> | undefined;
  const sessions: RunBundle['sessions'] = [];
  const sessionLines = new Map<string, number>();
  const dbs = new Map<string, JsonObject>();
  const dbLines = new Map<string, number>();
  const rows = text.split('\n');

  for (let i = 0; i < rows.length; i++) {
    const n = i + 1;
    const raw = (rows[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') continue;

    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new RunBundleError(`not valid JSON (${(e as Error).message})`, n);
    }
    const type = isRecord(value) ? value['type'] : undefined;

    if (!header) {
      if (type !== 'run')
        throw new RunBundleError('the first line must be the run: {"type":"run",…}', n);
      const r = runLineSchema.safeParse(value);
      if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
      header = r.data;
      continue;
    }
    const v1 = header.formatVersion === 1;

    if (type === 'run') throw new RunBundleError('a second "run" line; a bundle holds one run', n);
    if (type === 'db' && !v1) {
      const r = dbLineSchema.safeParse(value);
      if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
      const { hash, db } = r.data;
      const earlier = dbLines.get(hash);
      if (earlier !== undefined) throw new RunBundleError(`"hash" ${JSON.stringify(hash)} already appeared on line ${earlier}`, n);
      const actual = canonicalHash(db);
      if (actual !== hash) throw new RunBundleError(`"hash" is ${JSON.stringify(hash)} but the database's canonical hash is ${JSON.stringify(actual)}`, n);
      dbLines.set(hash, n);
      dbs.set(hash, db);
      continue;
    }
    // An unknown line type makes every other field look wrong; name only the type.
    if (isRecord(value) && type !== 'session') {
      const wanted = v1 ? '"session"' : '"session" or "db"';
      throw new RunBundleError(
        type === undefined ? '"type" is missing' : `"type" should be ${wanted}, got ${JSON.stringify(type)}`,
        n,
      );
    }
    const r = v1 ? sessionLineSchemaV1.safeParse(value) : sessionLineSchema.safeParse(value);
    if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
    const { session, turns } = r.data;
    const deltas = (r.data as { dbs?: SessionDbsDelta }).dbs;

    if (session.runId !== header.run.id)
      throw new RunBundleError(
        `"session.runId" is ${JSON.stringify(session.runId)} but the run's id is ${JSON.stringify(header.run.id)}`,
        n,
      );
    const earlier = sessionLines.get(session.id);
    if (earlier !== undefined)
      throw new RunBundleError(
        `"session.id" ${JSON.stringify(session.id)} already appeared on line ${earlier}`,
        n,
      );
    sessionLines.set(session.id, n);
    if (deltas) checkDeltas(deltas, session, dbs, n);

    const seen = new Map<number, number>();
    for (const [j, t] of turns.entries()) {
      if (t.sessionId !== session.id)
        throw new RunBundleError(
          `"turns[${j}].sessionId" is ${JSON.stringify(t.sessionId)} but the session's id is ${JSON.stringify(session.id)}`,
          n,
        );
      const k = seen.get(t.index);
      if (k !== undefined)
        throw new RunBundleError(`"turns[${j}].index" ${t.index} repeats "turns[${k}].index"`, n);
      seen.set(t.index, j);
    }
    sessions.push({ session, ...(deltas ? { dbs: deltas } : {}), turns: [...turns].sort((a, b) => a.index - b.index), line: n });
  }

  if (!header) throw new RunBundleError('the file is empty; expected a "run" line', 1);
  return {
    formatVersion: header.formatVersion,
    exportedAt: header.exportedAt,
    run: header.run,
    dbs,
    sessions,
  };
}

// A session's deltas must name a database given earlier and fit it, and not come beside
// whole databases of the same kind.
function checkDeltas(deltas: SessionDbsDelta, session: Session, dbs: Map<string, JsonObject>, n: number): void {
  const base = dbs.get(deltas.baseHash);
  if (!base) throw new RunBundleError(`"dbs.baseHash" ${JSON.stringify(deltas.baseHash)} names no "db" line before this one`, n);
  const parts = [
    ['finalDelta', 'finalDb', deltas.finalDelta],
    ['expectedDelta', 'expectedDb', deltas.expectedDelta],
  ] as const;
  for (const [field, whole, delta] of parts) {
    if (!delta) continue;
    if (session[whole] !== undefined) throw new RunBundleError(`"session.${whole}" and "dbs.${field}" are both given; keep one`, n);
    try {
      applyDbDelta(base, delta as DbDelta);
    } catch (e) {
      if (!(e instanceof DbDeltaError)) throw e;
      throw new RunBundleError(`"dbs.${field}[${e.index}]" does not fit its database: ${e.problem}`, n);
    }
  }
}

/**
 * Validates a bundle and writes its run, sessions and turns in one transaction, with the
 * initial databases its sessions start from (stored once, by hash, beside the scenarios').
 * Sessions that bring whole databases (version-1 bundles) are stored as deltas against their
 * scenario's stored initial database when there is one. Refuses, and writes nothing, if any
 * line is bad, if the run or any of its sessions already exists, or if a different database
 * is stored under one of the bundle's hashes.
 */
export async function importRunJsonl(
  storage: Storage,
  text: string,
): Promise<{ runId: string; sessions: number; turns: number }> {
  const bundle = parseRunJsonl(text);
  const { db } = storage;
  const { run } = bundle;
  const sessions = bundle.sessions.map((s) => s.session);
  const turns = bundle.sessions.flatMap((s) => s.turns);
  const used = [...new Set(bundle.sessions.flatMap((s) => (s.dbs ? [s.dbs.baseHash] : [])))];

  await db.transaction(
    'rw',
    [db.runs, db.sessions, db.turns, db.sessionDbs, db.scenarioDbs, db.scenarios],
    async () => {
      if ((await db.runs.get(run.id)) !== undefined)
        throw new RunBundleError(
          `a run with id ${JSON.stringify(run.id)} already exists; delete it before importing this bundle`,
          1,
        );
      const existing = await db.sessions.bulkGet(sessions.map((s) => s.id));
      const clash = existing.findIndex((s) => s !== undefined);
      if (clash >= 0)
        throw new RunBundleError(
          `a session with id ${JSON.stringify(sessions[clash]?.id)} already exists (in run ${JSON.stringify(existing[clash]?.runId)})`,
          bundle.sessions[clash]?.line,
        );

      const stored = await db.scenarioDbs.bulkGet(used);
      for (const [i, hash] of used.entries()) {
        const mine = bundle.dbs.get(hash)!;
        const theirs = stored[i];
        if (theirs && canonicalJson(theirs.db) !== canonicalJson(mine))
          throw new RunBundleError(`the database ${hash} differs from the one stored under the same hash; nothing was written`);
      }
      await db.scenarioDbs.bulkAdd(used.flatMap((hash, i) => (stored[i] ? [] : [{ hash, db: bundle.dbs.get(hash)! }])));

      const rows: SessionDbsRow[] = [];
      const whole = bundle.sessions.flatMap((s) => (s.dbs ? [] : [splitSession(s.session)]));
      const bases = await scenarioBases(storage, whole.flatMap((w) => (w.dbs ? [w.light.scenarioId] : [])));
      for (const { light, dbs } of whole) {
        if (!dbs) continue;
        const base = bases.get(light.scenarioId);
        rows.push(base ? compactSessionDbs(light.id, dbs, base) : dbs);
      }
      for (const s of bundle.sessions) if (s.dbs) rows.push({ sessionId: s.session.id, ...s.dbs });

      await db.runs.add(run);
      await db.sessions.bulkAdd(sessions.map((s) => splitSession(s).light));
      await db.sessionDbs.bulkAdd(rows);
      await db.turns.bulkAdd(turns);
    },
  );
  return { runId: run.id, sessions: sessions.length, turns: turns.length };
}

// The stored initial databases of these scenarios, by scenario id; inside a transaction over
// scenarios and scenarioDbs.
async function scenarioBases(
  storage: Storage,
  scenarioIds: readonly string[],
): Promise<Map<string, { hash: string; db: JsonObject }>> {
  const { db } = storage;
  const ids = [...new Set(scenarioIds)];
  if (ids.length === 0) return new Map();
  const rows = await db.scenarios.bulkGet(ids);
  const hashes = [...new Set(rows.flatMap((r) => (r ? [r.dbHash] : [])))];
  const dbRows = await db.scenarioDbs.bulkGet(hashes);
  const byHash = new Map(dbRows.flatMap((r) => (r ? [[r.hash, r] as const] : [])));
  const out = new Map<string, { hash: string; db: JsonObject }>();
  for (const r of rows) {
    const base = r ? byHash.get(r.dbHash) : undefined;
    if (r && base) out.set(r.id, base);
  }
  return out;
}

/* ------------------------------------------------------------ error messages */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeIssues(error: z.ZodError, input: unknown): string {
  const [first, ...rest] = error.issues;
  if (!first) return 'invalid';
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return describeIssue(first, input) + more;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path;
  const subject = path.length ? `"${formatPath(path)}"` : 'the line';
  switch (issue.code) {
    case 'invalid_type': {
      const at = lookup(input, path);
      if (!at.present) return `${subject} is missing`;
      return `${subject} should be ${expectedType(issue.expected)}, got ${kindOf(at.value)}`;
    }
    case 'invalid_value': {
      const got = lookup(input, path);
      const wanted = issue.values.map((v) => JSON.stringify(v));
      const gotText = got.present ? `, got ${JSON.stringify(got.value) ?? kindOf(got.value)}` : '';
      return wanted.length === 1
        ? `${subject} should be ${wanted[0]}${gotText}`
        : `${subject} should be one of ${wanted.join(', ')}${gotText}`;
    }
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `"${formatPath([...path, k])}" is not a known field`)
        .join('; ');
    default:
      return `${subject}: ${issue.message}`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg))
      out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function lookup(
  root: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, seg))
      return { present: false };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { present: true, value: cur };
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'array':
    case 'object':
      return `an ${expected}`;
    case 'record':
      return 'an object';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isInteger(v)) return `${v}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

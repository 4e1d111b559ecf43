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
 * byte-identical apart from `exportedAt`). Payloads (tool arguments and results, databases,
 * a simulator's inner state: PAYLOAD_FIELDS) keep their stored key order, so an imported
 * transcript reads as the original did, tool results in the order the agent saw them.
 *
 * The format, field by field, is docs/run-bundle.md; its JSON Schema is
 * public/schemas/run-bundle-line.schema.json. Reading is bundle-lines.ts, importing (streamed,
 * all or nothing) bundle-import.ts.
 */
import type { Turn } from '../core/model/types.ts';
import { RUN_BUNDLE_FORMAT_VERSION } from './bundle-schema.ts';
import type { SessionDbsDelta } from './db.ts';
import { compareSessions, joinSession, type Storage } from './repo.ts';

export { RUN_BUNDLE_FORMAT_VERSION } from './bundle-schema.ts';
// Reading and importing live beside this file; these names stay importable from here.
export { RunBundleError, parseRunJsonl, type RunBundle } from './bundle-lines.ts';
export { importRunBundle, importRunJsonl } from './bundle-import.ts';

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

/**
 * Fields that hold data as it came from a tool, a database or a simulator, not a record of
 * ours: their keys stay in the order they were stored (the order the agent read a tool result
 * in, a database's own order), while our records' keys are sorted.
 */
const PAYLOAD_FIELDS = new Set(['arguments', 'value', 'latent', 'finalDb', 'expectedDb', 'expected', 'actual']);

// The envelope keeps its documented key order; records below it are key-sorted, payloads
// (PAYLOAD_FIELDS, and the database of a "db" line) are written as stored.
function line(envelope: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(envelope))
    out[k] = envelope['type'] === 'db' && k === 'db' ? v : sortRecords(v);
  return JSON.stringify(out);
}

function sortRecords(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortRecords);
  const o = value as Record<string, unknown>;
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, PAYLOAD_FIELDS.has(k) ? o[k] : sortRecords(o[k])]),
  );
}

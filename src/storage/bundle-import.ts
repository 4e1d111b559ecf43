/**
 * Importing a run bundle (docs/run-bundle.md) from a file of any size, read as a stream.
 *
 * A 4,550-session run exports to 46.6 MB, over the 20 MB cap (MAX_IMPORT_BYTES) that JSON
 * imports read whole, and a bundle read whole is held three times over (the text, its lines,
 * the parsed objects). Here the file is read with `Blob.stream()` (through the platform's
 * `DecompressionStream('gzip')` when it is gzip-compressed, recognised by its first two bytes,
 * whatever its name), decoded by `TextDecoderStream` and cut into lines; each line is validated
 * as it arrives (bundle-lines.ts) and the sessions are written in batches. What is held at once:
 * one batch of sessions, the initial databases the bundle carries, and one id per session.
 *
 * All or nothing, although a stream cannot be read inside one IndexedDB transaction (it commits
 * as soon as it waits on anything but its own requests):
 *   1. begin: one transaction checks that neither the run nor any session of it is stored, and
 *      writes a marker (settings key `runImport:<run id>`);
 *   2. stage: each batch is one transaction adding sessions, turns, their databases and any
 *      initial database not yet stored. No "run" row exists yet, so nothing lists, counts or
 *      opens these sessions: every page and summary reaches sessions through their run;
 *   3. commit: one transaction adds the run row and deletes the marker; from then on the run is
 *      on the Runs page like any other.
 * A bad line, a clash with stored ids, a cancel or a failed write at step 2 rolls back: one
 * transaction deletes the staged sessions, their turns and databases, the initial databases
 * this import added that nothing else uses, and the marker. A tab closed during step 2 leaves
 * the marker; `discardUnfinishedImports` (called at app start, before anything lists runs)
 * rolls those back. While an import runs, the caller may hold a lock on the run id
 * (`ImportOptions.hold`, a Web Lock in the page) so another tab starting up leaves it alone.
 *
 * A run whose id is already stored is refused (delete the stored one first): the bundle's
 * sessions carry the run id in their own ids, and two copies of one run would pair with each
 * other as if they were two agents.
 */
import type { JsonObject, Session } from '../core/model/types.ts';
import { canonicalJson } from '../core/scenarios/canonical.ts';
import { RunBundleError, RunBundleLineChecker, type BundleHeader, type BundleSessionLine } from './bundle-lines.ts';
import { compactSessionDbs, type SessionDbsRow } from './db.ts';
import { splitSession, type Storage } from './repo.ts';

/** A single line longer than this is refused: a line holds one session or one database. */
export const MAX_BUNDLE_LINE_CHARS = 64 * 1024 * 1024;

/** Settings key prefix of the marker an unfinished import leaves (see the header). */
export const RUN_IMPORT_MARKER = 'runImport:';

/** The marker of an import under way. */
interface ImportMarker {
  runId: string;
  startedAt: number;
  /** Initial databases this import stored, to delete on rollback if nothing else uses them. */
  addedDbs: string[];
}

/** How far an import has got. */
export interface ImportProgress {
  /** Bytes of the file read so far (compressed bytes for a gzip file). */
  bytesRead: number;
  /** The file's size in bytes. */
  totalBytes: number;
  /** Sessions read and checked so far (written in batches behind them). */
  sessions: number;
  /** The last line read. */
  line: number;
}

export interface ImportOptions {
  /** Called once the run line is read, after each batch is written, and every 100 ms between. */
  onProgress?: (p: ImportProgress) => void;
  /** Aborting rolls back what was staged and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Runs the import of `runId` while holding whatever tells other tabs that it is under way
   * (in the page, the run's Web Lock). Default: just runs it.
   */
  hold?: <T>(runId: string, body: () => Promise<T>) => Promise<T>;
  /** Sessions per write transaction (default 400). */
  batchSessions?: number;
  /** Characters of session lines per write transaction (default 8 million). */
  batchChars?: number;
}

/** What an import stored. */
export interface ImportedRun {
  runId: string;
  /** The run's name (`run.spec.name`). */
  name: string;
  /** The format version the file was written in. */
  formatVersion: number;
  sessions: number;
  turns: number;
}

/**
 * Splits a stream of text into lines, numbered from 1, without their "\n" (a "\r" before it is
 * kept: the line checker drops it). Lines may be split across chunks anywhere, even inside a
 * character pair or a CRLF. A line over `maxLineChars` is refused before it is assembled. A
 * failure of the stream (bad UTF-8, damaged gzip data, an unreadable file) becomes a
 * `RunBundleError` at the line being read, worded by `describeReadError`.
 */
export async function* readLines(
  source: ReadableStream<string>,
  opts: { maxLineChars?: number; describeReadError?: (e: unknown) => string } = {},
): AsyncGenerator<{ text: string; line: number }, void, undefined> {
  const max = opts.maxLineChars ?? MAX_BUNDLE_LINE_CHARS;
  const reader = source.getReader();
  let parts: string[] = [];
  let partsLength = 0;
  let line = 1;
  let finished = false;
  const tooLong = () =>
    new RunBundleError(`the line is over ${formatChars(max)}; a line holds one session or one database`, line);
  try {
    for (;;) {
      let chunk: string;
      try {
        const r = await reader.read();
        if (r.done) break;
        chunk = r.value;
      } catch (e) {
        throw new RunBundleError(opts.describeReadError?.(e) ?? `the file could not be read (${errorText(e)})`, line);
      }
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf('\n', start);
        if (nl < 0) break;
        const piece = chunk.slice(start, nl);
        if (partsLength + piece.length > max) throw tooLong();
        const text = parts.length ? parts.join('') + piece : piece;
        parts = [];
        partsLength = 0;
        yield { text, line: line++ };
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.slice(start);
        partsLength += rest.length;
        if (partsLength > max) throw tooLong();
        parts.push(rest);
      }
    }
    finished = true;
    if (parts.length) yield { text: parts.join(''), line };
  } finally {
    // Stopped early (a bad line, a cancel): let go of the file.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * The text of a bundle file as a stream, gunzipped when its first two bytes are gzip's magic
 * number (1f 8b). `onBytes` is told the file's bytes read so far.
 */
export async function bundleText(
  file: Blob,
  onBytes?: (bytesRead: number) => void,
): Promise<{ text: ReadableStream<string>; gzip: boolean }> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let read = 0;
  let bytes: ReadableStream<BufferSource> = file.stream().pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, BufferSource>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        onBytes?.(read);
        controller.enqueue(chunk);
      },
    }),
  );
  if (gzip) bytes = bytes.pipeThrough(new DecompressionStream('gzip'));
  return { text: bytes.pipeThrough(new TextDecoderStream('utf-8', { fatal: true })), gzip };
}

/**
 * Imports a run bundle (plain or gzip-compressed JSONL) from a file or any Blob, as described
 * at the top of this file: validated line by line, written in batches, all or nothing. Rejects
 * with a `RunBundleError` naming the line and the field for a bad file, and for a run or
 * session id already stored; with the signal's reason when aborted. Nothing stays written
 * after a rejection.
 */
export async function importRunBundle(storage: Storage, file: Blob, opts: ImportOptions = {}): Promise<ImportedRun> {
  const progress: ImportProgress = { bytesRead: 0, totalBytes: file.size, sessions: 0, line: 0 };
  const { text, gzip } = await bundleText(file, (n) => (progress.bytesRead = n));
  const lines = readLines(text, {
    describeReadError: (e) =>
      gzip
        ? `the gzip-compressed data is damaged or cut short (${errorText(e)})`
        : e instanceof TypeError
          ? `the file is not UTF-8 text (${errorText(e)})`
          : `the file could not be read (${errorText(e)})`,
  });
  const checker = new RunBundleLineChecker();
  try {
    // The run line comes first; everything else needs its id.
    let header: BundleHeader | undefined;
    while (!header) {
      opts.signal?.throwIfAborted();
      const next = await lines.next();
      if (next.done) break;
      progress.line = next.value.line;
      const item = checker.check(next.value.text, next.value.line);
      if (item?.type === 'run') header = item;
    }
    header ??= checker.finish();
    opts.onProgress?.({ ...progress });
    const run = header.run;
    const hold = opts.hold ?? ((_id, body) => body());
    return await hold(run.id, () => stageAndCommit(storage, header, lines, checker, progress, opts));
  } finally {
    await lines.return(undefined);
  }
}

async function stageAndCommit(
  storage: Storage,
  header: BundleHeader,
  lines: AsyncGenerator<{ text: string; line: number }, void, undefined>,
  checker: RunBundleLineChecker,
  progress: ImportProgress,
  opts: ImportOptions,
): Promise<ImportedRun> {
  const { db } = storage;
  const { run } = header;
  const markerKey = RUN_IMPORT_MARKER + run.id;
  const batchSessions = opts.batchSessions ?? 400;
  const batchChars = opts.batchChars ?? 8_000_000;

  // A marker for this id is left by an import that stopped with its tab: we hold the run's lock
  // now, so nobody is still writing it.
  const stale = await storage.getSetting<ImportMarker>(markerKey);
  if (stale) await rollback(storage, run.id, stale.addedDbs);

  const marker: ImportMarker = { runId: run.id, startedAt: Date.now(), addedDbs: [] };
  await db.transaction('rw', [db.runs, db.sessions, db.settings], async () => {
    const stored = await db.runs.get(run.id);
    if (stored)
      throw new RunBundleError(
        `a run with id ${JSON.stringify(run.id)} already exists ("${stored.spec.name}", ${stored.totalSessions} sessions); delete it on the Runs page before importing this bundle`,
        1,
      );
    const orphans = await db.sessions.where('runId').equals(run.id).count();
    if (orphans > 0)
      throw new RunBundleError(`${orphans} session(s) of a run with id ${JSON.stringify(run.id)} are stored without their run; nothing was written`, 1);
    await db.settings.put({ key: markerKey, value: marker });
  });

  let sessions = 0;
  let turns = 0;
  const checkedDbs = new Set<string>();
  try {
    let batch: BundleSessionLine[] = [];
    let chars = 0;
    let reported = Date.now();
    const report = () => {
      reported = Date.now();
      opts.onProgress?.({ ...progress });
    };
    const flush = async () => {
      if (!batch.length) return;
      opts.signal?.throwIfAborted();
      await writeBatch(storage, batch, checker.dbs, marker, markerKey, checkedDbs);
      sessions += batch.length;
      turns += batch.reduce((n, s) => n + s.turns.length, 0);
      report();
      batch = [];
      chars = 0;
    };
    for (;;) {
      opts.signal?.throwIfAborted();
      const next = await lines.next();
      if (next.done) break;
      const { text, line } = next.value;
      progress.line = line;
      const item = checker.check(text, line);
      if (item?.type !== 'session') continue;
      const { type: _, ...s } = item;
      batch.push(s);
      progress.sessions++;
      chars += text.length;
      if (batch.length >= batchSessions || chars >= batchChars) await flush();
      else if (Date.now() - reported >= 100) report();
    }
    await flush();
    opts.signal?.throwIfAborted();

    await db.transaction('rw', [db.runs, db.settings], async () => {
      if ((await db.runs.get(run.id)) !== undefined)
        throw new RunBundleError(`a run with id ${JSON.stringify(run.id)} was stored while this bundle was being imported`, 1);
      await db.runs.add(run);
      await db.settings.delete(markerKey);
    });
  } catch (e) {
    await rollback(storage, run.id, marker.addedDbs);
    throw e;
  }
  return { runId: run.id, name: run.spec.name, formatVersion: header.formatVersion, sessions, turns };
}

// One batch of sessions, in one transaction: their rows, turns and databases, the initial
// databases they start from that are not stored yet (recorded in the marker, in the same
// transaction, so a rollback after a closed tab knows them too).
async function writeBatch(
  storage: Storage,
  batch: readonly BundleSessionLine[],
  bundleDbs: ReadonlyMap<string, JsonObject>,
  marker: ImportMarker,
  markerKey: string,
  checkedDbs: Set<string>,
): Promise<void> {
  const { db } = storage;
  const added: string[] = [];
  const checked: string[] = [];
  await db.transaction(
    'rw',
    [db.sessions, db.turns, db.sessionDbs, db.scenarioDbs, db.scenarios, db.settings],
    async () => {
      const existing = await db.sessions.bulkGet(batch.map((s) => s.session.id));
      const clash = existing.findIndex((s) => s !== undefined);
      if (clash >= 0)
        throw new RunBundleError(
          `a session with id ${JSON.stringify(batch[clash]?.session.id)} already exists (in run ${JSON.stringify(existing[clash]?.runId)})`,
          batch[clash]?.line,
        );

      // Each initial database is compared with a stored one of the same hash once per import.
      const used = [...new Set(batch.flatMap((s) => (s.dbs ? [s.dbs.baseHash] : [])))].filter((h) => !checkedDbs.has(h));
      const stored = await db.scenarioDbs.bulkGet(used);
      for (const [i, hash] of used.entries()) {
        const mine = bundleDbs.get(hash)!;
        const theirs = stored[i];
        if (!theirs) {
          await db.scenarioDbs.add({ hash, db: mine });
          added.push(hash);
        } else if (canonicalJson(theirs.db) !== canonicalJson(mine)) {
          throw new RunBundleError(`the database ${hash} differs from the one stored under the same hash; nothing was written`);
        }
        checked.push(hash);
      }

      // Version-1 sessions bring whole databases: stored as deltas against their scenario's
      // stored initial database where there is one.
      const rows: SessionDbsRow[] = [];
      const whole = batch.flatMap((s) => (s.dbs ? [] : [splitSession(s.session)]));
      const bases = await scenarioBases(storage, whole.flatMap((w) => (w.dbs ? [w.light.scenarioId] : [])));
      for (const { dbs, light } of whole) {
        if (!dbs) continue;
        const base = bases.get(light.scenarioId);
        rows.push(base ? compactSessionDbs(light.id, dbs, base) : dbs);
      }
      for (const s of batch) if (s.dbs) rows.push({ sessionId: s.session.id, ...s.dbs });

      const light: Session[] = batch.map((s) => splitSession(s.session).light);
      await db.sessions.bulkAdd(light);
      await db.sessionDbs.bulkAdd(rows);
      await db.turns.bulkAdd(batch.flatMap((s) => s.turns));
      if (added.length) await db.settings.put({ key: markerKey, value: { ...marker, addedDbs: [...marker.addedDbs, ...added] } });
    },
  );
  // Only once the transaction committed.
  marker.addedDbs.push(...added);
  for (const h of checked) checkedDbs.add(h);
}

/**
 * Deletes what an unfinished import of `runId` staged: its sessions, their turns and
 * databases, the initial databases it added (`addedDbs`) that no scenario or other session
 * uses, and its marker. Never touches a run whose row exists: a committed import is a run.
 */
async function rollback(storage: Storage, runId: string, addedDbs: readonly string[]): Promise<void> {
  const { db } = storage;
  await db.transaction(
    'rw',
    [db.runs, db.sessions, db.turns, db.sessionDbs, db.scenarioDbs, db.scenarios, db.settings],
    async () => {
      if ((await db.runs.get(runId)) === undefined) {
        const ids = await db.sessions.where('runId').equals(runId).primaryKeys();
        if (ids.length) {
          // Each session's turns as one range of the primary key: a range delete each, where
          // `where('sessionId').anyOf(ids).delete()` walks the index (4,550 sessions: about a
          // minute in Chromium, against two seconds this way).
          await Promise.all(
            ids.map((id) => db.turns.where('[sessionId+index]').between([id, -Infinity], [id, [[]]], true, true).delete()),
          );
          await db.sessionDbs.bulkDelete(ids);
          await db.sessions.bulkDelete(ids);
        }
        for (const hash of addedDbs) {
          const used =
            (await db.scenarios.where('dbHash').equals(hash).count()) > 0 ||
            (await db.sessionDbs.where('baseHash').equals(hash).count()) > 0;
          if (!used) await db.scenarioDbs.delete(hash);
        }
      }
      await db.settings.delete(RUN_IMPORT_MARKER + runId);
    },
  );
}

/**
 * Rolls back imports that a closed tab left unfinished (their markers), except those of
 * `keepRunIds` (imports another tab is running now: it holds their locks). Call at app start,
 * before anything reads the runs. Resolves with the run ids rolled back.
 */
export async function discardUnfinishedImports(
  storage: Storage,
  opts: { keepRunIds?: readonly string[] } = {},
): Promise<string[]> {
  const keep = new Set(opts.keepRunIds ?? []);
  const rows = await storage.db.settings.where('key').startsWith(RUN_IMPORT_MARKER).toArray();
  const out: string[] = [];
  for (const row of rows) {
    const runId = row.key.slice(RUN_IMPORT_MARKER.length);
    if (keep.has(runId)) continue;
    const marker = row.value as Partial<ImportMarker> | undefined;
    await rollback(storage, runId, Array.isArray(marker?.addedDbs) ? marker.addedDbs : []);
    out.push(runId);
  }
  return out;
}

/**
 * Imports a bundle held as text (tests, small files): `importRunBundle` over it. Resolves with
 * the run id and how many sessions and turns were stored.
 */
export async function importRunJsonl(
  storage: Storage,
  text: string,
): Promise<{ runId: string; sessions: number; turns: number }> {
  const { runId, sessions, turns } = await importRunBundle(storage, new Blob([text]));
  return { runId, sessions, turns };
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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function formatChars(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} M characters` : `${n} characters`;
}

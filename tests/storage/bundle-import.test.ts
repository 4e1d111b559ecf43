import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run, Session, Turn } from '../../src/core/model/types.ts';
import { canonicalHash } from '../../src/core/scenarios/canonical.ts';
import { MAX_IMPORT_BYTES } from '../../src/core/index.ts';
import {
  RUN_IMPORT_MARKER,
  discardUnfinishedImports,
  importRunBundle,
  readLines,
  type ImportProgress,
} from '../../src/storage/bundle-import.ts';
import { RunBundleError } from '../../src/storage/bundle-lines.ts';
import { exportRunJsonl } from '../../src/storage/export.ts';
import { Storage } from '../../src/storage/repo.ts';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import {
  FIXTURE_INITIAL_DB,
  dropTestStorage,
  makeRun,
  makeSession,
  makeTurn,
  openTestStorage,
  seedGridRun,
} from './fixtures.ts';

const NOW = new Date('2025-01-02T03:04:05.000Z');
const HASH = canonicalHash(FIXTURE_INITIAL_DB);

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

/** A stream that hands out `chunks` one by one. */
function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<string>, opts?: { maxLineChars?: number }) {
  const out: { text: string; line: number }[] = [];
  for await (const l of readLines(stream, opts)) out.push(l);
  return out;
}

/** `text` cut into pieces of `size` characters. */
function cut(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function gzip(text: string): Promise<Blob> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
}

/** Everything stored, table by table, for "nothing was written" checks. */
async function counts(s: Storage = storage) {
  const { db } = s;
  return {
    runs: await db.runs.count(),
    sessions: await db.sessions.count(),
    turns: await db.turns.count(),
    sessionDbs: await db.sessionDbs.count(),
    scenarioDbs: await db.scenarioDbs.count(),
    markers: await db.settings.where('key').startsWith(RUN_IMPORT_MARKER).count(),
  };
}

async function errorOf(p: Promise<unknown>): Promise<RunBundleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RunBundleError);
    return e as RunBundleError;
  }
  throw new Error('imported without error');
}

describe('readLines', () => {
  it('gives the same numbered lines however the text is cut into chunks', async () => {
    const text = '{"a":1}\n{"b":"two"}\n\n{"c":[3]}\nlast without newline';
    const whole = await collect(streamOf([text]));
    expect(whole).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":"two"}', line: 2 },
      { text: '', line: 3 },
      { text: '{"c":[3]}', line: 4 },
      { text: 'last without newline', line: 5 },
    ]);
    for (let size = 1; size <= text.length; size++) expect(await collect(streamOf(cut(text, size)))).toEqual(whole);
    // Chunks that are only line ends, or empty.
    expect(await collect(streamOf(['a', '', '\n', '\n', 'b\n']))).toEqual([
      { text: 'a', line: 1 },
      { text: '', line: 2 },
      { text: 'b', line: 3 },
    ]);
  });

  it('keeps CR for the checker to drop, even when CR and LF arrive in different chunks', async () => {
    expect(await collect(streamOf(['x\r', '\ny\r\n']))).toEqual([
      { text: 'x\r', line: 1 },
      { text: 'y\r', line: 2 },
    ]);
  });

  it('decodes characters whose bytes are split between chunks', async () => {
    const text = 'ü€😀\n“quoted”\n';
    const bytes = new TextEncoder().encode(text);
    const pieces = [...bytes].map((b) => new Uint8Array([b]));
    const decoded = streamOf(pieces).pipeThrough(new TextDecoderStream('utf-8', { fatal: true }));
    expect(await collect(decoded)).toEqual([
      { text: 'ü€😀', line: 1 },
      { text: '“quoted”', line: 2 },
    ]);
  });

  it('refuses a line over the cap before holding it, naming its number', async () => {
    const err = await collect(streamOf(['ok\n', 'x'.repeat(6), 'x'.repeat(6), '\n']), { maxLineChars: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunBundleError);
    expect((err as Error).message).toBe('line 2: the line is over 10 characters; a line holds one session or one database');
  });
});

describe('importRunBundle', () => {
  async function bundle(turnsEach = 2): Promise<string> {
    await seedGridRun(storage, 'A', turnsEach, { initialDb: FIXTURE_INITIAL_DB });
    const text = await exportRunJsonl(storage, 'A', { now: NOW });
    await storage.deleteRun('A');
    expect(await counts()).toEqual({ runs: 0, sessions: 0, turns: 0, sessionDbs: 0, scenarioDbs: 0, markers: 0 });
    return text;
  }

  it('imports plain and gzip-compressed bundles, CRLF or not, to the same sessions, turns and scores', async () => {
    const { sessions } = await seedGridRun(storage, 'A', 3, { initialDb: FIXTURE_INITIAL_DB });
    const before = await exportRunJsonl(storage, 'A', { now: NOW });
    const summary = await storage.summarizeRun('A');
    const turns = await Promise.all(sessions.map((s) => storage.listTurns(s.id)));

    for (const file of [new Blob([before]), await gzip(before), new Blob([before.replaceAll('\n', '\r\n')])]) {
      await storage.deleteRun('A');
      const progress: ImportProgress[] = [];
      const result = await importRunBundle(storage, file, { batchSessions: 3, onProgress: (p) => progress.push(p) });
      expect(result).toEqual({ runId: 'A', name: 'run A', formatVersion: 2, sessions: 8, turns: 24 });
      for (const [i, s] of sessions.entries()) {
        expect(await storage.getSession(s.id)).toEqual(s);
        expect(await storage.listTurns(s.id)).toEqual(turns[i]);
      }
      expect(await storage.summarizeRun('A')).toEqual(summary);
      expect(await exportRunJsonl(storage, 'A', { now: NOW })).toBe(before);
      expect(await counts()).toMatchObject({ markers: 0, scenarioDbs: 1 });
      // Once after the run line, then after each batch of 3 (3, 6, 8), and maybe between.
      const seen = progress.map((p) => p.sessions);
      expect(seen).toEqual(expect.arrayContaining([0, 3, 6, 8]));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(8);
      expect(progress.at(-1)?.bytesRead).toBe(file.size);
    }
  });

  it('gives back tool results, databases and inner state in the key order they were stored in', async () => {
    // Keys in no sorted order, as a tool or a database might hold them.
    const initialDb = { users: { u9: { zip: '1', name: 'Ana' } }, orders: { o2: { total: 3, id: 'o2' }, o1: { status: 'open' } } };
    const finalDb = { users: initialDb.users, orders: { o2: { total: 3, id: 'o2' }, o1: { status: 'cancelled', at: 'noon' } } };
    await storage.createRun(makeRun('K'));
    const session = makeSession('K', 's1', 'p1', 0, 'pass', { finalDb, expectedDb: finalDb, turnCount: 2 });
    await storage.putSession(session, { initialDb });
    const turns = [
      makeTurn(session.id, 0, { latent: { zeta: 1, alpha: { y: 2, b: 1 } } }),
      makeTurn(session.id, 1, {
        toolCalls: [{ id: 't1-0', name: 'get_order', arguments: { order_id: 'o1', verbose: true, a: 0 }, result: { ok: true, value: { status: 'open', id: 'o1', items: [{ sku: 'x', qty: 1 }] } } }],
      }),
    ];
    for (const t of turns) await storage.appendTurn(t);
    const text = await exportRunJsonl(storage, 'K', { now: NOW });
    await storage.deleteRun('K');
    await importRunBundle(storage, new Blob([text]));

    // JSON text compares key order too, where toEqual does not. (Our records' own keys come
    // back sorted: their order carries nothing.)
    const [t0, t1] = await storage.listTurns(session.id);
    expect(JSON.stringify(t0?.latent)).toBe(JSON.stringify(turns[0]!.latent));
    expect(JSON.stringify(t1?.toolCalls[0]?.arguments)).toBe(JSON.stringify(turns[1]!.toolCalls[0]!.arguments));
    expect(JSON.stringify(t1?.toolCalls[0]?.result)).toBe('{"ok":true,"value":{"status":"open","id":"o1","items":[{"sku":"x","qty":1}]}}');
    const back = await storage.getSession(session.id);
    expect(JSON.stringify(back?.finalDb)).toBe(JSON.stringify(finalDb));
    expect(JSON.stringify((await storage.getSessionDbs(session.id))?.initialDb)).toBe(JSON.stringify(initialDb));
    // Our own records are still written with sorted keys.
    const line = JSON.parse(text.split('\n').find((l) => l.startsWith('{"type":"session"'))!);
    expect(Object.keys(line.session)).toEqual(Object.keys(line.session).sort());
    expect(Object.keys(line.turns[1].toolCalls[0])).toEqual(['arguments', 'id', 'name', 'result']);
  });

  it('a bad line after some batches are written names its line and field, and leaves nothing behind', async () => {
    const rows = (await bundle()).split('\n');
    // Line 9 is the seventh session: six are already staged in two batches when it is read.
    const o = JSON.parse(rows[8]!);
    o.session.score = { ...o.session.score, reward: 2 };
    rows[8] = JSON.stringify(o);
    const err = await errorOf(importRunBundle(storage, new Blob([rows.join('\n')]), { batchSessions: 3 }));
    expect(err.message).toBe('line 9: "session.score.reward" should be one of 0, 1, got 2');
    expect(err.line).toBe(9);
    expect(await counts()).toEqual({ runs: 0, sessions: 0, turns: 0, sessionDbs: 0, scenarioDbs: 0, markers: 0 });
  });

  it('keeps what was stored before: a failed import deletes only what it staged', async () => {
    const text = await bundle();
    await seedGridRun(storage, 'B', 1, { initialDb: FIXTURE_INITIAL_DB });
    const stored = await counts();
    const bad = text.trimEnd() + '\n{"type":"session"}\n';
    const err = await errorOf(importRunBundle(storage, new Blob([bad]), { batchSessions: 2 }));
    expect(err.message).toMatch(/^line 11: "session" is missing/);
    // B's sessions and the initial database they share with the bundle are still there.
    expect(await counts()).toEqual(stored);
    expect(await storage.countSessions('B')).toBe(8);
  });

  it('refuses a run that is already stored, naming it, and changes nothing', async () => {
    const text = await bundle();
    await importRunBundle(storage, new Blob([text]));
    const stored = await counts();
    const err = await errorOf(importRunBundle(storage, new Blob([text])));
    expect(err.message).toBe('line 1: a run with id "A" already exists ("run A", 8 sessions); delete it on the Runs page before importing this bundle');
    expect(await counts()).toEqual(stored);
  });

  it('names damaged gzip data and text that is not UTF-8', async () => {
    const text = await bundle();
    const gz = new Uint8Array(await (await gzip(text)).arrayBuffer());
    const cutShort = new Blob([gz.slice(0, Math.floor(gz.length * 0.6))]);
    expect((await errorOf(importRunBundle(storage, cutShort))).message).toMatch(/^line \d+: the gzip-compressed data is damaged or cut short \(/);
    const latin1 = new Blob([new TextEncoder().encode(text.split('\n')[0] + '\n'), new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])]);
    expect((await errorOf(importRunBundle(storage, latin1))).message).toMatch(/^line 2: the file is not UTF-8 text \(/);
    expect(await counts()).toEqual({ runs: 0, sessions: 0, turns: 0, sessionDbs: 0, scenarioDbs: 0, markers: 0 });
  });

  it('a cancel rolls back what was staged', async () => {
    const text = await bundle();
    const ctrl = new AbortController();
    const p = importRunBundle(storage, new Blob([text]), {
      batchSessions: 2,
      signal: ctrl.signal,
      onProgress: (pr) => {
        if (pr.sessions >= 4) ctrl.abort(new Error('cancelled by the person'));
      },
    });
    await expect(p).rejects.toThrow('cancelled by the person');
    expect(await counts()).toEqual({ runs: 0, sessions: 0, turns: 0, sessionDbs: 0, scenarioDbs: 0, markers: 0 });
  });

  it('sessions staged by a tab that closed mid-import are discarded at the next start, unless that import still runs', async () => {
    const text = await bundle();
    const name = storage.db.name;
    const rows = text.trimEnd().split('\n');
    // A file whose first lines arrive and whose rest never does: the tab closes meanwhile.
    let hang!: ReadableStreamDefaultController<Uint8Array>;
    const head = new TextEncoder().encode(rows.slice(0, 6).join('\n') + '\n');
    const file = {
      size: text.length,
      slice: () => new Blob([head.slice(0, 2)]),
      stream: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            hang = c;
            c.enqueue(head);
          },
        }),
    } as unknown as Blob;
    let staged!: () => void;
    const stagedSome = new Promise<void>((r) => (staged = r));
    const p = importRunBundle(storage, file, {
      batchSessions: 2,
      onProgress: (pr) => {
        if (pr.sessions >= 4) staged();
      },
    }).catch((e: unknown) => e);
    await stagedSome;
    // Closing the tab: the database goes away under the import, so its rollback cannot run.
    storage.close();
    hang.error(new Error('tab closed'));
    expect(await p).toBeInstanceOf(Error);

    const reopened = Storage.open(name, { indexedDB, IDBKeyRange });
    try {
      // The fourth session is still running: it has no databases.
      expect(await counts(reopened)).toEqual({ runs: 0, sessions: 4, turns: 8, sessionDbs: 3, scenarioDbs: 1, markers: 1 });
      // Nothing lists them: they have no run.
      expect(await reopened.listRuns()).toEqual([]);
      // Another tab still importing it holds its lock: left alone.
      expect(await discardUnfinishedImports(reopened, { keepRunIds: ['A'] })).toEqual([]);
      expect((await counts(reopened)).sessions).toBe(4);
      expect(await discardUnfinishedImports(reopened)).toEqual(['A']);
      expect(await counts(reopened)).toEqual({ runs: 0, sessions: 0, turns: 0, sessionDbs: 0, scenarioDbs: 0, markers: 0 });
      // And the bundle imports afterwards.
      expect((await importRunBundle(reopened, new Blob([text]))).sessions).toBe(8);
    } finally {
      storage = reopened;
    }
  });

  it('imports a synthetic 5,000-session bundle, larger than the JSON import cap, in reasonable time', async () => {
    const SESSIONS = 5000;
    const run: Run = makeRun('big', {
      status: 'completed',
      totalSessions: SESSIONS,
      doneSessions: SESSIONS,
      spec: { ...makeRun('big').spec, scenarioIds: Array.from({ length: 50 }, (_, i) => `s${i}`), trials: 10 },
    });
    const lines = [
      JSON.stringify({ type: 'run', formatVersion: 2, exportedAt: NOW.toISOString(), run }),
      JSON.stringify({ type: 'db', hash: HASH, db: FIXTURE_INITIAL_DB }),
    ];
    const long = 'I would like to change the delivery address of my order to the office, please. '.repeat(6);
    let passed = 0;
    const sessions: Session[] = [];
    const lastTurns: Turn[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const pass = i % 3 !== 0;
      if (pass) passed++;
      const { finalDb: _f, expectedDb: _e, ...session } = makeSession('big', `s${i % 50}`, `p${Math.floor(i / 50) % 10}`, Math.floor(i / 500), pass ? 'pass' : 'fail', { turnCount: 10 });
      const turns = Array.from({ length: 10 }, (_, k) => makeTurn(session.id, k, { content: `${long} (${i}.${k})` }));
      sessions.push(session);
      lastTurns.push(turns[9]!);
      const dbs = { baseHash: HASH, finalDelta: [{ op: 'set', table: 'orders', key: 'o1', value: { status: pass ? 'cancelled' : 'open' } }] };
      lines.push(JSON.stringify({ type: 'session', session, dbs, turns }));
    }
    const text = lines.join('\n') + '\n';
    const file = await gzip(text);
    const bytes = new Blob([text]).size;
    expect(bytes).toBeGreaterThan(MAX_IMPORT_BYTES);

    const t0 = performance.now();
    const result = await importRunBundle(storage, file);
    const ms = performance.now() - t0;
    console.log(
      `5,000-session bundle: ${(bytes / 1e6).toFixed(1)} MB (${(file.size / 1e6).toFixed(1)} MB gzip) imported in ${(ms / 1000).toFixed(1)} s into fake-indexeddb`,
    );
    expect(result).toEqual({ runId: 'big', name: 'run big', formatVersion: 2, sessions: SESSIONS, turns: SESSIONS * 10 });
    expect(ms).toBeLessThan(60_000);
    expect(await storage.countSessions('big', { outcome: 'pass' })).toBe(passed);
    expect(await storage.countSessions('big', { outcome: 'fail' })).toBe(SESSIONS - passed);
    for (const i of [0, 1, 2499, 4999]) {
      expect(await storage.getSession(sessions[i]!.id, { dbs: false })).toEqual(sessions[i]);
      expect((await storage.listTurns(sessions[i]!.id)).at(-1)).toEqual(lastTurns[i]);
    }
    expect(await counts()).toEqual({ runs: 1, sessions: SESSIONS, turns: SESSIONS * 10, sessionDbs: SESSIONS, scenarioDbs: 1, markers: 0 });
  }, 120_000);
});

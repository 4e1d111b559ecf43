import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, Session } from '../../src/core/model/types.ts';
import { canonicalHash, canonicalJson } from '../../src/core/scenarios/canonical.ts';
import {
  RunBundleError,
  exportRunJsonl,
  importRunJsonl,
  parseRunJsonl,
} from '../../src/storage/export.ts';
import type { Storage } from '../../src/storage/repo.ts';
import {
  FIXTURE_INITIAL_DB,
  dropTestStorage,
  makeRun,
  makeScenario,
  makeSession,
  makeTurn,
  openTestStorage,
  seedGridRun,
} from './fixtures.ts';

const NOW = new Date('2025-01-02T03:04:05.000Z');

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

/** Parses every line of a bundle as plain JSON. */
function lines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('exportRunJsonl', () => {
  it('writes the run first, then one session per line with its turns, in a stable order', async () => {
    const { run } = await seedGridRun(storage, 'A', 3);
    await seedGridRun(storage, 'B', 1); // must not leak in
    const text = await exportRunJsonl(storage, 'A', { now: NOW });

    expect(text.startsWith('{"type":"run","formatVersion":2,"exportedAt":"2025-01-02T03:04:05.000Z","run":{')).toBe(true);
    const [header, ...rest] = lines(text);
    expect(header).toEqual({ type: 'run', formatVersion: 2, exportedAt: NOW.toISOString(), run });
    expect(rest).toHaveLength(8);
    for (const l of rest) {
      expect(Object.keys(l)).toEqual(['type', 'session', 'turns']);
      expect(l['type']).toBe('session');
      const session = l['session'] as { id: string; runId: string };
      expect(session.runId).toBe('A');
      expect(l['turns']).toEqual([0, 1, 2].map((i) => makeTurn(session.id, i)));
    }
    const order = rest.map((l) => {
      const s = l['session'] as { scenarioId: string; personaId: string; trial: number };
      return `${s.scenarioId}/${s.personaId}/${s.trial}`;
    });
    expect(order).toEqual([
      's1/p1/0', 's1/p1/1', 's1/p2/0', 's1/p2/1',
      's2/p1/0', 's2/p1/1', 's2/p2/0', 's2/p2/1',
    ]);
    // Sessions carry their stored fields, including score details.
    expect(rest[0]?.['session']).toEqual(await storage.getSession((rest[0]?.['session'] as { id: string }).id));
  });

  it('exports a run with no sessions as its header alone, and refuses an unknown run', async () => {
    await storage.createRun(makeRun('empty'));
    const text = await exportRunJsonl(storage, 'empty', { now: NOW });
    expect(text.split('\n')).toHaveLength(2);
    expect(lines(text)[0]?.['type']).toBe('run');
    await expect(exportRunJsonl(storage, 'nope')).rejects.toThrow('no run with id "nope"');
  });

  it('round-trips: export → delete → import → export gives the same bytes', async () => {
    await seedGridRun(storage, 'A', 3);
    await seedGridRun(storage, 'B', 2);
    // A session written with its fields in another order exports the same way.
    const s = makeSession('A', 's9', 'p1', 0, 'pass');
    const reordered = Object.fromEntries(Object.entries(s).reverse()) as typeof s;
    await storage.putSession(reordered);

    const before = await exportRunJsonl(storage, 'A', { now: NOW });
    expect(await storage.deleteRun('A')).toBe(true);
    expect(await importRunJsonl(storage, before)).toEqual({ runId: 'A', sessions: 9, turns: 24 });
    const after = await exportRunJsonl(storage, 'A', { now: NOW });
    expect(after).toBe(before);
    expect(await storage.listTurns('A/s1/p1/0')).toEqual([0, 1, 2].map((i) => makeTurn('A/s1/p1/0', i)));
    expect(await storage.countSessions('B')).toBe(8);
  });

  it('import refuses, writing nothing, when the run exists or a line is bad', async () => {
    await seedGridRun(storage, 'A', 2);
    const text = await exportRunJsonl(storage, 'A', { now: NOW });

    await expect(importRunJsonl(storage, text)).rejects.toThrow(/line 1: a run with id "A" already exists/);
    expect(await storage.db.turns.count()).toBe(16);

    await storage.deleteRun('A');
    const rows = text.split('\n');
    rows[5] = rows[5]!.replace('"role":"agent"', '"role":"robot"');
    await expect(importRunJsonl(storage, rows.join('\n'))).rejects.toThrow(/^line 6: "turns\[1\]\.role" should be one of "user", "agent", got "robot"/);
    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.db.sessions.count()).toBe(0);
    expect(await storage.db.turns.count()).toBe(0);
  });

  it('import refuses a bundle whose session id already exists in another run', async () => {
    await seedGridRun(storage, 'A', 1);
    const text = await exportRunJsonl(storage, 'A', { now: NOW });
    await storage.deleteRun('A');
    // Another run already holds the id of the bundle's third session.
    const third = lines(text)[3]?.['session'] as { id: string };
    await storage.putSession(makeSession('other', 'x', 'y', 0, 'pass', { id: third.id }));

    await expect(importRunJsonl(storage, text)).rejects.toThrow(
      `line 4: a session with id "${third.id}" already exists (in run "other")`,
    );
    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.db.sessions.count()).toBe(1);
    expect(await storage.db.turns.count()).toBe(0);
  });
});

describe('parseRunJsonl', () => {
  async function bundle(): Promise<string[]> {
    await seedGridRun(storage, 'A', 2);
    return (await exportRunJsonl(storage, 'A', { now: NOW })).split('\n');
  }
  function edit(rows: string[], n: number, f: (o: Record<string, any>) => void): string {
    const copy = [...rows];
    const o = JSON.parse(copy[n - 1]!);
    f(o);
    copy[n - 1] = JSON.stringify(o);
    return copy.join('\n');
  }
  function errorOf(text: string): string {
    try {
      parseRunJsonl(text);
    } catch (e) {
      expect(e).toBeInstanceOf(RunBundleError);
      expect((e as Error).name).toBe('RunBundleError');
      return (e as Error).message;
    }
    throw new Error('parsed without error');
  }

  it('reads a bundle back, tolerating CRLF and blank lines', async () => {
    const rows = await bundle();
    const parsed = parseRunJsonl(rows.join('\r\n') + '\n\n');
    expect(parsed.formatVersion).toBe(2);
    expect(parsed.exportedAt).toBe(NOW.toISOString());
    expect(parsed.run.id).toBe('A');
    expect(parsed.sessions).toHaveLength(8);
    expect(parsed.sessions[0]?.turns.map((t) => t.index)).toEqual([0, 1]);
  });

  it('names the line and the field at fault', async () => {
    const rows = await bundle();
    expect(errorOf(edit(rows, 3, (o) => delete o.session.runId))).toBe('line 3: "session.runId" is missing');
    expect(errorOf(edit(rows, 1, (o) => (o.formatVersion = 3)))).toBe('line 1: "formatVersion" should be one of 1, 2, got 3');
    expect(errorOf(edit(rows, 1, (o) => (o.run.totalSessions = 'eight')))).toBe(
      'line 1: "run.totalSessions" should be a number, got a string',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.session.trial = 1.5)))).toBe(
      'line 2: "session.trial" should be an integer, got 1.5',
    );
    expect(errorOf(edit(rows, 4, (o) => (o.turns[1].toolCalls[0].result = { ok: 'yes' })))).toMatch(
      /^line 4: "turns\[1\]\.toolCalls\[0\]\.result\.ok"/,
    );
    expect(errorOf(edit(rows, 5, (o) => (o.extra = 1)))).toBe('line 5: "extra" is not a known field');
    expect(errorOf(edit(rows, 2, (o) => (o.session.runId = 'B')))).toBe(
      'line 2: "session.runId" is "B" but the run\'s id is "A"',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.turns[1].sessionId = 'zzz')))).toBe(
      'line 2: "turns[1].sessionId" is "zzz" but the session\'s id is "A/s1/p1/0"',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.turns[1].index = 0)))).toBe(
      'line 2: "turns[1].index" 0 repeats "turns[0].index"',
    );
    expect(errorOf([rows[0], rows[1], rows[1]].join('\n'))).toBe(
      'line 3: "session.id" "A/s1/p1/0" already appeared on line 2',
    );
    expect(
      errorOf(
        edit(rows, 3, (o) => {
          delete o.session.seed;
          delete o.session.user.label;
        }),
      ),
    ).toBe('line 3: "session.seed" is missing (and 1 more problem)');
  });

  it('keeps a turn\'s cached prompt tokens, and refuses a count that is not one', async () => {
    const rows = await bundle();
    const usage = { promptTokens: 30, completionTokens: 8, cachedPromptTokens: 412 };
    const parsed = parseRunJsonl(edit(rows, 2, (o) => (o.turns[1].usage = usage)));
    expect(parsed.sessions[0]!.turns[1]!.usage).toEqual(usage);
    expect(errorOf(edit(rows, 2, (o) => (o.turns[1].usage = { ...usage, cachedPromptTokens: -1 })))).toMatch(
      /^line 2: "turns\[1\]\.usage\.cachedPromptTokens"/,
    );
  });

  it('names structural problems', async () => {
    const rows = await bundle();
    expect(errorOf('')).toBe('line 1: the file is empty; expected a "run" line');
    expect(errorOf(rows.slice(1).join('\n'))).toBe('line 1: the first line must be the run: {"type":"run",…}');
    expect(errorOf([rows[0], rows[0]].join('\n'))).toBe('line 2: a second "run" line; a bundle holds one run');
    expect(errorOf([rows[0], rows[1], '{"type":"session",'].join('\n'))).toMatch(/^line 3: not valid JSON \(/);
    expect(errorOf([rows[0], '[1,2]'].join('\n'))).toBe('line 2: the line should be an object, got an array');
    expect(errorOf([rows[0], '{"type":"sesion"}'].join('\n'))).toBe('line 2: "type" should be "session" or "db", got "sesion"');
  });
});

describe('databases as deltas (format version 2)', () => {
  const HASH = canonicalHash(FIXTURE_INITIAL_DB);

  it('exports each initial database once, on a "db" line, and every session’s databases as deltas', async () => {
    const { sessions } = await seedGridRun(storage, 'A', 2, { initialDb: FIXTURE_INITIAL_DB });
    const [header, db, ...rest] = lines(await exportRunJsonl(storage, 'A', { now: NOW }));
    expect(header?.['formatVersion']).toBe(2);
    expect(db).toEqual({ type: 'db', hash: HASH, db: FIXTURE_INITIAL_DB });
    expect(rest).toHaveLength(8);
    const done = rest.filter((l) => (l['session'] as Session).status === 'done');
    expect(done).toHaveLength(7);
    for (const l of done) {
      expect(Object.keys(l)).toEqual(['type', 'session', 'dbs', 'turns']);
      expect(l['session']).not.toHaveProperty('finalDb');
      expect(l['session']).not.toHaveProperty('expectedDb');
      expect((l['dbs'] as { baseHash: string }).baseHash).toBe(HASH);
    }
    // A passing session changed one record; the users table it lacks is dropped.
    const pass = done.find((l) => (l['session'] as Session).outcome === 'pass')!;
    expect(pass['dbs']).toEqual({
      baseHash: HASH,
      finalDelta: [{ op: 'drop', table: 'users' }, { op: 'set', table: 'orders', key: 'o1', value: { status: 'cancelled' } }],
      expectedDelta: [{ op: 'drop', table: 'users' }, { op: 'set', table: 'orders', key: 'o1', value: { status: 'cancelled' } }],
    });
    // The running session has no databases.
    expect(Object.keys(rest.find((l) => (l['session'] as Session).status === 'running')!)).toEqual(['type', 'session', 'turns']);

    // Into another browser: the same sessions come back, databases whole.
    const other = openTestStorage();
    try {
      await importRunJsonl(other, await exportRunJsonl(storage, 'A', { now: NOW }));
      for (const s of sessions) expect(await other.getSession(s.id)).toEqual(s);
      expect(await other.db.scenarioDbs.count()).toBe(1);
      expect((await other.db.sessionDbs.toArray()).every((r) => r.baseHash === HASH && r.finalDb === undefined)).toBe(true);
    } finally {
      await dropTestStorage(other);
    }
  });

  it('round-trips byte for byte, the initial database included, even when the run was its last user', async () => {
    await seedGridRun(storage, 'A', 3, { initialDb: FIXTURE_INITIAL_DB });
    const before = await exportRunJsonl(storage, 'A', { now: NOW });
    await storage.deleteRun('A');
    expect(await storage.db.scenarioDbs.count()).toBe(0);
    await importRunJsonl(storage, before);
    expect(await exportRunJsonl(storage, 'A', { now: NOW })).toBe(before);
  });

  it('keeps a database that a stored scenario already has, and refuses one that only shares its hash', async () => {
    await seedGridRun(storage, 'A', 1, { initialDb: FIXTURE_INITIAL_DB });
    const text = await exportRunJsonl(storage, 'A', { now: NOW });
    await storage.putScenarios([makeScenario('s1', { initialDb: FIXTURE_INITIAL_DB })], { builtin: false });
    await storage.deleteRun('A');
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    await importRunJsonl(storage, text);
    expect(await storage.db.scenarioDbs.count()).toBe(1);

    await storage.deleteRun('A');
    await storage.db.scenarioDbs.put({ hash: HASH, db: { forged: true } });
    await expect(importRunJsonl(storage, text)).rejects.toThrow(`the database ${HASH} differs from the one stored under the same hash; nothing was written`);
    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.db.sessions.count()).toBe(0);
    expect(await storage.db.sessionDbs.count()).toBe(0);
  });

  it('names bad "db" lines and deltas that do not fit, by line and field', async () => {
    await seedGridRun(storage, 'A', 1, { initialDb: FIXTURE_INITIAL_DB });
    const rows = (await exportRunJsonl(storage, 'A', { now: NOW })).split('\n');
    const edit = (n: number, f: (o: Record<string, any>) => void, from = rows) => {
      const copy = [...from];
      const o = JSON.parse(copy[n - 1]!);
      f(o);
      copy[n - 1] = JSON.stringify(o);
      return copy;
    };
    const errorOf = (text: string) => {
      try {
        parseRunJsonl(text);
      } catch (e) {
        expect(e).toBeInstanceOf(RunBundleError);
        return (e as Error).message;
      }
      throw new Error('parsed without error');
    };
    // Line 3 is the first session: s1/p1/0, which passed.
    expect(errorOf(edit(2, (o) => (o.db.orders.o1.status = 'x')).join('\n'))).toBe(
      `line 2: "hash" is "${HASH}" but the database's canonical hash is "${canonicalHash({ ...FIXTURE_INITIAL_DB, orders: { o1: { status: 'x' } } })}"`,
    );
    expect(errorOf([rows[0], rows[1], rows[1]].join('\n'))).toBe(`line 3: "hash" "${HASH}" already appeared on line 2`);
    expect(errorOf(edit(2, (o) => delete o.db).join('\n'))).toBe('line 2: "db" is missing');
    expect(errorOf([rows[0], rows[2]].join('\n'))).toBe(`line 2: "dbs.baseHash" "${HASH}" names no "db" line before this one`);
    expect(errorOf(edit(3, (o) => o.dbs.finalDelta.push({ op: 'delete', table: 'orders', key: 'zz' })).join('\n'))).toBe(
      'line 3: "dbs.finalDelta[2]" does not fit its database: "orders" has no record "zz" to delete',
    );
    expect(errorOf(edit(3, (o) => (o.dbs.expectedDelta[0] = { op: 'explode', table: 'orders' })).join('\n'))).toMatch(/^line 3: "dbs\.expectedDelta\[0\]\.op"/);
    expect(errorOf(edit(3, (o) => (o.session.finalDb = {})).join('\n'))).toBe('line 3: "session.finalDb" and "dbs.finalDelta" are both given; keep one');
  });

  it('still reads version-1 bundles (whole databases), storing them as deltas where the scenario is known', async () => {
    const { sessions } = await seedGridRun(storage, 'A', 2);
    const v2 = await exportRunJsonl(storage, 'A', { now: NOW });
    // A version-1 file is this one with the old version number: no "db" lines, whole databases.
    const v1 = v2.replace('"formatVersion":2', '"formatVersion":1');
    expect(v1).not.toBe(v2);
    expect(v1).toContain('"finalDb":');
    await storage.deleteRun('A');

    const parsed = parseRunJsonl(v1);
    expect(parsed.formatVersion).toBe(1);
    expect(parsed.dbs.size).toBe(0);
    expect(parsed.sessions.find((s) => s.session.status === 'done')?.session.finalDb).toBeDefined();

    await storage.putScenarios([makeScenario('s1', { initialDb: FIXTURE_INITIAL_DB })], { builtin: false });
    expect(await importRunJsonl(storage, v1)).toEqual({ runId: 'A', sessions: 8, turns: 16 });
    for (const s of sessions) expect(await storage.getSession(s.id)).toEqual(s);
    const rows = await storage.db.sessionDbs.toArray();
    const ofScenario = (id: string) => rows.filter((r) => r.sessionId.split('/')[1] === id);
    expect(ofScenario('s1').length).toBeGreaterThan(0);
    expect(ofScenario('s1').every((r) => r.baseHash === HASH && r.finalDb === undefined && r.finalDelta !== undefined)).toBe(true);
    // No stored scenario s2: its sessions keep their databases whole.
    expect(ofScenario('s2').every((r) => r.baseHash === undefined && r.finalDb !== undefined)).toBe(true);
    // Exported again, it is a version-2 bundle with s1's database once.
    const again = lines(await exportRunJsonl(storage, 'A', { now: NOW }));
    expect(again.filter((l) => l['type'] === 'db')).toHaveLength(1);

    // Version 1 knew neither "db" lines nor "dbs".
    const rowsV1 = v1.split('\n');
    expect(() => parseRunJsonl([rowsV1[0], JSON.stringify({ type: 'db', hash: HASH, db: FIXTURE_INITIAL_DB })].join('\n'))).toThrow(
      'line 2: "type" should be "session", got "db"',
    );
    const withDbs = JSON.parse(rowsV1[1]!);
    withDbs.dbs = { baseHash: HASH };
    expect(() => parseRunJsonl([rowsV1[0], JSON.stringify(withDbs)].join('\n'))).toThrow('line 2: "dbs" is not a known field');
  });

  it('keeps a τ²-bench retail run small: the database once, a few kilobytes per session', async () => {
    const dbPath = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail/db.json');
    const retail = JSON.parse(readFileSync(dbPath, 'utf8')) as JsonObject;
    const orderIds = Object.keys(retail['orders'] as JsonObject);
    const changed = (i: number) => {
      const db = structuredClone(retail);
      const order = (db['orders'] as Record<string, JsonObject>)[orderIds[i * 7]!]!;
      order['status'] = 'cancelled';
      order['cancel_reason'] = 'ordered by mistake';
      return db;
    };
    await storage.createRun(makeRun('deltas', { totalSessions: 12 }));
    const expectedDb = changed(0);
    let wholeBytes = 0;
    for (let i = 0; i < 12; i++) {
      const session = makeSession('deltas', `retail-${i % 3}`, 'p1', Math.floor(i / 3), 'pass', { finalDb: changed(i % 2), expectedDb });
      await storage.putSession(session, { initialDb: retail });
      // What a version-1 bundle carried for this session: both databases whole.
      wholeBytes += JSON.stringify(session.finalDb).length + JSON.stringify(session.expectedDb).length;
    }
    const compact = await exportRunJsonl(storage, 'deltas', { now: NOW });
    const dbLine = compact.split('\n')[1]!;
    console.log(
      `retail run of 12 sessions: bundle ${(compact.length / 1e6).toFixed(2)} MB with deltas (the database line ${(dbLine.length / 1e6).toFixed(2)} MB of it), ` +
        `${((compact.length - dbLine.length + wholeBytes) / 1e6).toFixed(2)} MB with whole databases as in version 1`,
    );
    const parsed = lines(compact);
    expect(parsed.filter((l) => l['type'] === 'db')).toHaveLength(1);
    // Every session line is small: none carries a database.
    const sessionLines = compact.split('\n').filter((l) => l.startsWith('{"type":"session"'));
    expect(sessionLines).toHaveLength(12);
    for (const l of sessionLines) expect(l.length).toBeLessThan(20_000);

    await storage.deleteRun('deltas');
    await importRunJsonl(storage, compact);
    // What comes back is the same data.
    const back = await storage.getSession('deltas/retail-1/p1/0');
    expect(canonicalJson(back?.finalDb) === canonicalJson(changed(1))).toBe(true);
    expect(canonicalJson(back?.finalDb) === canonicalJson(changed(0))).toBe(false);
  }, 30_000);
});

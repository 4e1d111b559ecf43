import { readFileSync } from 'node:fs';
import path from 'node:path';
import Dexie from 'dexie';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, Session } from '../../src/core/model/types.ts';
import { canonicalHash } from '../../src/core/scenarios/canonical.ts';
import { Storage } from '../../src/storage/repo.ts';
import {
  FIXTURE_INITIAL_DB,
  dropTestStorage,
  makeRun,
  makeScenario,
  makeSession,
  openTestStorage,
  seedGridRun,
} from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const HASH = canonicalHash(FIXTURE_INITIAL_DB);

/** A finished session whose final database cancelled o1 and added a user; expected cancels o1. */
function doneSession(trial = 0, over: Partial<Session> = {}): Session {
  return makeSession('r', 's1', 'p1', trial, 'pass', {
    finalDb: { orders: { o1: { status: 'cancelled' } }, users: { u1: { name: 'Ana' }, u2: { name: 'Bo' } } },
    expectedDb: { orders: { o1: { status: 'cancelled' } }, users: { u1: { name: 'Ana' } } },
    ...over,
  });
}

describe('session databases as deltas', () => {
  it('stores deltas against the initial database, which is stored once, and reads the session back whole', async () => {
    const a = doneSession(0);
    const b = doneSession(1);
    await storage.putSession(a, { initialDb: FIXTURE_INITIAL_DB });
    await storage.putSession(b, { initialDb: structuredClone(FIXTURE_INITIAL_DB) });

    const row = await storage.db.sessionDbs.get(a.id);
    expect(row).toEqual({
      sessionId: a.id,
      baseHash: HASH,
      finalDelta: [
        { op: 'set', table: 'orders', key: 'o1', value: { status: 'cancelled' } },
        { op: 'set', table: 'users', key: 'u2', value: { name: 'Bo' } },
      ],
      expectedDelta: [{ op: 'set', table: 'orders', key: 'o1', value: { status: 'cancelled' } }],
    });
    expect(await storage.db.scenarioDbs.toArray()).toEqual([{ hash: HASH, db: FIXTURE_INITIAL_DB }]);
    expect(await storage.getSession(a.id)).toEqual(a);
    expect(await storage.getSession(b.id)).toEqual(b);
    // Light when asked: no databases read.
    const light = await storage.getSession(a.id, { dbs: false });
    expect(light).not.toHaveProperty('finalDb');
    expect(light?.score).toEqual(a.score);
    // The dbs with the initial database they were stored against.
    expect(await storage.getSessionDbs(a.id)).toEqual({ finalDb: a.finalDb, expectedDb: a.expectedDb, initialDb: FIXTURE_INITIAL_DB });
  });

  it('stores whole databases when no initial database is given, and replaces them when the session is rewritten', async () => {
    const s = doneSession();
    await storage.putSession(s);
    expect(await storage.db.sessionDbs.get(s.id)).toEqual({ sessionId: s.id, finalDb: s.finalDb, expectedDb: s.expectedDb });
    expect(await storage.getSessionDbs(s.id)).toEqual({ finalDb: s.finalDb, expectedDb: s.expectedDb });
    // Rewritten with deltas, then without databases at all.
    await storage.putSession(s, { initialDb: FIXTURE_INITIAL_DB });
    expect((await storage.db.sessionDbs.get(s.id))?.finalDb).toBeUndefined();
    const { finalDb: _f, expectedDb: _e, ...bare } = s;
    await storage.putSession(bare);
    expect(await storage.db.sessionDbs.get(s.id)).toBeUndefined();
    expect(await storage.getSession(s.id)).toEqual(bare);
  });

  it('updateSession keeps a session’s databases as deltas against the base they already use', async () => {
    const s = doneSession();
    await storage.putSession(s, { initialDb: FIXTURE_INITIAL_DB });
    const finalDb = { orders: { o1: { status: 'open' } }, users: { u1: { name: 'Cy' } } };
    expect(await storage.updateSession(s.id, { finalDb, outcome: 'fail' })).toBe(true);
    expect(await storage.db.sessionDbs.get(s.id)).toMatchObject({
      baseHash: HASH,
      finalDelta: [{ op: 'set', table: 'users', key: 'u1', value: { name: 'Cy' } }],
    });
    expect(await storage.getSession(s.id)).toEqual({ ...s, finalDb, outcome: 'fail' });
    // A whole row moves to deltas when an initial database comes with the update.
    const w = doneSession(1);
    await storage.putSession(w);
    await storage.updateSession(w.id, { expectedDb: FIXTURE_INITIAL_DB }, { initialDb: FIXTURE_INITIAL_DB });
    expect(await storage.db.sessionDbs.get(w.id)).toMatchObject({ baseHash: HASH, expectedDelta: [] });
    expect(await storage.getSession(w.id)).toEqual({ ...w, expectedDb: FIXTURE_INITIAL_DB });
  });

  it('keeps an initial database while sessions use it, after its scenario is gone, and drops it with the last run', async () => {
    await storage.putScenarios([makeScenario('s1', { initialDb: FIXTURE_INITIAL_DB })], { builtin: false });
    const [scenario] = await storage.getScenarios(['s1']);
    await seedGridRun(storage, 'A', 1, { initialDb: scenario!.initialDb });
    await seedGridRun(storage, 'B', 1, { initialDb: scenario!.initialDb });
    expect(await storage.db.scenarioDbs.count()).toBe(1);

    expect(await storage.deleteScenario('s1')).toBe(true);
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    const pass = (await storage.listSessions('A', { outcome: 'pass' }))[0]!;
    expect((await storage.getSession(pass.id))?.finalDb).toEqual({ orders: { o1: { status: 'cancelled' } } });
    expect((await storage.getSessionDbs(pass.id))?.initialDb).toEqual(FIXTURE_INITIAL_DB);

    await storage.deleteRun('A');
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    await storage.deleteRun('B');
    expect(await storage.db.scenarioDbs.count()).toBe(0);
  });

  it('stores the initial database itself when its scenario was deleted meanwhile', async () => {
    await storage.putScenarios([makeScenario('s1', { initialDb: FIXTURE_INITIAL_DB })], { builtin: false });
    const [scenario] = await storage.getScenarios(['s1']);
    await storage.deleteScenario('s1');
    expect(await storage.db.scenarioDbs.count()).toBe(0);
    const s = doneSession();
    await storage.putSession(s, { initialDb: scenario!.initialDb });
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect(await storage.getSession(s.id)).toEqual(s);
  });

  it('fails loudly, writing nothing, when another database is stored under the same hash', async () => {
    await storage.db.scenarioDbs.put({ hash: HASH, db: { forged: true } });
    const s = doneSession();
    await expect(storage.putSession(s, { initialDb: FIXTURE_INITIAL_DB })).rejects.toThrow(`Two different databases share the hash ${HASH}`);
    expect(await storage.db.sessions.count()).toBe(0);
    expect(await storage.db.sessionDbs.count()).toBe(0);
  });

  it('says which session lost its initial database rather than returning a wrong one', async () => {
    const s = doneSession();
    await storage.putSession(s, { initialDb: FIXTURE_INITIAL_DB });
    await storage.db.scenarioDbs.clear();
    await expect(storage.getSession(s.id)).rejects.toThrow(`Session "${s.id}": its initial database (${HASH}) is missing from storage.`);
  });
});

describe('schema upgrade from version 2', () => {
  // Version 2 exactly as it shipped: whole databases in sessionDbs.
  const V2_STORES = {
    runs: 'id, createdAt, status',
    sessions:
      'id, runId, scenarioId, personaId, outcome, [runId+scenarioId], [runId+personaId], [runId+outcome], [runId+trial], [runId+scenarioId+personaId+outcome], [runId+termination]',
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
  };

  it('turns whole session databases into deltas where the scenario’s database is stored, and keeps the rest', async () => {
    const name = `upgrade3-${Math.random()}`;
    const v2 = new Dexie(name, { indexedDB, IDBKeyRange });
    v2.version(2).stores(V2_STORES);
    const known = doneSession(0);
    const orphan = makeSession('r', 'gone', 'p1', 0, 'fail');
    const running = makeSession('r', 's1', 'p1', 1);
    await v2.table('scenarios').put({ id: 's1', dbHash: HASH, agentHash: 'a', title: 'S1' });
    await v2.table('scenarioDbs').put({ hash: HASH, db: FIXTURE_INITIAL_DB });
    for (const s of [known, orphan, running]) {
      const { finalDb, expectedDb, ...light } = s;
      await v2.table('sessions').put(light);
      if (finalDb) await v2.table('sessionDbs').put({ sessionId: s.id, finalDb, expectedDb });
    }
    v2.close();

    const upgraded = Storage.open(name, { indexedDB, IDBKeyRange });
    try {
      expect(await upgraded.db.sessionDbs.get(known.id)).toMatchObject({ baseHash: HASH, finalDelta: expect.any(Array) });
      expect(await upgraded.db.sessionDbs.get(known.id)).not.toHaveProperty('finalDb');
      expect(await upgraded.db.sessionDbs.get(orphan.id)).toEqual({ sessionId: orphan.id, finalDb: orphan.finalDb, expectedDb: orphan.expectedDb });
      for (const s of [known, orphan, running]) expect(await upgraded.getSession(s.id)).toEqual(s);
      expect(await upgraded.db.sessionDbs.where('baseHash').equals(HASH).count()).toBe(1);
      expect(upgraded.db.verno).toBeGreaterThanOrEqual(3);
    } finally {
      await dropTestStorage(upgraded);
    }
  });
});

describe('a τ²-bench retail session', () => {
  it('stores in kilobytes instead of two copies of the database (printed, before and after)', async () => {
    const dbPath = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail/db.json');
    const retail = JSON.parse(readFileSync(dbPath, 'utf8')) as JsonObject;
    const orderIds = Object.keys(retail['orders'] as JsonObject);
    const cancel = (db: JsonObject, ids: string[]) => {
      for (const id of ids) Object.assign((db['orders'] as Record<string, JsonObject>)[id]!, { status: 'cancelled', cancel_reason: 'no longer needed' });
      return db;
    };
    const s = makeSession('r', 'retail-0', 'p1', 0, 'fail', {
      finalDb: cancel(structuredClone(retail), [orderIds[10]!, orderIds[11]!]),
      expectedDb: cancel(structuredClone(retail), [orderIds[10]!, orderIds[11]!, orderIds[12]!]),
    });
    await storage.createRun(makeRun('r'));

    const bytes = async (id: string) => JSON.stringify(await storage.db.sessions.get(id)).length + JSON.stringify(await storage.db.sessionDbs.get(id)).length;
    await storage.putSession({ ...s, id: 'whole' });
    await storage.putSession(s, { initialDb: retail });
    const before = await bytes('whole');
    const after = await bytes(s.id);
    console.log(
      `retail session stored: ${before.toLocaleString('en')} bytes with whole databases, ${after.toLocaleString('en')} bytes as deltas ` +
        `(+ the ${JSON.stringify(retail).length.toLocaleString('en')}-byte initial database once for all sessions)`,
    );
    const back = await storage.getSession(s.id);
    expect(JSON.stringify(back?.finalDb)).toBe(JSON.stringify(s.finalDb));
    expect(JSON.stringify(back?.expectedDb)).toBe(JSON.stringify(s.expectedDb));
  }, 30_000);
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import Dexie from 'dexie';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/core/scenarios/canonical.ts';
import type { JsonObject, Scenario } from '../../src/core/model/types.ts';
import { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeScenario, openTestStorage } from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

/** A database big enough that storing it per scenario would show: 300 orders. */
function bigDb(tag = 'x'): JsonObject {
  const orders: JsonObject = {};
  for (let i = 0; i < 300; i++) orders[`#W${i}`] = { status: 'pending', tag, items: [{ id: `i${i}`, price: i }] };
  return { orders, meta: { today: '2024-05-01' } };
}

const tools = [{ name: 'cancel_order', description: 'Cancel.', parameters: { type: 'object' }, kind: 'write' as const }];

/** `n` tasks of one pack, all sharing the same database object and tool list (as importers give). */
function packScenarios(packId: string, n: number, db: JsonObject = bigDb()): Scenario[] {
  return Array.from({ length: n }, (_, i) =>
    makeScenario(`${packId}-${i}`, { packId, domain: 'retail', initialDb: db, agent: { policy: 'Be exact.', tools } }),
  );
}

const packRecord = (id: string) => ({ id, title: `Pack ${id}`, description: 'test', domain: 'retail', origin: 'tau2-bench' as const });

describe('scenarios with shared databases', () => {
  it('stores a database shared by many scenarios once, and lists scenarios without it', async () => {
    const list = packScenarios('retail', 40);
    await storage.putPack(packRecord('retail'), list);

    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect(await storage.db.scenarioAgents.count()).toBe(1);
    expect((await storage.db.scenarioDbs.toArray())[0]?.hash).toBe(canonicalHash(list[0]!.initialDb));

    const rows = await storage.listScenarios();
    expect(rows).toHaveLength(40);
    for (const r of rows) {
      expect(r).not.toHaveProperty('initialDb');
      expect(r).not.toHaveProperty('agent');
      expect(r.toolKinds).toEqual([{ name: 'cancel_order', kind: 'write' }]);
    }
    // The light rows together are a small fraction of a database per scenario.
    expect(JSON.stringify(rows).length).toBeLessThan((JSON.stringify(list[0]!.initialDb).length * 40) / 20);
    expect(await storage.getPack('retail')).toMatchObject({ taskCount: 40, origin: 'tau2-bench', title: 'Pack retail' });
  });

  it('hydrates whole scenarios, in the order asked, sharing one database object', async () => {
    const list = packScenarios('retail', 5);
    const other = makeScenario('lone', { initialDb: { orders: { o9: { status: 'open' } } } });
    await storage.putPack(packRecord('retail'), list);
    await storage.putScenarios([other], { builtin: false });

    const got = await storage.getScenarios(['retail-3', 'nope', 'lone', 'retail-1']);
    expect(got[1]).toBeUndefined();
    expect(got[0]).toEqual({ ...list[3], builtin: false, importedAt: got[0]!.importedAt });
    expect(got[2]).toMatchObject({ ...other, builtin: false });
    expect(got[3]?.initialDb).toEqual(list[1]!.initialDb);
    expect(got[0]!.initialDb).toBe(got[3]!.initialDb);
    expect(await storage.getScenario('lone')).toMatchObject({ initialDb: other.initialDb, agent: other.agent });
    expect(await storage.getScenario('nope')).toBeUndefined();
  });

  it('addresses databases by content: equal databases in different objects are stored once', async () => {
    await storage.putScenarios([makeScenario('a', { initialDb: bigDb() }), makeScenario('b', { initialDb: bigDb() })], { builtin: false });
    await storage.putScenarios([makeScenario('c', { initialDb: bigDb('other') })], { builtin: false });
    expect(await storage.db.scenarioDbs.count()).toBe(2);
  });

  it('deleting a scenario keeps a database others still use and deletes the last user’s', async () => {
    await storage.putPack(packRecord('retail'), packScenarios('retail', 2));
    await storage.putScenarios([makeScenario('lone')], { builtin: false });
    expect(await storage.db.scenarioDbs.count()).toBe(2);

    expect(await storage.deleteScenario('retail-0')).toBe(true);
    expect(await storage.db.scenarioDbs.count()).toBe(2);
    expect(await storage.getPack('retail')).toMatchObject({ taskCount: 1 });

    expect(await storage.deleteScenario('retail-1')).toBe(true);
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect(await storage.db.scenarioAgents.count()).toBe(1);
    expect(await storage.getPack('retail')).toBeUndefined();
    expect(await storage.deleteScenario('retail-1')).toBe(false);
    expect(await storage.getScenario('lone')).toMatchObject({ initialDb: makeScenario('lone').initialDb });
  });

  it('deletePack removes the pack, its scenarios and their database in one go, and nothing else', async () => {
    await storage.putPack(packRecord('retail'), packScenarios('retail', 30));
    await storage.putPack(packRecord('other'), packScenarios('other', 3, bigDb('other')));
    expect(await storage.deletePack('retail')).toBe(30);
    expect((await storage.listScenarios()).map((s) => s.packId)).toEqual(['other', 'other', 'other']);
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect((await storage.listPacks()).map((p) => p.id)).toEqual(['other']);
    expect((await storage.getScenario('other-2'))?.initialDb).toEqual(bigDb('other'));
  });

  it('deletePack is all or nothing', async () => {
    await storage.putPack(packRecord('retail'), packScenarios('retail', 4));
    storage.db.scenarioDbs.hook('deleting', () => {
      throw new Error('disk on fire');
    });
    await expect(storage.deletePack('retail')).rejects.toThrow('disk on fire');
    expect(await storage.db.scenarios.count()).toBe(4);
    expect(await storage.getPack('retail')).toBeDefined();
    expect(await storage.db.scenarioDbs.count()).toBe(1);
  });

  it('re-importing a pack replaces it whole: tasks it lacks go, a changed database replaces the old', async () => {
    await storage.putPack(packRecord('retail'), packScenarios('retail', 5));
    const next = packScenarios('retail', 3, bigDb('v2'));
    await storage.putPack({ ...packRecord('retail'), title: 'Second' }, next);

    expect((await storage.listScenarios()).map((s) => s.id).sort()).toEqual(['retail-0', 'retail-1', 'retail-2']);
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect((await storage.getScenario('retail-2'))?.initialDb).toEqual(bigDb('v2'));
    expect(await storage.getPack('retail')).toMatchObject({ title: 'Second', taskCount: 3 });
  });

  it('a pack import writes all or nothing: a failed write leaves the earlier pack as it was', async () => {
    const first = packScenarios('retail', 5);
    await storage.putPack(packRecord('retail'), first);
    let n = 0;
    storage.db.scenarios.hook('creating', () => {
      if (++n === 3) throw new Error('quota exceeded');
    });
    await expect(storage.putPack({ ...packRecord('retail'), title: 'New' }, packScenarios('retail', 8, bigDb('v2')))).rejects.toThrow('quota exceeded');

    expect((await storage.listScenarios()).map((s) => s.id).sort()).toEqual(first.map((s) => s.id).sort());
    expect(await storage.getPack('retail')).toMatchObject({ title: 'Pack retail', taskCount: 5 });
    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect((await storage.getScenario('retail-4'))?.initialDb).toEqual(first[0]!.initialDb);
  });

  it('refuses a scenario that does not belong to the pack, writing nothing', async () => {
    const list = [...packScenarios('retail', 2), makeScenario('x', { packId: 'elsewhere' })];
    await expect(storage.putPack(packRecord('retail'), list)).rejects.toThrow(/"x" does not belong/);
    expect(await storage.db.scenarios.count()).toBe(0);
    expect(await storage.db.packs.count()).toBe(0);
  });

  it('fails loudly, writing nothing, when a stored database has the same hash but other content', async () => {
    const s = makeScenario('a');
    await storage.db.scenarioDbs.put({ hash: canonicalHash(s.initialDb), db: { forged: true } });
    await expect(storage.putScenarios([s, makeScenario('b', { initialDb: bigDb() })], { builtin: false })).rejects.toThrow(/share the hash/);
    expect(await storage.db.scenarios.count()).toBe(0);
    expect(await storage.db.scenarioDbs.count()).toBe(1);
  });

  it('seedBuiltins stores pack records and leaves a user pack of the same id alone', async () => {
    await storage.putPack({ ...packRecord('mine') }, packScenarios('mine', 2));
    await storage.seedBuiltins(packScenarios('shop', 3, bigDb('shop')), [], [
      { ...packRecord('shop'), origin: 'builtin', taskCount: 3 },
      { ...packRecord('mine'), origin: 'builtin', taskCount: 9 },
    ]);
    expect(await storage.getPack('shop')).toMatchObject({ origin: 'builtin', taskCount: 3 });
    expect(await storage.getPack('mine')).toMatchObject({ origin: 'tau2-bench', taskCount: 2 });
    expect(await storage.db.scenarioDbs.count()).toBe(2);
    // Re-seeding with a changed database drops the old one.
    await storage.seedBuiltins(packScenarios('shop', 3, bigDb('shop2')), []);
    expect(await storage.db.scenarioDbs.count()).toBe(2);
    expect((await storage.getScenario('shop-0'))?.initialDb).toEqual(bigDb('shop2'));
  });
});

describe('schema upgrade from version 1', () => {
  // Version 1 exactly as it shipped: whole scenarios in the scenarios table.
  const V1_STORES = {
    runs: 'id, createdAt, status',
    sessions:
      'id, runId, scenarioId, personaId, outcome, [runId+scenarioId], [runId+personaId], [runId+outcome], [runId+trial], [runId+scenarioId+personaId+outcome], [runId+termination]',
    turns: '[sessionId+index], sessionId',
    scenarios: 'id, packId, domain',
    personas: 'id, setId',
    sessionDbs: 'sessionId',
    settings: 'key',
    ggufModels: 'id, addedAt, sha256',
    ggufBlobs: 'id',
  };

  it('moves each stored scenario’s database and agent side into the shared tables', async () => {
    const name = `upgrade-${Math.random()}`;
    const v1 = new Dexie(name, { indexedDB, IDBKeyRange });
    v1.version(1).stores(V1_STORES);
    const shared = bigDb();
    const old = [
      ...packScenarios('retail', 3, shared),
      makeScenario('lone', { title: 'Lone one' }),
    ].map((s, i) => ({ ...s, builtin: i === 3, importedAt: 1000 + i }));
    await v1.table('scenarios').bulkPut(old);
    await v1.table('settings').put({ key: 'builtins.hash', value: 'abc' });
    v1.close();

    const upgraded = Storage.open(name, { indexedDB, IDBKeyRange });
    try {
      const rows = await upgraded.listScenarios();
      expect(rows.map((r) => r.id).sort()).toEqual(['lone', 'retail-0', 'retail-1', 'retail-2']);
      for (const r of rows) expect(r).not.toHaveProperty('initialDb');
      expect(await upgraded.db.scenarioDbs.count()).toBe(2);
      expect(await upgraded.db.scenarioAgents.count()).toBe(2);
      for (const s of old) expect(await upgraded.getScenario(s.id)).toEqual(s);
      expect(await upgraded.getSetting('builtins.hash')).toBe('abc');
      expect(upgraded.db.verno).toBeGreaterThanOrEqual(3);
    } finally {
      await dropTestStorage(upgraded);
    }
  });
});

describe('the τ²-bench retail database', () => {
  const dbPath = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail/db.json');

  it('is stored once for 114 tasks and listing them reads no database', async () => {
    const db = JSON.parse(readFileSync(dbPath, 'utf8')) as JsonObject;
    const list = packScenarios('tau2-retail', 114, db);
    const t0 = performance.now();
    await storage.putPack(packRecord('tau2-retail'), list);
    const t1 = performance.now();
    const rows = await storage.listScenarios();
    const t2 = performance.now();
    const five = await storage.getScenarios(rows.slice(0, 5).map((r) => r.id));
    const t3 = performance.now();
    console.log(`retail: store 114 tasks ${(t1 - t0).toFixed(0)} ms, list ${(t2 - t1).toFixed(0)} ms, hydrate 5 ${(t3 - t2).toFixed(0)} ms`);

    expect(await storage.db.scenarioDbs.count()).toBe(1);
    expect(JSON.stringify(rows).length).toBeLessThan(200_000);
    expect(five.every((s) => s?.initialDb === five[0]?.initialDb)).toBe(true);
    expect(five[0]?.initialDb).toEqual(db);
    expect(await storage.deletePack('tau2-retail')).toBe(114);
    expect(await storage.db.scenarioDbs.count()).toBe(0);
  });
});

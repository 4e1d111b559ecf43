import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../../../src/core/model/types.ts';
import { DbDeltaError, applyDbDelta, diffDb, jsonEqual, type DbDelta } from '../../../src/core/scenarios/db-delta.ts';
import { chance, mulberry32, pick, randInt, type Rng } from '../../../src/core/stats/rng.ts';

/** JSON text that also tells -0 from 0, so "exact" means exact. */
function exact(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? '<-0>' : x));
}

// Keys that trip naive code: a prototype name, integer-like keys (which JS orders first), dots.
const AWKWARD_KEYS = ['__proto__', 'constructor', '0', '17', '4294967295', 'a.b', '', 'é'];

function key(rng: Rng): string {
  return chance(rng, 0.15) ? pick(rng, AWKWARD_KEYS) : `k${randInt(rng, 0, 40)}`;
}

function scalar(rng: Rng): Json {
  switch (randInt(rng, 0, 6)) {
    case 0: return null;
    case 1: return chance(rng, 0.5);
    case 2: return randInt(rng, -1000, 1000);
    case 3: return chance(rng, 0.2) ? -0 : rng() * 100;
    case 4: return pick(rng, ['', 'x', '__proto__', 'naïve', 'line\nbreak']);
    default: return `s${randInt(rng, 0, 99)}`;
  }
}

function value(rng: Rng, depth: number): Json {
  if (depth <= 0 || chance(rng, 0.35)) return scalar(rng);
  if (chance(rng, 0.4)) return Array.from({ length: randInt(rng, 0, 4) }, () => value(rng, depth - 1));
  return object(rng, randInt(rng, 0, 5), depth - 1);
}

function object(rng: Rng, size: number, depth: number): JsonObject {
  const o: JsonObject = {};
  for (let i = 0; i < size; i++) Object.defineProperty(o, key(rng), { value: value(rng, depth), enumerable: true, writable: true, configurable: true });
  return o;
}

/** A database: mostly tables of records (objects or arrays), some other shapes. */
function randomDb(rng: Rng): JsonObject {
  const db: JsonObject = {};
  const n = randInt(rng, 0, 6);
  for (let i = 0; i < n; i++) {
    const kind = randInt(rng, 0, 3);
    const table =
      kind === 0 ? object(rng, randInt(rng, 0, 12), 3)
      : kind === 1 ? Array.from({ length: randInt(rng, 0, 10) }, () => object(rng, 3, 2))
      : kind === 2 ? scalar(rng)
      : value(rng, 3);
    Object.defineProperty(db, chance(rng, 0.1) ? pick(rng, AWKWARD_KEYS) : `t${i}`, { value: table, enumerable: true, writable: true, configurable: true });
  }
  return db;
}

function set(o: JsonObject, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function shuffled<T>(rng: Rng, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randInt(rng, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function reordered(rng: Rng, o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of shuffled(rng, Object.keys(o))) set(out, k, o[k]!);
  return out;
}

/** A changed copy of `db`, as a session might leave it (and some things no session would do). */
function mutate(rng: Rng, db: JsonObject): JsonObject {
  let out = structuredClone(db);
  const steps = randInt(rng, 0, 6);
  for (let s = 0; s < steps; s++) {
    const tables = Object.keys(out);
    const table = tables.length ? pick(rng, tables) : 't-new';
    const t = out[table];
    const op = randInt(rng, 0, 9);
    if (op === 0) set(out, `t${randInt(rng, 0, 9)}`, value(rng, 3));
    else if (op === 1 && tables.length) delete out[table];
    else if (op === 2) out = reordered(rng, out);
    else if (t && typeof t === 'object' && !Array.isArray(t)) {
      const keys = Object.keys(t);
      if (op <= 4 && keys.length) set(t, pick(rng, keys), value(rng, 3));
      else if (op === 5) set(t, key(rng), value(rng, 3));
      else if (op === 6 && keys.length) delete t[pick(rng, keys)];
      else if (op === 7) set(out, table, reordered(rng, t));
      else if (keys.length) {
        // One field inside one record: the common case of a tool call.
        const rec = t[pick(rng, keys)];
        if (rec && typeof rec === 'object' && !Array.isArray(rec)) set(rec, key(rng), scalar(rng));
      }
    } else if (Array.isArray(t)) {
      if (op <= 4 && t.length) t[randInt(rng, 0, t.length - 1)] = value(rng, 2);
      else if (op === 5) t.push(value(rng, 2));
      else if (op === 6) t.length = randInt(rng, 0, t.length);
      else t.splice(randInt(rng, 0, t.length), 0, value(rng, 2));
    } else set(out, table, value(rng, 3));
  }
  return out;
}

describe('diffDb / applyDbDelta', () => {
  it('round-trip exactly over random databases (key order, -0 and "__proto__" keys included)', () => {
    const rng = mulberry32(20240611);
    let changed = 0;
    for (let n = 0; n < 600; n++) {
      const initial = randomDb(rng);
      const final = mutate(rng, initial);
      const before = exact(initial);
      const delta = diffDb(initial, final);
      const back = applyDbDelta(initial, delta);

      expect(exact(back), `case ${n}`).toBe(exact(final));
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      // Neither input is touched.
      expect(exact(initial)).toBe(before);
      // A delta survives storage as JSON (where -0 is 0 anyway).
      const stored = JSON.parse(JSON.stringify(delta)) as DbDelta;
      expect(JSON.stringify(applyDbDelta(initial, stored))).toBe(JSON.stringify(final));
      expect(delta.length === 0).toBe(exact(initial) === exact(final));
      if (delta.length) changed++;
    }
    // The generator must really change most databases, or the test proves little.
    expect(changed).toBeGreaterThan(400);
  });

  it('is empty for equal databases and names only what changed', () => {
    const open = { status: 'open' };
    const initial = { orders: { o1: open, o2: open, o4: open, o5: open, o6: open, o7: open, o8: open }, log: [1, 2], meta: { today: 'mon' } };
    expect(diffDb(initial, structuredClone(initial))).toEqual([]);
    const final = { orders: { o1: open, o2: { status: 'cancelled' }, o4: open, o6: open, o7: open, o8: open, o3: { status: 'new' } }, log: [1, 2, 3], meta: 'gone' };
    expect(diffDb(initial, final)).toEqual([
      { op: 'delete', table: 'orders', key: 'o5' },
      { op: 'set', table: 'orders', key: 'o2', value: { status: 'cancelled' } },
      { op: 'set', table: 'orders', key: 'o3', value: { status: 'new' } },
      { op: 'setItem', table: 'log', index: 2, value: 3 },
      { op: 'replace', table: 'meta', value: 'gone' },
    ]);
    // A small table mostly rewritten goes whole.
    expect(diffDb({ t: { a: 1, b: 2 } }, { t: { a: 3, b: 4 } })).toEqual([{ op: 'replace', table: 't', value: { a: 3, b: 4 } }]);
    // Same records in another order: only the order is recorded.
    expect(diffDb({ t: { a: 1, b: 2 } }, { t: { b: 2, a: 1 } })).toEqual([{ op: 'order', table: 't', keys: ['b', 'a'] }]);
    expect(diffDb({ t: 1, u: 2 }, { u: 2, t: 1 })).toEqual([{ op: 'order', keys: ['u', 't'] }]);
  });

  it('shares untouched records with the initial database instead of copying them', () => {
    const initial: JsonObject = { orders: { o1: { status: 'open' }, o2: { status: 'open' } }, users: { u1: { name: 'Ana' } } };
    const back = applyDbDelta(initial, [{ op: 'set', table: 'orders', key: 'o2', value: { status: 'x' } }]);
    expect(back['users']).toBe(initial['users']);
    expect((back['orders'] as JsonObject)['o1']).toBe((initial['orders'] as JsonObject)['o1']);
    expect((initial['orders'] as JsonObject)['o2']).toEqual({ status: 'open' });
  });

  it('refuses a delta that does not fit the database, naming the change', () => {
    const db: JsonObject = { orders: { o1: {} }, log: [1] };
    const fail = (delta: DbDelta) => {
      try {
        applyDbDelta(db, delta);
      } catch (e) {
        expect(e).toBeInstanceOf(DbDeltaError);
        return (e as Error).message;
      }
      throw new Error('applied without error');
    };
    expect(fail([{ op: 'set', table: 'orders', key: 'o2', value: 1 }, { op: 'delete', table: 'orders', key: 'nope' }])).toBe(
      'change 1: "orders" has no record "nope" to delete',
    );
    expect(fail([{ op: 'set', table: 'log', key: 'x', value: 1 }])).toBe('change 0: "log" is not an object table in the database');
    expect(fail([{ op: 'setItem', table: 'orders', index: 0, value: 1 }])).toBe('change 0: "orders" is not an array table in the database');
    expect(fail([{ op: 'setItem', table: 'log', index: 5, value: 1 }])).toBe('change 0: "log" has 1 items; cannot set item 5');
    expect(fail([{ op: 'truncate', table: 'log', length: 2 }])).toBe('change 0: "log" has 1 items; cannot shorten it to 2');
    expect(fail([{ op: 'drop', table: 'users' }])).toBe('change 0: the database has no "users" to drop');
    expect(fail([{ op: 'order', keys: ['orders'] }])).toBe('change 0: the keys to order the database by are not the keys it has');
    expect(fail([{ op: 'order', table: 'orders', keys: ['o1', 'o1'] }])).toBe('change 0: the keys to order "orders" by are not the keys it has');
  });

  it('jsonEqual tells key order and -0 apart, as the JSON text would', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: null }] }, { a: 1, b: [1, { c: null }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(jsonEqual([0], [-0])).toBe(false);
    expect(jsonEqual({ a: undefined as unknown as Json }, { b: undefined as unknown as Json })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
  });
});

describe('the τ²-bench retail database', () => {
  const dbPath = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail/db.json');
  const initial = JSON.parse(readFileSync(dbPath, 'utf8')) as JsonObject;

  it('stores a session that changed a few orders in a few kilobytes, and gets it back exactly', () => {
    const final = structuredClone(initial);
    const orders = final['orders'] as Record<string, JsonObject>;
    const ids = Object.keys(orders);
    orders[ids[3]!]!['status'] = 'cancelled';
    orders[ids[3]!]!['cancel_reason'] = 'no longer needed';
    (orders[ids[40]!]!['items'] as JsonObject[]).pop();
    delete orders[ids[500]!];
    orders['#W0000001'] = { ...orders[ids[7]!]!, order_id: '#W0000001' };
    const users = final['users'] as Record<string, JsonObject>;
    (users['noah_brown_6181']!['address'] as JsonObject)['city'] = 'Lisbon';

    const t0 = performance.now();
    const delta = diffDb(initial, final);
    const t1 = performance.now();
    const back = applyDbDelta(initial, delta);
    const t2 = performance.now();
    const full = JSON.stringify(final).length;
    const small = JSON.stringify(delta).length;
    console.log(`retail delta: ${delta.length} changes, ${small} bytes vs ${full} bytes whole; diff ${(t1 - t0).toFixed(1)} ms, apply ${(t2 - t1).toFixed(1)} ms`);

    expect(delta.map((c) => `${c.op} ${c.table} ${'key' in c ? c.key : ''}`)).toEqual([
      `set users noah_brown_6181`,
      `delete orders ${ids[500]}`,
      `set orders ${ids[3]}`,
      `set orders ${ids[40]}`,
      'set orders #W0000001',
    ]);
    expect(JSON.stringify(back)).toBe(JSON.stringify(final));
    expect(diffDb(initial, initial)).toEqual([]);
  });
});

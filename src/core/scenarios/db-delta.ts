/**
 * A database as the changes that lead to it from another one, record by record.
 *
 * A session's final and expected databases differ from the scenario's initial database in a
 * handful of records (τ²-bench retail: 2.8 MB, of which a session touches a few orders), so
 * storing and exporting the changes instead of whole copies keeps a run of hundreds of
 * sessions in kilobytes per session. The databases are tables of records (`orders`, `users`,
 * …, objects keyed by id, or arrays); a top-level value of any other shape is replaced whole.
 *
 * The round trip is exact for any JSON object: `applyDbDelta(a, diffDb(a, b))` serialises to
 * the same text as `b`, key order included (an `order` change restores it where the usual
 * order of additions does not).
 */
import type { Json, JsonObject } from '../model/types.ts';

/** One change, applied in list order. `table` is a top-level key of the database. */
export type DbChange =
  /** Adds or replaces record `key` of an object table. */
  | { op: 'set'; table: string; key: string; value: Json }
  /** Removes record `key` of an object table. */
  | { op: 'delete'; table: string; key: string }
  /** Replaces item `index` of an array table, or appends it when `index` is the length. */
  | { op: 'setItem'; table: string; index: number; value: Json }
  /** Shortens an array table to its first `length` items. */
  | { op: 'truncate'; table: string; length: number }
  /** Sets a whole top-level value: a new table, a scalar, or a table rewritten throughout. */
  | { op: 'replace'; table: string; value: Json }
  /** Removes a top-level key. */
  | { op: 'drop'; table: string }
  /** Puts the keys of object table `table` (of the database itself when absent) in this order. */
  | { op: 'order'; table?: string; keys: string[] };

/** The changes that turn one database into another; empty when they are the same. */
export type DbDelta = DbChange[];

/** A delta that does not fit the database it is applied to; `index` names the change. */
export class DbDeltaError extends Error {
  override name = 'DbDeltaError';
  constructor(
    /** What is wrong, without the change's number. */
    readonly problem: string,
    readonly index: number,
  ) {
    super(`change ${index}: ${problem}`);
  }
}

/**
 * The changes from `initial` to `final`, table by table and record by record. Neither
 * argument is modified; the delta's values are `final`'s own objects (clone it to keep it
 * apart from `final`).
 */
export function diffDb(initial: JsonObject, final: JsonObject): DbDelta {
  const out: DbDelta = [];
  for (const table of Object.keys(initial)) if (!Object.hasOwn(final, table)) out.push({ op: 'drop', table });
  for (const table of Object.keys(final)) {
    const after = final[table] as Json;
    if (!Object.hasOwn(initial, table)) {
      out.push({ op: 'replace', table, value: after });
      continue;
    }
    const before = initial[table] as Json;
    if (isObject(before) && isObject(after)) out.push(...diffObjectTable(table, before, after));
    else if (Array.isArray(before) && Array.isArray(after)) out.push(...diffArrayTable(table, before, after));
    else if (!jsonEqual(before, after)) out.push({ op: 'replace', table, value: after });
  }
  // Dropped keys leave, new ones join at the end: anything else needs the order spelled out.
  const keys = Object.keys(final);
  if (!sameList(Object.keys(applyDbDelta(initial, out)), keys)) out.push({ op: 'order', keys });
  return out;
}

function diffObjectTable(table: string, before: JsonObject, after: JsonObject): DbChange[] {
  const changes: DbChange[] = [];
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) changes.push({ op: 'delete', table, key });
  for (const key of Object.keys(after)) {
    const value = after[key] as Json;
    if (!Object.hasOwn(before, key) || !jsonEqual(before[key] as Json, value)) changes.push({ op: 'set', table, key, value });
  }
  // A table mostly rewritten is smaller, and clearer, as the table itself.
  if (changes.length > Math.max(1, Object.keys(after).length / 2)) return [{ op: 'replace', table, value: after }];
  const keys = Object.keys(after);
  const got = changes.length ? Object.keys(applyTable({ [table]: before }, changes)[table] as JsonObject) : Object.keys(before);
  if (!sameList(got, keys)) changes.push({ op: 'order', table, keys });
  return changes;
}

function diffArrayTable(table: string, before: Json[], after: Json[]): DbChange[] {
  const changes: DbChange[] = [];
  if (after.length < before.length) changes.push({ op: 'truncate', table, length: after.length });
  for (let i = 0; i < after.length; i++) {
    if (i >= before.length || !jsonEqual(before[i] as Json, after[i] as Json)) changes.push({ op: 'setItem', table, index: i, value: after[i] as Json });
  }
  if (changes.length > Math.max(1, after.length / 2)) return [{ op: 'replace', table, value: after }];
  return changes;
}

/**
 * `initial` with `delta` applied. `initial` is not modified; the result shares every table
 * and record the delta leaves alone with it, so treat both as read-only. Throws a
 * `DbDeltaError` naming the first change that does not fit (a record to delete that is not
 * there, a record change on a table that is not an object, …).
 */
export function applyDbDelta(initial: JsonObject, delta: DbDelta): JsonObject {
  return applyTable(initial, delta);
}

// Tables are copied once, when first changed; records are never copied.
function applyTable(initial: JsonObject, delta: readonly DbChange[]): JsonObject {
  const db: JsonObject = { ...initial };
  const copied = new Set<string>();
  const writable = (i: number, table: string, kind: 'object' | 'array'): JsonObject | Json[] => {
    const t = Object.hasOwn(db, table) ? db[table] : undefined;
    if (kind === 'object' ? !isObject(t) : !Array.isArray(t))
      throw new DbDeltaError(`${JSON.stringify(table)} is not ${kind === 'object' ? 'an object' : 'an array'} table in the database`, i);
    if (copied.has(table)) return t as JsonObject | Json[];
    const copy = Array.isArray(t) ? [...t] : { ...(t as JsonObject) };
    define(db, table, copy);
    copied.add(table);
    return copy;
  };
  const objectTable = (i: number, table: string) => writable(i, table, 'object') as JsonObject;
  const arrayTable = (i: number, table: string) => writable(i, table, 'array') as Json[];
  delta.forEach((c, i) => {
    switch (c.op) {
      case 'set':
        define(objectTable(i, c.table), c.key, c.value);
        break;
      case 'delete': {
        const t = objectTable(i, c.table);
        if (!Object.hasOwn(t, c.key)) throw new DbDeltaError(`${JSON.stringify(c.table)} has no record ${JSON.stringify(c.key)} to delete`, i);
        delete t[c.key];
        break;
      }
      case 'setItem': {
        const t = arrayTable(i, c.table);
        if (!Number.isInteger(c.index) || c.index < 0 || c.index > t.length)
          throw new DbDeltaError(`${JSON.stringify(c.table)} has ${t.length} items; cannot set item ${c.index}`, i);
        t[c.index] = c.value;
        break;
      }
      case 'truncate': {
        const t = arrayTable(i, c.table);
        if (!Number.isInteger(c.length) || c.length < 0 || c.length > t.length)
          throw new DbDeltaError(`${JSON.stringify(c.table)} has ${t.length} items; cannot shorten it to ${c.length}`, i);
        t.length = c.length;
        break;
      }
      case 'replace':
        define(db, c.table, c.value);
        copied.delete(c.table);
        break;
      case 'drop':
        if (!Object.hasOwn(db, c.table)) throw new DbDeltaError(`the database has no ${JSON.stringify(c.table)} to drop`, i);
        delete db[c.table];
        copied.delete(c.table);
        break;
      case 'order': {
        const target = c.table === undefined ? db : objectTable(i, c.table);
        const reordered = reorder(target, c.keys);
        if (!reordered) throw new DbDeltaError(`the keys to order ${c.table === undefined ? 'the database' : JSON.stringify(c.table)} by are not the keys it has`, i);
        if (c.table === undefined) return void replaceContents(db, reordered);
        define(db, c.table, reordered);
        break;
      }
      default:
        assertNever(c);
    }
  });
  return db;
}

/** The same keys in the given order, or null when `keys` are not exactly the object's keys. */
function reorder(obj: JsonObject, keys: readonly string[]): JsonObject | null {
  if (keys.length !== Object.keys(obj).length || new Set(keys).size !== keys.length) return null;
  const out: JsonObject = {};
  for (const k of keys) {
    if (!Object.hasOwn(obj, k)) return null;
    define(out, k, obj[k] as Json);
  }
  return out;
}

function replaceContents(target: JsonObject, from: JsonObject): void {
  for (const k of Object.keys(target)) delete target[k];
  for (const k of Object.keys(from)) define(target, k, from[k] as Json);
}

// Plain assignment of "__proto__" would set the prototype instead of a key.
function define(obj: JsonObject | Json[], key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Same JSON text: same values, same key order, 0 and -0 apart. Stops at the first difference. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (!sameList(ka, kb)) return false;
  for (const k of ka) if (!jsonEqual(a[k] as Json, b[k] as Json)) return false;
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function assertNever(x: never): never {
  throw new Error(`Unknown change ${JSON.stringify(x)}`);
}

/**
 * Declarative tool implementations: a tool written as data, a short list of steps over the
 * scenario's JSON database (look up, filter, check, set, append, delete), so a scenario file
 * can carry its own tools without any code. Rules that need arithmetic or loops are better
 * written as code tools (run in a sandbox) or as a built-in domain.
 *
 * A step names what it reads with templates: a string "{args.order_id}" is replaced by the
 * value at that path, keeping its JSON type when the string is nothing but the reference
 * ("{order.items}" stays an array), and interpolated otherwise ("Order {args.order_id}").
 * Paths start from `args`, `db` or a name bound by an earlier step's `as`.
 */
import type { Json, JsonObject, ToolSpec } from '../../model/types.ts';
import { ToolError, type ToolImpl } from '../domain.ts';
import { canonicalJson } from '../canonical.ts';

/** A value with `{path}` references, resolved against the tool call's bindings. */
export type Template = Json;

/** Look one record up by its key: the property name in an object table, or a field in an array. */
export interface GetStep {
  get: string;
  key: Template;
  /** For array tables: the field holding the key (default "id"). */
  by?: string;
  as: string;
  /** Error message when absent (templated); default "<table> not found: <key>". */
  notFound?: string;
}

/** Every record whose fields equal the given values (strings compared case-insensitively). */
export interface FindStep {
  find: string;
  where: Record<string, Template>;
  as: string;
  /** Bind the first match instead of the list; fails with `notFound` when there is none. */
  first?: boolean;
  notFound?: string;
}

/** Fails the call with `message` unless the value passes every given test. */
export interface CheckStep {
  check: Template;
  in?: Json[];
  notIn?: Json[];
  equals?: Json;
  /** true: the value must be present (not undefined or null); false: must be absent. */
  exists?: boolean;
  message: string;
}

/** Sets a field of a bound record (or of the database): "order.status". */
export interface SetStep {
  set: string;
  value: Template;
}

/** Adds a record to a table: to an array, or under `key` in an object table. */
export interface AppendStep {
  append: string;
  value: Template;
  key?: Template;
  as?: string;
}

/** Removes a record from a table by key (or by `by` field for array tables). */
export interface DeleteStep {
  delete: string;
  key: Template;
  by?: string;
  notFound?: string;
}

export type ToolStep = GetStep | FindStep | CheckStep | SetStep | AppendStep | DeleteStep;

/** A tool written as data. */
export interface DeclarativeToolImpl {
  type: 'declarative';
  steps: ToolStep[];
  /** What the call returns (templated); null when absent. */
  returns?: Template;
  /** A successful call hands the user to a person and ends the session. */
  transfer?: boolean;
}

/** A tool written as a plain JavaScript function body, run in a sandbox with a time limit. */
export interface CodeToolImpl {
  type: 'code';
  /**
   * The body of `function (db, args, fail)`: may change `db` in place, returns the result,
   * and calls `fail(message)` for a domain error such as "order not found".
   */
  source: string;
  /** Per-call time limit in milliseconds (default 1000). */
  timeoutMs?: number;
  transfer?: boolean;
}

/** How a tool in a scenario file is implemented, when its domain has no built-in code for it. */
export type ToolImplSpec = DeclarativeToolImpl | CodeToolImpl;

/** Default time limit for one code tool call. */
export const CODE_TOOL_TIMEOUT_MS = 1000;

/* ------------------------------------------------------------- templates */

type Bindings = Record<string, Json | undefined>;

const WHOLE_REF = /^\{([A-Za-z_$][\w$]*(?:(?:\.[\w$-]+)|(?:\[\d+\]))*)\}$/;
const ANY_REF = /\{([A-Za-z_$][\w$]*(?:(?:\.[\w$-]+)|(?:\[\d+\]))*)\}/g;

/** Splits "order.items[2].sku" into ["order", "items", "2", "sku"]. */
export function splitPath(path: string): string[] {
  return path.split(/\.|\[(\d+)\]/).filter((s): s is string => s !== undefined && s !== '');
}

function lookup(bindings: Bindings, path: string): Json | undefined {
  const [head, ...rest] = splitPath(path);
  let cur: Json | undefined = head === undefined ? undefined : bindings[head];
  for (const step of rest) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(step)] : (cur as JsonObject)[step];
  }
  return cur;
}

/** Resolves a template against the bindings. */
export function resolveTemplate(template: Template, bindings: Bindings): Json | undefined {
  if (typeof template === 'string') {
    const whole = WHOLE_REF.exec(template);
    if (whole) return lookup(bindings, whole[1]!);
    return template.replace(ANY_REF, (_m, path: string) => {
      const v = lookup(bindings, path);
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, bindings) ?? null);
  if (template !== null && typeof template === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(template)) {
      const r = resolveTemplate(v, bindings);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return template;
}

/* ----------------------------------------------------------------- steps */

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** The container at a path ("orders", "db.orders", "customer.addresses"): tables live in db. */
function container(bindings: Bindings, path: string, tool: string): JsonObject | Json[] {
  const parts = splitPath(path);
  const fromDb = parts[0] !== 'db' && !(parts[0]! in bindings);
  const value = lookup(bindings, fromDb ? `db.${path}` : path);
  if (!isObject(value) && !Array.isArray(value)) {
    // The scenario's data is malformed, not the agent's call: a crash, not a domain error.
    throw new Error(`${tool}: "${path}" is not a table in the database`);
  }
  return value;
}

function keyString(key: Json | undefined, tool: string, what: string): string {
  if (typeof key === 'string' && key.trim() !== '') return key.trim();
  if (typeof key === 'number') return String(key);
  throw new ToolError(`${tool}: ${what} needs a key, got ${JSON.stringify(key ?? null)}.`, 'InvalidArguments');
}

function findKeyed(table: JsonObject | Json[], key: string, by: string): { index: string | number; record: Json } | undefined {
  if (Array.isArray(table)) {
    const i = table.findIndex((r) => isObject(r) && sameValue(r[by], key));
    return i < 0 ? undefined : { index: i, record: table[i]! };
  }
  if (Object.hasOwn(table, key)) return { index: key, record: table[key]! };
  // Ids typed by people vary in case ("bk-2041"): fall back to a case-insensitive match.
  const k = Object.keys(table).find((name) => name.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : { index: k, record: table[k]! };
}

function fail(message: string, bindings: Bindings): never {
  throw new ToolError(String(resolveTemplate(message, bindings)));
}

function runStep(step: ToolStep, bindings: Bindings, tool: string): void {
  if ('get' in step) {
    const table = container(bindings, step.get, tool);
    const key = keyString(resolveTemplate(step.key, bindings), tool, `get ${step.get}`);
    const hit = findKeyed(table, key, step.by ?? 'id');
    if (!hit) fail(step.notFound ?? `${step.get} not found: ${key}`, { ...bindings, key });
    bindings[step.as] = hit.record;
  } else if ('find' in step) {
    const table = container(bindings, step.find, tool);
    const where = Object.entries(step.where).map(([field, t]) => [field, resolveTemplate(t, bindings)] as const);
    const rows = (Array.isArray(table) ? table : Object.values(table)).filter(
      (r) => isObject(r) && where.every(([field, want]) => sameValue(lookup({ r }, `r.${field}`), want)),
    );
    if (step.first) {
      if (rows.length === 0) fail(step.notFound ?? `No ${step.find} match.`, bindings);
      bindings[step.as] = rows[0];
    } else {
      if (rows.length === 0 && step.notFound) fail(step.notFound, bindings);
      bindings[step.as] = rows;
    }
  } else if ('check' in step) {
    const v = resolveTemplate(step.check, bindings);
    const ok =
      (step.in === undefined || step.in.some((x) => sameValue(v, x))) &&
      (step.notIn === undefined || !step.notIn.some((x) => sameValue(v, x))) &&
      (step.equals === undefined || sameValue(v, step.equals)) &&
      (step.exists === undefined || step.exists === (v !== undefined && v !== null));
    if (!ok) fail(step.message, bindings);
  } else if ('set' in step) {
    const parts = splitPath(step.set);
    const field = parts.pop();
    if (field === undefined || parts.length === 0) throw new Error(`${tool}: cannot set "${step.set}"`);
    const parentPath = parts.join('.');
    const target = parts[0] === 'db' || parts[0]! in bindings ? lookup(bindings, parentPath) : lookup(bindings, `db.${parentPath}`);
    if (!isObject(target)) throw new Error(`${tool}: "${parentPath}" is not a record`);
    const value = resolveTemplate(step.value, bindings);
    if (value === undefined) delete target[field];
    else target[field] = value;
  } else if ('append' in step) {
    const table = container(bindings, step.append, tool);
    const value = resolveTemplate(step.value, bindings) ?? null;
    if (Array.isArray(table)) {
      table.push(value);
    } else {
      const key = keyString(resolveTemplate(step.key ?? null, bindings), tool, `append to ${step.append}`);
      if (Object.hasOwn(table, key)) fail(`${step.append} already has ${key}.`, bindings);
      table[key] = value;
    }
    if (step.as) bindings[step.as] = value;
  } else if ('delete' in step) {
    const table = container(bindings, step.delete, tool);
    const key = keyString(resolveTemplate(step.key, bindings), tool, `delete from ${step.delete}`);
    const hit = findKeyed(table, key, step.by ?? 'id');
    if (!hit) fail(step.notFound ?? `${step.delete} not found: ${key}`, { ...bindings, key });
    if (Array.isArray(table)) table.splice(hit.index as number, 1);
    else delete table[hit.index as string];
  } else {
    throw new Error(`${tool}: unknown step ${JSON.stringify(step)}`);
  }
}

/** Turns a declarative tool into the function the environment calls. */
export function compileDeclarativeTool(spec: Pick<ToolSpec, 'name'>, impl: DeclarativeToolImpl): ToolImpl {
  return (db, args) => {
    const bindings: Bindings = { db, args };
    for (const step of impl.steps) runStep(step, bindings, spec.name);
    return impl.returns === undefined ? null : (resolveTemplate(impl.returns, bindings) ?? null);
  };
}

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
  /** Allowed values; each may be a template ("{customer.tier}"). */
  in?: Json[];
  notIn?: Json[];
  equals?: Template;
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
  /** Error message when an object table already holds the key (templated; `{key}` is the key). */
  conflict?: string;
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

// Own properties only: "{db.__proto__}" or a record named "constructor" must never reach
// Object.prototype, or a scenario file could change objects far outside its database.
function own<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function lookup(bindings: Bindings, path: string): Json | undefined {
  const [head, ...rest] = splitPath(path);
  let cur: Json | undefined = head === undefined ? undefined : own(bindings, head);
  for (const step of rest) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (/^\d+$/.test(step) ? cur[Number(step)] : undefined) : own(cur as JsonObject, step);
  }
  return cur;
}

/** True when a path's first name is a binding ("order.status") rather than a table in db. */
function isBound(bindings: Bindings, path: string): boolean {
  const head = splitPath(path)[0];
  return head !== undefined && Object.hasOwn(bindings, head);
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
  const value = lookup(bindings, isBound(bindings, path) ? path : `db.${path}`);
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

/** A record's key field against a key from a call: "bk-2041" finds "BK-2041", "7" finds 7. */
function sameKey(field: Json | undefined, key: string): boolean {
  if (typeof field === 'number') return String(field) === key;
  return typeof field === 'string' && field.trim().toLowerCase() === key.toLowerCase();
}

function findKeyed(table: JsonObject | Json[], key: string, by: string): { index: string | number; record: Json } | undefined {
  if (Array.isArray(table)) {
    const i = table.findIndex((r) => isObject(r) && sameKey(lookup({ r }, `r.${by}`), key));
    return i < 0 ? undefined : { index: i, record: table[i]! };
  }
  if (Object.hasOwn(table, key)) return { index: key, record: table[key]! };
  // Ids typed by people vary in case ("bk-2041"): fall back to a case-insensitive match.
  const k = Object.keys(table).find((name) => name.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : { index: k, record: table[k]! };
}

/** Names that would reach an object's prototype instead of a field of the record. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

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
    // The tests are templates too, so a check can compare two values read at run time.
    const list = (xs: Json[]) => xs.map((x) => resolveTemplate(x, bindings));
    const ok =
      (step.in === undefined || list(step.in).some((x) => sameValue(v, x))) &&
      (step.notIn === undefined || !list(step.notIn).some((x) => sameValue(v, x))) &&
      (step.equals === undefined || sameValue(v, resolveTemplate(step.equals, bindings))) &&
      (step.exists === undefined || step.exists === (v !== undefined && v !== null));
    if (!ok) fail(step.message, bindings);
  } else if ('set' in step) {
    const parts = splitPath(step.set);
    const field = parts.pop();
    if (field === undefined || parts.length === 0) throw new Error(`${tool}: cannot set "${step.set}"`);
    if (FORBIDDEN_KEYS.has(field)) throw new Error(`${tool}: cannot set a field named "${field}"`);
    const parentPath = parts.join('.');
    const target = isBound(bindings, parentPath) ? lookup(bindings, parentPath) : lookup(bindings, `db.${parentPath}`);
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
      if (FORBIDDEN_KEYS.has(key)) throw new ToolError(`${tool}: "${key}" cannot be used as a key.`, 'InvalidArguments');
      if (Object.hasOwn(table, key)) fail(step.conflict ?? `${step.append} already has ${key}.`, { ...bindings, key });
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

/* ------------------------------------------------------------------ lint */

/** A problem found in a tool's implementation before it runs; `path` is relative to `impl`. */
export interface ImplIssue {
  path: string;
  message: string;
}

/** Every `{path}` reference in a template, e.g. ["args.order_id", "order.status"]. */
export function templateRefs(template: Template): string[] {
  if (typeof template === 'string') return [...template.matchAll(ANY_REF)].map((m) => m[1]!);
  if (Array.isArray(template)) return template.flatMap(templateRefs);
  if (template !== null && typeof template === 'object') return Object.values(template).flatMap(templateRefs);
  return [];
}

function tableNames(db: JsonObject): string {
  const names = Object.keys(db).filter((k) => isObject(db[k]) || Array.isArray(db[k]));
  return names.length ? names.join(', ') : 'none';
}

/**
 * Checks a declarative tool against itself and the initial database, so that a mistyped name
 * is refused on import with its place named, rather than failing in the middle of a session:
 * references to names no earlier step binds, tables the database lacks, checks that test
 * nothing, sets without a field.
 */
export function lintDeclarativeTool(impl: DeclarativeToolImpl, db: JsonObject): ImplIssue[] {
  const issues: ImplIssue[] = [];
  const bound = new Set(['args', 'db']);
  const refs = (template: Template | undefined, path: string, extra: readonly string[] = []) => {
    if (template === undefined) return;
    for (const ref of templateRefs(template)) {
      const head = splitPath(ref)[0]!;
      if (!bound.has(head) && !extra.includes(head)) {
        const names = [...bound].filter((n) => n !== 'args' && n !== 'db');
        issues.push({
          path,
          message: `"{${ref}}" refers to "${head}", which is not args, db${extra.length ? `, ${extra.join(', ')}` : ''} or a name bound by an earlier step${names.length ? ` (${names.join(', ')})` : ''}`,
        });
      }
    }
  };
  const table = (path: string, where: string) => {
    const parts = splitPath(path);
    if (bound.has(parts[0]!) && parts[0] !== 'db') return;
    const name = parts[0] === 'db' ? parts[1] : parts[0];
    const value = name === undefined ? undefined : own(db, name);
    if (!isObject(value) && !Array.isArray(value)) {
      issues.push({ path: where, message: `"${path}" is not a table in the initial database (tables: ${tableNames(db)})` });
    }
  };
  const bind = (name: string | undefined, where: string) => {
    if (name === undefined) return;
    if (name === 'args' || name === 'db') issues.push({ path: where, message: `"${name}" is reserved: binding it would hide the ${name === 'db' ? 'database' : 'arguments'}` });
    else bound.add(name);
  };
  impl.steps.forEach((step, i) => {
    const at = (field: string) => `steps[${i}].${field}`;
    if ('get' in step) {
      table(step.get, at('get'));
      refs(step.key, at('key'));
      refs(step.notFound, at('notFound'), ['key']);
      bind(step.as, at('as'));
    } else if ('find' in step) {
      table(step.find, at('find'));
      for (const [field, value] of Object.entries(step.where)) refs(value, at(`where.${field}`));
      refs(step.notFound, at('notFound'));
      bind(step.as, at('as'));
    } else if ('check' in step) {
      refs(step.check, at('check'));
      refs(step.message, at('message'));
      if (step.equals !== undefined) refs(step.equals, at('equals'));
      step.in?.forEach((x, j) => refs(x, at(`in[${j}]`)));
      step.notIn?.forEach((x, j) => refs(x, at(`notIn[${j}]`)));
      if (step.in === undefined && step.notIn === undefined && step.equals === undefined && step.exists === undefined) {
        issues.push({ path: `steps[${i}]`, message: 'a check step needs at least one test: in, notIn, equals or exists' });
      }
    } else if ('set' in step) {
      const parts = splitPath(step.set);
      if (parts.length < 2) {
        issues.push({ path: at('set'), message: `"${step.set}" names no record: set a field of a bound record or table, e.g. "order.status"` });
      } else if (FORBIDDEN_KEYS.has(parts.at(-1)!)) {
        issues.push({ path: at('set'), message: `cannot set a field named "${parts.at(-1)}"` });
      } else if (!bound.has(parts[0]!)) {
        table(step.set, at('set'));
      }
      refs(step.value, at('value'));
    } else if ('append' in step) {
      table(step.append, at('append'));
      refs(step.value, at('value'));
      refs(step.key, at('key'));
      refs(step.conflict, at('conflict'), ['key']);
      bind(step.as, at('as'));
    } else if ('delete' in step) {
      table(step.delete, at('delete'));
      refs(step.key, at('key'));
      refs(step.notFound, at('notFound'), ['key']);
    }
  });
  refs(impl.returns, 'returns');
  return issues;
}

/**
 * Checks a code tool's source: it must compile as a function body, and may not contain
 * `import` (dynamic import is syntax, not a global the sandbox can take away, so it is refused
 * here; the word is refused even in strings and comments, which is the price of certainty).
 */
export function lintCodeTool(impl: CodeToolImpl): ImplIssue[] {
  if (/\bimport\b/.test(impl.source)) {
    return [{ path: 'source', message: 'may not use "import": code tools run without network or module access (the word is refused even in strings and comments)' }];
  }
  try {
    // Compiling is not running: the function is never called here.
    new Function('db', 'args', 'fail', impl.source);
  } catch (err) {
    if (err instanceof SyntaxError) return [{ path: 'source', message: `does not compile: ${err.message}` }];
    // Anything else (a page policy that forbids compiling code): the sandbox will say so.
  }
  return [];
}

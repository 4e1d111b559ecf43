/**
 * Reading run bundles one line at a time: each line is parsed, validated against the zod
 * schemas of bundle-schema.ts and checked against the lines before it (the run's id, ids seen
 * once, "db" hashes, deltas that fit their database). The same checker serves `parseRunJsonl`
 * (a whole text in memory) and the streaming import (bundle-import.ts), so both refuse the same
 * files with the same words: `line 3: "session.runId" is missing`.
 *
 * The format itself is documented in docs/run-bundle.md.
 */
import type { z } from 'zod';
import type { JsonObject, Run, Session, Turn } from '../core/model/types.ts';
import { canonicalHash } from '../core/scenarios/canonical.ts';
import { DbDeltaError, applyDbDelta, type DbDelta } from '../core/scenarios/db-delta.ts';
import {
  dbLineSchema,
  runLineSchema,
  sessionLineSchema,
  sessionLineSchemaV1,
  type RunBundleFormatVersion,
} from './bundle-schema.ts';
import type { SessionDbsDelta } from './db.ts';

/** A parsed, validated run bundle, its databases still as deltas. */
export interface RunBundle {
  /** The format the file was written in (version 1 reads as version 2 without "db" lines). */
  formatVersion: RunBundleFormatVersion;
  /** ISO 8601 time the bundle was written. */
  exportedAt: string;
  run: Run;
  /** The initial databases the sessions' deltas apply to, by canonical hash. */
  dbs: Map<string, JsonObject>;
  /**
   * In file order, each with its turns ordered by index, and `dbs` where its final and expected
   * databases come as deltas (else `session` holds them whole, if it has any). `line` is the
   * session's 1-based line in the file.
   */
  sessions: BundleSessionLine[];
}

/** The run line of a bundle, validated. */
export interface BundleHeader {
  formatVersion: RunBundleFormatVersion;
  /** ISO 8601 time the bundle was written. */
  exportedAt: string;
  run: Run;
}

/** A validated session line: the session, its turns ordered by index, its deltas if any. */
export interface BundleSessionLine {
  session: Session;
  /** Its final and expected databases as deltas; absent: `session` holds them whole, if at all. */
  dbs?: SessionDbsDelta;
  turns: Turn[];
  /** 1-based line in the file. */
  line: number;
}

/** What one non-blank line of a bundle turned out to be. */
export type BundleLine =
  | ({ type: 'run'; line: number } & BundleHeader)
  | { type: 'db'; line: number; hash: string; db: JsonObject }
  | ({ type: 'session' } & BundleSessionLine);

/** A bundle that cannot be read or imported; `line` is 1-based where one line is at fault. */
export class RunBundleError extends Error {
  override name = 'RunBundleError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/**
 * Checks a bundle's lines in file order. Keeps what later lines are checked against: the run
 * line, the initial databases (by hash) and the line of every session id; nothing else, so a
 * streaming reader holds the databases and one id per session, not the sessions.
 */
export class RunBundleLineChecker {
  private header: BundleHeader | undefined;
  /** The "db" lines' databases, by canonical hash. */
  readonly dbs = new Map<string, JsonObject>();
  private readonly dbLines = new Map<string, number>();
  private readonly sessionLines = new Map<string, number>();

  /** The run line, once it has been read. */
  get run(): BundleHeader | undefined {
    return this.header;
  }

  /**
   * Validates one line (`n` 1-based, without its line end; a trailing CR is dropped). Resolves
   * null for a blank line. Throws a `RunBundleError` naming the line and the field at fault.
   */
  check(rawLine: string, n: number): BundleLine | null {
    const raw = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (raw.trim() === '') return null;

    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new RunBundleError(`not valid JSON (${(e as Error).message})`, n);
    }
    const type = isRecord(value) ? value['type'] : undefined;
    const header = this.header;

    if (!header) {
      if (type !== 'run') throw new RunBundleError('the first line must be the run: {"type":"run",…}', n);
      const r = runLineSchema.safeParse(value);
      if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
      this.header = { formatVersion: r.data.formatVersion, exportedAt: r.data.exportedAt, run: r.data.run };
      return { type: 'run', line: n, ...this.header };
    }
    const v1 = header.formatVersion === 1;

    if (type === 'run') throw new RunBundleError('a second "run" line; a bundle holds one run', n);
    if (type === 'db' && !v1) {
      const r = dbLineSchema.safeParse(value);
      if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
      const { hash, db } = r.data;
      const earlier = this.dbLines.get(hash);
      if (earlier !== undefined) throw new RunBundleError(`"hash" ${JSON.stringify(hash)} already appeared on line ${earlier}`, n);
      const actual = canonicalHash(db);
      if (actual !== hash) throw new RunBundleError(`"hash" is ${JSON.stringify(hash)} but the database's canonical hash is ${JSON.stringify(actual)}`, n);
      this.dbLines.set(hash, n);
      this.dbs.set(hash, db);
      return { type: 'db', line: n, hash, db };
    }
    // An unknown line type makes every other field look wrong; name only the type.
    if (isRecord(value) && type !== 'session') {
      const wanted = v1 ? '"session"' : '"session" or "db"';
      throw new RunBundleError(
        type === undefined ? '"type" is missing' : `"type" should be ${wanted}, got ${JSON.stringify(type)}`,
        n,
      );
    }
    const r = v1 ? sessionLineSchemaV1.safeParse(value) : sessionLineSchema.safeParse(value);
    if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
    const { session, turns } = r.data;
    const deltas = (r.data as { dbs?: SessionDbsDelta }).dbs;

    if (session.runId !== header.run.id)
      throw new RunBundleError(
        `"session.runId" is ${JSON.stringify(session.runId)} but the run's id is ${JSON.stringify(header.run.id)}`,
        n,
      );
    const earlier = this.sessionLines.get(session.id);
    if (earlier !== undefined)
      throw new RunBundleError(`"session.id" ${JSON.stringify(session.id)} already appeared on line ${earlier}`, n);
    this.sessionLines.set(session.id, n);
    if (deltas) checkDeltas(deltas, session, this.dbs, n);

    const seen = new Map<number, number>();
    for (const [j, t] of turns.entries()) {
      if (t.sessionId !== session.id)
        throw new RunBundleError(
          `"turns[${j}].sessionId" is ${JSON.stringify(t.sessionId)} but the session's id is ${JSON.stringify(session.id)}`,
          n,
        );
      const k = seen.get(t.index);
      if (k !== undefined) throw new RunBundleError(`"turns[${j}].index" ${t.index} repeats "turns[${k}].index"`, n);
      seen.set(t.index, j);
    }
    return {
      type: 'session',
      session,
      ...(deltas ? { dbs: deltas } : {}),
      turns: [...turns].sort((a, b) => a.index - b.index),
      line: n,
    };
  }

  /** Call after the last line (`lines` read in all): throws when there was no run line. */
  finish(): BundleHeader {
    if (!this.header) throw new RunBundleError('the file is empty; expected a "run" line', 1);
    return this.header;
  }
}

/**
 * Parses and validates a bundle held in memory, line by line. Throws a `RunBundleError` naming
 * the first bad line and what is wrong with it, e.g. `line 3: "session.runId" is missing`.
 * Blank lines and CRLF line ends are tolerated. Each "db" line's hash is checked against its
 * content, and each session's deltas against the database they apply to.
 */
export function parseRunJsonl(text: string): RunBundle {
  const checker = new RunBundleLineChecker();
  const sessions: BundleSessionLine[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const item = checker.check(rows[i] ?? '', i + 1);
    if (item?.type === 'session') {
      const { type: _, ...s } = item;
      sessions.push(s);
    }
  }
  const header = checker.finish();
  return { ...header, dbs: checker.dbs, sessions };
}

// A session's deltas must name a database given earlier and fit it, and not come beside
// whole databases of the same kind.
function checkDeltas(deltas: SessionDbsDelta, session: Session, dbs: Map<string, JsonObject>, n: number): void {
  const base = dbs.get(deltas.baseHash);
  if (!base) throw new RunBundleError(`"dbs.baseHash" ${JSON.stringify(deltas.baseHash)} names no "db" line before this one`, n);
  const parts = [
    ['finalDelta', 'finalDb', deltas.finalDelta],
    ['expectedDelta', 'expectedDb', deltas.expectedDelta],
  ] as const;
  for (const [field, whole, delta] of parts) {
    if (!delta) continue;
    if (session[whole] !== undefined) throw new RunBundleError(`"session.${whole}" and "dbs.${field}" are both given; keep one`, n);
    try {
      applyDbDelta(base, delta as DbDelta);
    } catch (e) {
      if (!(e instanceof DbDeltaError)) throw e;
      throw new RunBundleError(`"dbs.${field}[${e.index}]" does not fit its database: ${e.problem}`, n);
    }
  }
}

/* ------------------------------------------------------------ error messages */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeIssues(error: z.ZodError, input: unknown): string {
  const [first, ...rest] = error.issues;
  if (!first) return 'invalid';
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return describeIssue(first, input) + more;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path;
  const subject = path.length ? `"${formatPath(path)}"` : 'the line';
  switch (issue.code) {
    case 'invalid_type': {
      const at = lookup(input, path);
      if (!at.present) return `${subject} is missing`;
      return `${subject} should be ${expectedType(issue.expected)}, got ${kindOf(at.value)}`;
    }
    case 'invalid_value':
      return shouldBeOneOf(subject, issue.values, lookup(input, path));
    case 'invalid_union': {
      const at = lookup(input, path);
      if (!at.present) return `${subject} is missing`;
      // A union of literals (a reward of 0 or 1): name the values, as an enum's issue does.
      const branches = issue.errors;
      const literals = branches.length > 0 && branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_value' && b[0].path.length === 0);
      if (literals) return shouldBeOneOf(subject, branches.flatMap((b) => (b[0]?.code === 'invalid_value' ? b[0].values : [])), at);
      return `${subject}: ${issue.message}`;
    }
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `"${formatPath([...path, k])}" is not a known field`)
        .join('; ');
    default:
      return `${subject}: ${issue.message}`;
  }
}

function shouldBeOneOf(subject: string, values: readonly unknown[], got: { present: boolean; value?: unknown }): string {
  const wanted = values.map((v) => JSON.stringify(v));
  const gotText = got.present ? `, got ${JSON.stringify(got.value) ?? kindOf(got.value)}` : '';
  return wanted.length === 1
    ? `${subject} should be ${wanted[0]}${gotText}`
    : `${subject} should be one of ${wanted.join(', ')}${gotText}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg))
      out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function lookup(
  root: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, seg))
      return { present: false };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { present: true, value: cur };
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'array':
    case 'object':
      return `an ${expected}`;
    case 'record':
      return 'an object';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isInteger(v)) return `${v}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

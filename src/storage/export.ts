/**
 * Run bundles: one run with all its sessions and turns as JSON Lines.
 *
 *   line 1   {"type":"run","formatVersion":1,"exportedAt":"<ISO 8601>","run":{…}}
 *   line 2…  {"type":"session","session":{…},"turns":[…]}   ordered by scenario, persona, trial
 *
 * Every line is a standalone JSON value, so a bundle can be streamed, grepped and split. Inside
 * the records keys are written sorted, so the same stored data always exports to the same
 * bytes whatever order its fields were written in (an export → import → export round trip is
 * byte-identical apart from `exportedAt`).
 */
import type { z } from 'zod';
import type { Run, Session, Turn } from '../core/model/types.ts';
import {
  RUN_BUNDLE_FORMAT_VERSION,
  runLineSchema,
  sessionLineSchema,
} from './bundle-schema.ts';
import { compareSessions, joinSession, splitSession, type Storage } from './repo.ts';

export { RUN_BUNDLE_FORMAT_VERSION } from './bundle-schema.ts';

/** A parsed, validated run bundle. */
export interface RunBundle {
  formatVersion: typeof RUN_BUNDLE_FORMAT_VERSION;
  /** ISO 8601 time the bundle was written. */
  exportedAt: string;
  run: Run;
  /** In file order, each with its turns ordered by index. */
  sessions: { session: Session; turns: Turn[] }[];
}

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
 * Serialises one run, its sessions and their turns, read in one transaction so the bundle is
 * a consistent snapshot even while the run is still writing. Rejects if there is no such run.
 */
export async function exportRunJsonl(
  storage: Storage,
  runId: string,
  opts: { now?: Date } = {},
): Promise<string> {
  const { db } = storage;
  const { run, sessions, turns } = await db.transaction(
    'r',
    db.runs,
    db.sessions,
    db.turns,
    db.sessionDbs,
    async () => {
      const run = await db.runs.get(runId);
      const light = await db.sessions.where('runId').equals(runId).toArray();
      const dbRows = await db.sessionDbs.bulkGet(light.map((s) => s.id));
      const sessions = light.map((s, i) => joinSession(s, dbRows[i]));
      const turns = sessions.length
        ? await db.turns.where('sessionId').anyOf(sessions.map((s) => s.id)).toArray()
        : [];
      return { run, sessions, turns };
    },
  );
  if (!run) throw new Error(`There is no run with id "${runId}" to export.`);

  const turnsBySession = new Map<string, Turn[]>();
  for (const t of turns) {
    const list = turnsBySession.get(t.sessionId);
    if (list) list.push(t);
    else turnsBySession.set(t.sessionId, [t]);
  }

  const exportedAt = (opts.now ?? new Date()).toISOString();
  const lines = [
    line({ type: 'run', formatVersion: RUN_BUNDLE_FORMAT_VERSION, exportedAt, run }),
  ];
  for (const session of sessions.sort(compareSessions)) {
    const own = (turnsBySession.get(session.id) ?? []).sort((a, b) => a.index - b.index);
    lines.push(line({ type: 'session', session, turns: own }));
  }
  return lines.join('\n') + '\n';
}

// The envelope keeps its documented key order; everything below it is key-sorted.
function line(envelope: object): string {
  return JSON.stringify(envelope, function (this: unknown, key: string, value: unknown) {
    if (key === '' || value === null || typeof value !== 'object' || Array.isArray(value))
      return value;
    // fromEntries defines own properties, so a "__proto__" key stays data.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, (value as Record<string, unknown>)[k]]),
    );
  });
}

/**
 * Parses and validates a bundle line by line. Throws a `RunBundleError` naming the first bad
 * line and what is wrong with it, e.g. `line 3: "session.runId" is missing`. Blank lines and
 * CRLF line ends are tolerated.
 */
export function parseRunJsonl(text: string): RunBundle {
  let header: z.output<typeof runLineSchema> | undefined;
  const sessions: RunBundle['sessions'] = [];
  const sessionLines = new Map<string, number>();
  const rows = text.split('\n');

  for (let i = 0; i < rows.length; i++) {
    const n = i + 1;
    const raw = (rows[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') continue;

    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new RunBundleError(`not valid JSON (${(e as Error).message})`, n);
    }
    const type = isRecord(value) ? value['type'] : undefined;

    if (!header) {
      if (type !== 'run')
        throw new RunBundleError('the first line must be the run: {"type":"run",…}', n);
      const r = runLineSchema.safeParse(value);
      if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
      header = r.data;
      continue;
    }

    if (type === 'run') throw new RunBundleError('a second "run" line; a bundle holds one run', n);
    // An unknown line type makes every other field look wrong; name only the type.
    if (isRecord(value) && type !== 'session')
      throw new RunBundleError(
        type === undefined
          ? '"type" is missing'
          : `"type" should be "session", got ${JSON.stringify(type)}`,
        n,
      );
    const r = sessionLineSchema.safeParse(value);
    if (!r.success) throw new RunBundleError(describeIssues(r.error, value), n);
    const { session, turns } = r.data;

    if (session.runId !== header.run.id)
      throw new RunBundleError(
        `"session.runId" is ${JSON.stringify(session.runId)} but the run's id is ${JSON.stringify(header.run.id)}`,
        n,
      );
    const earlier = sessionLines.get(session.id);
    if (earlier !== undefined)
      throw new RunBundleError(
        `"session.id" ${JSON.stringify(session.id)} already appeared on line ${earlier}`,
        n,
      );
    sessionLines.set(session.id, n);

    const seen = new Map<number, number>();
    for (const [j, t] of turns.entries()) {
      if (t.sessionId !== session.id)
        throw new RunBundleError(
          `"turns[${j}].sessionId" is ${JSON.stringify(t.sessionId)} but the session's id is ${JSON.stringify(session.id)}`,
          n,
        );
      const k = seen.get(t.index);
      if (k !== undefined)
        throw new RunBundleError(`"turns[${j}].index" ${t.index} repeats "turns[${k}].index"`, n);
      seen.set(t.index, j);
    }
    sessions.push({ session, turns: [...turns].sort((a, b) => a.index - b.index) });
  }

  if (!header) throw new RunBundleError('the file is empty; expected a "run" line', 1);
  return {
    formatVersion: header.formatVersion,
    exportedAt: header.exportedAt,
    run: header.run,
    sessions,
  };
}

/**
 * Validates a bundle and writes its run, sessions and turns in one transaction. Refuses, and
 * writes nothing, if any line is bad or if the run or any of its sessions already exists.
 */
export async function importRunJsonl(
  storage: Storage,
  text: string,
): Promise<{ runId: string; sessions: number; turns: number }> {
  const bundle = parseRunJsonl(text);
  const { db } = storage;
  const { run } = bundle;
  const sessions = bundle.sessions.map((s) => s.session);
  const turns = bundle.sessions.flatMap((s) => s.turns);

  await db.transaction('rw', [db.runs, db.sessions, db.turns, db.sessionDbs], async () => {
    if ((await db.runs.get(run.id)) !== undefined)
      throw new RunBundleError(
        `a run with id ${JSON.stringify(run.id)} already exists; delete it before importing this bundle`,
        1,
      );
    const existing = await db.sessions.bulkGet(sessions.map((s) => s.id));
    const clash = existing.findIndex((s) => s !== undefined);
    if (clash >= 0)
      throw new RunBundleError(
        `a session with id ${JSON.stringify(sessions[clash]?.id)} already exists (in run ${JSON.stringify(existing[clash]?.runId)})`,
        clash + 2,
      );
    await db.runs.add(run);
    const split = sessions.map((s) => splitSession(s));
    await db.sessions.bulkAdd(split.map((x) => x.light));
    await db.sessionDbs.bulkAdd(split.flatMap((x) => (x.dbs ? [x.dbs] : [])));
    await db.turns.bulkAdd(turns);
  });
  return { runId: run.id, sessions: sessions.length, turns: turns.length };
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
    case 'invalid_value': {
      const got = lookup(input, path);
      const wanted = issue.values.map((v) => JSON.stringify(v));
      const gotText = got.present ? `, got ${JSON.stringify(got.value) ?? kindOf(got.value)}` : '';
      return wanted.length === 1
        ? `${subject} should be ${wanted[0]}${gotText}`
        : `${subject} should be one of ${wanted.join(', ')}${gotText}`;
    }
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `"${formatPath([...path, k])}" is not a known field`)
        .join('; ');
    default:
      return `${subject}: ${issue.message}`;
  }
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

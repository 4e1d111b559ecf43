import type { z } from 'zod';

/** One problem in an input, at a path such as `tasks[2].user.goal.requests[0].tool`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * Input that was refused. The message names the source, the path and the problem, e.g.
 * `persona.json: traits.patience: must be at most 5 (got 9)`. Nothing is written when
 * this is thrown.
 */
export class ValidationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ValidationIssue[],
  ) {
    const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super(`${source}: ${shown.join('; ')}${more}`);
    this.name = 'ValidationError';
  }
}

/** `["tasks", 2, "user"]` → `tasks[2].user`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += out ? `.${String(step)}` : String(step);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[step as string];
  }
  return cur;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Turns zod's issues into short sentences a person can act on. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ValidationIssue[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const got = valueAt(input, issue.path);
    switch (issue.code) {
      case 'invalid_type':
        return got === undefined
          ? { path, message: `is required but missing (expected ${issue.expected})` }
          : { path, message: `must be ${article(issue.expected)}, got ${show(got)}` };
      case 'too_big':
        return issue.origin === 'number'
          ? { path, message: `must be at most ${issue.maximum} (got ${show(got)})` }
          : { path, message: `is too long: at most ${issue.maximum} ${unit(issue.origin)} (got ${lengthOf(got)})` };
      case 'too_small':
        return issue.origin === 'number'
          ? { path, message: `must be at least ${issue.minimum} (got ${show(got)})` }
          : issue.origin === 'string' && issue.minimum === 1
            ? { path, message: 'must not be empty' }
            : { path, message: `needs at least ${issue.minimum} ${unit(issue.origin)} (got ${lengthOf(got)})` };
      case 'unrecognized_keys':
        return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
      case 'invalid_value':
        return { path, message: `must be one of ${issue.values.map((v) => show(v)).join(', ')} (got ${show(got)})` };
      default:
        return { path, message: issue.message };
    }
  });
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
function unit(origin: string): string {
  return origin === 'string' ? 'characters' : 'items';
}
function lengthOf(value: unknown): string {
  if (typeof value === 'string' || Array.isArray(value)) return String(value.length);
  return show(value);
}

/**
 * Parses JSON text, refusing malformed input with the line and column of the problem.
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    // V8 leaves the position out of some messages ("Unexpected token '}', ..."): find it.
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    let where = '';
    if (offset >= 0) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    const reason = message.replace(/^JSON\.parse: /, '').replace(/ in JSON at position \d+.*$/s, '');
    throw new ValidationError(source, [{ path: '', message: `not valid JSON${where}: ${reason}` }]);
  }
}

/** Offset of the first character a JSON parser refuses (the length when input ends early), or -1. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) fail();
    i++;
  };
  const str = () => {
    expect('"');
    while (text[i] !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          str();
          ws();
          expect(':');
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(close);
        return;
      }
    }
    if (c === '"') return str();
    for (const word of ['true', 'false', 'null']) {
      if (c === word[0]) {
        for (const ch of word) expect(ch);
        return;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : -1;
  }
}

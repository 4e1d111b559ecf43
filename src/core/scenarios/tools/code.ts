/**
 * What a code tool's sandbox answers, the same whoever runs it (the page's worker, the Node
 * runner in tests): the wording of timeouts and crashes, and how a body's source is wrapped.
 */
import type { Json, JsonObject } from '../../model/types.ts';

/** One code tool call, as the environment hands it to a sandbox. */
export interface CodeToolJob {
  tool: string;
  source: string;
  db: JsonObject;
  args: JsonObject;
  timeoutMs: number;
}

/** A sandbox's answer: the changed database and the result, or a failure. */
export type CodeToolOutcome =
  | { ok: true; db: JsonObject; value: Json }
  | { ok: false; error: { name: 'DomainError' | 'ToolCrashed'; message: string } };

/** Parameter names of the function a code tool's source is the body of. */
export const CODE_TOOL_PARAMS = ['db', 'args', 'fail'] as const;

/**
 * The body as compiled: strict mode, so a stray assignment is an error rather than a global,
 * and `this` is undefined. Same line, so error positions match the author's source.
 */
export function strictBody(source: string): string {
  return `"use strict"; ${source}`;
}

export function timedOut(tool: string, ms: number): CodeToolOutcome {
  return { ok: false, error: { name: 'ToolCrashed', message: `${tool} timed out after ${ms} ms` } };
}

export function crashed(tool: string, detail: string): CodeToolOutcome {
  return { ok: false, error: { name: 'ToolCrashed', message: `${tool} failed: ${detail}` } };
}

export function domainError(message: string): CodeToolOutcome {
  return { ok: false, error: { name: 'DomainError', message } };
}

/** The message of anything a tool threw: an Error's message, or the thrown value itself. */
export function thrownMessage(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message;
  try {
    return typeof err === 'string' ? err : String(JSON.stringify(err) ?? err);
  } catch {
    return 'an unreadable value was thrown';
  }
}

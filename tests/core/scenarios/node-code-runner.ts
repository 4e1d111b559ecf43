/**
 * A CodeToolRunner for tests in Node: each call runs in a fresh node:vm context (only the
 * ECMAScript built-ins, no fetch, no require) with vm's time limit. The same answers as the
 * page's worker sandbox (workers/tool-sandbox.worker.ts): strict mode, `fail(message)` is a
 * DomainError, a throw or a timeout is ToolCrashed, only JSON comes back. node:vm is not a
 * security boundary; this runs our own test fixtures, never files from strangers.
 */
import vm from 'node:vm';
import type { CodeToolRunner } from '../../../src/core/scenarios/environment.ts';
import { CODE_TOOL_PARAMS, crashed, domainError, strictBody, timedOut, type CodeToolOutcome } from '../../../src/core/scenarios/tools/code.ts';

// Runs inside the context; everything it touches comes from that context's own realm.
const HARNESS = `(() => {
  "use strict";
  class Fail { constructor(message) { this.message = message; } }
  const text = (err) => (err !== null && typeof err === 'object' && typeof err.message === 'string') ? err.message : String(err);
  let body;
  try {
    body = new Function(...__params, __body);
  } catch (err) {
    return JSON.stringify({ kind: 'crash', detail: 'does not compile: ' + text(err) });
  }
  const db = JSON.parse(__db);
  let value;
  try {
    value = body.call(undefined, db, JSON.parse(__args), (m) => { throw new Fail(String(m)); });
  } catch (err) {
    return JSON.stringify(err instanceof Fail ? { kind: 'fail', message: err.message } : { kind: 'crash', detail: text(err) });
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    return JSON.stringify({ kind: 'crash', detail: 'returned a Promise: code tools run synchronously and return their result' });
  }
  try {
    return JSON.stringify({ kind: 'ok', db: JSON.stringify(db), value: JSON.stringify(value === undefined ? null : value) ?? 'null' });
  } catch (err) {
    return JSON.stringify({ kind: 'crash', detail: 'its result or database is not JSON: ' + text(err) });
  }
})()`;

type HarnessAnswer =
  | { kind: 'ok'; db: string; value: string }
  | { kind: 'fail'; message: string }
  | { kind: 'crash'; detail: string };

/** Runs code tools in node:vm; counts calls so tests can see the sandbox was used. */
export function nodeCodeRunner(): CodeToolRunner & { calls: number } {
  const run = (async (job) => {
    run.calls++;
    if (/\bimport\b/.test(job.source)) return crashed(job.tool, 'code tools may not use "import"');
    const context = vm.createContext({
      __params: [...CODE_TOOL_PARAMS],
      __body: strictBody(job.source),
      __db: JSON.stringify(job.db),
      __args: JSON.stringify(job.args),
    });
    let answer: HarnessAnswer;
    try {
      answer = JSON.parse(vm.runInContext(HARNESS, context, { timeout: job.timeoutMs }) as string) as HarnessAnswer;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return timedOut(job.tool, job.timeoutMs);
      return crashed(job.tool, (err as Error).message);
    }
    if (answer.kind === 'fail') return domainError(answer.message);
    if (answer.kind === 'crash') return crashed(job.tool, answer.detail);
    return { ok: true, db: JSON.parse(answer.db), value: JSON.parse(answer.value) } satisfies CodeToolOutcome;
  }) as CodeToolRunner & { calls: number };
  run.calls = 0;
  return run;
}

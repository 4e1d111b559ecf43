/**
 * The sandbox for scenario files' code tools: a dedicated module worker that runs a tool's
 * source as the body of `function (db, args, fail)`, one call at a time.
 *
 * What keeps the code in:
 * - A worker has no DOM and its own global scope; the page's state is out of reach, and the
 *   page can terminate it at once (that is how a call past its time limit ends).
 * - Before the first call, `lockDown` removes every global that is not a plain ECMAScript
 *   built-in, along the whole prototype chain of the global scope: fetch, XMLHttpRequest,
 *   WebSocket, EventSource, WebTransport, importScripts, indexedDB, caches, BroadcastChannel,
 *   Worker, navigator, setTimeout (it compiles strings), postMessage and the rest. It then
 *   checks that the dangerous names are really gone; if any survived, the worker reports
 *   that it is unsafe and never runs code.
 * - The ways to turn a string into code are closed: `eval` and `Function` are removed and the
 *   `constructor` of every kind of function is replaced, so a tool cannot rebuild a removed
 *   global from text. `import()` is syntax, not a global, so sources containing the word
 *   `import` are refused before they get here (lintCodeTool) and again below.
 * - The built-ins and the global scope are frozen, so one call cannot leave state behind for
 *   the next (a tool must give the same answer on replay), nor reach our message handler.
 *
 * What it does not rely on: a Content-Security-Policy. A worker loaded from a file takes its
 * policy from that file's HTTP headers, which a static host does not let us set, and a blob
 * worker inherits the page's policy, which must allow model downloads. So nothing here
 * depends on one; the page would only gain from a host that adds `connect-src 'self'`.
 */
import {
  CODE_TOOL_PARAMS,
  crashed,
  domainError,
  strictBody,
  thrownMessage,
  type CodeToolOutcome,
} from '../src/core/scenarios/tools/code.ts';

/** A call, from the page. `db` and `args` travel as JSON text. */
export interface SandboxRequest {
  id: number;
  tool: string;
  source: string;
  db: string;
  args: string;
}

/** The worker's messages: once `ready` (or `unsafe`), then one `result` per request. */
export type SandboxMessage =
  | { type: 'ready' }
  | { type: 'unsafe'; names: string[] }
  | { type: 'result'; id: number; outcome: SandboxOutcome };

/** An outcome with the database and value as JSON text (so nothing but JSON crosses back). */
export type SandboxOutcome = Exclude<CodeToolOutcome, { ok: true }> | { ok: true; db: string; value: string };

// Captured before the lockdown takes them away from everyone else.
const post: (message: SandboxMessage) => void = self.postMessage.bind(self);
const compile = Function;
const parse = JSON.parse;
const stringify = JSON.stringify;
const getPrototypeOf = Object.getPrototypeOf;

/** Names a tool may use: the ECMAScript built-ins, nothing from the web platform. */
const ALLOWED = new Set([
  'Object', 'Function', 'Array', 'Number', 'parseFloat', 'parseInt', 'Infinity', 'NaN', 'undefined',
  'Boolean', 'String', 'Symbol', 'Date', 'Promise', 'RegExp', 'Error', 'AggregateError', 'EvalError',
  'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'globalThis', 'JSON', 'Math',
  'Intl', 'ArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array',
  'Int32Array', 'Float32Array', 'Float64Array', 'Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array',
  'DataView', 'Map', 'BigInt', 'Set', 'WeakMap', 'WeakSet', 'Proxy', 'Reflect', 'decodeURI',
  'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'isFinite', 'isNaN',
  'console', 'TextEncoder', 'TextDecoder',
]);
// `Function` stays a name only until string-to-code is closed below; then it is removed too.

/** Must be absent after the lockdown, or no code runs. */
const MUST_BE_GONE = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport', 'importScripts',
  'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker', 'navigator', 'postMessage',
  'setTimeout', 'setInterval', 'eval', 'Function', 'WebAssembly', 'MessageChannel', 'RTCPeerConnection',
  'webkitRequestFileSystem', 'webkitResolveLocalFileSystemURL', 'close', 'onmessage', 'addEventListener',
];

function lockDown(): string[] {
  // 1. Strip the global scope and its prototypes (WorkerGlobalScope, EventTarget) of everything
  //    web-platform; Object.prototype, at the end of the chain, holds only built-ins.
  const chain: object[] = [];
  for (let o: object | null = globalThis; o && o !== Object.prototype; o = getPrototypeOf(o)) chain.push(o);
  for (const scope of chain) {
    for (const name of Reflect.ownKeys(scope)) {
      if (typeof name === 'string' && ALLOWED.has(name) && scope === globalThis) continue;
      if (!Reflect.deleteProperty(scope, name)) {
        try {
          Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false });
        } catch {
          // Reported by the check below if it matters.
        }
      }
    }
  }
  // 2. Close string-to-code: every kind of function's constructor compiles source text.
  const thrower = function () {
    throw new TypeError('code tools cannot compile code');
  };
  const kinds = [
    function () {},
    async function () {},
    function* () {},
    async function* () {},
  ].map((f) => getPrototypeOf(f) as object);
  for (const proto of kinds) Object.defineProperty(proto, 'constructor', { value: thrower, writable: false, configurable: false });
  Reflect.deleteProperty(globalThis, 'Function');
  Reflect.deleteProperty(globalThis, 'eval');
  // 3. Freeze what is left, so nothing persists from one call to the next.
  const seen = new Set<unknown>();
  const freeze = (value: unknown): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    Object.freeze(value);
    freeze(getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const d = Reflect.getOwnPropertyDescriptor(value, key);
      if (d) for (const part of [d.value, d.get, d.set]) freeze(part);
    }
  };
  freeze(thrower);
  freeze(globalThis);
  // 4. Check rather than trust: anything dangerous still reachable by name stops the sandbox.
  const g = globalThis as unknown as Record<string, unknown>;
  return MUST_BE_GONE.filter((name) => g[name] !== undefined);
}

/** Thrown by `fail(message)`: a domain error the tool raises on purpose. */
class Fail {
  constructor(readonly message: string) {}
}

type Failure = Exclude<SandboxOutcome, { ok: true }>;
const crash = (tool: string, detail: string) => crashed(tool, detail) as Failure;

function run(req: SandboxRequest): SandboxOutcome {
  if (/\bimport\b/.test(req.source)) return crash(req.tool, 'code tools may not use "import"');
  let body: (db: unknown, args: unknown, fail: (message: unknown) => never) => unknown;
  try {
    body = compile(...CODE_TOOL_PARAMS, strictBody(req.source)) as typeof body;
  } catch (err) {
    return crash(req.tool, `does not compile: ${thrownMessage(err)}`);
  }
  const db = parse(req.db) as unknown;
  let value: unknown;
  try {
    value = body.call(undefined, db, parse(req.args), (message: unknown) => {
      throw new Fail(String(message));
    });
  } catch (err) {
    if (err instanceof Fail) return domainError(err.message) as Failure;
    return crash(req.tool, thrownMessage(err));
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function') {
    return crash(req.tool, 'returned a Promise: code tools run synchronously and return their result');
  }
  try {
    return { ok: true, db: stringify(db), value: stringify(value === undefined ? null : value) ?? 'null' };
  } catch (err) {
    // A cycle or a BigInt in the database or the result.
    return crash(req.tool, `its result or database is not JSON: ${thrownMessage(err)}`);
  }
}

self.addEventListener('message', (event: MessageEvent<SandboxRequest>) => {
  const req = event.data;
  let outcome: SandboxOutcome;
  try {
    outcome = run(req);
  } catch (err) {
    outcome = crash(req.tool, thrownMessage(err));
  }
  post({ type: 'result', id: req.id, outcome });
});

const left = lockDown();
post(left.length ? { type: 'unsafe', names: left } : { type: 'ready' });

/**
 * The page's runner for scenario files' code tools: each call goes to a locked-down worker
 * (workers/tool-sandbox.worker.ts, which says what it relies on) with a time limit. A call
 * past its limit terminates the worker, and the next call starts a fresh one.
 */
import type { CodeToolRunner, JsonObject, Json } from '../core/index.ts';
import { crashed as crash, timedOut, type CodeToolJob, type CodeToolOutcome } from '../core/scenarios/tools/code.ts';
import type { SandboxMessage, SandboxRequest } from '../../workers/tool-sandbox.worker.ts';

/** How long a fresh worker may take to load and lock down before calls fail. */
const START_TIMEOUT_MS = 15_000;

export interface ToolSandboxOptions {
  /** Makes the worker; tests inject their own. */
  createWorker?: () => Worker;
  /** Limit for a worker's start and lockdown (default 15 s). */
  startTimeoutMs?: number;
}

interface Pending {
  job: CodeToolJob;
  resolve: (outcome: CodeToolOutcome) => void;
}

function defaultWorker(): Worker {
  return new Worker(new URL('../../workers/tool-sandbox.worker.ts', import.meta.url), {
    type: 'module',
    name: 'understudy-tool-sandbox',
  });
}

/**
 * One sandbox worker, reused from call to call (its realm is frozen, so calls cannot share
 * state) and replaced when a call times out or the worker dies. Calls run one at a time, in
 * order; a call's time limit starts when the worker takes it, not while it waits its turn.
 */
export class ToolSandbox {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private queue: Pending[] = [];
  private busy = false;
  /** Ends the call in flight, if any (used by dispose). */
  private cancelCurrent: (() => void) | null = null;
  private nextId = 1;
  private readonly createWorker: () => Worker;
  private readonly startTimeoutMs: number;

  constructor(opts: ToolSandboxOptions = {}) {
    this.createWorker = opts.createWorker ?? defaultWorker;
    this.startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  }

  /** The CodeToolRunner to hand to createEnvironment or runSession. Never rejects. */
  readonly run: CodeToolRunner = (job) =>
    new Promise<CodeToolOutcome>((resolve) => {
      this.queue.push({ job, resolve });
      void this.pump();
    });

  /** Stops the worker; the call in flight and calls still waiting fail. */
  dispose(): void {
    const waiting = this.queue.splice(0);
    this.cancelCurrent?.();
    this.kill();
    for (const p of waiting) p.resolve(crash(p.job.tool, 'the sandbox was closed'));
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    const next = this.queue.shift();
    if (!next) return;
    this.busy = true;
    try {
      next.resolve(await this.execute(next.job));
    } catch (err) {
      next.resolve(crash(next.job.tool, (err as Error)?.message ?? String(err)));
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  private kill(): void {
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
  }

  /** A worker that has locked itself down and said so; started on first need. */
  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = this.createWorker();
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`the sandbox did not start within ${this.startTimeoutMs} ms`)), this.startTimeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        if (err) {
          this.kill();
          reject(err);
        } else resolve(worker);
      };
      const onMessage = (e: MessageEvent<SandboxMessage>) => {
        if (e.data.type === 'ready') done();
        else if (e.data.type === 'unsafe') done(new Error(`the sandbox could not remove ${e.data.names.join(', ')}; code tools will not run here`));
      };
      const onError = (e: ErrorEvent) => done(new Error(`the sandbox could not start: ${e.message || 'the worker failed to load'}`));
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
    });
    return this.ready;
  }

  private async execute(job: CodeToolJob): Promise<CodeToolOutcome> {
    const worker = await this.start();
    const id = this.nextId++;
    return new Promise<CodeToolOutcome>((resolve) => {
      const finish = (outcome: CodeToolOutcome) => {
        this.cancelCurrent = null;
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        resolve(outcome);
      };
      // An endless loop never yields, so only terminating the worker stops it.
      const timer = setTimeout(() => {
        this.kill();
        finish(timedOut(job.tool, job.timeoutMs));
      }, job.timeoutMs);
      const onMessage = (e: MessageEvent<SandboxMessage>) => {
        const m = e.data;
        if (m.type !== 'result' || m.id !== id) return;
        if (!m.outcome.ok) return finish(m.outcome);
        try {
          finish({ ok: true, db: JSON.parse(m.outcome.db) as JsonObject, value: JSON.parse(m.outcome.value) as Json });
        } catch (err) {
          finish(crash(job.tool, `its answer could not be read: ${(err as Error).message}`));
        }
      };
      const onError = (e: ErrorEvent) => {
        this.kill();
        finish(crash(job.tool, `the sandbox stopped: ${e.message || 'worker error'}`));
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      this.cancelCurrent = () => finish(crash(job.tool, 'the sandbox was closed'));
      const req: SandboxRequest = {
        id,
        tool: job.tool,
        source: job.source,
        db: JSON.stringify(job.db),
        args: JSON.stringify(job.args),
      };
      worker.postMessage(req);
    });
  }
}

let shared: ToolSandbox | null = null;

/** The page's code tool runner: one shared sandbox, started on the first code tool call. */
export const codeToolRunner: CodeToolRunner = (job) => (shared ??= new ToolSandbox()).run(job);

/**
 * How the page computes a comparison (core/metrics/compare.ts): in a worker of its own
 * (workers/stats.worker.ts), started for the call and ended when it answers, so the page stays
 * responsive over large runs; on this thread where there are no workers (Node tests). A call
 * that is no longer wanted (the person changed the agents or k) is stopped with its signal: the
 * worker is ended, since a computation cannot be interrupted from outside, and the promise
 * rejects with an AbortError. Inputs cross to the worker by structured clone: pass plain data
 * (`$state.snapshot` of runes state), not proxies.
 */
import * as Comlink from 'comlink';
import {
  compareAgents,
  robustness,
  type CompareAgentInput,
  type CompareOptions,
  type CompareResult,
  type CompareSession,
  type Persona,
  type Robustness,
  type RobustnessOptions,
} from '../core/index.ts';
import type { StatsWorkerApi } from '../../workers/stats.worker.ts';

/** What compareInWorker takes: the agents with their sessions, and the options (seed first). */
export interface CompareInput {
  agents: CompareAgentInput[];
  options: CompareOptions;
}

/** What robustnessInWorker takes: one agent's sessions and the personas they ran with. */
export interface RobustnessInput {
  sessions: CompareSession[];
  personas: Persona[];
  options: RobustnessOptions;
}

export interface StatsCallOptions {
  /** Stops the computation: the worker is ended and the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

function abortError(): Error {
  const e = new Error('The comparison was stopped.');
  e.name = 'AbortError';
  return e;
}

/** Runs `call` in a fresh stats worker, or on this thread with `inline` where there are no workers. */
async function inWorker<T>(call: (api: Comlink.Remote<StatsWorkerApi>) => Promise<T>, inline: () => T, opts: StatsCallOptions): Promise<T> {
  const { signal } = opts;
  if (signal?.aborted) throw abortError();
  if (typeof Worker === 'undefined') {
    // Yield first, so a caller that aborts right after calling is heard.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (signal?.aborted) throw abortError();
    return inline();
  }
  const worker = new Worker(new URL('../../workers/stats.worker.ts', import.meta.url), { type: 'module', name: 'understudy-stats' });
  let onAbort: (() => void) | undefined;
  try {
    // A worker that fails to load or dies never answers: its error event ends the call.
    const died = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => reject(new Error(`The statistics worker stopped: ${e.message || 'worker error'}`)));
    });
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return await Promise.race([call(Comlink.wrap<StatsWorkerApi>(worker)), died, aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    worker.terminate();
  }
}

/** compareAgents (core/metrics/compare.ts) in a worker; on this thread where there are none. */
export function compareInWorker(input: CompareInput, opts: StatsCallOptions = {}): Promise<CompareResult> {
  return inWorker(
    (api) => api.compareAgents(input.agents, input.options),
    () => compareAgents(input.agents, input.options),
    opts,
  );
}

/** robustness (core/metrics/compare.ts) in a worker; on this thread where there are none. */
export function robustnessInWorker(input: RobustnessInput, opts: StatsCallOptions = {}): Promise<Robustness> {
  return inWorker(
    (api) => api.robustness(input.sessions, input.personas, input.options),
    () => robustness(input.sessions, input.personas, input.options),
    opts,
  );
}

/**
 * Wraps the worker API for comlink: a callback passed to load/complete arrives as a comlink
 * proxy with its own MessagePort; this lets go of it when the call is over, so ports do not
 * pile up over a long run. Plain functions (tests) pass through untouched.
 */
import * as Comlink from 'comlink';
import type { LlmWorkerApi } from './protocol.ts';

function release(cb: unknown): void {
  if (typeof cb !== 'function') return;
  const r = (cb as { [Comlink.releaseProxy]?: unknown })[Comlink.releaseProxy];
  if (typeof r !== 'function') return;
  try {
    (r as () => void)();
  } catch {
    // Already released.
  }
}

export function releasingCallbacks(api: LlmWorkerApi): LlmWorkerApi {
  return {
    ...api,
    async load(modelId, custom, onProgress, opts) {
      try {
        return await api.load(modelId, custom, onProgress, opts);
      } finally {
        release(onProgress);
      }
    },
    async complete(request, onDelta) {
      try {
        return await api.complete(request, onDelta);
      } finally {
        release(onDelta);
      }
    },
  };
}

import { EngineError } from '../engine/types.ts';
import { app } from './app.svelte.ts';
import type { LoadableModel } from './engines.svelte.ts';

/** Role choices name GGUF models stored in this browser as `gguf:<id>`. */
export const GGUF_PREFIX = 'gguf:';

/** Context window for GGUF models in runs. */
export const RUN_CONTEXT_TOKENS = 8192;

export function parseGgufRef(ref: string): string | null {
  return ref.startsWith(GGUF_PREFIX) ? ref.slice(GGUF_PREFIX.length) : null;
}

/** A GGUF model from this browser's store, loaded into a fresh llama.cpp (wllama) engine. */
export function loadGgufModel(id: string): LoadableModel {
  return {
    engine: 'wllama',
    modelId: `${GGUF_PREFIX}${id}`,
    label: id,
    async load(onProgress, signal) {
      const meta = await app.storage.getGgufModel(id);
      const blob = await app.storage.getGgufBlob(id);
      if (!meta || !blob) {
        throw new EngineError('ModelLoadError', `The GGUF model "${id}" is no longer stored in this browser. Add it again on the Models page.`);
      }
      this.label = meta.name;
      this.sha256 = meta.sha256;
      // Loaded on demand: the app shell never includes llama.cpp.
      const { WllamaEngine } = await import('../engine/wllama/engine.ts');
      const engine = new WllamaEngine();
      await engine.load(
        { file: blob, name: meta.name },
        {
          signal,
          // An agent's prompt holds the policy and every tool's schema, and a session grows
          // turn by turn: 2,048 tokens is too small for that.
          nCtx: RUN_CONTEXT_TOKENS,
          onProgress: (p) => onProgress(p.total ? p.loaded / p.total : 0, `${p.phase} ${Math.round((p.total ? p.loaded / p.total : 0) * 100)}%`),
        },
      );
      return Object.assign(engine, { dispose: () => engine.unload() });
    },
  };
}

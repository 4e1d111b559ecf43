import { ggufContext, type ContextChoice } from '../engine/context.ts';
import { defaultEnableThinking } from '../engine/thinking-switch.ts';
import { EngineError } from '../engine/types.ts';
import { readGgufHeader, type GgufShape } from '../engine/wllama/gguf.ts';
import { app } from './app.svelte.ts';
import type { LoadableModel, ModelDescription } from './engines.svelte.ts';
import type { ModelSettings } from './models.svelte.ts';

/** Role choices name GGUF models stored in this browser as `gguf:<id>`. */
export const GGUF_PREFIX = 'gguf:';

export function parseGgufRef(ref: string): string | null {
  return ref.startsWith(GGUF_PREFIX) ? ref.slice(GGUF_PREFIX.length) : null;
}

/** How much of a stored file is read for its header when its record predates the stored shape. */
const HEADER_BYTES = 16 * 1024 ** 2;

/** A stored GGUF model's shape: from its record, or read from its file's header. */
export async function storedGgufShape(id: string): Promise<{ name: string; shape: GgufShape; sizeBytes: number; sha256: string }> {
  const meta = await app.storage.getGgufModel(id);
  if (!meta) throw new EngineError('ModelLoadError', `The GGUF model "${id}" is no longer stored in this browser. Add it again on the Models page.`);
  if (meta.shape) return { name: meta.name, shape: meta.shape, sizeBytes: meta.sizeBytes, sha256: meta.sha256 };
  const blob = await app.storage.getGgufBlob(id);
  if (!blob) throw new EngineError('ModelLoadError', `The file of the GGUF model ${meta.name} is missing from this browser's storage. Add it again on the Models page.`);
  const head = new Uint8Array(await blob.slice(0, Math.min(blob.size, HEADER_BYTES)).arrayBuffer());
  return { name: meta.name, shape: readGgufHeader(head, blob.size).shape, sizeBytes: meta.sizeBytes, sha256: meta.sha256 };
}

/**
 * A GGUF model from this browser's store, loaded into a fresh llama.cpp (wllama) engine with
 * the context window its settings ask for (src/engine/context.ts: by default 8,192 tokens, or
 * what the model was trained for when that is less).
 */
export function loadGgufModel(id: string, settings: ModelSettings = {}): LoadableModel {
  let described: (ModelDescription & { context: ContextChoice }) | null = null;
  const model: LoadableModel = {
    engine: 'wllama',
    modelId: `${GGUF_PREFIX}${id}`,
    label: id,
    async describe() {
      if (described) return described;
      const { name, shape, sizeBytes, sha256 } = await storedGgufShape(id);
      model.label = name;
      model.sha256 = sha256;
      const context = ggufContext(shape, settings.contextTokens);
      const thinking = settings.enableThinking ?? defaultEnableThinking(name);
      const kv = context.kvBytesPerToken !== undefined ? (context.kvBytesPerToken * context.tokens) / 1024 ** 2 : 0;
      described = {
        label: name,
        context,
        memoryMB: sizeBytes / 1024 ** 2 + kv,
        ...(thinking !== undefined ? { enableThinking: thinking } : {}),
      };
      return described;
    },
    async load(onProgress, signal) {
      const { context } = await model.describe();
      const meta = await app.storage.getGgufModel(id);
      const blob = await app.storage.getGgufBlob(id);
      if (!meta || !blob) {
        throw new EngineError('ModelLoadError', `The GGUF model "${id}" is no longer stored in this browser. Add it again on the Models page.`);
      }
      // Loaded on demand: the app shell never includes llama.cpp.
      const { WllamaEngine } = await import('../engine/wllama/engine.ts');
      const engine = new WllamaEngine();
      await engine.load(
        { file: blob, name: meta.name },
        {
          signal,
          nCtx: context.tokens,
          onProgress: (p) => onProgress(p.total ? p.loaded / p.total : 0, `${p.phase} ${Math.round((p.total ? p.loaded / p.total : 0) * 100)}%`),
        },
      );
      return Object.assign(engine, { dispose: () => engine.unload() });
    },
  };
  return model;
}

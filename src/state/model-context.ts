/**
 * The context window and memory of a chosen model, as the Models page shows them: from the
 * web-llm catalog record or the stored GGUF's shape, and the person's setting. Pure: the page
 * passes what it has loaded.
 */
import { ggufContext, kvCacheMB, tooSmallForSeats, webLlmContext, webLlmMemoryMB, type ContextChoice } from '../engine/context.ts';
import { takesThinkingSwitch } from '../engine/thinking-switch.ts';
import type { CatalogModel } from '../engine/webllm/protocol.ts';
import type { GgufModelRecord } from '../storage/db.ts';
import { resolveModelRef } from './gguf.svelte.ts';
import type { ModelSettings } from './models.svelte.ts';

export interface ModelContextView {
  /** The model's name (file name for GGUF). */
  label: string;
  engine: 'web-llm' | 'wllama';
  context: ContextChoice;
  /** KV cache at the chosen window, MB. */
  kvMB?: number;
  /** Memory the model needs at that window (weights and KV cache), MB. */
  memoryMB?: number;
  /** Whether the model takes the thinking switch, and what it is set to. */
  thinking?: { enabled: boolean; source: 'setting' | 'default' };
  /** The window is too small for the agent and user seats (judge only). */
  judgeOnly: boolean;
}

/** What the page knows of a model reference, or null when it is not (or no longer) known. */
export function modelContextView(
  ref: string,
  known: { catalog: readonly CatalogModel[]; gguf: readonly GgufModelRecord[]; perModel: Readonly<Record<string, ModelSettings>> },
): ModelContextView | null {
  const r = resolveModelRef(ref);
  if (!r) return null;
  const settings = known.perModel[ref] ?? {};
  if (r.engine === 'web-llm') {
    const record = known.catalog.find((m) => m.modelId === r.modelId);
    if (!record) return null;
    const context = webLlmContext(record, settings.contextTokens);
    const kv = kvCacheMB(context);
    const memory = webLlmMemoryMB(record.vramRequiredMB, context);
    return {
      label: record.modelId,
      engine: 'web-llm',
      context,
      ...(kv !== undefined ? { kvMB: kv } : {}),
      ...(memory !== undefined ? { memoryMB: memory } : {}),
      ...thinkingOf(record.modelId, settings),
      judgeOnly: tooSmallForSeats(context.tokens),
    };
  }
  const rec = known.gguf.find((m) => m.id === r.ggufId);
  if (!rec) return null;
  const context = ggufContext(rec.shape ?? {}, settings.contextTokens);
  const kv = kvCacheMB(context);
  return {
    label: rec.name,
    engine: 'wllama',
    context,
    ...(kv !== undefined ? { kvMB: kv, memoryMB: rec.sizeBytes / 1024 ** 2 + kv } : {}),
    ...thinkingOf(rec.name, settings),
    judgeOnly: tooSmallForSeats(context.tokens),
  };
}

function thinkingOf(name: string, settings: ModelSettings): Pick<ModelContextView, 'thinking'> {
  if (!takesThinkingSwitch(name)) return {};
  return settings.enableThinking !== undefined
    ? { thinking: { enabled: settings.enableThinking, source: 'setting' } }
    : { thinking: { enabled: false, source: 'default' } };
}

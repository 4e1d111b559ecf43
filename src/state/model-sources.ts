import { webLlmContext, webLlmMemoryMB, type ContextChoice } from '../engine/context.ts';
import type { EngineRole } from '../engine/seat.ts';
import { defaultEnableThinking } from '../engine/thinking-switch.ts';
import type { CatalogModel } from '../engine/webllm/protocol.ts';
import { app } from './app.svelte.ts';
import type { LoadableModel, ModelDescription } from './engines.svelte.ts';
import { CUSTOM_MODELS_KEY, MODEL_SETTINGS_KEY, ROLE_LABELS, ROLES_KEY, roleModelRef, type ModelSettings, type RoleSettings } from './models.svelte.ts';
import { loadGgufModel, parseGgufRef } from './gguf-source.ts';

/** The models chosen on the Models page for the roles a run needs, ready to load. */
export interface RoleModels {
  models: Partial<Record<EngineRole, LoadableModel>>;
  shared: boolean;
  resetChat: boolean;
  /** Constrain the agent's prompted tool calls with the engine's grammar. */
  constrainToolCalls: boolean;
}

/** The role choices as saved, or a clear error naming the role that has no model. */
export async function resolveRoleModels(needed: readonly EngineRole[]): Promise<RoleModels> {
  const saved = (await app.storage.getSetting<Partial<RoleSettings>>(ROLES_KEY)) ?? {};
  const custom = (await app.storage.getSetting<CatalogModel[]>(CUSTOM_MODELS_KEY)) ?? [];
  const perModel = (await app.storage.getSetting<Record<string, ModelSettings>>(MODEL_SETTINGS_KEY)) ?? {};
  const shared = saved.mode === 'shared';
  const models: Partial<Record<EngineRole, LoadableModel>> = {};
  // One loadable per model reference: roles on the same model describe (and may share) one.
  const byRef = new Map<string, LoadableModel>();
  for (const role of needed) {
    const ref = roleModelRef(saved, role);
    if (!ref) {
      throw new Error(
        `Choose a model for the ${shared ? 'shared engine' : ROLE_LABELS[role]} on the Models page before starting a run with an LLM ${role === 'user' ? 'user simulator' : role === 'agent' ? 'agent' : 'judge'}.`,
      );
    }
    let model = byRef.get(ref);
    if (!model) {
      model = loadableFor(ref, custom, perModel[ref] ?? {});
      byRef.set(ref, model);
    }
    models[role] = model;
  }
  return { models, shared, resetChat: saved.resetChat === true, constrainToolCalls: saved.constrainToolCalls === true };
}

/** A web-llm catalog id, or `gguf:<id>` for a GGUF model stored in this browser. */
export function loadableFor(ref: string, custom: CatalogModel[], settings: ModelSettings = {}): LoadableModel {
  const ggufId = parseGgufRef(ref);
  if (ggufId !== null) return loadGgufModel(ggufId, settings);
  return webLlmLoadable(ref, custom, settings);
}

/**
 * A web-llm model. Describing it starts the worker that will load it (the catalog, with custom
 * records, lives there), so nothing is started twice; the app shell never downloads web-llm.
 */
function webLlmLoadable(ref: string, custom: CatalogModel[], settings: ModelSettings): LoadableModel {
  const customOrNull = custom.length ? custom : null;
  let clientP: Promise<import('../engine/webllm/client.ts').WebLlmClient> | null = null;
  const client = () =>
    (clientP ??= import('../engine/webllm/client.ts').then(({ WebLlmClient }) => new WebLlmClient()));
  let described: (ModelDescription & { context: ContextChoice }) | null = null;
  const model: LoadableModel = {
    engine: 'web-llm',
    modelId: ref,
    label: ref,
    async describe() {
      if (described) return described;
      const c = await client();
      const record = (await c.catalog(customOrNull)).find((m) => m.modelId === ref);
      if (!record) {
        throw new Error(`The model ${ref} is neither in web-llm's catalog nor among the custom models: choose another on the Models page.`);
      }
      const context = webLlmContext(record, settings.contextTokens);
      const memoryMB = webLlmMemoryMB(record.vramRequiredMB, context);
      const thinking = settings.enableThinking ?? defaultEnableThinking(ref);
      described = {
        label: ref,
        context,
        ...(memoryMB !== undefined ? { memoryMB } : {}),
        ...(thinking !== undefined ? { enableThinking: thinking } : {}),
      };
      return described;
    },
    async load(onProgress, signal) {
      const { context, enableThinking } = await model.describe();
      const c = await client();
      // Each load gets a fresh client next time: a disposed one cannot be reused.
      clientP = null;
      try {
        await c.load(ref, customOrNull, (p) => onProgress(p.fraction, `${p.phase} ${Math.round(p.fraction * 100)}%`), signal, {
          contextWindowSize: context.tokens,
          ...(enableThinking !== undefined ? { enableThinking } : {}),
        });
      } catch (err) {
        c.dispose();
        throw err;
      }
      return c;
    },
  };
  return model;
}

import type { EngineRole } from '../engine/seat.ts';
import type { CatalogModel } from '../engine/webllm/protocol.ts';
import { app } from './app.svelte.ts';
import type { LoadableModel } from './engines.svelte.ts';
import { CUSTOM_MODELS_KEY, ROLE_LABELS, ROLES_KEY, roleModelRef, type RoleSettings } from './models.svelte.ts';
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
  const shared = saved.mode === 'shared';
  const models: Partial<Record<EngineRole, LoadableModel>> = {};
  for (const role of needed) {
    const ref = roleModelRef(saved, role);
    if (!ref) {
      throw new Error(
        `Choose a model for the ${shared ? 'shared engine' : ROLE_LABELS[role]} on the Models page before starting a run with an LLM ${role === 'user' ? 'user simulator' : 'agent'}.`,
      );
    }
    models[role] = loadableFor(ref, custom);
  }
  return { models, shared, resetChat: saved.resetChat === true, constrainToolCalls: saved.constrainToolCalls === true };
}

/** A web-llm catalog id, or `gguf:<id>` for a GGUF model stored in this browser. */
export function loadableFor(ref: string, custom: CatalogModel[]): LoadableModel {
  const ggufId = parseGgufRef(ref);
  if (ggufId !== null) return loadGgufModel(ggufId);
  return {
    engine: 'web-llm',
    modelId: ref,
    label: ref,
    async load(onProgress, signal) {
      // Loaded on demand: the app shell never downloads web-llm.
      const { WebLlmClient } = await import('../engine/webllm/client.ts');
      const client = new WebLlmClient();
      try {
        await client.load(ref, custom.length ? custom : null, (p) => onProgress(p.fraction, `${p.phase} ${Math.round(p.fraction * 100)}%`), signal);
      } catch (err) {
        client.dispose();
        throw err;
      }
      // The context window its record sets (the judge fits its request to it); unknown for
      // models whose own config decides, and then nothing is recorded.
      const record = (await client.catalog(custom.length ? custom : null).catch(() => [])).find((m) => m.modelId === ref);
      const contextWindowSize = record?.contextWindowSize;
      return contextWindowSize ? Object.assign(client, { runtimeInfo: () => ({ contextWindowSize }) }) : client;
    },
  };
}

import type { SeatFactory } from '../core/index.ts';
import { engineSeatFactory, type EngineRole, type EngineSeatSettings, type ToolCallingSettings } from '../engine/seat.ts';
import type { ContextChoice } from '../engine/context.ts';
import type { ChatEngine, SamplingParams } from '../engine/types.ts';
import { describeError } from './app.svelte.ts';

/**
 * The models behind a run's LLM seats: one engine per role by default, so each role keeps its
 * own KV cache across turns, or one engine for every role when the person chose to share.
 * The judge shares the engine of a role that runs the same model (its one request per session
 * extends no conversation, so sharing costs no cache reuse and saves loading the model twice).
 * Engines are created and loaded before the first session, and reloaded after one is lost.
 */

/** What a run needs to know of a model before loading it. */
export interface ModelDescription {
  /** The model as people name it: the file name of a GGUF, the model id of a web-llm model. */
  label: string;
  /** The context window it will be loaded with, and what it allows. */
  context: ContextChoice;
  /** GPU (or, on the CPU, main) memory it needs at that window, in MB, when known. */
  memoryMB?: number;
  /** The thinking switch sent with each request (thinking models only). */
  enableThinking?: boolean;
}

/** A model ready to be loaded into a fresh engine. */
export interface LoadableModel {
  engine: 'web-llm' | 'wllama';
  /** The model id sent with each request. */
  modelId: string;
  /** How turns and pages name it (set from the description for GGUF models). */
  label: string;
  /** SHA-256 of the model file, where there is one (GGUF). */
  sha256?: string;
  /** The model's window, memory and thinking setting, without loading it. */
  describe(): Promise<ModelDescription>;
  /** Creates an engine and loads the model into it. */
  load(onProgress: (fraction: number, text: string) => void, signal?: AbortSignal): Promise<ChatEngine & { dispose?(): unknown; unload?(): unknown }>;
}

/**
 * Sampling per role, always explicit and stored with the session. The repetition penalty is
 * set too: left out, web-llm would take the model's own default (1.0 to 1.2 across the catalog).
 */
export const DEFAULT_SAMPLING: Record<EngineRole, Omit<SamplingParams, 'seed'>> = {
  user: { temperature: 0.8, top_p: 0.95, max_tokens: 160, frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 1 },
  agent: { temperature: 0.3, top_p: 0.9, max_tokens: 384, frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 1 },
  // The judge writes a verdict and a one-line reason per assertion, in one JSON reply.
  judge: { temperature: 0, top_p: 1, max_tokens: 512, frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 1 },
};

/** Sampling values that replace a role's defaults for one seat. */
export type SamplingOverride = Partial<Omit<SamplingParams, 'seed'>>;

export interface RoleLoad {
  role: EngineRole;
  label: string;
  fraction: number;
  text: string;
  done: boolean;
}

interface Slot {
  model: LoadableModel;
  description: ModelDescription | null;
  engine: (ChatEngine & { dispose?(): unknown }) | null;
}

export class EnginePool {
  /** Progress of each role's model load, for the run page. */
  loads = $state.raw<RoleLoad[]>([]);
  #slots = new Map<EngineRole, Slot>();
  #shared = false;
  #resetChat = false;
  #constrainToolCalls = false;

  /** Loads the model of every role that needs one. Roles with the same slot share an engine. */
  async prepare(
    models: Partial<Record<EngineRole, LoadableModel>>,
    opts: {
      shared: boolean;
      resetChatEachRequest: boolean;
      /** Constrain the agent's prompted tool calls with the engine's grammar (opt-in). */
      constrainToolCalls?: boolean;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    this.dispose();
    this.#shared = opts.shared;
    this.#resetChat = opts.resetChatEachRequest;
    this.#constrainToolCalls = opts.constrainToolCalls === true;
    const roles = Object.keys(models) as EngineRole[];
    this.loads = roles.map((role) => ({ role, label: models[role]!.label, fraction: 0, text: 'waiting', done: false }));
    for (const role of roles) {
      const model = models[role]!;
      // Shared mode: every role on one engine. Per-role mode: the user and the agent keep
      // their own (each its KV cache), the judge joins a role that runs its model.
      const owner = [...this.#slots].find(([, s]) => s.model.modelId === model.modelId);
      if (owner && (opts.shared || role === 'judge')) {
        this.#slots.set(role, owner[1]);
        this.#progress(role, 1, `shares the engine loaded for the ${owner[0]} role`, true);
        continue;
      }
      const slot: Slot = { model, description: await model.describe(), engine: null };
      await this.#load(role, slot, opts.signal);
      this.#slots.set(role, slot);
    }
  }

  /** The roles that share each loaded engine, for the run page. */
  get engineCount(): number {
    return new Set(this.#slots.values()).size;
  }

  async #load(role: EngineRole, slot: Slot, signal?: AbortSignal): Promise<void> {
    try {
      slot.engine = await slot.model.load((fraction, text) => this.#progress(role, fraction, text, false), signal);
      this.#progress(role, 1, 'ready', true);
    } catch (err) {
      this.#progress(role, 0, describeError(err), false);
      throw err;
    }
  }

  #progress(role: EngineRole, fraction: number, text: string, done: boolean): void {
    this.loads = this.loads.map((l) => (l.role === role ? { ...l, fraction, text, done } : l));
  }

  /**
   * How a role's model runs, as stored on the session's seat: engine, model, file hash,
   * sampling, shared or per-role engine, chat reset, the engine's runtime (chat template,
   * context size…) and, for the agent, how it calls tools.
   */
  settingsFor(role: EngineRole, sampling?: SamplingOverride): EngineSeatSettings & { sha256?: string; label: string } {
    const slot = this.#slots.get(role);
    if (!slot) throw new Error(`No model is loaded for the ${role} role.`);
    const runtime = slot.engine?.runtimeInfo?.();
    const thinking = slot.description?.enableThinking;
    return {
      engine: slot.model.engine,
      model: slot.model.modelId,
      label: slot.description?.label ?? slot.model.label,
      ...(slot.model.sha256 ? { sha256: slot.model.sha256 } : {}),
      sampling: { ...DEFAULT_SAMPLING[role], ...sampling },
      resetChatEachRequest: this.#resetChat,
      sharedEngine: this.#shared,
      ...(thinking !== undefined ? { enableThinking: thinking } : {}),
      ...(role === 'agent' ? { toolCalling: this.#toolCalling(slot) } : {}),
      ...(runtime && Object.keys(runtime).length ? { runtime } : {}),
    };
  }

  /**
   * The agent's tool calling on this model: the engine says what it supports (tool-support.ts);
   * native calling wins where the model has it, and constraining is used only when asked for.
   */
  #toolCalling(slot: Slot): ToolCallingSettings {
    const support = slot.engine?.toolSupport?.(slot.model.modelId) ?? { toolRole: 'native', nativeTools: false, constrainedCalls: false };
    return {
      toolRole: support.toolRole,
      native: support.nativeTools,
      constrain: !support.nativeTools && support.constrainedCalls && this.#constrainToolCalls,
    };
  }

  /**
   * The model seat for one role in one session; `sampling` changes the role's defaults (an agent
   * entry that compares another temperature on the same engine).
   */
  makeSeat(role: EngineRole, sessionSeed: number, sampling?: SamplingOverride): SeatFactory {
    const slot = this.#slots.get(role);
    if (!slot?.engine) throw new Error(`No model is loaded for the ${role} role.`);
    return engineSeatFactory(slot.engine, this.settingsFor(role, sampling), role, sessionSeed);
  }

  /**
   * After an engine was lost (GPU device lost, worker died), loads the role's model into a
   * fresh engine so the next session can go on.
   */
  async recover(role: EngineRole, signal?: AbortSignal): Promise<void> {
    const slot = this.#slots.get(role);
    if (!slot) return;
    try {
      slot.engine?.dispose?.();
    } catch {
      // A lost engine may fail to dispose; it is being replaced either way.
    }
    slot.engine = null;
    await this.#load(role, slot, signal);
  }

  dispose(): void {
    for (const slot of new Set(this.#slots.values())) {
      try {
        slot.engine?.dispose?.();
      } catch {
        // Disposing is best effort.
      }
    }
    this.#slots.clear();
  }
}

import type { SeatFactory } from '../core/index.ts';
import { engineSeatFactory, type EngineRole, type EngineSeatSettings, type ToolCallingSettings } from '../engine/seat.ts';
import type { ChatEngine, SamplingParams } from '../engine/types.ts';
import { describeError } from './app.svelte.ts';

/**
 * The models behind a run's LLM seats: one engine per role by default, so each role keeps its
 * own KV cache across turns, or one engine for every role when the person chose to share.
 * Engines are created and loaded before the first session, and reloaded after one is lost.
 */

/** A model ready to be loaded into a fresh engine. */
export interface LoadableModel {
  engine: 'web-llm' | 'wllama';
  /** The model id sent with each request, and shown on turns. */
  modelId: string;
  label: string;
  /** SHA-256 of the model file, where there is one (GGUF). */
  sha256?: string;
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

export interface RoleLoad {
  role: EngineRole;
  label: string;
  fraction: number;
  text: string;
  done: boolean;
}

interface Slot {
  model: LoadableModel;
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
    let sharedSlot: Slot | null = null;
    for (const role of roles) {
      const model = models[role]!;
      if (opts.shared && sharedSlot && sharedSlot.model.modelId === model.modelId) {
        this.#slots.set(role, sharedSlot);
        this.#progress(role, 1, 'shares the engine loaded for another role', true);
        continue;
      }
      const slot: Slot = { model, engine: null };
      await this.#load(role, slot, opts.signal);
      this.#slots.set(role, slot);
      if (opts.shared) sharedSlot = slot;
    }
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
  settingsFor(role: EngineRole): EngineSeatSettings & { sha256?: string; label: string } {
    const slot = this.#slots.get(role);
    if (!slot) throw new Error(`No model is loaded for the ${role} role.`);
    const runtime = slot.engine?.runtimeInfo?.();
    return {
      engine: slot.model.engine,
      model: slot.model.modelId,
      label: slot.model.label,
      ...(slot.model.sha256 ? { sha256: slot.model.sha256 } : {}),
      sampling: { ...DEFAULT_SAMPLING[role] },
      resetChatEachRequest: this.#resetChat,
      sharedEngine: this.#shared,
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

  /** The model seat for one role in one session. */
  makeSeat(role: EngineRole, sessionSeed: number): SeatFactory {
    const slot = this.#slots.get(role);
    if (!slot?.engine) throw new Error(`No model is loaded for the ${role} role.`);
    return engineSeatFactory(slot.engine, this.settingsFor(role), role, sessionSeed);
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

import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, EnginePool, type LoadableModel } from '../../src/state/engines.svelte.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import type { ToolSupport } from '../../src/engine/types.ts';
import type { JsonObject } from '../../src/core/model/types.ts';

/** A model whose every load makes a fresh scripted engine, and counts loads and disposals. */
function fakeModel(modelId: string, opts: { fail?: string; support?: ToolSupport; runtime?: JsonObject } = {}) {
  const made: (ScriptedEngine & { disposed: boolean })[] = [];
  const model: LoadableModel = {
    engine: 'wllama',
    modelId,
    label: `${modelId}.gguf`,
    sha256: 'ab'.repeat(32),
    async load(onProgress) {
      onProgress(0.5, 'load 50%');
      if (opts.fail) throw Object.assign(new Error(opts.fail), { name: 'ModelLoadError' });
      const e = Object.assign(new ScriptedEngine((_r, i) => `${modelId} reply ${made.length}:${i}`, opts.support ? { toolSupport: opts.support } : {}), {
        disposed: false,
      });
      if (opts.runtime) (e as unknown as { runtimeInfo(): JsonObject }).runtimeInfo = () => ({ ...opts.runtime });
      (e as unknown as { dispose(): void }).dispose = () => (e.disposed = true);
      made.push(e);
      return e;
    },
  };
  return { model, made };
}

describe('EnginePool', () => {
  it('gives each role its own engine by default, and one shared engine when asked', async () => {
    const a = fakeModel('m');
    const pool = new EnginePool();
    await pool.prepare({ user: a.model, agent: a.model }, { shared: false, resetChatEachRequest: false });
    expect(a.made).toHaveLength(2);
    const b = fakeModel('m');
    await pool.prepare({ user: b.model, agent: b.model }, { shared: true, resetChatEachRequest: true });
    expect(b.made).toHaveLength(1);
    expect(a.made.every((e) => e.disposed)).toBe(true);
    expect(pool.settingsFor('agent')).toMatchObject({
      engine: 'wllama',
      model: 'm',
      label: 'm.gguf',
      sha256: 'ab'.repeat(32),
      sampling: DEFAULT_SAMPLING.agent,
      resetChatEachRequest: true,
      sharedEngine: true,
    });
    expect(pool.loads.every((l) => l.done)).toBe(true);
  });

  it('replaces a lost engine with a freshly loaded one for the next session', async () => {
    const { model, made } = fakeModel('m');
    const pool = new EnginePool();
    await pool.prepare({ agent: model }, { shared: false, resetChatEachRequest: false });
    const first = await pool.makeSeat('agent', 1)('sys').reply([{ role: 'user', content: 'hi' }]);
    expect(first.content).toBe('m reply 1:0');
    await pool.recover('agent');
    expect(made).toHaveLength(2);
    expect(made[0]!.disposed).toBe(true);
    const second = await pool.makeSeat('agent', 2)('sys').reply([{ role: 'user', content: 'hi' }]);
    expect(second.content).toBe('m reply 2:0');
    expect(made[1]!.requests).toHaveLength(1);
  });

  it('reports a load that fails, with its message, and rejects', async () => {
    const { model } = fakeModel('m', { fail: 'not a GGUF file' });
    const pool = new EnginePool();
    await expect(pool.prepare({ user: model }, { shared: false, resetChatEachRequest: false })).rejects.toThrow('not a GGUF file');
    expect(pool.loads[0]).toMatchObject({ role: 'user', done: false });
    expect(pool.loads[0]!.text).toContain('not a GGUF file');
    expect(() => pool.makeSeat('user', 1)).toThrow(/No model is loaded/);
  });

  it('stores how the agent calls tools: the engine decides the mode, constraining only when asked and possible', async () => {
    const prompted = fakeModel('qwen', { support: { toolRole: 'user', nativeTools: false, constrainedCalls: true }, runtime: { nCtx: 8192, template: { kind: 'gguf' } } });
    const pool = new EnginePool();
    await pool.prepare({ user: prompted.model, agent: prompted.model }, { shared: false, resetChatEachRequest: false, constrainToolCalls: true });
    expect(pool.settingsFor('agent').toolCalling).toEqual({ toolRole: 'user', native: false, constrain: true });
    expect(pool.settingsFor('agent').runtime).toEqual({ nCtx: 8192, template: { kind: 'gguf' } });
    // The user seat never calls tools.
    expect(pool.settingsFor('user').toolCalling).toBeUndefined();
    expect(pool.makeSeat('agent', 1).toolCalling).toEqual({ native: false, constrain: true });
    expect(pool.makeSeat('user', 1).toolCalling).toBeUndefined();

    await pool.prepare({ agent: prompted.model }, { shared: false, resetChatEachRequest: false });
    expect(pool.settingsFor('agent').toolCalling!.constrain).toBe(false);

    const hermes = fakeModel('hermes', { support: { toolRole: 'native', nativeTools: true, constrainedCalls: true } });
    await pool.prepare({ agent: hermes.model }, { shared: false, resetChatEachRequest: false, constrainToolCalls: true });
    // Native calling constrains the output itself; a second constraint is not sent.
    expect(pool.settingsFor('agent').toolCalling).toEqual({ toolRole: 'native', native: true, constrain: false });

    const unknown = fakeModel('plain');
    await pool.prepare({ agent: unknown.model }, { shared: false, resetChatEachRequest: false, constrainToolCalls: true });
    expect(pool.settingsFor('agent').toolCalling).toEqual({ toolRole: 'native', native: false, constrain: false });
  });

  it('sets every sampling value, the repetition penalty included', () => {
    for (const role of ['user', 'agent', 'judge'] as const) {
      expect(Object.keys(DEFAULT_SAMPLING[role]).sort()).toEqual(['frequency_penalty', 'max_tokens', 'presence_penalty', 'repetition_penalty', 'temperature', 'top_p']);
    }
  });
});

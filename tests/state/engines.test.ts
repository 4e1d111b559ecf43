import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, EnginePool, type LoadableModel } from '../../src/state/engines.svelte.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import type { ToolSupport } from '../../src/engine/types.ts';
import type { JsonObject } from '../../src/core/model/types.ts';

/** A model whose every load makes a fresh scripted engine, and counts loads and disposals. */
function fakeModel(modelId: string, opts: { fail?: string; support?: ToolSupport; runtime?: JsonObject; enableThinking?: boolean } = {}) {
  const made: (ScriptedEngine & { disposed: boolean })[] = [];
  const model: LoadableModel = {
    engine: 'wllama',
    modelId,
    label: `${modelId}.gguf`,
    sha256: 'ab'.repeat(32),
    async describe() {
      return {
        label: `${modelId}.gguf`,
        context: { tokens: 4096, source: 'model', defaultTokens: 4096 },
        memoryMB: 500,
        ...(opts.enableThinking !== undefined ? { enableThinking: opts.enableThinking } : {}),
      };
    },
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

  it('lets the judge share the engine of a role on the same model, and load its own otherwise', async () => {
    const a = fakeModel('m');
    const pool = new EnginePool();
    await pool.prepare({ user: a.model, agent: a.model, judge: a.model }, { shared: false, resetChatEachRequest: false });
    // The user and the agent keep their own engines (each its KV cache); the judge joins the user's.
    expect(a.made).toHaveLength(2);
    expect(pool.engineCount).toBe(2);
    expect(pool.loads.find((l) => l.role === 'judge')).toMatchObject({ done: true, text: 'shares the engine loaded for the user role' });
    const judged = await pool.makeSeat('judge', 1)('sys').reply([{ role: 'user', content: 'verdict?' }]);
    expect(judged.content).toBe('m reply 2:0');
    expect(a.made[0]!.requests).toHaveLength(1);

    const b = fakeModel('u');
    const j = fakeModel('j');
    await pool.prepare({ user: b.model, judge: j.model }, { shared: false, resetChatEachRequest: false });
    expect([b.made.length, j.made.length, pool.engineCount]).toEqual([1, 1, 2]);
  });

  it("sends a thinking model's switch with every request, as its description says, and stores it with the seat", async () => {
    const q = fakeModel('qwen3', { enableThinking: false });
    const pool = new EnginePool();
    await pool.prepare({ agent: q.model }, { shared: false, resetChatEachRequest: false });
    expect(pool.settingsFor('agent').enableThinking).toBe(false);
    await pool.makeSeat('agent', 1)('sys').reply([{ role: 'user', content: 'hi' }]);
    expect(q.made[0]!.requests[0]!.enableThinking).toBe(false);
    const plain = fakeModel('llama');
    await pool.prepare({ agent: plain.model }, { shared: false, resetChatEachRequest: false });
    expect('enableThinking' in pool.settingsFor('agent')).toBe(false);
    await pool.makeSeat('agent', 1)('sys').reply([{ role: 'user', content: 'hi' }]);
    expect('enableThinking' in plain.made[0]!.requests[0]!).toBe(false);
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

import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, EnginePool, type LoadableModel } from '../../src/state/engines.svelte.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';

/** A model whose every load makes a fresh scripted engine, and counts loads and disposals. */
function fakeModel(modelId: string, opts: { fail?: string } = {}) {
  const made: (ScriptedEngine & { disposed: boolean })[] = [];
  const model: LoadableModel = {
    engine: 'wllama',
    modelId,
    label: `${modelId}.gguf`,
    sha256: 'ab'.repeat(32),
    async load(onProgress) {
      onProgress(0.5, 'load 50%');
      if (opts.fail) throw Object.assign(new Error(opts.fail), { name: 'ModelLoadError' });
      const e = Object.assign(new ScriptedEngine((_r, i) => `${modelId} reply ${made.length}:${i}`), { disposed: false });
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
});

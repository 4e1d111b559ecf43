/**
 * The worker API's cache status and delete over web-llm's real catalog, with a fake of its
 * URL-keyed cache: libraries and weights that several models share stay while another cached
 * model uses them.
 */
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { createLlmWorkerApi } from '../../../src/engine/webllm/worker-api.ts';
import { FakeWebLlmCache } from './fake-cache.ts';
import { FakeMLCEngine, rejection } from './fake-engine.ts';

// Two models with their own weights and one library (Qwen2-0.5B-Instruct-q4f32_1_cs1k).
const QWEN = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const CODER = 'Qwen2.5-Coder-0.5B-Instruct-q4f32_1-MLC';
// A 4k model and its -1k variant: the same weights and the same library.
const PHI = 'Phi-3.5-mini-instruct-q4f32_1-MLC';
const PHI_1K = 'Phi-3.5-mini-instruct-q4f32_1-MLC-1k';

function setup() {
  const engine = new FakeMLCEngine();
  const cache = new FakeWebLlmCache(prebuiltAppConfig);
  const api = createLlmWorkerApi({
    createEngine: () => engine,
    prebuiltAppConfig,
    ...cache.deps(),
    gatherDeviceReport: async () => ({ webgpu: false, features: [], shaderF16: false }),
  });
  return { api, cache, engine };
}

describe('the catalog shares files', () => {
  it('as these tests assume', () => {
    const rec = (id: string) => prebuiltAppConfig.model_list.find((r) => r.model_id === id)!;
    expect(rec(QWEN).model_lib).toBe(rec(CODER).model_lib);
    expect(rec(QWEN).model).not.toBe(rec(CODER).model);
    expect(rec(PHI).model).toBe(rec(PHI_1K).model);
    expect(rec(PHI).model_lib).toBe(rec(PHI_1K).model_lib);
  });
});

describe('worker API: cacheStatus', () => {
  it('is not cached with the weights alone: the library and the config must be there too', async () => {
    const { api, cache } = setup();
    cache.download(QWEN, { library: false });
    const s = await api.cacheStatus([QWEN, 'no-such-model'], null);
    expect(s[QWEN]).toEqual({ cached: false, weights: true, library: false, config: true, weightsSharedWith: [], librarySharedWith: [] });
    expect(s['no-such-model']).toMatchObject({ cached: false, weights: false });
    // CODER's download brings the library QWEN uses too, but not CODER's own config.
    cache.download(CODER, { config: false });
    const t = await api.cacheStatus([QWEN, CODER], null);
    expect(t[QWEN]).toEqual({ cached: true, weights: true, library: true, config: true, weightsSharedWith: [], librarySharedWith: [CODER] });
    expect(t[CODER]).toMatchObject({ cached: false, weights: true, library: true, config: false, librarySharedWith: [QWEN] });
  });

  it('names the cached models that share the weights or the library', async () => {
    const { api, cache } = setup();
    cache.download(QWEN);
    cache.download(PHI);
    const s = await api.cacheStatus([QWEN, CODER, PHI, PHI_1K], null);
    expect(s[QWEN]).toMatchObject({ cached: true, weightsSharedWith: [], librarySharedWith: [] });
    // CODER's weights are not cached: it does not hold on to QWEN's library.
    expect(s[CODER]).toMatchObject({ cached: false, weights: false, library: true, librarySharedWith: [QWEN] });
    // The -1k variant is the same download: cached with the 4k one, and each names the other.
    expect(s[PHI]).toMatchObject({ cached: true, weightsSharedWith: [PHI_1K], librarySharedWith: [PHI_1K] });
    expect(s[PHI_1K]).toMatchObject({ cached: true, weightsSharedWith: [PHI], librarySharedWith: [PHI] });
  });
});

describe('worker API: deleteModel', () => {
  it('keeps a library another cached model uses, and deletes it with its last user', async () => {
    const { api, cache } = setup();
    cache.download(QWEN);
    cache.download(CODER);
    const lib = prebuiltAppConfig.model_list.find((r) => r.model_id === QWEN)!.model_lib;

    const first = await api.deleteModel(QWEN, null);
    expect(cache.calls).toEqual([`deleteModelInCache ${QWEN}`, `deleteChatConfigInCache ${QWEN}`]);
    expect(first.deleted).toEqual([QWEN]);
    expect(first.files).toEqual([
      { kind: 'weights', url: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/', usedBy: [QWEN], removed: true, keptFor: [] },
      { kind: 'library', url: lib, usedBy: [QWEN], removed: false, keptFor: [CODER] },
    ]);
    const s = await api.cacheStatus([QWEN, CODER], null);
    expect(s[CODER]).toMatchObject({ cached: true });
    expect(s[QWEN]).toMatchObject({ cached: false, weights: false, config: false, library: true });

    const last = await api.deleteModel(CODER, null);
    expect(cache.calls.slice(2)).toEqual([`deleteModelInCache ${CODER}`, `deleteChatConfigInCache ${CODER}`, `deleteModelWasmInCache ${CODER}`]);
    expect(last.files[1]).toMatchObject({ kind: 'library', removed: true, keptFor: [] });
    expect(cache.files['webllm/wasm'].size).toBe(0);
    expect(cache.files['webllm/config'].size).toBe(0);
  });

  it('deletes nothing a -1k/4k pair shares when one is deleted alone; deleting both frees it all', async () => {
    const { api, cache } = setup();
    cache.download(PHI);
    const files = cache.count;

    const alone = await api.deleteModel(PHI_1K, null);
    expect(cache.calls).toEqual([]);
    expect(cache.count).toBe(files);
    expect(alone.files.map((f) => [f.kind, f.removed, f.keptFor])).toEqual([
      ['weights', false, [PHI]],
      ['library', false, [PHI]],
    ]);
    expect((await api.cacheStatus([PHI], null))[PHI]).toMatchObject({ cached: true });

    const both = await api.deleteModel(PHI_1K, null, { alsoDelete: [PHI] });
    expect(both.deleted).toEqual([PHI_1K, PHI]);
    expect(both.files.map((f) => [f.kind, f.removed, f.usedBy])).toEqual([
      ['weights', true, [PHI_1K, PHI]],
      ['library', true, [PHI_1K, PHI]],
    ]);
    // Each file once, through the first model that names it.
    expect(cache.calls).toEqual([`deleteModelInCache ${PHI_1K}`, `deleteChatConfigInCache ${PHI_1K}`, `deleteModelWasmInCache ${PHI_1K}`]);
    const s = await api.cacheStatus([PHI, PHI_1K], null);
    expect(s[PHI]).toMatchObject({ cached: false, weights: false, library: false, config: false });
    expect(s[PHI_1K]).toMatchObject({ cached: false, weights: false });
  });

  it('deletes what a failed download left, offline, without asking the network for the weight index', async () => {
    const { api, cache } = setup();
    // The config and the library arrived, then the load failed before the weights.
    cache.download(QWEN, { weights: false });
    const r = await api.deleteModel(QWEN, null);
    expect(cache.calls).toEqual([`deleteChatConfigInCache ${QWEN}`, `deleteModelWasmInCache ${QWEN}`]);
    expect(r.files.every((f) => f.removed)).toBe(true);
    expect(cache.count).toBe(0);
  });

  it('unloads a deleted model that is loaded, and refuses an unknown id', async () => {
    const { api, cache, engine } = setup();
    cache.download(PHI);
    await api.load(PHI_1K, null);
    await api.deleteModel(PHI, null, { alsoDelete: [PHI_1K] });
    expect(engine.calls).toContain('unload');
    expect(await api.loaded()).toBeNull();
    const err = await rejection(api.deleteModel(QWEN, null, { alsoDelete: ['no-such-model'] }));
    expect(err.name).toBe('ModelNotFoundError');
    expect(err.message).toContain('no-such-model');
  });
});

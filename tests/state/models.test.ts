import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheLabel, deletePlan, describeDeletion, MODEL_SETTINGS_KEY, ModelsState, ROLES_KEY, type ModelsClient } from '../../src/state/models.svelte.ts';
import type { CatalogModel, DeleteModelOptions, LoadProgress, ModelCacheStatus, ModelDeleteReport } from '../../src/engine/webllm/protocol.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, openTestStorage } from '../storage/fixtures.ts';

const GiB = 1024 ** 3;
const rec = (id: string, vram: number, extra: Partial<CatalogModel> = {}): CatalogModel => ({
  modelId: id,
  modelUrl: `https://huggingface.co/mlc-ai/${id}`,
  modelLibUrl: `https://raw.githubusercontent.com/mlc-ai/libs/${id}.wasm`,
  vramRequiredMB: vram,
  requiredFeatures: [],
  quantization: /q\d+f\d+_?\d?/.exec(id)?.[0],
  paramsB: 0.5,
  custom: false,
  ...extra,
});
const CATALOG = [rec('Big-7B-q4f32_1-MLC', 20000, { paramsB: 7 }), rec('Q-0.5B-q4f16_1-MLC', 945), rec('Q-0.5B-q4f32_1-MLC', 1000)];

const status = (over: Partial<ModelCacheStatus> = {}): ModelCacheStatus => ({
  cached: true,
  weights: true,
  library: true,
  config: true,
  weightsSharedWith: [],
  librarySharedWith: [],
  ...over,
});
const NOTHING = status({ cached: false, weights: false, library: false, config: false });

/** A client whose load is driven by the test. */
class FakeClient implements ModelsClient {
  loadCalls: string[] = [];
  onProgress: ((p: LoadProgress) => void) | undefined;
  finish!: (err?: Error) => void;
  deleted: Array<{ id: string; opts: DeleteModelOptions | undefined }> = [];
  /** What cacheStatus answers, by id (others: nothing cached). */
  status: Record<string, ModelCacheStatus> = { 'Q-0.5B-q4f32_1-MLC': status() };
  /** What deleteModel answers. */
  report: ModelDeleteReport = { deleted: [], files: [] };
  catalog = async (custom: CatalogModel[] | null) => [...CATALOG, ...(custom ?? [])];
  cacheStatus = async (ids: string[]) => Object.fromEntries(ids.map((id) => [id, this.status[id] ?? NOTHING]));
  loadOpts: ({ contextWindowSize?: number } | undefined)[] = [];
  unloads = 0;
  load(modelId: string, _c: CatalogModel[] | null, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal, opts?: { contextWindowSize?: number }): Promise<void> {
    this.loadCalls.push(modelId);
    this.loadOpts.push(opts);
    this.onProgress = onProgress;
    return new Promise((resolve, reject) => {
      this.finish = (err) => (err ? reject(err) : resolve());
      signal?.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' })));
    });
  }
  unload = async () => {
    this.unloads++;
  };
  deleteModel = async (id: string, _c: CatalogModel[] | null, opts?: DeleteModelOptions) => {
    this.deleted.push({ id, opts });
    return this.report;
  };
  dispose() {}
}

const swiftshaderGpu = {
  requestAdapter: async () => ({
    info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
    features: new Set(['subgroups']),
    limits: { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB },
  }),
} as unknown as GPU;

let storage: Storage;
let client: FakeClient;
let clock: number;
let state: ModelsState;
let fetched: string[];
beforeEach(() => {
  storage = openTestStorage();
  client = new FakeClient();
  clock = 1_000_000;
  fetched = [];
  state = new ModelsState({
    client: async () => client,
    storage: () => storage,
    gpu: () => swiftshaderGpu,
    navStorage: () => ({ estimate: async () => ({ usage: 5e8, quota: 1e10 }), persisted: async () => false, persist: async () => true }) as unknown as StorageManager,
    fetch: (async (url: string) => {
      fetched.push(url);
      return new Response('<!doctype html><p>SPA', { headers: { 'content-type': 'text/html' } });
    }) as unknown as typeof fetch,
    now: () => clock,
  });
});
afterEach(async () => {
  await dropTestStorage(storage);
});

describe('ModelsState', () => {
  it('opens with the device report, the catalog smallest first, fit, f16 availability and cache', async () => {
    await state.open();
    expect(state.device).toMatchObject({ webgpu: true, vendor: 'google', shaderF16: false });
    expect(state.rows.map((r) => r.model.modelId)).toEqual(['Q-0.5B-q4f16_1-MLC', 'Q-0.5B-q4f32_1-MLC', 'Big-7B-q4f32_1-MLC']);
    const [f16, f32, big] = state.rows;
    expect(f16!.availability).toMatchObject({ ok: false, alternative: 'Q-0.5B-q4f32_1-MLC' });
    expect(f32!.fit).toBe('fits');
    expect(f32!.cached).toBe(true);
    expect(big!.fit).toBe('may-not-fit');
    expect(state.storageEstimate).toEqual({ usage: 5e8, quota: 1e10 });
    await state.persist();
    expect(state.persisted).toBe(true);
  });

  it('tracks phases with bytes and ETA, and ends ready', async () => {
    await state.open();
    const done = state.load('Q-0.5B-q4f32_1-MLC');
    await Promise.resolve();
    await Promise.resolve();
    expect(state.active?.modelId).toBe('Q-0.5B-q4f32_1-MLC');
    client.onProgress!({ phase: 'fetching', fraction: 0, loadedBytes: 0, totalBytes: 400e6, elapsedSeconds: 0, text: '' });
    clock += 10_000;
    client.onProgress!({ phase: 'fetching', fraction: 0.25, loadedBytes: 100e6, totalBytes: 400e6, elapsedSeconds: 10, text: '' });
    state.now = clock;
    const l = state.loads['Q-0.5B-q4f32_1-MLC']!;
    expect(l.phases.fetching).toMatchObject({ fraction: 0.25, loadedBytes: 100e6, done: false });
    expect(state.etaOf(l, 'fetching')).toEqual({ bytesPerSecond: 10e6, secondsLeft: 30 });
    expect(state.stalledFor(l)).toBeNull();
    state.now = clock + 25_000;
    expect(state.stalledFor(l)).toBe(25);
    client.onProgress!({ phase: 'shaders', fraction: 0.5, elapsedSeconds: 40, text: '' });
    expect(state.loads['Q-0.5B-q4f32_1-MLC']!.phases.fetching!.done).toBe(true);
    client.finish();
    await done;
    expect(state.loads['Q-0.5B-q4f32_1-MLC']!.status).toBe('ready');
    expect(state.active).toBeNull();
  });

  it("checks a load at the model's window as set here, then unloads it so its GPU memory is free for runs", async () => {
    await state.open();
    await state.setModelSettings('Q-0.5B-q4f32_1-MLC', { contextTokens: 8192, enableThinking: true });
    expect(await storage.getSetting(MODEL_SETTINGS_KEY)).toEqual({ 'Q-0.5B-q4f32_1-MLC': { contextTokens: 8192, enableThinking: true } });
    const done = state.load('Q-0.5B-q4f32_1-MLC');
    await new Promise((r) => setTimeout(r, 0));
    client.finish();
    await done;
    expect(client.loadOpts).toEqual([{ contextWindowSize: 8192 }]);
    expect(client.unloads).toBe(1);
    expect(state.loads['Q-0.5B-q4f32_1-MLC']?.status).toBe('ready');
    // Back to the model's own: the setting is removed, and the next check uses the default (4,096 for a record without one).
    await state.setModelSettings('Q-0.5B-q4f32_1-MLC', { contextTokens: undefined, enableThinking: undefined });
    expect(await storage.getSetting(MODEL_SETTINGS_KEY)).toEqual({});
    const again = state.load('Q-0.5B-q4f32_1-MLC');
    await new Promise((r) => setTimeout(r, 0));
    client.finish();
    await again;
    expect(client.loadOpts[1]).toEqual({ contextWindowSize: 4096 });
    // A second page state reads the stored settings.
    await state.setModelSettings('Big-7B-q4f32_1-MLC', { contextTokens: 2048 });
    const other = new ModelsState({ storage: () => storage });
    await other.ensureSettings();
    expect(other.perModel).toEqual({ 'Big-7B-q4f32_1-MLC': { contextTokens: 2048 } });
  });

  it('turns a failed load into a clear error, and a cancel into a cancelled state', async () => {
    await state.open();
    const failing = state.load('Q-0.5B-q4f32_1-MLC');
    await new Promise((r) => setTimeout(r, 0));
    client.finish(new TypeError('Failed to fetch'));
    await failing;
    const f = state.loads['Q-0.5B-q4f32_1-MLC']!;
    expect(f.status).toBe('error');
    expect(f.failure?.title).toBe('Could not reach huggingface.co');

    const cancelled = state.load('Q-0.5B-q4f32_1-MLC');
    await new Promise((r) => setTimeout(r, 0));
    state.cancel();
    await cancelled;
    expect(state.loads['Q-0.5B-q4f32_1-MLC']!.status).toBe('cancelled');
    expect(client.loadCalls).toHaveLength(2);
  });

  it('saves roles and custom models in storage; refuses an HTML page for a custom config', async () => {
    await state.open();
    await state.setRoles({ agent: 'Q-0.5B-q4f32_1-MLC', mode: 'shared' });
    expect(await storage.getSetting(ROLES_KEY)).toMatchObject({ agent: 'Q-0.5B-q4f32_1-MLC', mode: 'shared' });
    expect(state.memoryByMode).toEqual({ perRole: 1000, shared: 1000 });

    const issues = await state.addCustom({ modelId: 'Mine-q4f32_1-MLC', modelUrl: 'https://mirror.example/m/', modelLibUrl: 'https://mirror.example/m.wasm' });
    expect(fetched).toEqual(['https://mirror.example/m/resolve/main/mlc-chat-config.json']);
    expect(issues[0]?.message).toMatch(/mirror\.example answered with an HTML page/);
    expect(state.custom).toEqual([]);

    const fresh = new ModelsState({ client: async () => client, storage: () => storage, gpu: () => null, navStorage: () => undefined });
    await fresh.open();
    expect(fresh.roles).toMatchObject({ agent: 'Q-0.5B-q4f32_1-MLC', mode: 'shared' });
    expect(fresh.device?.webgpu).toBe(false);
  });

  it('calls a model cached only with its library and config; weights alone say what is missing', async () => {
    client.status['Q-0.5B-q4f16_1-MLC'] = status({ cached: false, library: false });
    client.status['Big-7B-q4f32_1-MLC'] = status({ cached: false, library: false, config: false });
    await state.open();
    const [f16, f32, big] = state.rows;
    expect(f16!.cached).toBe(false);
    expect(cacheLabel(f16!.cache)).toEqual({ text: 'weights cached, library missing', tone: 'warn' });
    expect(cacheLabel(big!.cache).text).toBe('weights cached, library and config missing');
    expect(cacheLabel(f32!.cache)).toEqual({ text: 'cached', tone: 'pass' });
    expect(cacheLabel(NOTHING).tone).toBe('none');
    expect(state.cachedCount).toBe(1);
  });

  it('deletes a -1k/4k pair together, keeps a shared library, and says so', async () => {
    const s = status({ weightsSharedWith: ['Q-0.5B-q4f32_1-MLC-1k'], librarySharedWith: ['Q-0.5B-q4f32_1-MLC-1k', 'Coder-0.5B-q4f32_1-MLC'] });
    expect(cacheLabel(s)).toEqual({
      text: 'cached',
      tone: 'pass',
      note: 'same download as Q-0.5B-q4f32_1-MLC-1k',
      title: 'Model library shared with Q-0.5B-q4f32_1-MLC-1k and Coder-0.5B-q4f32_1-MLC',
    });
    const plan = deletePlan('Q-0.5B-q4f32_1-MLC', s);
    expect(plan).toEqual({
      alsoDelete: ['Q-0.5B-q4f32_1-MLC-1k'],
      message:
        'Q-0.5B-q4f32_1-MLC and Q-0.5B-q4f32_1-MLC-1k are the same download: they share their weights, tokenizer and config, so deleting Q-0.5B-q4f32_1-MLC alone would free nothing. ' +
        'Delete both? They will be downloaded again when needed. The model library stays: Coder-0.5B-q4f32_1-MLC (cached) uses it too.',
    });
    expect(deletePlan('Q-0.5B-q4f32_1-MLC', status()).message).toBe('Delete the cached files of Q-0.5B-q4f32_1-MLC? It will be downloaded again when needed.');

    await state.open();
    client.report = {
      deleted: ['Q-0.5B-q4f32_1-MLC', 'Q-0.5B-q4f32_1-MLC-1k'],
      files: [
        { kind: 'weights', url: 'https://huggingface.co/mlc-ai/Q/resolve/main/', usedBy: ['Q-0.5B-q4f32_1-MLC', 'Q-0.5B-q4f32_1-MLC-1k'], removed: true, keptFor: [] },
        { kind: 'library', url: 'https://libs/q.wasm', usedBy: ['Q-0.5B-q4f32_1-MLC', 'Q-0.5B-q4f32_1-MLC-1k'], removed: false, keptFor: ['Coder-0.5B-q4f32_1-MLC'] },
      ],
    };
    await state.deleteModel('Q-0.5B-q4f32_1-MLC', plan.alsoDelete);
    expect(client.deleted).toEqual([{ id: 'Q-0.5B-q4f32_1-MLC', opts: { alsoDelete: ['Q-0.5B-q4f32_1-MLC-1k'] } }]);
    expect(state.actionError).toBeNull();
    expect(state.deleteNotice).toBe(
      'Deleted Q-0.5B-q4f32_1-MLC and Q-0.5B-q4f32_1-MLC-1k: removed the weights, tokenizer and config; kept the model library, which Coder-0.5B-q4f32_1-MLC still uses.',
    );
  });

  it('says so when a delete kept everything for another cached model', () => {
    const text = describeDeletion({
      deleted: ['P-1k'],
      files: [
        { kind: 'weights', url: 'https://h/P/resolve/main/', usedBy: ['P-1k'], removed: false, keptFor: ['P'] },
        { kind: 'library', url: 'https://libs/p.wasm', usedBy: ['P-1k'], removed: false, keptFor: ['P'] },
      ],
    });
    expect(text).toBe(
      'Nothing was deleted: kept the weights, tokenizer and config, which P still uses, and the model library, which P still uses. ' +
        'P-1k stays ready offline on the same files; delete it together with P to free the space.',
    );
    expect(describeDeletion({ deleted: ['Q'], files: [{ kind: 'weights', url: 'u', usedBy: ['Q'], removed: true, keptFor: [] }, { kind: 'library', url: 'l', usedBy: ['Q'], removed: true, keptFor: [] }] })).toBe(
      'Deleted Q: removed the weights, tokenizer and config and the model library.',
    );
  });
});

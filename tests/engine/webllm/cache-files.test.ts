/**
 * hasInWebLlmCache reads web-llm's stores without web-llm's (unexported) cache classes. Here
 * web-llm's own code runs against in-memory Cache API, IndexedDB (fake-indexeddb) and OPFS
 * fakes, so these tests fail if a web-llm update moves its files: the check must find what
 * web-llm wrote, and miss what web-llm deleted, for each cache backend.
 */
import { deleteModelInCache, hasModelInCache, prebuiltAppConfig, type AppConfig } from '@mlc-ai/web-llm';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCacheCheck, modelBaseUrl, type CacheGlobals, type WebLlmCacheScope } from '../../../src/engine/webllm/cache-files.ts';

const ID = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const BASE = modelBaseUrl(prebuiltAppConfig.model_list.find((r) => r.model_id === ID)!.model);
const INDEX = new URL('tensor-cache.json', BASE).href;
const SHARD = new URL('params_shard_0.bin', BASE).href;

class FakeCache {
  readonly entries = new Map<string, Response>();
  static key = (r: RequestInfo | URL) => (typeof r === 'string' ? r : r instanceof URL ? r.href : r.url);
  async match(r: RequestInfo | URL) {
    return this.entries.get(FakeCache.key(r))?.clone();
  }
  async add(r: RequestInfo | URL) {
    const res = await fetch(r);
    if (!res.ok) throw new TypeError('Cache.add: bad response');
    this.entries.set(FakeCache.key(r), res);
  }
  async put(r: RequestInfo | URL, res: Response) {
    this.entries.set(FakeCache.key(r), res);
  }
  async keys() {
    return [...this.entries.keys()].map((u) => new Request(u));
  }
  async delete(r: RequestInfo | URL) {
    return this.entries.delete(FakeCache.key(r));
  }
}

class FakeCacheStorage {
  readonly caches = new Map<string, FakeCache>();
  async has(name: string) {
    return this.caches.has(name);
  }
  async open(name: string) {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new FakeCache()));
    return c;
  }
}

const notFound = () => new DOMException('not found', 'NotFoundError');

class FakeFileHandle {
  readonly kind = 'file';
  data: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  constructor(readonly name: string) {}
  async getFile() {
    return new File([this.data], this.name);
  }
  async createWritable() {
    const chunks: Uint8Array[] = [];
    return {
      write: async (d: ArrayBuffer | Uint8Array) => void chunks.push(d instanceof Uint8Array ? d : new Uint8Array(d)),
      close: async () => {
        this.data = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
      },
      abort: async () => undefined,
    };
  }
}

class FakeDirectory {
  readonly kind = 'directory';
  readonly entries = new Map<string, FakeDirectory | FakeFileHandle>();
  constructor(readonly name: string) {}
  async getDirectoryHandle(name: string, opts: { create?: boolean } = {}) {
    let e = this.entries.get(name);
    if (!e) {
      if (!opts.create) throw notFound();
      this.entries.set(name, (e = new FakeDirectory(name)));
    }
    if (!(e instanceof FakeDirectory)) throw new DOMException('a file', 'TypeMismatchError');
    return e;
  }
  async getFileHandle(name: string, opts: { create?: boolean } = {}) {
    let e = this.entries.get(name);
    if (!e) {
      if (!opts.create) throw notFound();
      this.entries.set(name, (e = new FakeFileHandle(name)));
    }
    if (!(e instanceof FakeFileHandle)) throw new DOMException('a directory', 'TypeMismatchError');
    return e;
  }
  async removeEntry(name: string) {
    if (!this.entries.delete(name)) throw notFound();
  }
}

/** Fresh fakes, installed as the globals web-llm's code reads. */
function install(): CacheGlobals & { root: FakeDirectory } {
  const caches = new FakeCacheStorage();
  const indexedDB = new IDBFactory();
  const root = new FakeDirectory('');
  const storage = { getDirectory: async () => root } as unknown as StorageManager;
  vi.stubGlobal('caches', caches);
  vi.stubGlobal('indexedDB', indexedDB);
  vi.stubGlobal('navigator', { storage });
  // web-llm's deleteModelInCache reads tensor-cache.json through its cache: from "the network".
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    const url = FakeCache.key(input);
    if (url !== INDEX) return new Response('missing', { status: 404 });
    return new Response(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin' }] }), { headers: { 'content-type': 'application/json' } });
  });
  return { caches: caches as unknown as CacheStorage, indexedDB, storage, subtle: globalThis.crypto.subtle, root };
}

/** Stores one file as web-llm's cache classes do (the test checks web-llm can read it back). */
async function writeAsWebLlm(backend: string, g: ReturnType<typeof install>, scope: WebLlmCacheScope, url: string, bytes: Uint8Array<ArrayBuffer>) {
  if (backend === 'cache') {
    await (await g.caches!.open(scope)).put(new Request(url), new Response(bytes));
  } else if (backend === 'indexeddb') {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = g.indexedDB!.open(scope, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('urls', { keyPath: 'url' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    await new Promise<void>((resolve, reject) => {
      const put = db.transaction(['urls'], 'readwrite').objectStore('urls').put({ url, data: bytes.buffer });
      put.onsuccess = () => resolve();
      put.onerror = () => reject(put.error);
    });
    db.close();
  } else {
    let dir = await g.root.getDirectoryHandle('tvmjs-opfs-store', { create: true });
    for (const part of scope.split('/')) dir = await dir.getDirectoryHandle(encodeURIComponent(part), { create: true });
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url));
    const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    (await dir.getFileHandle(`${hash}.bin`, { create: true })).data = bytes;
    (await dir.getFileHandle(`${hash}.record.json`, { create: true })).data = new TextEncoder().encode(JSON.stringify({ url, nbytes: bytes.byteLength }));
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('hasInWebLlmCache', () => {
  for (const backend of ['cache', 'indexeddb', 'opfs'] as const) {
    it(`finds what web-llm wrote and misses what it deleted (cacheBackend '${backend}')`, async () => {
      const g = install();
      const check = createCacheCheck(() => g);
      const appConfig: AppConfig = { ...prebuiltAppConfig, cacheBackend: backend };

      expect(await check('webllm/model', INDEX, appConfig)).toBe(false);
      // deleteModelInCache fetches tensor-cache.json into web-llm's model cache, then deletes
      // the shards it lists (none cached yet).
      await deleteModelInCache(ID, appConfig);
      expect(await check('webllm/model', INDEX, appConfig)).toBe(true);
      expect(await check('webllm/wasm', INDEX, appConfig)).toBe(false);
      expect(await check('webllm/model', SHARD, appConfig)).toBe(false);
      expect(await hasModelInCache(ID, appConfig)).toBe(false);

      // A shard stored the way the check expects is one web-llm reads as cached …
      await writeAsWebLlm(backend, g, 'webllm/model', SHARD, new Uint8Array([1, 2, 3]));
      expect(await hasModelInCache(ID, appConfig)).toBe(true);
      expect(await check('webllm/model', SHARD, appConfig)).toBe(true);
      // … and web-llm's delete removes it for the check too.
      await deleteModelInCache(ID, appConfig);
      expect(await hasModelInCache(ID, appConfig)).toBe(false);
      expect(await check('webllm/model', SHARD, appConfig)).toBe(false);
    });
  }

  it('does not create an IndexedDB database it looks into', async () => {
    const g = install();
    const check = createCacheCheck(() => g);
    expect(await check('webllm/wasm', 'https://example.org/lib.wasm', { ...prebuiltAppConfig, cacheBackend: 'indexeddb' })).toBe(false);
    expect((await g.indexedDB!.databases()).map((d) => d.name)).toEqual([]);
  });

  it('counts an OPFS payload of the wrong size as missing, as web-llm does', async () => {
    const g = install();
    const check = createCacheCheck(() => g);
    const appConfig: AppConfig = { ...prebuiltAppConfig, cacheBackend: 'opfs' };
    await writeAsWebLlm('opfs', g, 'webllm/wasm', 'https://example.org/lib.wasm', new Uint8Array([1, 2, 3]));
    expect(await check('webllm/wasm', 'https://example.org/lib.wasm', appConfig)).toBe(true);
    const dir = await (await (await g.root.getDirectoryHandle('tvmjs-opfs-store')).getDirectoryHandle('webllm')).getDirectoryHandle('wasm');
    const bin = [...dir.entries.values()].find((e) => e.name.endsWith('.bin')) as FakeFileHandle;
    bin.data = new Uint8Array([1, 2]);
    expect(await check('webllm/wasm', 'https://example.org/lib.wasm', appConfig)).toBe(false);
  });
});

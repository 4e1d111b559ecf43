/**
 * Where web-llm 0.2.86 keeps a model's files, and a presence check for one file.
 *
 * web-llm caches each file under its URL in one of three scopes: "webllm/model" (weight shards,
 * tensor-cache.json, tokenizer files), "webllm/config" (mlc-chat-config.json and a package
 * manifest) and "webllm/wasm" (the model library). It exports helpers to check the weights
 * (hasModelInCache) and to delete each part, but none to check a library or a config, and its
 * cache classes (tvmjs's createArtifactCache) are not exported. hasInWebLlmCache reads the same
 * stores those classes write, for each `appConfig.cacheBackend`:
 * - 'cache' (default): the Cache API, one cache per scope, keyed by request URL;
 * - 'indexeddb': one database per scope (version 1), object store "urls" keyed by `url`;
 * - 'opfs': directory tvmjs-opfs-store/<scope parts, URI-encoded>/, two files per entry named
 *   by the SHA-256 hex of the URL: "<hash>.record.json" ({ url, nbytes }) and "<hash>.bin",
 *   present when the payload has `nbytes` bytes (OPFSStore.has).
 * tests/engine/webllm/cache-files.test.ts runs web-llm's own cache code against the same fakes
 * to check that this still matches. The 'cross-origin' backend (a browser extension) cannot be
 * read this way: the check throws, and the caller counts the file as missing.
 */
import type { AppConfig } from '@mlc-ai/web-llm';

export type WebLlmCacheScope = 'webllm/model' | 'webllm/config' | 'webllm/wasm';

/** web-llm's cleanModelUrl: the base URL every file of a model is resolved against. */
export function modelBaseUrl(modelUrl: string): string {
  let url = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += 'resolve/main/';
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/**
 * web-llm fetches a library at a localhost or relative URL on every load and never caches it
 * (MLCEngine.reloadInternal), so there is nothing to check or delete for one.
 */
export function webLlmCachesLibrary(modelLibUrl: string): boolean {
  return modelLibUrl.startsWith('http') && !modelLibUrl.includes('localhost');
}

/** The browser APIs the check reads; the worker's own globals by default. */
export interface CacheGlobals {
  caches?: CacheStorage;
  indexedDB?: IDBFactory;
  storage?: StorageManager;
  subtle?: SubtleCrypto;
}

function workerGlobals(): CacheGlobals {
  const g = globalThis as { caches?: CacheStorage; indexedDB?: IDBFactory; navigator?: { storage?: StorageManager }; crypto?: Crypto };
  const out: CacheGlobals = {};
  if (g.caches) out.caches = g.caches;
  if (g.indexedDB) out.indexedDB = g.indexedDB;
  if (g.navigator?.storage) out.storage = g.navigator.storage;
  if (g.crypto?.subtle) out.subtle = g.crypto.subtle;
  return out;
}

const OPFS_ROOT = 'tvmjs-opfs-store';

/** A presence check for one file of web-llm's cache under an app config's backend. */
export function createCacheCheck(globals: () => CacheGlobals = workerGlobals) {
  return async function hasInWebLlmCache(scope: WebLlmCacheScope, url: string, appConfig: AppConfig): Promise<boolean> {
    const g = globals();
    const backend = appConfig.cacheBackend ?? 'cache';
    switch (backend) {
      case 'cache':
        return inCacheApi(g, scope, url);
      case 'indexeddb':
        return inIndexedDb(g, scope, url);
      case 'opfs':
        return inOpfs(g, scope, url);
      default:
        throw new Error(`Cannot read web-llm's "${backend}" cache backend.`);
    }
  };
}

async function inCacheApi(g: CacheGlobals, scope: string, url: string): Promise<boolean> {
  if (!g.caches) throw new Error('The Cache API is not available here.');
  // caches.open would create an empty cache; a missing one holds nothing.
  if (!(await g.caches.has(scope))) return false;
  const cache = await g.caches.open(scope);
  return (await cache.match(url, { ignoreVary: true })) !== undefined;
}

async function inIndexedDb(g: CacheGlobals, scope: string, url: string): Promise<boolean> {
  const idb = g.indexedDB;
  if (!idb) throw new Error('IndexedDB is not available here.');
  const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
    const req = idb.open(scope);
    // No such database yet: abort the upgrade rather than create it empty, or web-llm's own
    // open (version 1) would find no "urls" store to write to.
    req.onupgradeneeded = () => req.transaction?.abort();
    req.onsuccess = () => resolve(req.result);
    req.onerror = (e) => {
      if (req.error?.name === 'AbortError') {
        e.preventDefault();
        resolve(null);
      } else reject(req.error ?? new Error(`Could not open IndexedDB ${scope}.`));
    };
  });
  if (!db) return false;
  try {
    if (!db.objectStoreNames.contains('urls')) return false;
    return await new Promise<boolean>((resolve, reject) => {
      const get = db.transaction(['urls'], 'readonly').objectStore('urls').get(url);
      get.onsuccess = () => resolve(get.result !== undefined);
      get.onerror = () => reject(get.error ?? new Error(`Could not read IndexedDB ${scope}.`));
    });
  } finally {
    db.close();
  }
}

const isMissing = (err: unknown) => {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'NotFoundError' || name === 'TypeMismatchError' || name === 'InvalidStateError';
};

async function inOpfs(g: CacheGlobals, scope: string, url: string): Promise<boolean> {
  if (!g.storage?.getDirectory) throw new Error('The origin private file system is not available here.');
  if (!g.subtle) throw new Error('crypto.subtle is not available here.');
  const digest = await g.subtle.digest('SHA-256', new TextEncoder().encode(url));
  const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  try {
    let dir = await (await g.storage.getDirectory()).getDirectoryHandle(OPFS_ROOT);
    for (const part of scope.split('/').filter(Boolean)) dir = await dir.getDirectoryHandle(encodeURIComponent(part));
    const record: unknown = JSON.parse(await (await (await dir.getFileHandle(`${hash}.record.json`)).getFile()).text());
    const r = record as { url?: unknown; nbytes?: unknown } | null;
    if (!r || r.url !== url || typeof r.nbytes !== 'number') return false;
    const payload = await (await dir.getFileHandle(`${hash}.bin`)).getFile();
    return payload.size === r.nbytes;
  } catch (err) {
    if (isMissing(err) || err instanceof SyntaxError) return false;
    throw err;
  }
}

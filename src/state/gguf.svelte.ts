/**
 * GGUF models for llama.cpp (wllama), beside web-llm's catalog: add one by URL or from a local
 * file, list what is stored with sizes, delete; and how a role's model reference names one.
 *
 * A model's bytes are kept in IndexedDB (src/storage, table `ggufBlobs`): a picked file is read
 * in this browser and never uploaded; a downloaded one is cached, so it works offline later.
 * Every file is checked with the GGUF header reader before it is stored, and hashed (SHA-256),
 * so a session can record exactly which file played.
 *
 * Nothing here imports wllama itself: the engine is loaded only when a run needs it.
 */
import { formatBytes } from '../engine/catalog.ts';
import { MAX_SINGLE_FILE_BYTES, tooLargeError } from '../engine/wllama/errors.ts';
import { GgufHeaderError, hasGgufMagic, readGgufHeader, describeBytes, type GgufShape } from '../engine/wllama/gguf.ts';
import type { GgufModelRecord } from '../storage/db.ts';
import type { Storage } from '../storage/repo.ts';
import { app } from './app.svelte.ts';

export type { GgufModelRecord } from '../storage/db.ts';

/* ------------------------------------------------------------ model references */

/** Prefix of a role's model reference that names a stored GGUF model: `gguf:<id>`. */
export const GGUF_REF_PREFIX = 'gguf:';

/** What a role's model reference names: a web-llm catalog model, or a stored GGUF model. */
export type ResolvedModelRef = { engine: 'web-llm'; modelId: string } | { engine: 'wllama'; ggufId: string };

/** The reference a role stores for a GGUF model. */
export function ggufRef(id: string): string {
  return `${GGUF_REF_PREFIX}${id}`;
}

/**
 * Reads a role's model reference (RoleSettings.user / agent / judge / shared): `gguf:<id>` is
 * a stored GGUF model run by wllama, anything else a web-llm model id. '' (not chosen) gives null.
 */
export function resolveModelRef(ref: string): ResolvedModelRef | null {
  if (!ref) return null;
  if (ref.startsWith(GGUF_REF_PREFIX)) {
    const ggufId = ref.slice(GGUF_REF_PREFIX.length);
    return ggufId ? { engine: 'wllama', ggufId } : null;
  }
  return { engine: 'web-llm', modelId: ref };
}

/**
 * How pages name the model a reference points at: a GGUF model by its file name (never its
 * hash-derived id), a web-llm model by its id. `records`: the stored GGUF models known.
 */
export function modelName(ref: string, records: readonly Pick<GgufModelRecord, 'id' | 'name'>[]): string {
  const r = resolveModelRef(ref);
  if (r?.engine !== 'wllama') return ref;
  return records.find((m) => m.id === r.ggufId)?.name ?? 'a GGUF model no longer stored';
}

/** A stored GGUF model ready for WllamaEngine.load(source). */
export interface LoadedGguf {
  model: GgufModelRecord;
  blob: Blob;
  /** Pass to WllamaEngine.load: the stored file, read locally. */
  source: { file: Blob; name: string };
}

/**
 * A stored GGUF model's record and file, for the runner. Rejects with a message that says what
 * to do when the model was deleted or its file is gone.
 */
export async function loadGgufBlob(id: string, storage: Storage = app.storage): Promise<LoadedGguf> {
  const [model, blob] = await Promise.all([storage.getGgufModel(id), storage.getGgufBlob(id)]);
  if (!model) throw new Error(`The GGUF model ${id} is no longer stored in this browser. Add it again on the Models page, or choose another model for this role.`);
  if (!blob) throw new Error(`The file of the GGUF model ${model.name} is missing from this browser's storage (it may have been evicted). Add it again on the Models page.`);
  return { model, blob, source: { file: blob, name: model.name } };
}

/* ------------------------------------------------------------------ threads */

/** How wllama will run on the CPU here (mirrors Wllama.loadModel's own choice). */
export interface ThreadPlan {
  crossOriginIsolated: boolean;
  /** Logical cores the browser reports (navigator.hardwareConcurrency). */
  cores: number;
  threads: number;
  multithread: boolean;
}

/**
 * wllama's thread choice: `nThreads` if given, else half the logical cores; several threads
 * only when SharedArrayBuffer can be posted, which needs a cross-origin-isolated page.
 * WllamaEngine passes no thread count unless asked, so this is what a run gets.
 */
export function threadPlan(env: { crossOriginIsolated: boolean; cores: number; nThreads?: number }): ThreadPlan {
  const wanted = env.nThreads ?? Math.floor((env.cores || 1) / 2);
  const multithread = env.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined' && wanted > 1;
  return { crossOriginIsolated: env.crossOriginIsolated, cores: env.cores || 1, threads: multithread ? wanted : 1, multithread };
}

/** The thread plan of this page. */
export function currentThreadPlan(): ThreadPlan {
  return threadPlan({
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    cores: typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1,
  });
}

/* -------------------------------------------------------------------- checks */

/** How much of a file the header check reads (the chat template sits after the vocabulary). */
const HEADER_BYTES = 16 * 1024 ** 2;

/** Hex SHA-256 of a file (WebCrypto; reads it into memory once, at most 2 GiB). */
export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks a file is a GGUF that llama.cpp can read (magic, version, header, size) and returns
 * its architecture. Throws an Error whose message names the file and says what is wrong.
 */
export async function checkGguf(blob: Blob, label: string): Promise<{ architecture: string | null; shape: GgufShape }> {
  if (blob.size === 0) throw new Error(`${label} is empty (0 bytes); it is not a GGUF file.`);
  if (blob.size > MAX_SINGLE_FILE_BYTES) throw tooLargeError(label, blob.size);
  const head = new Uint8Array(await blob.slice(0, Math.min(blob.size, HEADER_BYTES)).arrayBuffer());
  if (looksLikeHtml(head)) {
    throw new Error(`${label} is an HTML page, not a GGUF file. The URL probably points at a web page about the model rather than the file itself (on Hugging Face, use the "resolve" link, not "blob").`);
  }
  try {
    const header = readGgufHeader(head, blob.size);
    return { architecture: header.architecture, shape: header.shape };
  } catch (err) {
    if (err instanceof GgufHeaderError) throw new Error(`${label} ${err.message}.`);
    throw err;
  }
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<body');
}

/** The file name a URL points at. */
export function nameFromUrl(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : new URL(url).host;
  } catch {
    return url;
  }
}

/** The first 12 hex digits of a hash, as the page shows it. */
export const shortHash = (sha256: string) => sha256.slice(0, 12);

/* --------------------------------------------------------------------- state */

/** A download or file read in progress. */
export interface GgufProgress {
  kind: 'url' | 'file';
  label: string;
  phase: 'download' | 'check' | 'store';
  loaded: number;
  /** 0 when the server did not say. */
  total: number;
}

export interface GgufDeps {
  storage: () => Storage | undefined;
  fetch: typeof fetch;
  now: () => number;
}

const defaultDeps: GgufDeps = {
  storage: () => undefined,
  fetch: (...args) => fetch(...args),
  now: () => Date.now(),
};

export class GgufState {
  models = $state.raw<GgufModelRecord[]>([]);
  progress = $state.raw<GgufProgress | null>(null);
  /** The last add's or delete's failure, for the page to show. */
  error = $state<string | null>(null);
  /** The last add's success, for the page to show. */
  message = $state<string | null>(null);

  totalBytes = $derived(this.models.reduce((s, m) => s + m.sizeBytes, 0));

  private deps: GgufDeps;
  private abort: AbortController | null = null;

  constructor(deps: Partial<GgufDeps> = {}) {
    this.deps = { ...defaultDeps, ...deps };
  }

  get busy(): boolean {
    return this.progress !== null;
  }

  async refresh(): Promise<void> {
    const storage = this.deps.storage();
    if (storage) this.models = await storage.listGgufModels();
  }

  /**
   * Downloads a GGUF (with progress), checks it, hashes it and stores it. Resolves with the
   * stored record, or null when it failed (the reason is in `error`) or was cancelled.
   */
  async addFromUrl(rawUrl: string): Promise<GgufModelRecord | null> {
    if (this.busy) return null;
    this.error = null;
    this.message = null;
    const url = rawUrl.trim();
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      this.error = 'Enter the full address of a .gguf file, starting with https:// or http://.';
      return null;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      this.error = 'The address must start with https:// or http://.';
      return null;
    }
    const label = nameFromUrl(url);
    const abort = new AbortController();
    this.abort = abort;
    this.progress = { kind: 'url', label, phase: 'download', loaded: 0, total: 0 };
    try {
      const blob = await this.download(url, label, abort.signal);
      return await this.store(blob, { name: label, source: 'url', url }, 'url');
    } catch (err) {
      this.error = abort.signal.aborted ? null : errorText(err);
      if (abort.signal.aborted) this.message = `Cancelled the download of ${label}.`;
      return null;
    } finally {
      if (this.abort === abort) this.abort = null;
      this.progress = null;
    }
  }

  /** Cancels a download in progress. */
  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Checks, hashes and stores a file the user picked. It is read in this browser and never
   * uploaded. Resolves with the stored record, or null when it failed (see `error`).
   */
  async addFromFile(file: Blob & { name?: string }): Promise<GgufModelRecord | null> {
    if (this.busy) return null;
    this.error = null;
    this.message = null;
    const label = file.name || 'model.gguf';
    this.progress = { kind: 'file', label, phase: 'check', loaded: 0, total: file.size };
    try {
      return await this.store(file, { name: label, source: 'file' }, 'file');
    } catch (err) {
      this.error = errorText(err);
      return null;
    } finally {
      this.progress = null;
    }
  }

  async remove(id: string): Promise<void> {
    this.error = null;
    this.message = null;
    try {
      await this.deps.storage()?.deleteGgufModel(id);
    } catch (err) {
      this.error = `Could not delete the model: ${errorText(err)}`;
    }
    await this.refresh();
  }

  private async store(
    blob: Blob,
    meta: { name: string; source: 'url' | 'file'; url?: string },
    kind: 'url' | 'file',
  ): Promise<GgufModelRecord | null> {
    const storage = this.deps.storage();
    if (!storage) throw new Error('The browser storage is not open yet; try again in a moment.');
    this.progress = { kind, label: meta.name, phase: 'check', loaded: blob.size, total: blob.size };
    const { architecture, shape } = await checkGguf(blob, meta.name);
    const sha256 = await sha256Hex(blob);
    const existing = await storage.findGgufBySha256(sha256);
    if (existing) {
      this.message = `${meta.name} is already stored, as ${existing.name}.`;
      await this.refresh();
      return existing;
    }
    this.progress = { kind, label: meta.name, phase: 'store', loaded: blob.size, total: blob.size };
    const record: GgufModelRecord = {
      id: sha256.slice(0, 16),
      name: meta.name,
      source: meta.source,
      ...(meta.url !== undefined ? { url: meta.url } : {}),
      sizeBytes: blob.size,
      sha256,
      ...(architecture ? { architecture } : {}),
      ...(Object.keys(shape).length ? { shape } : {}),
      addedAt: this.deps.now(),
    };
    try {
      await storage.putGgufModel({ ...record, blob });
    } catch (err) {
      const quota = err instanceof Error && /quota/i.test(`${err.name} ${err.message}`);
      throw new Error(
        quota
          ? `There is not enough browser storage for ${meta.name} (${formatBytes(blob.size)}). Delete models you no longer need, or ask the browser to keep more.`
          : `Could not store ${meta.name}: ${errorText(err)}`,
      );
    }
    this.message = `Added ${meta.name} (${formatBytes(blob.size)}).`;
    await this.refresh();
    return record;
  }

  /** Fetches a URL into a Blob with progress; refuses HTML and non-GGUF bytes as soon as they show. */
  private async download(url: string, label: string, signal: AbortSignal): Promise<Blob> {
    let res: Response;
    try {
      res = await this.deps.fetch(url, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new Error(`Could not download ${label} from ${hostOf(url)} (${errorText(err)}). Check the address, your connection, and that the host allows this page (CORS).`);
    }
    if (!res.ok) throw new Error(`Could not download ${label}: the server answered ${res.status} ${res.statusText}`.trimEnd() + '.');
    const type = res.headers.get('Content-Type') ?? '';
    if (/text\/html/i.test(type)) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`${label} is an HTML page, not a GGUF file. The URL probably points at a web page about the model rather than the file itself (on Hugging Face, use the "resolve" link, not "blob").`);
    }
    const total = Number(res.headers.get('Content-Length') ?? 0) || 0;
    if (total > MAX_SINGLE_FILE_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLargeError(label, total);
    }
    this.progress = { kind: 'url', label, phase: 'download', loaded: 0, total };
    if (!res.body) return res.blob();
    const reader = res.body.getReader();
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let loaded = 0;
    let checked = false;
    let lastReport = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.byteLength;
      if (!checked && loaded >= 4) {
        checked = true;
        const first = firstBytes(parts, 16);
        if (!hasGgufMagic(first)) {
          await reader.cancel().catch(() => undefined);
          await checkGguf(new Blob(parts), label); // throws the header reader's message
          throw new Error(`${label} is not a GGUF file (its first bytes are ${describeBytes(first)}).`);
        }
      }
      if (loaded > MAX_SINGLE_FILE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLargeError(label, loaded);
      }
      const now = this.deps.now();
      if (now - lastReport > 100) {
        lastReport = now;
        this.progress = { kind: 'url', label, phase: 'download', loaded, total };
      }
    }
    return new Blob(parts);
  }
}

function firstBytes(parts: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let p = 0;
  for (const part of parts) {
    const take = Math.min(part.byteLength, n - p);
    out.set(part.subarray(0, take), p);
    p += take;
    if (p >= n) break;
  }
  return out.subarray(0, p);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The app's one instance, over the app's storage once that is open. */
export const gguf = new GgufState({ storage: () => (app.ready ? app.storage : undefined) });

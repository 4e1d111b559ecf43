import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GgufState, ggufRef, loadGgufBlob, resolveModelRef, threadPlan } from '../../src/state/gguf.svelte.ts';
import { ModelsState, ROLES_KEY } from '../../src/state/models.svelte.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, openTestStorage } from '../storage/fixtures.ts';

/** A minimal valid GGUF: version 3, no tensors, general.architecture = arch, padded to alignment. */
function tinyGguf(arch = 'llama', pad = 0): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const bytes: number[] = [0x47, 0x47, 0x55, 0x46];
  const u32 = (v: number) => bytes.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  const u64 = (v: number) => (u32(v), u32(0));
  const str = (s: string) => {
    const b = enc.encode(s);
    u64(b.length);
    bytes.push(...b);
  };
  u32(3);
  u64(0);
  u64(1);
  str('general.architecture');
  u32(8);
  str(arch);
  while (bytes.length % 32) bytes.push(0);
  for (let i = 0; i < pad; i++) bytes.push(i & 0xff);
  return new Uint8Array(bytes);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A fetch that serves `files` by URL, streaming in two chunks. */
function fakeFetch(files: Record<string, { body: Uint8Array<ArrayBuffer>; type?: string; status?: number }>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const f = files[String(input)];
    if (!f) throw new TypeError('Failed to fetch');
    const half = Math.ceil(f.body.length / 2);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(f.body.slice(0, half));
        c.enqueue(f.body.slice(half));
        c.close();
      },
    });
    return new Response(stream, {
      status: f.status ?? 200,
      headers: { 'Content-Type': f.type ?? 'application/octet-stream', 'Content-Length': String(f.body.length) },
    });
  }) as typeof fetch;
}

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

describe('model references', () => {
  it('resolves gguf:<id> to wllama and anything else to web-llm', () => {
    expect(resolveModelRef('gguf:abc')).toEqual({ engine: 'wllama', ggufId: 'abc' });
    expect(resolveModelRef(ggufRef('x1'))).toEqual({ engine: 'wllama', ggufId: 'x1' });
    expect(resolveModelRef('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')).toEqual({ engine: 'web-llm', modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    expect(resolveModelRef('')).toBeNull();
    expect(resolveModelRef('gguf:')).toBeNull();
  });

  it('plans threads as wllama does', () => {
    expect(threadPlan({ crossOriginIsolated: true, cores: 8 })).toMatchObject({ threads: 4, multithread: true });
    expect(threadPlan({ crossOriginIsolated: false, cores: 8 })).toMatchObject({ threads: 1, multithread: false });
    expect(threadPlan({ crossOriginIsolated: true, cores: 2 })).toMatchObject({ threads: 1, multithread: false });
    expect(threadPlan({ crossOriginIsolated: true, cores: 2, nThreads: 2 })).toMatchObject({ threads: 2, multithread: true });
  });
});

describe('GgufState', () => {
  it('adds a model by URL: checked, hashed, stored with its bytes, listed with the total', async () => {
    const body = tinyGguf('llama', 100);
    const url = 'http://models.test/dir/tiny%20model.gguf';
    const s = new GgufState({ storage: () => storage, fetch: fakeFetch({ [url]: { body } }), now: () => 42 });
    const rec = await s.addFromUrl(url);
    expect(s.error).toBeNull();
    expect(rec).toMatchObject({ name: 'tiny model.gguf', source: 'url', url, sizeBytes: body.length, sha256: sha(body), architecture: 'llama', addedAt: 42 });
    expect(rec!.id).toBe(sha(body).slice(0, 16));
    expect(s.models).toHaveLength(1);
    expect(s.totalBytes).toBe(body.length);
    expect(s.message).toContain('Added tiny model.gguf');

    const loaded = await loadGgufBlob(rec!.id, storage);
    expect(loaded.model.sha256).toBe(sha(body));
    expect(loaded.source.name).toBe('tiny model.gguf');
    expect(new Uint8Array(await loaded.blob.arrayBuffer())).toEqual(body);

    // The same file again is not stored twice.
    const again = await s.addFromFile(new File([body], 'copy.gguf'));
    expect(again?.id).toBe(rec!.id);
    expect(s.message).toContain('already stored');
    expect(await storage.db.ggufBlobs.count()).toBe(1);
  });

  it('refuses HTML pages and non-GGUF bytes before storing anything', async () => {
    const html = new TextEncoder().encode('<!doctype html><html><body>Model card</body></html>');
    const files = {
      'http://h/page.gguf': { body: html, type: 'text/html; charset=utf-8' },
      'http://h/sneaky.gguf': { body: html },
      'http://h/random.gguf': { body: new Uint8Array(64).map((_, i) => (i * 37 + 5) & 0xff) },
      'http://h/missing.gguf': { body: new Uint8Array(0), status: 404 },
    };
    const s = new GgufState({ storage: () => storage, fetch: fakeFetch(files) });
    expect(await s.addFromUrl('http://h/page.gguf')).toBeNull();
    expect(s.error).toContain('page.gguf is an HTML page, not a GGUF file');
    expect(await s.addFromUrl('http://h/sneaky.gguf')).toBeNull();
    expect(s.error).toContain('sneaky.gguf is an HTML page');
    expect(await s.addFromUrl('http://h/random.gguf')).toBeNull();
    expect(s.error).toMatch(/random\.gguf is not a GGUF file \(its first bytes are [0-9a-f ]+/);
    expect(await s.addFromUrl('http://h/missing.gguf')).toBeNull();
    expect(s.error).toContain('404');
    expect(await s.addFromUrl('http://h/unreachable.gguf')).toBeNull();
    expect(s.error).toContain('Could not download unreachable.gguf');
    expect(await s.addFromUrl('not a url')).toBeNull();
    expect(s.error).toContain('https://');
    expect(await storage.listGgufModels()).toEqual([]);
    expect(await storage.db.ggufBlobs.count()).toBe(0);
    expect(s.busy).toBe(false);
  });

  it('adds from a local file, refuses a corrupt or truncated one, and deletes', async () => {
    const s = new GgufState({ storage: () => storage });
    expect(await s.addFromFile(new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])], 'junk.gguf'))).toBeNull();
    expect(s.error).toMatch(/junk\.gguf is not a GGUF file/);
    expect(await s.addFromFile(new File([tinyGguf().slice(0, 20)], 'cut.gguf'))).toBeNull();
    expect(s.error).toMatch(/cut\.gguf is truncated/);
    expect(await s.addFromFile(new File([], 'empty.gguf'))).toBeNull();
    expect(s.error).toContain('empty');
    expect(await storage.listGgufModels()).toEqual([]);

    const body = tinyGguf('qwen2');
    const rec = await s.addFromFile(new File([body], 'mine.gguf'));
    expect(s.error).toBeNull();
    expect(rec).toMatchObject({ name: 'mine.gguf', source: 'file', architecture: 'qwen2', sizeBytes: body.length });
    expect(rec).not.toHaveProperty('url');
    await s.remove(rec!.id);
    expect(s.models).toEqual([]);
    await expect(loadGgufBlob(rec!.id, storage)).rejects.toThrow(/no longer stored/);
  });
});

describe('roles and GGUF references', () => {
  it('forgetModelRef clears every role that used a deleted model, and saves', async () => {
    const m = new ModelsState({ storage: () => storage });
    await m.setRoles({ user: 'gguf:a', agent: 'Q-0.5B-q4f32_1-MLC', judge: 'gguf:a', shared: 'gguf:a' });
    await m.forgetModelRef('gguf:a');
    expect(m.roles).toMatchObject({ user: '', agent: 'Q-0.5B-q4f32_1-MLC', judge: '', shared: '' });
    expect(await storage.getSetting(ROLES_KEY)).toMatchObject({ user: '', agent: 'Q-0.5B-q4f32_1-MLC', judge: '' });
  });
});

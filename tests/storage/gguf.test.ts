import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GgufModelRecord } from '../../src/storage/db.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, openTestStorage } from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const record = (id: string, over: Partial<GgufModelRecord> = {}): GgufModelRecord => ({
  id,
  name: `${id}.gguf`,
  source: 'file',
  sizeBytes: 3,
  sha256: `${id}-hash`,
  architecture: 'llama',
  addedAt: 1,
  ...over,
});

describe('GGUF models', () => {
  it('stores the record and its bytes apart: listing never returns blobs', async () => {
    await storage.putGgufModel({ ...record('b', { addedAt: 2, source: 'url', url: 'http://x/b.gguf' }), blob: new Blob([new Uint8Array([4, 5])]) });
    await storage.putGgufModel({ ...record('a'), blob: new Blob([new Uint8Array([1, 2, 3])]) });

    const list = await storage.listGgufModels();
    expect(list.map((m) => m.id)).toEqual(['a', 'b']);
    for (const m of list) expect('blob' in m).toBe(false);
    expect(list[1]).toEqual(record('b', { addedAt: 2, source: 'url', url: 'http://x/b.gguf' }));

    const blob = await storage.getGgufBlob('a');
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await blob!.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(await storage.getGgufBlob('nope')).toBeUndefined();
    expect(await storage.getGgufModel('b')).toMatchObject({ name: 'b.gguf' });
    expect(await storage.findGgufBySha256('b-hash')).toMatchObject({ id: 'b' });
    expect(await storage.findGgufBySha256('zzz')).toBeUndefined();
  });

  it('deletes a model and its file together', async () => {
    await storage.putGgufModel({ ...record('a'), blob: new Blob([new Uint8Array([1])]) });
    await storage.putGgufModel({ ...record('b'), blob: new Blob([new Uint8Array([2])]) });
    expect(await storage.deleteGgufModel('a')).toBe(true);
    expect(await storage.deleteGgufModel('a')).toBe(false);
    expect((await storage.listGgufModels()).map((m) => m.id)).toEqual(['b']);
    expect(await storage.getGgufBlob('a')).toBeUndefined();
    expect(await storage.db.ggufBlobs.count()).toBe(1);
  });

  it('replacing a record without a blob keeps the stored file', async () => {
    await storage.putGgufModel({ ...record('a'), blob: new Blob([new Uint8Array([1, 2])]) });
    await storage.putGgufModel(record('a', { name: 'renamed.gguf' }));
    expect((await storage.getGgufModel('a'))?.name).toBe('renamed.gguf');
    expect((await storage.getGgufBlob('a'))?.size).toBe(2);
  });
});

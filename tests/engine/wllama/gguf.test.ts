import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GgufHeaderError, describeBytes, hasGgufMagic, kvBytesPerToken, readGgufHeader } from '../../../src/engine/wllama/gguf.ts';

/** A small GGUF v3 file built in memory: metadata strings and one F32 tensor of `elems` values. */
function gguf(kv: Record<string, string>, elems = 8, dataBytes = elems * 4): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const u64 = (v: number) => {
    u32(v);
    u32(0);
  };
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    parts.push(...b);
  };
  parts.push(0x47, 0x47, 0x55, 0x46);
  u32(3);
  u64(1); // tensors
  u64(Object.keys(kv).length);
  for (const [k, v] of Object.entries(kv)) {
    str(k);
    u32(8);
    str(v);
  }
  str('w');
  u32(1);
  u64(elems);
  u32(0); // F32
  u64(0);
  while (parts.length % 32) parts.push(0);
  for (let i = 0; i < dataBytes; i++) parts.push(0);
  return new Uint8Array(parts);
}

describe('GGUF header check', () => {
  it('reads architecture, name and chat template', () => {
    const h = readGgufHeader(gguf({ 'general.architecture': 'llama', 'general.name': 'tiny', 'tokenizer.chat_template': '{{ x }}' }));
    expect(h).toMatchObject({ version: 3, tensorCount: 1, kvCount: 3, architecture: 'llama', name: 'tiny', chatTemplate: '{{ x }}', complete: true });
  });

  it('says what the first bytes are when a file is not GGUF', () => {
    const bytes = new TextEncoder().encode('<!DOCTYPE html><html>');
    expect(hasGgufMagic(bytes)).toBe(false);
    expect(() => readGgufHeader(bytes)).toThrow(/is not a GGUF file \(its first bytes are 3c 21 44 4f 43 54 59 50 "<!DOCTYP"/);
    expect(describeBytes(new Uint8Array())).toBe('empty');
  });

  it('finds a file cut inside its header, and one cut inside its tensor data', () => {
    const full = gguf({ 'general.architecture': 'llama' }, 64);
    const header = (bytes: Uint8Array) => {
      try {
        readGgufHeader(bytes);
        return null;
      } catch (e) {
        return e as GgufHeaderError;
      }
    };
    expect(header(full)).toBeNull();
    expect(header(full.subarray(0, 30))?.kind).toBe('truncated');
    const cut = header(full.subarray(0, full.length - 10));
    expect(cut?.kind).toBe('truncated');
    expect(cut?.message).toMatch(/its tensors need \d+ bytes but the file has \d+/);
  });

  it('reads a prefix of a larger file without calling it truncated', () => {
    const full = gguf({ 'general.architecture': 'qwen2', 'tokenizer.chat_template': 'x'.repeat(500) });
    const h = readGgufHeader(full.subarray(0, 80), full.length);
    expect(h.complete).toBe(false);
    expect(h.architecture).toBe('qwen2');
  });

  it('rejects an impossible version', () => {
    const b = gguf({});
    b[4] = 9;
    expect(() => readGgufHeader(b)).toThrow(/GGUF version 9/);
  });

  const real = '../shared/data/models/stories260K.gguf';
  it.skipIf(!existsSync(real))('reads the header of stories260K.gguf (no chat template) and its exact size', () => {
    const bytes = new Uint8Array(readFileSync(real));
    const h = readGgufHeader(bytes);
    expect(h.architecture).toBe('llama');
    expect(h.chatTemplate).toBeNull();
    expect(h.minFileSize).toBeLessThanOrEqual(bytes.length);
    expect(h.minFileSize).toBeGreaterThan(bytes.length - 64);
    expect(() => readGgufHeader(bytes.subarray(0, bytes.length - 1000))).toThrow(/truncated/);
  });

  it.skipIf(!existsSync(real))('reads the shape of stories260K.gguf: trained window, layers, heads, vocabulary', () => {
    const h = readGgufHeader(new Uint8Array(readFileSync(real)));
    expect(h.shape).toEqual({ vocabSize: 512, contextLength: 2048, blockCount: 5, embeddingLength: 64, headCount: 8, headCountKv: 4 });
    // 5 layers × 4 KV heads × (8 + 8) per-head values × 2 bytes.
    expect(kvBytesPerToken(h.shape)).toBe(640);
  });

  it('has no shape for a file without architecture metadata, and no KV estimate from a partial one', () => {
    expect(readGgufHeader(gguf({ 'general.name': 'x' })).shape).toEqual({});
    expect(kvBytesPerToken({ blockCount: 4 })).toBeUndefined();
    // Llama-3.2-1B: 16 layers, 8 KV heads of 64 → 32 KiB a token.
    expect(kvBytesPerToken({ blockCount: 16, embeddingLength: 2048, headCount: 32, headCountKv: 8 })).toBe(32768);
  });
});

/** A seeded pseudo-random generator returning floats in [0, 1). */
export interface Rng {
  (): number;
}

/** mulberry32: small, fast and good enough for simulation choices. Same seed, same stream. */
export function mulberry32(seed: number): Rng {
  // The state is kept as a signed 32-bit integer (| 0, not >>> 0): the same bits and the same
  // stream, but always a small integer to V8, where an unsigned value above 2^31 is a boxed
  // number; the bootstraps draw tens of millions of these.
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a of a string; used to derive seeds from names. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed for one part of a run, stable across runs with the same master seed. */
export function deriveSeed(master: number, ...parts: (string | number)[]): number {
  return hash32(`${master >>> 0}|${parts.join('|')}`);
}

/** Integer in [min, max], inclusive. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One element, uniformly. Throws on an empty list, which is always a programming error. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick() from an empty list');
  return items[Math.floor(rng() * items.length)] as T;
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

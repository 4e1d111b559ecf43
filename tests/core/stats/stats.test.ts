import { describe, expect, it } from 'vitest';
import { passAtK, passHatK } from '../../../src/core/stats/passk.ts';
import { chance, deriveSeed, hash32, mulberry32, pick, randInt } from '../../../src/core/stats/rng.ts';
import { normalQuantile, wilsonInterval } from '../../../src/core/stats/wilson.ts';

describe('wilsonInterval', () => {
  it('matches the textbook 95% interval for 8/10', () => {
    const { lower, upper } = wilsonInterval(8, 10);
    expect(lower).toBeCloseTo(0.4902, 3);
    expect(upper).toBeCloseTo(0.9433, 3);
  });

  it('is one-sided at 0 and at n successes', () => {
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 3);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    expect(wilsonInterval(10, 10).lower).toBeCloseTo(0.7225, 3);
  });

  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
  // method 3 (score interval without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('matches Newcombe\'s published interval for %i/%i', (c, n, lo, hi) => {
    const { lower, upper } = wilsonInterval(c, n);
    expect(lower).toBeCloseTo(lo, 4);
    expect(upper).toBeCloseTo(hi, 4);
  });

  it('gives the whole [0, 1] range with no trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });

  it('is symmetric: c/n mirrors (n−c)/n', () => {
    for (const [c, n] of [[3, 7], [1, 20], [50, 100]] as const) {
      const a = wilsonInterval(c, n);
      const b = wilsonInterval(n - c, n);
      expect(a.lower).toBeCloseTo(1 - b.upper, 12);
      expect(a.upper).toBeCloseTo(1 - b.lower, 12);
    }
  });

  it('widens with the confidence level and narrows with more trials', () => {
    const w = (c: number, n: number, conf?: number) => {
      const i = wilsonInterval(c, n, conf);
      return i.upper - i.lower;
    };
    expect(w(8, 10, 0.99)).toBeGreaterThan(w(8, 10, 0.95));
    expect(w(80, 100)).toBeLessThan(w(8, 10));
    // 99%: 8/10 → [0.4008, 0.9599] (z = 2.5758)
    expect(wilsonInterval(8, 10, 0.99).lower).toBeCloseTo(0.4008, 3);
    expect(wilsonInterval(8, 10, 0.99).upper).toBeCloseTo(0.9599, 3);
  });

  it.each([
    [11, 10],
    [-1, 10],
    [1.5, 10],
    [1, 2.5],
    [0, -1],
  ])('throws for impossible input %i/%i', (c, n) => {
    expect(() => wilsonInterval(c, n)).toThrow(RangeError);
  });

  it('throws for a confidence outside (0, 1)', () => {
    expect(() => wilsonInterval(1, 2, 1)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 95)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  it('gives the familiar two-sided z values', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.575829, 5);
    expect(normalQuantile(0.9)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.290527, 4);
  });
});

describe('pass@k and pass^k', () => {
  it('matches hand-computed cases', () => {
    expect(passAtK(4, 2, 2)).toBeCloseTo(5 / 6, 12);
    expect(passHatK(4, 2, 2)).toBeCloseTo(1 / 6, 12);
    expect(passHatK(10, 5, 3)).toBeCloseTo(10 / 120, 12);
    expect(passAtK(10, 5, 3)).toBeCloseTo(1 - 10 / 120, 12);
  });

  it('is 1 when every trial passed and 0 when none did', () => {
    for (const [n, k] of [[1, 1], [5, 3], [8, 8]] as const) {
      expect(passHatK(n, n, k)).toBe(1);
      expect(passAtK(n, n, k)).toBe(1);
      expect(passHatK(n, 0, k)).toBe(0);
      expect(passAtK(n, 0, k)).toBe(0);
    }
  });

  it('both equal the pass rate at k = 1', () => {
    expect(passAtK(8, 3, 1)).toBeCloseTo(3 / 8, 12);
    expect(passHatK(8, 3, 1)).toBeCloseTo(3 / 8, 12);
  });

  it('pass@k rises and pass^k falls as k grows', () => {
    const at = [1, 2, 3, 4].map((k) => passAtK(6, 3, k));
    const hat = [1, 2, 3, 4].map((k) => passHatK(6, 3, k));
    for (let i = 1; i < 4; i++) {
      expect(at[i]!).toBeGreaterThan(at[i - 1]!);
      expect(hat[i]!).toBeLessThan(hat[i - 1]!);
    }
  });

  it('matches the Codex paper (Chen et al. 2021) and τ-bench definitions on textbook numbers', () => {
    // pass@k = 1 − C(n−c, k) / C(n, k): n = 10, c = 3, k = 5 → 1 − 21/252.
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 12);
    // pass^k = C(c, k) / C(n, k): n = 8, c = 6, k = 4 → 15/70.
    expect(passHatK(8, 6, 4)).toBeCloseTo(15 / 70, 12);
    // Large n stays exact: C(50, 25) and C(40, 25).
    expect(passHatK(50, 40, 25)).toBeCloseTo(40225345056 / 126410606437752, 15);
  });

  it('equals the share of k-subsets of the trials that all pass (pass^k) or hold a pass (pass@k)', () => {
    const subsets = (n: number, k: number): number[][] => {
      if (k === 0) return [[]];
      if (n < k) return [];
      return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((s) => [...s, n - 1])];
    };
    for (const n of [1, 3, 5, 6]) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          const all = subsets(n, k);
          // Trials 0 … c−1 passed.
          const allPass = all.filter((s) => s.every((i) => i < c)).length / all.length;
          const anyPass = all.filter((s) => s.some((i) => i < c)).length / all.length;
          expect(passHatK(n, c, k)).toBeCloseTo(allPass, 12);
          expect(passAtK(n, c, k)).toBeCloseTo(anyPass, 12);
        }
      }
    }
  });

  it('is 1 for pass@k whenever fewer than k trials failed', () => {
    expect(passAtK(5, 3, 3)).toBe(1);
  });

  it.each([
    ['k > n', 3, 1, 4],
    ['c > n', 3, 4, 2],
    ['k = 0', 3, 1, 0],
    ['negative c', 3, -1, 1],
    ['fractional n', 3.5, 1, 1],
  ])('throws for impossible input (%s)', (_label, n, c, k) => {
    expect(() => passAtK(n, c, k)).toThrow(RangeError);
    expect(() => passHatK(n, c, k)).toThrow(RangeError);
  });
});

describe('seeded randomness', () => {
  it('mulberry32 gives the same stream for the same seed and another for another seed', () => {
    const take = (seed: number) => {
      const r = mulberry32(seed);
      return Array.from({ length: 5 }, () => r());
    };
    expect(take(123)).toEqual(take(123));
    expect(take(124)).not.toEqual(take(123));
    expect(take(123).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('mulberry32 keeps its published stream (stored seeds replay the same sessions)', () => {
    // Reference values of mulberry32 (state kept as an unsigned 32-bit integer), times 2^32.
    const first3 = (seed: number) => {
      const r = mulberry32(seed);
      return [r(), r(), r()].map((x) => x * 4294967296);
    };
    expect(first3(0)).toEqual([1144304738, 1416247, 958946056]);
    expect(first3(1)).toEqual([2693262067, 11749833, 2265367787]);
    expect(first3(0xffffffff)).toEqual([3850105811, 813802916, 3073704848]);
    expect(first3(2 ** 31 + 7)).toEqual([2587615286, 3152316922, 2347100052]);
  });

  it('derives stable, distinct seeds from names', () => {
    expect(deriveSeed(1, 'user')).toBe(deriveSeed(1, 'user'));
    expect(deriveSeed(1, 'user')).not.toBe(deriveSeed(1, 'agent'));
    expect(deriveSeed(1, 'a', 0)).not.toBe(deriveSeed(2, 'a', 0));
    // FNV-1a reference value.
    expect(hash32('a')).toBe(0xe40c292c);
  });

  it('randInt stays within its inclusive bounds and reaches both ends', () => {
    const r = mulberry32(9);
    const seen = new Set(Array.from({ length: 200 }, () => randInt(r, 2, 4)));
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });

  it('pick refuses an empty list; chance respects 0 and 1', () => {
    const r = mulberry32(1);
    expect(() => pick(r, [])).toThrow();
    expect(Array.from({ length: 20 }, () => chance(r, 0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 20 }, () => chance(r, 1)).every(Boolean)).toBe(true);
  });
});

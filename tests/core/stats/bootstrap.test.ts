import { describe, expect, it } from 'vitest';
import * as core from '../../../src/core/index.ts';
import { bootstrap, quantileSorted } from '../../../src/core/stats/bootstrap.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

const VALUES = [0, 0.2, 0.5, 1, 1, 0.4, 0.9, 0.1];
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('bootstrap', () => {
  it('gives the same interval for the same seed, and another for another seed', () => {
    const a = bootstrap(VALUES, { rng: mulberry32(42), iterations: 500 });
    const b = bootstrap(VALUES, { rng: mulberry32(42), iterations: 500 });
    const c = bootstrap(VALUES, { rng: mulberry32(43), iterations: 500 });
    expect(b).toEqual(a);
    expect(c.lower === a.lower && c.upper === a.upper).toBe(false);
    expect(a.estimate).toBeCloseTo(mean(VALUES), 12);
    expect(a.iterations).toBe(500);
  });

  it('brackets the estimate and stays within the range of the data', () => {
    const r = bootstrap(VALUES, { rng: mulberry32(1) });
    expect(r.lower).toBeLessThanOrEqual(r.estimate);
    expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
    expect(r.lower).toBeGreaterThanOrEqual(0);
    expect(r.upper).toBeLessThanOrEqual(1);
    expect(r.iterations).toBe(2000);
  });

  it('agrees with the normal approximation on a large sample', () => {
    // 400 draws of 0/1 with p = 0.3: the mean's 95% interval is about ±1.96·√(p(1−p)/n).
    const rng = mulberry32(7);
    const data = Array.from({ length: 400 }, () => (rng() < 0.3 ? 1 : 0));
    const m = mean(data);
    const half = 1.96 * Math.sqrt((m * (1 - m)) / data.length);
    const r = bootstrap(data, { rng: mulberry32(9), iterations: 4000 });
    expect(r.lower).toBeCloseTo(m - half, 2);
    expect(r.upper).toBeCloseTo(m + half, 2);
  });

  it('narrows with a lower confidence level and takes another statistic', () => {
    const wide = bootstrap(VALUES, { rng: mulberry32(3), confidence: 0.99 });
    const narrow = bootstrap(VALUES, { rng: mulberry32(3), confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    const max = bootstrap(VALUES, { rng: mulberry32(3), statistic: (xs) => Math.max(...xs) });
    expect(max.estimate).toBe(1);
    expect(max.upper).toBe(1);
  });

  it('collapses to a point when every value is the same', () => {
    expect(bootstrap([1, 1, 1], { rng: mulberry32(0) })).toMatchObject({ estimate: 1, lower: 1, upper: 1 });
  });

  it.each([
    ['no values', [], {}],
    ['zero iterations', [1], { iterations: 0 }],
    ['fractional iterations', [1], { iterations: 2.5 }],
    ['a confidence of 1', [1], { confidence: 1 }],
    ['a NaN value', [1, Number.NaN], {}],
  ])('throws for %s', (_label, values, opts) => {
    expect(() => bootstrap(values as number[], { rng: mulberry32(0), ...opts })).toThrow(RangeError);
  });
});

describe('quantileSorted', () => {
  it('interpolates linearly between order statistics (type 7)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([10, 20], 0.25)).toBe(12.5);
  });
});

describe('the public core API', () => {
  it('exports the statistics and the report', () => {
    for (const name of ['passAtK', 'passHatK', 'wilsonInterval', 'bootstrap', 'mulberry32', 'tauReport', 'judgeAssertions', 'matchGoldActions'] as const) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(core.passHatK(4, 2, 2)).toBeCloseTo(1 / 6, 12);
    expect(() => core.passAtK(2, 3, 1)).toThrow(RangeError);
    expect(() => core.wilsonInterval(3, 2)).toThrow(RangeError);
  });
});

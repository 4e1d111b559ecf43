import { describe, expect, it } from 'vitest';
import { validatePersonaSet } from '../../../src/core/model/schema.ts';
import { ValidationError } from '../../../src/core/model/validation.ts';
import {
  allowedLevels,
  coverageOf,
  designPoints,
  generatePopulation,
  pointOf,
  principalComponents,
  randomBaseline,
  randomPoints,
  RANDOM_BASELINE_RUNS,
} from '../../../src/core/personas/population.ts';
import { ROLES, TRAIT_NAMES } from '../../../src/core/personas/traits.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

const refusal = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
};

describe('generatePopulation', () => {
  it('gives the same population for the same seed, and another for another seed', () => {
    const a = generatePopulation({ size: 16, seed: 11 });
    const b = generatePopulation({ size: 16, seed: 11 });
    expect(b.personas).toEqual(a.personas);
    expect(b.coverage).toEqual(a.coverage);
    const c = generatePopulation({ size: 16, seed: 12 });
    expect(c.points).not.toEqual(a.points);
  });

  for (const size of [6, 12, 24, 40]) {
    it(`covers the space better than the mean of ${RANDOM_BASELINE_RUNS} random populations of ${size}`, () => {
      for (const seed of [1, 2, 3]) {
        const pop = generatePopulation({ size, seed });
        const random = randomBaseline({ size, seed });
        expect(pop.coverage.minDistance, `seed ${seed}`).toBeGreaterThan(random.minDistance);
        expect(pop.coverage.meanNearestNeighbour, `seed ${seed}`).toBeGreaterThan(random.meanNearestNeighbour);
        expect(pop.coverage.pairCellShare, `seed ${seed}`).toBeGreaterThan(random.pairCellShare);
      }
    });
  }

  it('beats random sampling under constraints too, and honours them', () => {
    const constraints = { patience: { fixed: 2 }, emotion: { min: 3 }, noise: { exclude: [1, 5] }, drift: { max: 2 } };
    const pop = generatePopulation({ size: 20, seed: 5, constraints });
    for (const p of pop.personas) {
      expect(p.traits.patience).toBe(2);
      expect(p.traits.emotion).toBeGreaterThanOrEqual(3);
      expect([2, 3, 4]).toContain(p.traits.noise);
      expect(p.traits.drift).toBeLessThanOrEqual(2);
      // A trait every member shares does not name them all alike.
      expect(p.name.toLowerCase()).not.toContain('impatient');
    }
    const random = randomBaseline({ size: 20, seed: 5, constraints });
    expect(pop.coverage.minDistance).toBeGreaterThan(random.minDistance);
    expect(pop.coverage.pairCellShare).toBeGreaterThan(random.pairCellShare);
    // Grids with the fixed trait have 5, 3, 3 or 2 cells; none with one cell is counted.
    expect(pop.coverage.totalCells).toBe(random.totalCells);
    expect(pop.coverage.totalCells).toBeLessThan(55 * 25);
  });

  it('uses every allowed level about equally often (a Latin hypercube per trait)', () => {
    const pop = generatePopulation({ size: 25, seed: 9 });
    for (const name of TRAIT_NAMES) {
      const counts = [1, 2, 3, 4, 5].map((v) => pop.personas.filter((p) => p.traits[name] === v).length);
      expect(counts, name).toEqual([5, 5, 5, 5, 5]);
    }
  });

  it('balances roles, draws backgrounds, and makes valid personas with unique ids', () => {
    const pop = generatePopulation({ size: 21, seed: 4, setId: 'pop-a', idPrefix: 'pa' });
    const byRole = ROLES.map((r) => pop.personas.filter((p) => p.role === r.id).length);
    expect(byRole).toEqual(ROLES.map(() => 3));
    expect(new Set(pop.personas.map((p) => p.id)).size).toBe(21);
    expect(pop.personas[0]!.id).toBe('pa-01');
    for (const p of pop.personas) {
      expect(p.setId).toBe('pop-a');
      expect(p.background.length).toBeGreaterThan(10);
      expect(p.summary).toMatch(/\.$/);
    }
    expect(() => validatePersonaSet({ formatVersion: 1, id: 'pop-a', title: 'A', description: 'B', personas: pop.personas })).not.toThrow();
    const onlyTwo = generatePopulation({ size: 6, seed: 4, roles: ['novice', 'skeptic'] });
    expect(new Set(onlyTwo.personas.map((p) => p.role))).toEqual(new Set(['novice', 'skeptic']));
  });

  it('refuses bad options and impossible constraints, naming where', () => {
    expect(refusal(() => generatePopulation({ size: 1, seed: 1 })).message).toContain('size: must be a whole number from 2 to 500 (got 1)');
    expect(refusal(() => generatePopulation({ size: 5, seed: -3 })).message).toContain('seed:');
    expect(refusal(() => generatePopulation({ size: 5, seed: 1, roles: ['wizard'] })).message).toContain('unknown role "wizard"');
    expect(refusal(() => allowedLevels({ patience: { min: 4, max: 2 } })).message).toContain('constraints.patience: leaves no level to choose');
    expect(refusal(() => allowedLevels({ clarity: { fixed: 7 } })).message).toContain('constraints.clarity.fixed: must be a whole number from 1 to 5 (got 7)');
    expect(refusal(() => allowedLevels({ noise: { exclude: [1, 2, 3, 4, 5] } })).message).toContain('constraints.noise');
    expect(refusal(() => allowedLevels({ charm: { fixed: 1 } } as never)).message).toContain('constraints.charm: unknown trait');
  });
});

describe('coverage figures', () => {
  const all = allowedLevels();

  it('measures distances in levels and counts filled pair cells', () => {
    const twin = pointOf({ patience: 1, verbosity: 1, clarity: 1, cooperativeness: 1, techLiteracy: 1, emotion: 1, formality: 1, noise: 1, drift: 1, initiative: 1, proficiency: 1 });
    const far = twin.map(() => 5);
    const c = coverageOf([twin, [...twin], far], all);
    expect(c.minDistance).toBe(0);
    expect(c.meanNearestNeighbour).toBeCloseTo((0 + 0 + Math.sqrt(11 * 16)) / 3);
    // Two distinct points fill 2 of 25 cells in each of the 55 grids.
    expect(c.filledCells).toBe(110);
    expect(c.totalCells).toBe(1375);
    expect(c.pairCellShare).toBeCloseTo(110 / 1375);
  });

  it('the design is a permutation within columns: swaps never change the levels used', () => {
    const pts = designPoints(10, all, mulberry32(3));
    for (let k = 0; k < TRAIT_NAMES.length; k++) {
      const col = pts.map((p) => p[k]!).sort();
      expect(col).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }
  });

  it('random points stay within the allowed levels', () => {
    const allowed = allowedLevels({ emotion: { fixed: 4 } });
    const pts = randomPoints(50, allowed, mulberry32(1));
    expect(pts.every((p) => p[TRAIT_NAMES.indexOf('emotion')] === 4)).toBe(true);
  });
});

describe('principal components', () => {
  it('finds the direction of spread and projects other points on the same axes', () => {
    // Points spread along patience only: the first axis is patience, explaining everything.
    const base = TRAIT_NAMES.map(() => 3);
    const pts = [1, 2, 3, 4, 5].map((v) => base.map((x, k) => (k === 0 ? v : x)));
    const pca = principalComponents(pts);
    expect(pca.explained[0]).toBeCloseTo(1);
    expect(pca.coords.map((c) => Math.round(c[0]))).toEqual([-2, -1, 0, 1, 2]);
    expect(pca.project([base.map((x, k) => (k === 0 ? 5 : x))])[0]![0]).toBeCloseTo(2);
  });
});

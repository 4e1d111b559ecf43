import type { Persona, TraitName, TraitValues } from '../model/types.ts';
import { ValidationError, type ValidationIssue } from '../model/validation.ts';
import { deriveSeed, mulberry32, type Rng } from '../stats/rng.ts';
import { ROLES, TRAIT_LEVELS, TRAIT_MAX, TRAIT_MIN, TRAIT_NAMES, type AskerRole } from './traits.ts';

/*
 * Persona populations by space-filling design. Independent random draws clump: with a
 * handful of personas over eleven traits some corners get two similar users and others
 * none. Here each trait's levels are stratified as in a Latin hypercube (every allowed level
 * used about equally often), and rows are then swapped within columns to spread the
 * personas apart (maximin, through the Morris–Mitchell φ criterion) while filling as many
 * cells of every two-trait grid as possible. Everything is seeded: the same options give the
 * same population.
 */

/** A constraint on one trait: a fixed value, or a range with levels left out. */
export type TraitConstraint = { fixed: number } | { min?: number; max?: number; exclude?: number[] };

/** Constraints by trait; traits not named take every level 1–5. */
export type PopulationConstraints = Partial<Record<TraitName, TraitConstraint>>;

/** What to generate. */
export interface PopulationOptions {
  /** Number of personas, 2 to MAX_POPULATION. */
  size: number;
  /** Any whole number ≥ 0; the same seed gives the same population. */
  seed: number;
  constraints?: PopulationConstraints;
  /** Role ids (ROLES) to draw from; all of them when absent or empty. */
  roles?: string[];
  /** Ids are `<idPrefix>-01`, `<idPrefix>-02`, …; default `pop-<seed>`. */
  idPrefix?: string;
  /** Set id written on every persona. */
  setId?: string;
}

/** How well a population covers the trait space. Distances are in trait levels. */
export interface Coverage {
  size: number;
  /** Smallest Euclidean distance between two personas (0: two share every trait). */
  minDistance: number;
  /** Mean distance from each persona to its nearest neighbour. */
  meanNearestNeighbour: number;
  /** Filled cells over all two-trait grids (5 × 5 each when unconstrained), over the cells allowed. */
  pairCellShare: number;
  filledCells: number;
  totalCells: number;
}

export interface Population {
  personas: Persona[];
  /** The trait vectors, in TRAIT_NAMES order, one per persona. */
  points: number[][];
  /** The levels each trait could take under the constraints. */
  allowed: Record<TraitName, number[]>;
  coverage: Coverage;
}

export const MIN_POPULATION = 2;
export const MAX_POPULATION = 500;
/** Random populations averaged for the baseline figures. */
export const RANDOM_BASELINE_RUNS = 20;

/**
 * The levels each trait may take. Throws ValidationError naming `constraints.<trait>` for
 * a constraint out of range or one that leaves no level at all.
 */
export function allowedLevels(constraints: PopulationConstraints = {}): Record<TraitName, number[]> {
  const issues: ValidationIssue[] = [];
  const out = {} as Record<TraitName, number[]>;
  for (const key of Object.keys(constraints)) {
    if (!(TRAIT_NAMES as readonly string[]).includes(key)) issues.push({ path: `constraints.${key}`, message: `unknown trait "${key}"` });
  }
  const level = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= TRAIT_MIN && v <= TRAIT_MAX;
  for (const name of TRAIT_NAMES) {
    const c = constraints[name];
    const path = `constraints.${name}`;
    if (!c) {
      out[name] = [...TRAIT_LEVELS];
      continue;
    }
    if ('fixed' in c) {
      if (!level(c.fixed)) issues.push({ path: `${path}.fixed`, message: `must be a whole number from 1 to 5 (got ${JSON.stringify(c.fixed)})` });
      out[name] = [c.fixed];
      continue;
    }
    const min = c.min ?? TRAIT_MIN;
    const max = c.max ?? TRAIT_MAX;
    if (!level(min)) issues.push({ path: `${path}.min`, message: `must be a whole number from 1 to 5 (got ${JSON.stringify(c.min)})` });
    if (!level(max)) issues.push({ path: `${path}.max`, message: `must be a whole number from 1 to 5 (got ${JSON.stringify(c.max)})` });
    const excluded = new Set(c.exclude ?? []);
    out[name] = TRAIT_LEVELS.filter((v) => v >= min && v <= max && !excluded.has(v));
    if (out[name].length === 0 && level(min) && level(max)) {
      issues.push({ path, message: `leaves no level to choose (range ${min}–${max}${excluded.size ? `, excluding ${[...excluded].join(', ')}` : ''})` });
    }
  }
  if (issues.length) throw new ValidationError('population', issues);
  return out;
}

function checkOptions(opts: PopulationOptions): void {
  const issues: ValidationIssue[] = [];
  if (!Number.isInteger(opts.size) || opts.size < MIN_POPULATION || opts.size > MAX_POPULATION) {
    issues.push({ path: 'size', message: `must be a whole number from ${MIN_POPULATION} to ${MAX_POPULATION} (got ${JSON.stringify(opts.size)})` });
  }
  if (!Number.isInteger(opts.seed) || opts.seed < 0) issues.push({ path: 'seed', message: `must be a whole number, 0 or more (got ${JSON.stringify(opts.seed)})` });
  for (const r of opts.roles ?? []) {
    if (!ROLES.some((x) => x.id === r)) issues.push({ path: 'roles', message: `unknown role "${r}" (roles are: ${ROLES.map((x) => x.id).join(', ')})` });
  }
  if (issues.length) throw new ValidationError('population', issues);
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/* --------------------------------------------------------------- coverage */

const squaredDistance = (a: readonly number[], b: readonly number[]) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return s;
};

/** Coverage figures of trait vectors (TRAIT_NAMES order) under the allowed levels. */
export function coverageOf(points: readonly (readonly number[])[], allowed: Record<TraitName, number[]>): Coverage {
  const n = points.length;
  let minD2 = Infinity;
  const nearest = new Array<number>(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d2 = squaredDistance(points[i]!, points[j]!);
      if (d2 < minD2) minD2 = d2;
      if (d2 < nearest[i]!) nearest[i] = d2;
      if (d2 < nearest[j]!) nearest[j] = d2;
    }
  }
  let filled = 0;
  let total = 0;
  const d = TRAIT_NAMES.length;
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const cells = allowed[TRAIT_NAMES[a]!].length * allowed[TRAIT_NAMES[b]!].length;
      // A grid with one cell says nothing about spread.
      if (cells <= 1) continue;
      total += cells;
      filled += new Set(points.map((p) => p[a]! * 8 + p[b]!)).size;
    }
  }
  return {
    size: n,
    minDistance: n > 1 ? Math.sqrt(minD2) : 0,
    meanNearestNeighbour: n > 1 ? nearest.reduce((s, v) => s + Math.sqrt(v), 0) / n : 0,
    pairCellShare: total ? filled / total : 1,
    filledCells: filled,
    totalCells: total,
  };
}

/** Trait vectors drawn independently and uniformly from the allowed levels. */
export function randomPoints(size: number, allowed: Record<TraitName, number[]>, rng: Rng): number[][] {
  return Array.from({ length: size }, () => TRAIT_NAMES.map((t) => allowed[t][Math.floor(rng() * allowed[t].length)]!));
}

/**
 * The mean coverage of `runs` random populations of the same size and constraints: what
 * independent draws give, to set next to the design's figures.
 */
export function randomBaseline(opts: Pick<PopulationOptions, 'size' | 'seed' | 'constraints'>, runs = RANDOM_BASELINE_RUNS): Coverage {
  checkOptions({ size: opts.size, seed: opts.seed });
  const allowed = allowedLevels(opts.constraints);
  const all = Array.from({ length: runs }, (_, r) => coverageOf(randomPoints(opts.size, allowed, mulberry32(deriveSeed(opts.seed, 'random', r))), allowed));
  const mean = (f: (c: Coverage) => number) => all.reduce((s, c) => s + f(c), 0) / runs;
  return {
    size: opts.size,
    minDistance: mean((c) => c.minDistance),
    meanNearestNeighbour: mean((c) => c.meanNearestNeighbour),
    pairCellShare: mean((c) => c.pairCellShare),
    filledCells: mean((c) => c.filledCells),
    totalCells: all[0]!.totalCells,
  };
}

/* ----------------------------------------------------------------- design */

/** A Latin-hypercube column: each allowed level used about equally often, in random order. */
function lhsColumn(n: number, levels: readonly number[], rng: Rng): number[] {
  const m = levels.length;
  const col = Array.from({ length: n }, (_, i) => levels[Math.min(m - 1, Math.floor(((i + rng()) * m) / n))]!);
  return shuffle(col, rng);
}

/** Relative weight of a φ change against filled two-trait cells when accepting a swap. */
const CELL_WEIGHT = 40;

/** The φ term of one pair: large for close pairs (p = 10 on distances, as d²⁻⁵). */
const phiTerm = (d2: number) => {
  const q = d2 < 0.25 ? 0.25 : d2;
  const q2 = q * q;
  return 1 / (q2 * q2 * q);
};

/**
 * A maximin Latin hypercube over the allowed levels: several random starts, the best kept,
 * then improved by swapping two rows' values within one column whenever that spreads the
 * rows further apart (lower φ) and fills more two-trait cells, by a weighted sum of both.
 */
export function designPoints(size: number, allowed: Record<TraitName, number[]>, rng: Rng): number[][] {
  const d = TRAIT_NAMES.length;
  const n = size;
  const columns = TRAIT_NAMES.map((t) => allowed[t]);
  const free = columns.flatMap((levels, k) => (levels.length > 1 ? [k] : []));
  const start = () => {
    const cols = columns.map((levels) => lhsColumn(n, levels, rng));
    return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
  };
  const phi = (pts: number[][]) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += phiTerm(squaredDistance(pts[i]!, pts[j]!));
    return s;
  };
  let x = start();
  let best = phi(x);
  for (let s = 1; s < 8; s++) {
    const cand = start();
    const v = phi(cand);
    if (v < best) {
      x = cand;
      best = v;
    }
  }
  if (free.length === 0 || n < 2) return x;

  const d2 = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => squaredDistance(x[i]!, x[j]!)));
  // Counts of each cell of each two-trait grid (levels are 1–5, so 8 × 8 cells per grid).
  const counts = new Int32Array(d * d * 64);
  const key = (a: number, b: number, va: number, vb: number) => ((a * d + b) * 8 + va) * 8 + vb;
  for (const p of x) for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) counts[key(a, b, p[a]!, p[b]!)]!++;

  const moved1 = new Float64Array(n);
  const moved2 = new Float64Array(n);
  const iterations = Math.min(40_000, Math.max(3_000, 200 * n));
  let currentPhi = phi(x);
  for (let it = 0; it < iterations; it++) {
    const k = free[Math.floor(rng() * free.length)]!;
    const r1 = Math.floor(rng() * n);
    const r2 = Math.floor(rng() * n);
    const a = x[r1]![k]!;
    const b = x[r2]![k]!;
    if (r1 === r2 || a === b) continue;
    // In the grid of traits k and l, row r1 moves from cell (a, u) to (b, u) and row r2 from
    // (b, w) to (a, w). When u = w the two moves cancel; otherwise the four cells differ.
    let filledDelta = 0;
    for (let l = 0; l < d; l++) {
      const u = x[r1]![l]!;
      const w = x[r2]![l]!;
      if (l === k || u === w) continue;
      const cell = (vk: number, vl: number) => (l < k ? key(l, k, vl, vk) : key(k, l, vk, vl));
      if (counts[cell(a, u)] === 1) filledDelta--;
      if (counts[cell(b, w)] === 1) filledDelta--;
      if (counts[cell(b, u)] === 0) filledDelta++;
      if (counts[cell(a, w)] === 0) filledDelta++;
    }
    // φ change: only pairs involving r1 or r2 (but not the pair itself) move.
    let phiDelta = 0;
    const r1d = d2[r1]!;
    const r2d = d2[r2]!;
    for (let j = 0; j < n; j++) {
      if (j === r1 || j === r2) continue;
      const vj = x[j]![k]!;
      // (b − v)² − (a − v)² = (b − a)(a + b − 2v)
      const shift = (b - a) * (a + b - 2 * vj);
      const n1 = r1d[j]! + shift;
      const n2 = r2d[j]! - shift;
      moved1[j] = n1;
      moved2[j] = n2;
      phiDelta += phiTerm(n1) - phiTerm(r1d[j]!) + phiTerm(n2) - phiTerm(r2d[j]!);
    }
    // One more filled cell is worth a 0.25% lower φ: spread first, cells as a close second
    // (cells first gave smaller minimum distances; φ alone left more cells empty).
    if ((CELL_WEIGHT * phiDelta) / currentPhi - filledDelta / 10 >= 0) continue;
    currentPhi += phiDelta;
    for (let l = 0; l < d; l++) {
      const u = x[r1]![l]!;
      const w = x[r2]![l]!;
      if (l === k || u === w) continue;
      const cell = (vk: number, vl: number) => (l < k ? key(l, k, vl, vk) : key(k, l, vk, vl));
      counts[cell(a, u)]!--;
      counts[cell(b, w)]!--;
      counts[cell(b, u)]!++;
      counts[cell(a, w)]!++;
    }
    x[r1]![k] = b;
    x[r2]![k] = a;
    for (let j = 0; j < n; j++) {
      if (j === r1 || j === r2) continue;
      r1d[j] = d2[j]![r1] = moved1[j]!;
      r2d[j] = d2[j]![r2] = moved2[j]!;
    }
  }
  return x;
}

/* --------------------------------------------------------------- personas */

/** Words for a trait's low and high end, for generated names and summaries. */
const WORDS: Record<TraitName, [string, string]> = {
  patience: ['impatient', 'patient'],
  verbosity: ['terse', 'long-winded'],
  clarity: ['vague', 'precise'],
  cooperativeness: ['guarded', 'forthcoming'],
  techLiteracy: ['non-technical', 'tech-savvy'],
  emotion: ['calm', 'upset'],
  formality: ['casual', 'formal'],
  noise: ['careful', 'typo-prone'],
  drift: ['focused', 'rambling'],
  initiative: ['passive', 'pushy'],
  proficiency: ['language-learner', 'fluent'],
};

/** Backgrounds by role: generic lives, no task facts. */
const BACKGROUNDS: Record<string, string[]> = {
  novice: [
    'Recently started doing things online and is still unsure how most of it works.',
    'Usually asks a grandchild for help with anything digital, but is trying alone this time.',
    'Moved to the country a few months ago and is setting everything up for the first time.',
  ],
  regular: [
    'Has used this service for years and knows how it usually goes.',
    'Deals with this kind of request a few times a year and expects it to be routine.',
    'Has contacted support before and remembers how it went.',
  ],
  caregiver: [
    'Looks after two young children and is always short of time.',
    'Cares for an elderly parent and juggles their appointments with a job.',
    'A single parent fitting this in between school runs.',
  ],
  professional: [
    'Works long hours in an office and handles this during a short break.',
    'A nurse on shift work who writes between rounds.',
    'Works in finance and is used to exact answers and written confirmations.',
  ],
  student: [
    'A university student on a tight budget, writing from the library.',
    'Studies part-time and works evenings; money is tight.',
    'A first-year student living away from home for the first time.',
  ],
  'business-owner': [
    'Runs a small café and does the paperwork late in the evening.',
    'A self-employed plumber who sorts out paperwork from the van.',
    'Runs a two-person design studio and watches every expense.',
  ],
  skeptic: [
    'Was let down by a company last year and now double-checks everything.',
    'Reads the small print and expects companies to justify their rules.',
    'Distrusts automated systems and prefers to understand each step.',
  ],
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The traits furthest from the middle, most extreme first (ties in trait order). */
function standouts(t: TraitValues, max: number, fixed: ReadonlySet<TraitName>): string[] {
  return TRAIT_NAMES.map((name, i) => ({ name, i, dist: Math.abs(t[name] - 3) }))
    .filter((x) => x.dist >= 1 && !fixed.has(x.name))
    .sort((a, b) => b.dist - a.dist || a.i - b.i)
    .slice(0, max)
    .map((x) => WORDS[x.name][t[x.name] < 3 ? 0 : 1]);
}

/**
 * A generated persona's name and one-line summary from its traits and role. Traits every
 * member shares (`fixed`) would name them all alike, so they are left out.
 */
export function describeTraits(t: TraitValues, role: AskerRole, fixed: ReadonlySet<TraitName> = new Set()): { name: string; summary: string } {
  const words = standouts(t, 3, fixed);
  const name = words.length ? `${cap(words[0]!)} ${role.label}` : `Even-keeled ${role.label}`;
  const summary = words.length
    ? `${cap(words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words[0]!)} ${role.label}.`
    : `A ${role.label} in the middle of every trait.`;
  return { name, summary };
}

/** Trait vector (TRAIT_NAMES order) → TraitValues. */
export function traitsOf(point: readonly number[]): TraitValues {
  return Object.fromEntries(TRAIT_NAMES.map((n, k) => [n, point[k]!])) as TraitValues;
}

/** TraitValues → trait vector in TRAIT_NAMES order. */
export function pointOf(t: TraitValues): number[] {
  return TRAIT_NAMES.map((n) => t[n]);
}

/** A background for a role, chosen by the rng. */
export function backgroundFor(role: AskerRole, rng: Rng): string {
  const list = BACKGROUNDS[role.id] ?? BACKGROUNDS.regular!;
  return list[Math.floor(rng() * list.length)]!;
}

/**
 * A population of personas covering the trait space under the constraints. Roles are
 * balanced (each used about equally often, in seeded order) and backgrounds drawn per role.
 * Throws ValidationError for bad options or constraints.
 */
export function generatePopulation(opts: PopulationOptions): Population {
  checkOptions(opts);
  const allowed = allowedLevels(opts.constraints);
  const rng = mulberry32(deriveSeed(opts.seed, 'population'));
  const points = designPoints(opts.size, allowed, rng);
  const roleRng = mulberry32(deriveSeed(opts.seed, 'roles'));
  const pool = opts.roles?.length ? ROLES.filter((r) => opts.roles!.includes(r.id)) : [...ROLES];
  const roles: AskerRole[] = [];
  while (roles.length < opts.size) roles.push(...shuffle([...pool], roleRng));
  const prefix = opts.idPrefix ?? `pop-${opts.seed}`;
  const width = String(opts.size).length < 2 ? 2 : String(opts.size).length;
  const fixed = new Set(TRAIT_NAMES.filter((t) => allowed[t].length === 1));
  const personas = points.map((p, i): Persona => {
    const traits = traitsOf(p);
    const role = roles[i]!;
    const { name, summary } = describeTraits(traits, role, fixed);
    const num = String(i + 1).padStart(width, '0');
    return {
      id: `${prefix}-${num}`,
      name: `${name} #${num}`,
      ...(opts.setId ? { setId: opts.setId } : {}),
      summary,
      traits,
      role: role.id,
      background: backgroundFor(role, roleRng),
    };
  });
  return { personas, points, allowed, coverage: coverageOf(points, allowed) };
}

/* ------------------------------------------------------------- projection */

/** A 2-D projection of trait vectors onto their first two principal components. */
export interface Projection {
  coords: [number, number][];
  /** Share of the variance each axis explains. */
  explained: [number, number];
  /** Project further points (e.g. a random population) onto the same axes. */
  project(points: readonly (readonly number[])[]): [number, number][];
}

/** PCA by power iteration with deflation: small (11 × 11), deterministic, no library needed. */
export function principalComponents(points: readonly (readonly number[])[]): Projection {
  const d = TRAIT_NAMES.length;
  const n = Math.max(1, points.length);
  const mean = Array.from({ length: d }, (_, k) => points.reduce((s, p) => s + p[k]!, 0) / n);
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const p of points) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a]![b]! += ((p[a]! - mean[a]!) * (p[b]! - mean[b]!)) / n;
  const total = cov.reduce((s, row, i) => s + row[i]!, 0);
  const axes: number[][] = [];
  const values: number[] = [];
  const m = cov.map((r) => [...r]);
  for (let c = 0; c < 2; c++) {
    let v = Array.from({ length: d }, (_, k) => 1 + k * 0.01 * (c + 1));
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = m.map((row) => row.reduce((s, x, k) => s + x * v[k]!, 0));
      const norm = Math.hypot(...w);
      if (norm < 1e-12) break;
      v = w.map((x) => x / norm);
      lambda = norm;
    }
    // A stable sign: the largest component points up.
    const big = v.reduce((bi, x, k) => (Math.abs(x) > Math.abs(v[bi]!) ? k : bi), 0);
    if (v[big]! < 0) v = v.map((x) => -x);
    axes.push(v);
    values.push(lambda);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) m[a]![b]! -= lambda * v[a]! * v[b]!;
  }
  const project = (pts: readonly (readonly number[])[]) =>
    pts.map((p) => axes.map((ax) => ax.reduce((s, x, k) => s + x * (p[k]! - mean[k]!), 0)) as [number, number]);
  return {
    coords: project(points),
    explained: [total ? values[0]! / total : 0, total ? values[1]! / total : 0],
    project,
  };
}

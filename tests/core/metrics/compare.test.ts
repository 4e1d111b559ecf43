import { describe, expect, it } from 'vitest';
import * as core from '../../../src/core/index.ts';
import {
  compareAgents,
  pairKey,
  pairSessions,
  robustness,
  taskKey,
  type CompareAgentInput,
  type CompareSession,
} from '../../../src/core/metrics/compare.ts';
import { tauReport } from '../../../src/core/metrics/tau-report.ts';
import type { Outcome, TerminationReason } from '../../../src/core/model/types.ts';
import { noiseFloor, pairedDifference, planTrials } from '../../../src/core/stats/hierarchical.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { wilsonInterval } from '../../../src/core/stats/wilson.ts';
import { makePersona } from '../fixtures.ts';

let ids = 0;
const s = (
  entry: string,
  scenarioId: string,
  trial: number,
  outcome: Outcome,
  extra: { personaId?: string; termination?: TerminationReason } = {},
): CompareSession => ({
  id: `${entry}-${ids++}`,
  runId: 'run',
  agentEntry: entry,
  scenarioId,
  personaId: extra.personaId ?? 'p',
  trial,
  outcome,
  ...(extra.termination ? { termination: extra.termination } : {}),
});

describe('pairKey and taskKey', () => {
  it('tell sessions apart by scenario, persona and trial, and tasks by scenario and persona', () => {
    const x = s('a', 'sc', 0, 'pass');
    const elsewhere: CompareSession = { ...x, id: 'other', runId: 'r2' };
    expect(pairKey(x)).toBe(pairKey(elsewhere));
    expect(pairKey(x)).not.toBe(pairKey({ ...x, trial: 1 }));
    expect(pairKey(x)).not.toBe(pairKey({ ...x, personaId: 'q' }));
    const later: CompareSession = { ...x, trial: 3 };
    expect(taskKey(x)).toBe(taskKey(later));
    expect(taskKey(x)).not.toBe(taskKey({ ...x, scenarioId: 'sc2' }));
    // Ids with separators in them do not collide.
    expect(taskKey({ scenarioId: 'a|b', personaId: 'c' })).not.toBe(taskKey({ scenarioId: 'a', personaId: 'b|c' }));
  });
});

describe('pairSessions', () => {
  const a = [
    s('a', 's1', 0, 'pass'),
    s('a', 's1', 1, 'fail'),
    s('a', 's1', 0, 'pass', { personaId: 'q' }),
    s('a', 's2', 0, 'error', { termination: 'agent_error' }),
    s('a', 's2', 1, 'pass'), // B's trial 1 of s2 was stopped: unpaired
    s('a', 's3', 0, 'pass'), // B never ran s3
    s('a', 's1', 2, 'running'),
    s('a', 's1', 0, 'fail'), // the same key twice: a duplicate
  ];
  const b = [
    s('b', 's1', 1, 'pass'),
    s('b', 's1', 0, 'fail'),
    s('b', 's2', 0, 'fail'),
    s('b', 's2', 1, 'fail', { termination: 'aborted' }),
    s('b', 's4', 0, 'pass'), // A never ran s4
    s('b', 's1', 0, 'pass', { personaId: 'q' }),
  ];
  const r = pairSessions(a, b);

  it('pairs by scenario, persona and trial', () => {
    expect(r.pairs.map(([x, y]) => [x.id, y.id])).toEqual([
      [a[0]!.id, b[1]!.id],
      [a[1]!.id, b[0]!.id],
      [a[2]!.id, b[5]!.id],
      [a[3]!.id, b[2]!.id],
    ]);
    for (const [x, y] of r.pairs) expect(pairKey(x)).toBe(pairKey(y));
  });

  it('reports unpaired sessions, duplicates and left-out sessions rather than dropping them', () => {
    expect(r.onlyA.map((x) => x.id)).toEqual([a[4]!.id, a[5]!.id]);
    expect(r.onlyB.map((x) => x.id)).toEqual([b[4]!.id]);
    expect(r.duplicatesA.map((x) => x.id)).toEqual([a[7]!.id]);
    expect(r.duplicatesB).toEqual([]);
    expect(r.excludedA).toEqual({ running: 1, aborted: 0 });
    expect(r.excludedB).toEqual({ running: 0, aborted: 1 });
    // Every session is accounted for.
    const accountedA = r.pairs.length + r.onlyA.length + r.duplicatesA.length + r.excludedA.running + r.excludedA.aborted;
    const accountedB = r.pairs.length + r.onlyB.length + r.duplicatesB.length + r.excludedB.running + r.excludedB.aborted;
    expect(accountedA).toBe(a.length);
    expect(accountedB).toBe(b.length);
  });

  it('keeps infrastructure errors in the pairing, as failures, and counts them', () => {
    expect(r.errorsA).toBe(1);
    expect(r.errorsB).toBe(0);
  });
});

/** Agents on `tasks` tasks × `trials` trials with per-task success probabilities. */
function synthetic(tasks: number, trials: number, seed: number): { A: CompareAgentInput; B: CompareAgentInput; C: CompareAgentInput } {
  const rng = mulberry32(seed);
  const make = (entry: string, p: (t: number) => number): CompareAgentInput => ({
    ref: { runId: 'run', entry },
    label: `Agent ${entry}`,
    sessions: Array.from({ length: tasks * trials }, (_, i) => {
      const t = Math.floor(i / trials);
      return s(entry, `s${t}`, i % trials, rng() < p(t) ? 'pass' : 'fail', { personaId: t % 2 ? 'p' : 'q' });
    }),
  });
  const base = Array.from({ length: tasks }, () => rng());
  return {
    A: make('a', (t) => base[t]!),
    B: make('b', (t) => Math.min(1, base[t]! + 0.2)),
    C: make('c', (t) => base[t]!),
  };
}

describe('compareAgents', () => {
  const { A, B, C } = synthetic(30, 4, 5);
  const r = compareAgents([A, B, C], { seed: 9, iterations: 800 });

  it('gives each agent its success with a cluster-bootstrap interval and the τ-report', () => {
    expect(r.agents.map((x) => x.label)).toEqual(['Agent a', 'Agent b', 'Agent c']);
    const groups = new Map<string, number[]>();
    for (const x of A.sessions) {
      const g = groups.get(taskKey(x)) ?? [];
      g.push(x.outcome === 'pass' ? 1 : 0);
      groups.set(taskKey(x), g);
    }
    const expected = core.hierarchicalBootstrap([...groups.values()], { rng: mulberry32(9), iterations: 800 });
    expect(r.agents[0]!.success).toEqual({ ...expected, tasks: 30, sessions: 120 });
    const { perTask, ...report } = tauReport(A.sessions, { seed: 9, iterations: 800 });
    expect(perTask).toHaveLength(30);
    expect(r.agents[0]!.report).toEqual(report);
    expect(r.agents[0]!.report.rows).toHaveLength(4);
  });

  it('compares every pair, or the first against each other', () => {
    expect(r.pairs.map((p) => [p.a, p.b])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const first = compareAgents([A, B, C], { seed: 9, iterations: 200, pairs: 'first' });
    expect(first.pairs.map((p) => [p.a, p.b])).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('gives the paired difference, pass^k for k = 1 … min trials, the noise floor and the plan from the paired trials', () => {
    const ab = r.pairs[0]!;
    expect(ab.tasks).toBe(30);
    expect(ab.maxK).toBe(4);
    const byTask = (x: CompareAgentInput) => {
      const m = new Map<string, number[]>();
      for (const y of x.sessions) m.set(taskKey(y), [...(m.get(taskKey(y)) ?? []), y.outcome === 'pass' ? 1 : 0]);
      return m;
    };
    const ma = byTask(A);
    const mb = byTask(B);
    const pd = pairedDifference(ma, mb, { rng: mulberry32(9), iterations: 800 });
    expect(ab.success!.estimate).toBeCloseTo(pd.estimate, 12);
    expect(ab.success!.lower).toBeCloseTo(pd.lower, 12);
    expect(ab.success!.upper).toBeCloseTo(pd.upper, 12);
    expect(ab.passHat.map((row) => row.k)).toEqual([1, 2, 3, 4]);
    const k3 = pairedDifference(ma, mb, { rng: mulberry32(9), iterations: 800, k: 3 });
    expect(ab.passHat[2]!.estimate).toBeCloseTo(k3.estimate, 12);
    expect(ab.passHat[2]!.lower).toBeCloseTo(k3.lower, 12);
    expect(ab.passHat[2]!.upper).toBeCloseTo(k3.upper, 12);
    const floor = noiseFloor(ma, { other: mb });
    expect(ab.noiseFloor!.floor).toBeCloseTo(floor.floor, 12);
    expect(ab.distinguishable).toBe(Math.abs(ab.success!.estimate) > floor.floor);
    expect(ab.excludesZero).toBe(ab.success!.lower > 0 || ab.success!.upper < 0);
    expect(ab.planning).toEqual(planTrials(ma, mb, { halfWidth: 0.05 }));
    // B is 0.2 better on most tasks: beyond the noise.
    expect(ab.success!.estimate).toBeGreaterThan(0.1);
    expect(ab.distinguishable).toBe(true);
  });

  it('counts wins, losses and ties from B’s side and lists the deciding tasks first', () => {
    const ab = r.pairs[0]!;
    expect(ab.wins + ab.losses + ab.ties).toBe(30);
    expect(ab.perTask).toHaveLength(30);
    for (const t of ab.perTask) {
      expect(t.difference).toBeCloseTo(t.rateB - t.rateA, 12);
      expect(t.result).toBe(t.difference > 0 ? 'win' : t.difference < 0 ? 'loss' : 'tie');
      expect(t.sessions.map((x) => x.trial)).toEqual([0, 1, 2, 3]);
    }
    expect(ab.wins).toBe(ab.perTask.filter((t) => t.rateB > t.rateA).length);
    expect(ab.losses).toBe(ab.perTask.filter((t) => t.rateB < t.rateA).length);
    const sizes = ab.perTask.map((t) => Math.abs(t.difference));
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    expect(ab.success!.estimate).toBeCloseTo(ab.perTask.reduce((x, t) => x + t.difference, 0) / 30, 12);
  });

  it('is deterministic for a seed', () => {
    expect(compareAgents([A, B, C], { seed: 9, iterations: 800 })).toEqual(r);
  });

  it('leaves unpaired sessions out of the difference and reports them', () => {
    const bShort = { ...B, sessions: B.sessions.filter((x) => !(x.scenarioId === 's0' || (x.scenarioId === 's1' && x.trial === 3))) };
    const extra = s('b', 'new', 0, 'pass');
    bShort.sessions.push(extra);
    const p = compareAgents([A, bShort], { seed: 1, iterations: 100 }).pairs[0]!;
    expect(p.tasks).toBe(29);
    expect(p.maxK).toBe(3); // s1 has three pairs left
    expect(p.pairing.onlyA).toHaveLength(5);
    expect(p.pairing.onlyB.map((x) => x.id)).toEqual([extra.id]);
    expect(p.success!.onlyA).toEqual([taskKey({ scenarioId: 's0', personaId: 'q' })]);
    expect(p.success!.onlyB).toEqual([taskKey(extra)]);
    expect(p.pairing.pairs).toBe(A.sessions.length - 5);
  });

  it('says so when nothing pairs up', () => {
    const other = { ...B, sessions: B.sessions.map((x) => ({ ...x, scenarioId: `x-${x.scenarioId}` })) };
    const p = compareAgents([A, other], { seed: 1, iterations: 100 }).pairs[0]!;
    expect(p).toMatchObject({ tasks: 0, success: null, noiseFloor: null, planning: null, distinguishable: false, passHat: [] });
    expect(p.pairing.onlyA).toHaveLength(A.sessions.length);
  });

  it('caps the pass^k rows at options.k', () => {
    expect(compareAgents([A, B], { seed: 1, iterations: 100, k: 2 }).pairs[0]!.passHat.map((x) => x.k)).toEqual([1, 2]);
  });
});

describe('robustness', () => {
  const personas = [
    makePersona('baseline'),
    makePersona('impatient', { patience: 1, cooperativeness: 4 }),
    makePersona('reluctant', { cooperativeness: 1 }),
  ];
  /** Scenario i, persona → outcomes; baseline passes everything, impatient half, reluctant none. */
  const sessions: CompareSession[] = [];
  const rates: Record<string, number> = { baseline: 1, impatient: 0.5, reluctant: 0 };
  for (const personaId of Object.keys(rates)) {
    for (let sc = 0; sc < 6; sc++) {
      for (let t = 0; t < 2; t++) {
        const pass = personaId === 'impatient' ? t === 0 : rates[personaId] === 1;
        sessions.push(s('a', `s${sc}`, t, pass ? 'pass' : 'fail', { personaId }));
      }
    }
  }
  sessions.push(s('a', 's0', 2, 'running', { personaId: 'baseline' }));
  sessions.push(s('a', 's0', 0, 'pass', { personaId: 'stranger' }));
  const r = robustness(sessions, personas, { seed: 3, iterations: 500 });

  it('gives success by persona with the drop against the baseline', () => {
    expect(r.baseline).toEqual({ personaId: 'baseline', rule: 'id' });
    expect(r.byPersona.map((p) => p.personaId)).toEqual(['baseline', 'impatient', 'reluctant', 'stranger']);
    const [base, impatient, reluctant, stranger] = r.byPersona;
    expect(base).toMatchObject({ estimate: 1, lower: 1, upper: 1, method: 'cluster', sessions: 12, scenarios: 6, drop: null });
    expect(impatient!.estimate).toBe(0.5);
    // Every scenario is 1/2: the cluster bootstrap over scenarios has nothing to vary.
    expect(impatient).toMatchObject({ lower: 0.5, upper: 0.5, method: 'cluster' });
    expect(impatient!.drop).toMatchObject({ estimate: 0.5, method: 'cluster', scenarios: 6 });
    expect(reluctant!.drop).toMatchObject({ estimate: 1, lower: 1, upper: 1 });
    // An unknown persona is shown, with Wilson over its one session, and named as unknown.
    expect(stranger).toMatchObject({ name: 'stranger', method: 'wilson', sessions: 1 });
    expect(stranger!.drop).toMatchObject({ method: 'newcombe', scenarios: 1, estimate: 0 });
    expect(r.unknownPersonas).toEqual(['stranger']);
    expect(r.excluded).toEqual({ running: 1, aborted: 0 });
  });

  it('splits every trait the personas vary into low (≤ 2) and high (≥ 4)', () => {
    expect(r.byTrait.map((t) => t.trait).sort()).toEqual(['cooperativeness', 'patience']);
    const coop = r.byTrait.find((t) => t.trait === 'cooperativeness')!;
    expect(coop.lowPersonas).toEqual(['reluctant']);
    expect(coop.highPersonas).toEqual(['baseline', 'impatient']);
    expect(coop.low!.estimate).toBe(0);
    expect(coop.high!.estimate).toBe(0.75);
    expect(coop.difference).toMatchObject({ estimate: 0.75, method: 'cluster', scenarios: 6 });
    const patience = r.byTrait.find((t) => t.trait === 'patience')!;
    expect(patience.lowPersonas).toEqual(['impatient']);
    expect(patience.difference!.estimate).toBeCloseTo(0.5 - 0.5, 12); // high: baseline 1 and reluctant 0
  });

  it('picks the most cooperative persona as the baseline when none is called baseline', () => {
    const renamed = sessions.filter((x) => x.personaId !== 'baseline');
    const r2 = robustness(renamed, personas, { seed: 3, iterations: 100 });
    expect(r2.baseline).toEqual({ personaId: 'impatient', rule: 'cooperativeness' });
    expect(r2.byPersona.find((p) => p.personaId === 'reluctant')!.drop!.estimate).toBe(0.5);
  });

  it('uses Wilson with one trial per scenario, and Newcombe for a difference on one scenario', () => {
    const one = sessions.filter((x) => x.trial === 0 && x.personaId !== 'stranger');
    const r3 = robustness(one, personas, { seed: 3, iterations: 100 });
    const imp = r3.byPersona.find((p) => p.personaId === 'impatient')!;
    const w = wilsonInterval(6, 6);
    expect(imp).toMatchObject({ method: 'wilson', estimate: 1, lower: w.lower, upper: w.upper });
    const single = robustness(sessions.filter((x) => x.scenarioId === 's0' && x.personaId !== 'stranger'), personas, { seed: 3 });
    const rel = single.byPersona.find((p) => p.personaId === 'reluctant')!;
    expect(rel.method).toBe('wilson');
    expect(rel.drop!.method).toBe('newcombe');
    expect(rel.drop!.estimate).toBe(1);
    expect(rel.drop!.lower).toBeGreaterThan(0);
    expect(rel.drop!.upper).toBeLessThanOrEqual(1);
  });
});

import { describe, expect, it } from 'vitest';
import {
  buildLeaderboard,
  describeSampling,
  entryFromSessionId,
  filterLeaderboard,
  leaderboardFacets,
  seatSummary,
  type LeaderboardPack,
  type LeaderboardRunInput,
  type LeaderboardSession,
} from '../../../src/core/metrics/leaderboard.ts';
import { tauReport } from '../../../src/core/metrics/tau-report.ts';
import type { AgentEntry, Outcome, Run, SeatConfig } from '../../../src/core/model/types.ts';

const PACK: LeaderboardPack = {
  id: 'shop',
  scenarioIds: ['t1', 't2', 't3'],
  current: { t1: ['h1'], t2: ['h2', 'h2-legacy'], t3: ['h3'] },
};

const USER: SeatConfig = { kind: 'agenda', label: 'Agenda-based simulator', version: 'agenda-1.3', settings: {} };
const seat = (kind: string, settings: SeatConfig['settings'] = {}, version = `${kind}-1`): SeatConfig => ({ kind, label: `${kind} agent`, version, settings });
const LLM = seat('llm', { model: 'Qwen3-0.6B-q4f16_1-MLC', label: 'Qwen3 0.6B', sampling: { max_tokens: 512, temperature: 0.7, top_p: 0.9 } }, 'llm-agent-3');

let clock = 1000;
function run(
  id: string,
  patch: Partial<Run['spec']> = {},
  extra: Partial<Pick<Run, 'status' | 'createdAt'>> = {},
): LeaderboardRunInput['run'] {
  return {
    id,
    createdAt: extra.createdAt ?? (clock += 1000),
    status: extra.status ?? 'completed',
    personaNames: { p: 'Baseline', q: 'Impatient' },
    spec: {
      name: `Run ${id}`,
      scenarioIds: ['t1', 't2', 't3'],
      personaIds: ['p'],
      user: USER,
      agent: seat('bookshop'),
      trials: 2,
      seed: 2027,
      maxTurns: 30,
      maxErrors: 3,
      ...patch,
    },
  };
}

/** Sessions over tasks from a compact table: scenario → outcomes of its trials (persona p). */
function sessions(runId: string, table: Record<string, Outcome[]>, opts: { persona?: string; entry?: string } = {}): LeaderboardSession[] {
  const persona = opts.persona ?? 'p';
  return Object.entries(table).flatMap(([scenarioId, outcomes]) =>
    outcomes.map((outcome, trial) => ({
      id: [runId, ...(opts.entry ? [opts.entry] : []), scenarioId, persona, trial].join(':'),
      scenarioId,
      personaId: persona,
      outcome,
    })),
  );
}

const HASHES = { t1: 'h1', t2: 'h2', t3: 'h3' };
const input = (r: LeaderboardRunInput['run'], s: LeaderboardSession[], patch: Partial<LeaderboardRunInput> = {}): LeaderboardRunInput => ({
  run: r,
  sessions: s,
  scenarioHashes: HASHES,
  personaHashes: { p: 'pp', q: 'qq' },
  ...patch,
});

describe('buildLeaderboard', () => {
  it('ranks runs on the same task set by pass^1, with the run report’s interval', () => {
    const a = input(run('a'), sessions('a', { t1: ['pass', 'pass'], t2: ['pass', 'fail'], t3: ['fail', 'fail'] }));
    const b = input(run('b', { agent: LLM }), sessions('b', { t1: ['pass', 'pass'], t2: ['pass', 'pass'], t3: ['fail', 'pass'] }));
    const board = buildLeaderboard(PACK, [a, b]);
    expect(board.groups).toHaveLength(1);
    const g = board.groups[0]!;
    expect(g).toMatchObject({ scenarioIds: ['t1', 't2', 't3'], personaIds: ['p'], tasks: 3, current: true, complete: true, olderScenarios: [], unknownScenarios: [] });
    expect(g.rows.map((r) => [r.key, r.rank])).toEqual([['b', 1], ['a', 2]]);
    expect(g.rows[0]!.pass1.value).toBeCloseTo(5 / 6, 12);
    expect(g.rows[1]).toMatchObject({ sessions: 6, passed: 3, tasks: 3, scenarios: 3, personas: 1, trials: 2 });
    // The same figures as the run page's pass^1 row (same sessions, same seed).
    for (const [inp, row] of [[b, g.rows[0]!], [a, g.rows[1]!]] as const) {
      const report = tauReport(inp.sessions, { seed: 2027 }).rows[0]!.passHat;
      // Equal but for the order of a sum's rounding.
      for (const k of ['value', 'lower', 'upper'] as const) expect(row.pass1[k]).toBeCloseTo(report[k], 12);
    }
    expect(g.rows[0]!.agent).toEqual({
      kind: 'llm',
      label: 'llm agent',
      version: 'llm-agent-3',
      model: 'Qwen3 0.6B',
      sampling: 'temperature 0.7 · top_p 0.9 · max_tokens 512',
    });
    expect(g.rows[1]!.agent).toEqual({ kind: 'bookshop', label: 'bookshop agent', version: 'bookshop-1' });
    expect(g.rows[1]!.user).toEqual({ kind: 'agenda', label: 'Agenda-based simulator', version: 'agenda-1.3' });
  });

  it('never ranks runs on different task sets together, and says how each set differs from the pack', () => {
    const full = input(run('full'), sessions('full', { t1: ['pass'], t2: ['pass'], t3: ['fail'] }));
    // Only two of the pack's tasks.
    const part = input(run('part', { scenarioIds: ['t1', 't2'] }), sessions('part', { t1: ['pass'], t2: ['pass'] }));
    // The same tasks, but t3 ran an older definition.
    const old = input(run('old'), sessions('old', { t1: ['fail'], t2: ['fail'], t3: ['fail'] }), { scenarioHashes: { ...HASHES, t3: 'h3-old' } });
    // Sessions stored before the legacy fix hashed t2 differently: still current.
    const legacy = input(run('legacy'), sessions('legacy', { t1: ['pass'], t2: ['fail'], t3: ['fail'] }), { scenarioHashes: { ...HASHES, t2: 'h2-legacy' } });
    // No version recorded for t1.
    const unknown = input(run('unknown'), sessions('unknown', { t1: ['pass'], t2: ['pass'], t3: ['pass'] }), { scenarioHashes: { t2: 'h2', t3: 'h3' } });
    // Another persona: other tasks.
    const persona = input(run('persona', { personaIds: ['q'] }), sessions('persona', { t1: ['pass'], t2: ['pass'], t3: ['pass'] }, { persona: 'q' }));
    const board = buildLeaderboard(PACK, [full, part, old, legacy, unknown, persona]);
    const groupOf = (key: string) => board.groups.find((g) => g.rows.some((r) => r.key === key))!;
    expect(groupOf('full')).toBe(groupOf('legacy'));
    expect(groupOf('full').rows.map((r) => r.key)).toEqual(['full', 'legacy']);
    expect(groupOf('full').current).toBe(true);
    // The current, complete set comes first.
    expect(board.groups[0]).toBe(groupOf('full'));
    expect(new Set(['part', 'old', 'unknown', 'persona'].map((k) => groupOf(k).key)).size).toBe(4);
    expect(groupOf('part')).toMatchObject({ complete: false, current: false, scenarioIds: ['t1', 't2'] });
    expect(groupOf('old')).toMatchObject({ complete: true, current: false, olderScenarios: ['t3'] });
    expect(groupOf('unknown')).toMatchObject({ current: false, unknownScenarios: ['t1'] });
    expect(groupOf('persona')).toMatchObject({ current: true, personaIds: ['q'], personaNames: { q: 'Impatient' } });
    expect(groupOf('persona').key).not.toBe(groupOf('full').key);
    // Every row is ranked only within its group.
    for (const g of board.groups) expect(g.rows[0]!.rank).toBe(1);
    expect(board.rows).toBe(6);
  });

  it('counts only finished sessions of the pack’s scenarios, leaving out stopped ones and other packs', () => {
    const r = run('mixed', { scenarioIds: ['t1', 't2', 't3', 'elsewhere'] });
    const s = [
      ...sessions('mixed', { t1: ['pass', 'fail'], t2: ['pass', 'running'], t3: ['error', 'fail'], elsewhere: ['pass', 'pass'] }),
      { id: 'mixed:t3:p:2', scenarioId: 't3', personaId: 'p', outcome: 'error' as const, aborted: true },
    ];
    const row = buildLeaderboard(PACK, [input(r, s)]).groups[0]!.rows[0]!;
    expect(row).toMatchObject({ sessions: 5, passed: 2, tasks: 3, otherPackScenarios: 1 });
    // t1 1/2, t2 1/1, t3 0/2 (the error counts as a failure).
    expect(row.pass1.value).toBeCloseTo(0.5, 12);
  });

  it('skips runs with no scenario in the pack and lists runs with nothing counted yet as unranked', () => {
    const elsewhere = input(run('elsewhere', { scenarioIds: ['x'] }), sessions('elsewhere', { x: ['pass'] }));
    const starting = input(run('starting', {}, { status: 'running' }), sessions('starting', { t1: ['running'] }));
    const board = buildLeaderboard(PACK, [elsewhere, starting]);
    expect(board.groups).toEqual([]);
    expect(board.unranked).toEqual([{ key: 'starting', runId: 'starting', runName: 'Run starting', agentLabel: 'bookshop agent', status: 'running' }]);
  });

  it('gives each agent entry of a run of several its own row, its sessions found by entry or by id', () => {
    const agents: AgentEntry[] = [
      { id: 'a1', label: 'Bookshop agent', seat: seat('bookshop') },
      { id: 'a1x', label: 'Generic rule-based agent', seat: seat('frame') },
    ];
    const r = run('multi', { agents, agent: agents[0]!.seat });
    const s = [
      // Index keys carry no entry: read from the id ("a1" must not claim "a1x"'s sessions).
      ...sessions('multi', { t1: ['pass', 'pass'], t2: ['pass', 'pass'], t3: ['pass', 'pass'] }, { entry: 'a1' }),
      ...sessions('multi', { t1: ['fail', 'pass'], t2: ['fail', 'fail'], t3: ['fail', 'fail'] }, { entry: 'a1x' }),
      // A session that says its entry, under an id of another form (a hand-made bundle).
      { id: 'odd-id', scenarioId: 't1', personaId: 'p', outcome: 'fail' as const, agentEntry: 'a1' },
    ];
    const g = buildLeaderboard(PACK, [input(r, s)]).groups[0]!;
    expect(g.rows.map((x) => [x.key, x.entryId, x.agent.label, x.sessions, x.passed, x.rank])).toEqual([
      ['multi:a1', 'a1', 'Bookshop agent', 7, 6, 1],
      ['multi:a1x', 'a1x', 'Generic rule-based agent', 6, 1, 2],
    ]);
    expect(g.rows[1]!.agent.kind).toBe('frame');
  });

  it('floats pinned rows to the top of their group, keeping their rank, and their group first', () => {
    const a = input(run('a'), sessions('a', { t1: ['pass'], t2: ['pass'], t3: ['pass'] }));
    const b = input(run('b'), sessions('b', { t1: ['pass'], t2: ['fail'], t3: ['fail'] }));
    const c = input(run('c'), sessions('c', { t1: ['pass'], t2: ['fail'], t3: ['fail'] }));
    const part = input(run('part', { scenarioIds: ['t1'] }), sessions('part', { t1: ['fail'] }));
    const plain = buildLeaderboard(PACK, [a, b, c, part]);
    // b and c tie (1/3): they share rank 2, the newer listed first.
    expect(plain.groups[0]!.rows.map((r) => [r.key, r.rank, r.pinned])).toEqual([['a', 1, false], ['c', 2, false], ['b', 2, false]]);
    const pinned = buildLeaderboard(PACK, [a, b, c, part], { pins: ['b', 'part'] });
    expect(pinned.groups.map((g) => g.rows.some((r) => r.pinned))).toEqual([true, true]);
    const full = pinned.groups.find((g) => g.complete)!;
    expect(full.rows.map((r) => [r.key, r.rank, r.pinned])).toEqual([['b', 2, true], ['a', 1, false], ['c', 2, false]]);
    // With a pin only in the partial set, that set comes first.
    expect(buildLeaderboard(PACK, [a, b, c, part], { pins: ['part'] }).groups[0]!.complete).toBe(false);
  });

  it('marks rows whose sessions were re-graded', () => {
    const a = input(run('a'), sessions('a', { t1: ['pass'], t2: ['pass'], t3: ['pass'] }), { regraded: ['t2'] });
    expect(buildLeaderboard(PACK, [a]).groups[0]!.rows[0]!.regraded).toBe(true);
  });

  it('is deterministic', () => {
    const a = input(run('a'), sessions('a', { t1: ['pass', 'fail'], t2: ['pass', 'fail'], t3: ['fail', 'pass'] }));
    expect(buildLeaderboard(PACK, [a])).toEqual(buildLeaderboard(PACK, [a]));
  });
});

describe('filtering', () => {
  const board = buildLeaderboard(PACK, [
    input(run('rules', { name: 'Rule-based baseline' }), sessions('rules', { t1: ['pass'], t2: ['pass'], t3: ['pass'] })),
    input(run('llm', { name: 'Qwen evening', agent: LLM }), sessions('llm', { t1: ['pass'], t2: ['fail'], t3: ['fail'] })),
    input(run('llm2', { name: 'Other model', agent: seat('llm', { model: 'Llama-3.2-1B' }) }), sessions('llm2', { t1: ['fail'], t2: ['fail'], t3: ['fail'] })),
  ]);

  it('offers the agent kinds and models present', () => {
    expect(leaderboardFacets(board)).toEqual({ kinds: ['bookshop', 'llm'], models: ['Llama-3.2-1B', 'Qwen3 0.6B'] });
  });

  it('narrows by kind, model and words, keeping each row’s rank among all', () => {
    const byKind = filterLeaderboard(board, { kind: 'llm' });
    expect(byKind.groups[0]!.rows.map((r) => [r.key, r.rank])).toEqual([['llm', 2], ['llm2', 3]]);
    expect(byKind.rows).toBe(2);
    expect(filterLeaderboard(board, { model: 'Llama-3.2-1B' }).groups[0]!.rows.map((r) => r.key)).toEqual(['llm2']);
    expect(filterLeaderboard(board, { text: 'qwen TEMPERATURE' }).groups[0]!.rows.map((r) => r.key)).toEqual(['llm']);
    expect(filterLeaderboard(board, { text: 'baseline' }).groups[0]!.rows.map((r) => r.key)).toEqual(['rules']);
    expect(filterLeaderboard(board, { text: 'nothing like this' }).groups).toEqual([]);
    expect(filterLeaderboard(board, {})).toEqual(board);
  });
});

describe('helpers', () => {
  it('reads the entry of a session from its id', () => {
    expect(entryFromSessionId('r:a1:t1:p:0', 'r', ['a1', 'a2'], 't1', 'p')).toBe('a1');
    expect(entryFromSessionId('r:a1:x:t1:p:0', 'r', ['a1', 'a1:x'], 't1', 'p')).toBe('a1:x');
    expect(entryFromSessionId('r:t1:p:0', 'r', ['a1'], 't1', 'p')).toBeUndefined();
  });

  it('describes a seat’s model and sampling', () => {
    expect(describeSampling({ top_p: 1, temperature: 0, seed_mode: 'fixed', max_tokens: 256 })).toBe('temperature 0 · top_p 1 · max_tokens 256 · seed_mode fixed');
    expect(describeSampling(undefined)).toBeUndefined();
    expect(describeSampling({})).toBeUndefined();
    expect(seatSummary(seat('llm', { model: 'gguf:abc' }))).toMatchObject({ model: 'gguf:abc' });
    expect(seatSummary(seat('llm', { model: 'gguf:abc', label: 'stories260K.gguf' }), 'Entry label')).toMatchObject({ model: 'stories260K.gguf', label: 'Entry label' });
  });
});

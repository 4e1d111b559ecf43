import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome, Session } from '../../src/core/model/types.ts';
import { INTERRUPTED_ERROR, Storage, compareSessions, splitSession } from '../../src/storage/repo.ts';
import {
  dropTestStorage,
  makePersona,
  makeRun,
  makeScenario,
  makeSession,
  makeTurn,
  openTestStorage,
  seedGridRun,
} from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

describe('runs', () => {
  it('creates, updates, gets and lists runs newest first', async () => {
    await storage.createRun(makeRun('old', { createdAt: 1 }));
    await storage.createRun(makeRun('new', { createdAt: 3 }));
    await storage.createRun(makeRun('mid', { createdAt: 2 }));
    await expect(storage.createRun(makeRun('mid'))).rejects.toThrow();

    expect((await storage.listRuns()).map((r) => r.id)).toEqual(['new', 'mid', 'old']);
    expect(await storage.updateRun('mid', { status: 'completed', finishedAt: 9, doneSessions: 8 })).toBe(true);
    expect(await storage.getRun('mid')).toMatchObject({ status: 'completed', finishedAt: 9, doneSessions: 8 });
    expect(await storage.updateRun('nope', { status: 'completed' })).toBe(false);
    expect(await storage.getRun('nope')).toBeUndefined();
  });

  it('deleteRun removes the run, its sessions and their turns, and nothing else', async () => {
    const a = await seedGridRun(storage, 'A', 3);
    const b = await seedGridRun(storage, 'B', 3);

    expect(await storage.deleteRun('A')).toBe(true);

    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.countSessions('A')).toBe(0);
    for (const s of a.sessions) {
      expect(await storage.getSession(s.id)).toBeUndefined();
      expect(await storage.listTurns(s.id)).toEqual([]);
    }
    expect(await storage.getRun('B')).toEqual(b.run);
    expect(await storage.countSessions('B')).toBe(8);
    for (const s of b.sessions) expect(await storage.listTurns(s.id)).toHaveLength(3);
    expect(await storage.db.turns.count()).toBe(8 * 3);
    expect(await storage.deleteRun('A')).toBe(false);
  });

  it('deleteRun is all or nothing', async () => {
    const a = await seedGridRun(storage, 'A', 2);
    // Fail the last step (turns are deleted before sessions): nothing may be gone.
    storage.db.sessions.hook('deleting', () => {
      throw new Error('disk on fire');
    });
    await expect(storage.deleteRun('A')).rejects.toThrow('disk on fire');
    expect(await storage.getRun('A')).toBeDefined();
    expect(await storage.countSessions('A')).toBe(8);
    for (const s of a.sessions) expect(await storage.listTurns(s.id)).toHaveLength(2);
  });
});

describe('turns', () => {
  it('writes a session turn by turn and reads the turns back in order', async () => {
    const run = makeRun('r');
    await storage.createRun(run);
    const session = makeSession('r', 's1', 'p1', 0);
    await storage.putSession(session);

    for (let i = 0; i < 12; i++) {
      await storage.appendTurn(makeTurn(session.id, i));
      // Readable right after each write: a closed tab loses at most the turn in flight.
      const sofar = await storage.listTurns(session.id);
      expect(sofar.map((t) => t.index)).toEqual([...Array(i + 1).keys()]);
    }
    const turns = await storage.listTurns(session.id);
    // Numeric order (10 after 9), with every field intact.
    expect(turns.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(turns[3]).toEqual(makeTurn(session.id, 3));

    // Another session's turns never leak in, even with a prefix-sharing id.
    await storage.appendTurn(makeTurn(`${session.id}x`, 0));
    expect(await storage.listTurns(session.id)).toHaveLength(12);

    // Re-writing a turn replaces it.
    await storage.appendTurn(makeTurn(session.id, 5, { content: 'edited' }));
    expect((await storage.listTurns(session.id))[5]?.content).toBe('edited');
  });
});

describe('markInterruptedRuns', () => {
  it('marks a run left running by a closed tab, keeping the turns already written', async () => {
    const name = `closed-tab-${Math.random()}`;
    const tab = Storage.open(name, { indexedDB, IDBKeyRange });
    await tab.createRun(makeRun('r', { totalSessions: 3 }));
    const finished = makeSession('r', 's1', 'p1', 0, 'pass');
    await tab.putSession(finished);
    const live = makeSession('r', 's1', 'p1', 1, 'running');
    await tab.putSession(live);
    await tab.appendTurn(makeTurn(live.id, 0));
    await tab.appendTurn(makeTurn(live.id, 1)); // ends at startedAt + 1000 + 250
    // A completed run elsewhere is not touched.
    await tab.createRun(makeRun('done', { status: 'completed' }));
    await tab.putSession(makeSession('done', 's1', 'p1', 0, 'fail'));
    tab.close(); // the tab goes away mid-session

    const next = Storage.open(name, { indexedDB, IDBKeyRange });
    try {
      expect(await next.markInterruptedRuns()).toEqual(['r']);

      const run = await next.getRun('r');
      // The cut session is kept but, as in the runner and on the run page, neither done nor scored.
      expect(run).toMatchObject({ status: 'interrupted', doneSessions: 1, passedSessions: 1 });
      const s = await next.getSession(live.id);
      expect(s).toMatchObject({
        status: 'done',
        outcome: 'error',
        termination: 'aborted',
        error: { name: 'Interrupted', message: 'The page was closed while this session was running.' },
        turnCount: 2,
        finishedAt: live.startedAt + 1000 + 250,
      });
      expect(s?.error).toEqual(INTERRUPTED_ERROR);
      expect((await next.listTurns(live.id)).map((t) => t.content)).toEqual([
        'user message 0',
        'agent message 1',
      ]);
      expect(await next.getSession(finished.id)).toEqual(finished);
      expect((await next.getRun('done'))?.status).toBe('completed');

      // Idempotent: nothing left to mark.
      expect(await next.markInterruptedRuns()).toEqual([]);
    } finally {
      next.close();
      await next.db.delete();
    }
  });

  it('leaves alone runs another tab is still executing', async () => {
    await storage.createRun(makeRun('mine'));
    await storage.putSession(makeSession('mine', 's1', 'p1', 0));
    await storage.createRun(makeRun('stale'));
    await storage.putSession(makeSession('stale', 's1', 'p1', 0));

    expect(await storage.markInterruptedRuns({ keepRunIds: ['mine'] })).toEqual(['stale']);
    expect((await storage.getRun('mine'))?.status).toBe('running');
    expect((await storage.listSessions('mine'))[0]?.outcome).toBe('running');
    expect((await storage.listSessions('stale'))[0]?.outcome).toBe('error');
  });
});

describe('sessions', () => {
  it('updates and gets a session', async () => {
    const s = makeSession('r', 's1', 'p1', 0);
    await storage.putSession(s);
    expect(await storage.updateSession(s.id, { status: 'done', outcome: 'pass', termination: 'user_stop' })).toBe(true);
    expect(await storage.getSession(s.id)).toEqual({ ...s, status: 'done', outcome: 'pass', termination: 'user_stop' });
    expect(await storage.updateSession('nope', { outcome: 'pass' })).toBe(false);

    const done = makeSession('r', 's1', 'p1', 1, 'fail');
    await storage.putSession(done);
    expect(await storage.getSessionDbs(done.id)).toEqual({ finalDb: done.finalDb, expectedDb: done.expectedDb });
    expect(await storage.getSessionDbs(s.id)).toEqual({});
    expect(await storage.getSessionDbs('nope')).toBeUndefined();
  });

  it('listSessions and countSessions filter by scenario, persona and outcome', async () => {
    const { sessions } = await seedGridRun(storage, 'A');
    await seedGridRun(storage, 'B'); // same scenario/persona ids in another run: must not leak in

    const filters: { scenarioId?: string; personaId?: string; outcome?: Outcome }[] = [];
    for (const scenarioId of [undefined, 's1', 's2', 's9'])
      for (const personaId of [undefined, 'p1', 'p2'])
        for (const outcome of [undefined, 'pass', 'fail', 'error', 'running'] as const)
          filters.push({
            ...(scenarioId ? { scenarioId } : {}),
            ...(personaId ? { personaId } : {}),
            ...(outcome ? { outcome } : {}),
          });

    for (const f of filters) {
      const expected = sessions
        .filter(
          (s) =>
            (f.scenarioId === undefined || s.scenarioId === f.scenarioId) &&
            (f.personaId === undefined || s.personaId === f.personaId) &&
            (f.outcome === undefined || s.outcome === f.outcome),
        )
        .sort(compareSessions)
        // Listings are light: the databases stay in their own table.
        .map((s) => splitSession(s).light);
      expect(await storage.listSessions('A', f), JSON.stringify(f)).toEqual(expected);
      expect(await storage.countSessions('A', f), JSON.stringify(f)).toBe(expected.length);
    }
    expect(await storage.listSessions('nope')).toEqual([]);
  });

  it('lists sessions ordered by scenario, persona, trial', async () => {
    await seedGridRun(storage, 'A');
    const order = (await storage.listSessions('A')).map((s) => `${s.scenarioId}/${s.personaId}/${s.trial}`);
    expect(order).toEqual([
      's1/p1/0', 's1/p1/1', 's1/p2/0', 's1/p2/1',
      's2/p1/0', 's2/p1/1', 's2/p2/0', 's2/p2/1',
    ]);
  });

  it('summarizeRun counts passes per scenario, persona and pair, and terminations', async () => {
    const { sessions } = await seedGridRun(storage, 'A');
    await seedGridRun(storage, 'B');
    const summary = await storage.summarizeRun('A');

    const count = (pred: (s: Session) => boolean) => {
      const g = sessions.filter(pred);
      return {
        passed: g.filter((s) => s.outcome === 'pass').length,
        done: g.filter((s) => s.outcome !== 'running').length,
        total: g.length,
      };
    };
    expect(summary.runId).toBe('A');
    expect(summary.overall).toEqual({ passed: 4, done: 7, total: 8 });
    expect(summary.outcomes).toEqual({ pass: 4, fail: 2, error: 1, running: 1 });
    for (const id of ['s1', 's2'])
      expect(summary.byScenario[id]).toEqual(count((s) => s.scenarioId === id));
    for (const id of ['p1', 'p2'])
      expect(summary.byPersona[id]).toEqual(count((s) => s.personaId === id));
    for (const sc of ['s1', 's2'])
      for (const p of ['p1', 'p2'])
        expect(summary.byPair[sc]?.[p]).toEqual(count((s) => s.scenarioId === sc && s.personaId === p));
    expect(Object.keys(summary.byScenario).sort()).toEqual(['s1', 's2']);
    expect(summary.terminations).toEqual({
      user_stop: 4,
      transfer: 0,
      out_of_scope: 0,
      max_turns: 2,
      too_many_errors: 0,
      agent_error: 1,
      user_error: 0,
      engine_lost: 0,
      context_exhausted: 0,
      aborted: 0,
    });

    const empty = await storage.summarizeRun('nope');
    expect(empty.overall).toEqual({ passed: 0, done: 0, total: 0 });
    expect(empty.byScenario).toEqual({});
  });

  // summarizeRun reads index keys with a key cursor: in Chromium 5,000 sessions take ~60 ms
  // whatever their size, but fake-indexeddb's cursors are quadratic (5,000 take ~8 s), so the
  // unit test stops at 1,000 and only guards correctness at scale.
  it('summarizeRun handles a run of 1,000 sessions', async () => {
    await storage.createRun(makeRun('big', { totalSessions: 1000 }));
    const outcomes: Outcome[] = ['pass', 'fail', 'error', 'pass', 'running'];
    const sessions: Session[] = [];
    for (let sc = 0; sc < 20; sc++)
      for (let p = 0; p < 10; p++)
        for (let t = 0; t < 5; t++)
          sessions.push(makeSession('big', `s${sc}`, `p${p}`, t, outcomes[(sc + p + t) % 5]));
    await storage.db.sessions.bulkPut(sessions);

    const summary = await storage.summarizeRun('big');

    expect(summary.overall.total).toBe(1000);
    expect(summary.overall.passed).toBe(sessions.filter((s) => s.outcome === 'pass').length);
    expect(summary.overall.done).toBe(sessions.filter((s) => s.outcome !== 'running').length);
    expect(Object.keys(summary.byScenario)).toHaveLength(20);
    expect(Object.keys(summary.byPersona)).toHaveLength(10);
    expect(summary.byScenario['s7']?.total).toBe(50);
    expect(summary.byPair['s7']?.['p3']).toEqual({
      total: 5,
      done: sessions.filter((s) => s.scenarioId === 's7' && s.personaId === 'p3' && s.outcome !== 'running').length,
      passed: sessions.filter((s) => s.scenarioId === 's7' && s.personaId === 'p3' && s.outcome === 'pass').length,
    });
    expect(summary.terminations.user_stop).toBe(summary.overall.passed);
  });
});

describe('scenarios and personas', () => {
  it('puts, lists, gets and deletes scenarios with their origin', async () => {
    await storage.putScenarios([makeScenario('b'), makeScenario('a')], { builtin: false });
    const list = await storage.listScenarios();
    expect(list.map((s) => s.id)).toEqual(['a', 'b']);
    // Listings are light: the database and agent side come with getScenario.
    const { initialDb: _db, agent: _agent, ...light } = makeScenario('a');
    expect(list[0]).toMatchObject({ ...light, builtin: false });
    expect(await storage.getScenario('a')).toMatchObject({ ...makeScenario('a'), builtin: false });
    expect(typeof list[0]?.importedAt).toBe('number');
    expect(await storage.getScenario('b')).toMatchObject({ title: 'Scenario b' });
    expect(await storage.deleteScenario('b')).toBe(true);
    expect(await storage.deleteScenario('b')).toBe(false);
    expect((await storage.listScenarios()).map((s) => s.id)).toEqual(['a']);
  });

  it('puts, lists, gets and deletes personas with their origin', async () => {
    await storage.putPersonas([makePersona('x'), makePersona('y')], { builtin: true });
    expect((await storage.listPersonas()).map((p) => [p.id, p.builtin])).toEqual([
      ['x', true],
      ['y', true],
    ]);
    expect(await storage.getPersona('y')).toMatchObject(makePersona('y'));
    expect(await storage.deletePersona('x')).toBe(true);
    expect((await storage.listPersonas()).map((p) => p.id)).toEqual(['y']);
  });

  it('writes a list all or nothing', async () => {
    const bad = { ...makeScenario('z'), id: undefined } as unknown as ReturnType<typeof makeScenario>;
    await expect(storage.putScenarios([makeScenario('a'), bad], { builtin: false })).rejects.toThrow();
    expect(await storage.listScenarios()).toEqual([]);
    const badPersona = { ...makePersona('q'), id: null } as unknown as ReturnType<typeof makePersona>;
    await expect(storage.putPersonas([makePersona('p'), badPersona], { builtin: false })).rejects.toThrow();
    expect(await storage.listPersonas()).toEqual([]);
  });

  it('seedBuiltins upserts built-ins without touching user imports', async () => {
    await storage.putScenarios([makeScenario('mine', { title: 'My own' })], { builtin: false });
    await storage.putPersonas([makePersona('p-mine', { name: 'Me' })], { builtin: false });
    await storage.seedBuiltins([makeScenario('b1', { title: 'old title' })], [makePersona('p1')]);

    const result = await storage.seedBuiltins(
      [makeScenario('b1', { title: 'new title' }), makeScenario('mine', { title: 'Shipped' })],
      [makePersona('p1'), makePersona('p-mine', { name: 'Shipped' })],
    );
    expect(result).toEqual({ scenarios: 1, personas: 1, skipped: ['mine', 'p-mine'] });
    expect(await storage.getScenario('b1')).toMatchObject({ title: 'new title', builtin: true });
    expect(await storage.getScenario('mine')).toMatchObject({ title: 'My own', builtin: false });
    expect(await storage.getPersona('p1')).toMatchObject({ builtin: true });
    expect(await storage.getPersona('p-mine')).toMatchObject({ name: 'Me', builtin: false });
  });
});

describe('settings', () => {
  it('stores, replaces and reads settings by key; unknown keys are undefined', async () => {
    expect(await storage.getSetting('roles')).toBeUndefined();
    await storage.putSetting('roles', { mode: 'per-role', agent: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    await storage.putSetting('other', [1, 2]);
    expect(await storage.getSetting('roles')).toEqual({ mode: 'per-role', agent: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    await storage.putSetting('roles', { mode: 'shared' });
    expect(await storage.getSetting<{ mode: string }>('roles')).toEqual({ mode: 'shared' });
    expect(await storage.getSetting('other')).toEqual([1, 2]);
    expect(await storage.db.settings.count()).toBe(2);
  });
});

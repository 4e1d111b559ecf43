import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, SessionScore } from '../../src/core/model/types.ts';
import { exportRunJsonl, parseRunJsonl } from '../../src/storage/export.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeRun, makeSession, openTestStorage } from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const INITIAL: JsonObject = { orders: { o1: { status: 'open' }, o2: { status: 'open' } } };

describe('listSessionKeys and runVersions', () => {
  it('reads ids, tasks, outcomes and stopped sessions from the indexes, and one version per scenario and persona', async () => {
    await storage.createRun(makeRun('r1'));
    await storage.createRun(makeRun('r2'));
    await storage.putSession(makeSession('r1', 's1', 'p1', 0, 'pass', { scenarioHash: 'h1', personaHash: 'pp' }));
    await storage.putSession(makeSession('r1', 's1', 'p1', 1, 'fail', { scenarioHash: 'h1', personaHash: 'pp' }));
    await storage.putSession(makeSession('r1', 's2', 'p1', 0, 'error', { termination: 'aborted', scenarioHash: 'h2', personaHash: 'pp' }));
    await storage.putSession(makeSession('r2', 's1', 'p1', 0, 'pass'));
    // In index order (scenario, persona, outcome); sorted by id here.
    const keys = (await storage.listSessionKeys('r1')).sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(keys).toEqual([
      { id: 'r1/s1/p1/0', scenarioId: 's1', personaId: 'p1', outcome: 'pass', aborted: false },
      { id: 'r1/s1/p1/1', scenarioId: 's1', personaId: 'p1', outcome: 'fail', aborted: false },
      { id: 'r1/s2/p1/0', scenarioId: 's2', personaId: 'p1', outcome: 'error', aborted: true },
    ]);
    const v = await storage.runVersions('r1', ['s1', 's2', 'gone'], ['p1', 'p2']);
    expect({ ...v.scenarios }).toEqual({ s1: 'h1', s2: 'h2', gone: undefined });
    expect({ ...v.personas }).toEqual({ p1: 'pp', p2: undefined });
    expect(v.regraded).toEqual([]);
  });
});

describe('applyRegrades', () => {
  const newScore = (reward: 0 | 1): SessionScore => ({ reward, basis: ['DB'], notes: ['re-graded'], criteria: [{ criterion: 'DB', inBasis: true, result: reward ? 'pass' : 'fail' }] });

  async function seed() {
    await storage.createRun(makeRun('r1', { status: 'completed', doneSessions: 2, passedSessions: 1 }));
    const a = makeSession('r1', 's1', 'p1', 0, 'pass', { scenarioHash: 'old' });
    const b = makeSession('r1', 's1', 'p1', 1, 'fail', { scenarioHash: 'old' });
    await storage.putSession({ ...a, finalDb: INITIAL, expectedDb: INITIAL }, { initialDb: INITIAL });
    await storage.putSession({ ...b, finalDb: INITIAL, expectedDb: INITIAL }, { initialDb: INITIAL });
    return { a, b };
  }

  it('writes new scores and outcomes, keeps the old ones, and recounts the run', async () => {
    const { a, b } = await seed();
    const expectedDb = { orders: { o1: { status: 'cancelled' }, o2: { status: 'open' } } };
    await storage.applyRegrades('r1', [
      {
        id: a.id,
        expectRegrades: 0,
        patch: { score: newScore(0), outcome: 'fail', expectedDb, regrades: [{ at: 5, scenarioHash: 'new', previous: a.score!, previousOutcome: 'pass' }] },
      },
      {
        id: b.id,
        expectRegrades: 0,
        patch: { score: newScore(0), outcome: 'fail', expectedDb, regrades: [{ at: 5, scenarioHash: 'new', previous: b.score!, previousOutcome: 'fail' }] },
      },
    ]);
    const after = (await storage.getSession(a.id))!;
    expect(after.outcome).toBe('fail');
    expect(after.score).toEqual(newScore(0));
    expect(after.regrades).toEqual([{ at: 5, scenarioHash: 'new', previous: a.score, previousOutcome: 'pass' }]);
    // The version that ran is kept; the databases stay deltas against the start.
    expect(after.scenarioHash).toBe('old');
    expect(after.expectedDb).toEqual(expectedDb);
    expect(after.finalDb).toEqual(INITIAL);
    expect((await storage.db.sessionDbs.get(a.id))?.baseHash).toBeDefined();
    expect(await storage.getRun('r1')).toMatchObject({ passedSessions: 0, doneSessions: 2 });
    expect((await storage.runVersions('r1', ['s1'], [])).regraded).toEqual(['s1']);
  });

  it('writes nothing when any session changed since the re-grading was computed', async () => {
    const { a, b } = await seed();
    // b was re-graded meanwhile (another tab).
    await storage.updateSession(b.id, { regrades: [{ at: 1, scenarioHash: 'x', previous: b.score!, previousOutcome: 'fail' }] });
    await expect(
      storage.applyRegrades('r1', [
        { id: a.id, expectRegrades: 0, patch: { score: newScore(0), outcome: 'fail', regrades: [{ at: 5, scenarioHash: 'new', previous: a.score!, previousOutcome: 'pass' }] } },
        { id: b.id, expectRegrades: 0, patch: { score: newScore(1), outcome: 'pass', regrades: [{ at: 5, scenarioHash: 'new', previous: b.score!, previousOutcome: 'fail' }] } },
      ]),
    ).rejects.toThrow(/re-graded meanwhile; nothing was written/);
    const untouched = (await storage.getSession(a.id))!;
    expect(untouched.outcome).toBe('pass');
    expect(untouched.regrades).toBeUndefined();
    expect(untouched.score).toEqual(a.score);
    expect(await storage.getRun('r1')).toMatchObject({ passedSessions: 1 });
    await expect(storage.applyRegrades('r1', [{ id: 'nope', expectRegrades: 0, patch: {} }])).rejects.toThrow(/not in run/);
  });

  it('carries the re-gradings in a run bundle, and reads bundles without them as before', async () => {
    const { a } = await seed();
    const regrades = [{ at: 5, scenarioHash: 'new', previous: a.score!, previousOutcome: 'pass' as const }];
    await storage.applyRegrades('r1', [{ id: a.id, expectRegrades: 0, patch: { score: newScore(0), outcome: 'fail', regrades } }]);
    const bundle = parseRunJsonl(await exportRunJsonl(storage, 'r1'));
    const sessions = new Map(bundle.sessions.map((x) => [x.session.id, x.session]));
    expect(sessions.get(a.id)?.regrades).toEqual(regrades);
    expect(sessions.get(a.id)?.score).toEqual(newScore(0));
    expect(sessions.get(a.id)?.regrades?.[0]?.previous).toEqual(a.score);
    expect([...sessions.values()].filter((x) => x.regrades === undefined)).toHaveLength(1);
  });
});

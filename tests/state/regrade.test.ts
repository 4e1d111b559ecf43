import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run, RunSpec, Scenario, Session } from '../../src/core/model/types.ts';
import { agentSeat, seatConfig, userSeat } from '../../src/core/participants.ts';
import { planSessions, runSession } from '../../src/core/simulation/session.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { applyRegrade, computeRegrade, regradeStatus } from '../../src/state/regrade.ts';
import { loadPack } from '../core/scenarios/pack-fixture.ts';
import { dropTestStorage, makePersona, openTestStorage } from '../storage/fixtures.ts';

/*
 * Re-grading below the UI: a bookshop run stored as the runner stores it, a task's gold action
 * changed in the library afterwards, the sessions re-scored from storage, and the new scores
 * written with the old ones kept.
 */

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const bookshop = loadPack('bookshop');
const TASKS = ['cancel-processing', 'change-address'].map((n) => bookshop.scenario(n));
const persona = makePersona('baseline');

async function storedRun(scenarios: Scenario[]): Promise<{ run: Run; sessions: Session[] }> {
  const spec: RunSpec = {
    name: 'bookshop',
    scenarioIds: scenarios.map((s) => s.id),
    personaIds: [persona.id],
    user: seatConfig(userSeat('agenda')),
    agent: seatConfig(agentSeat('rule-based')),
    trials: 2,
    seed: 2027,
    maxTurns: 40,
    maxErrors: 3,
  };
  const run: Run = {
    id: 'r1', createdAt: 1, status: 'completed', spec, scenarioTitles: {}, personaNames: {},
    totalSessions: 4, doneSessions: 0, passedSessions: 0,
  };
  await storage.createRun(run);
  for (const plan of planSessions('r1', spec, scenarios, [persona])) {
    const session = await runSession(plan, {
      runId: 'r1',
      spec,
      createUser: (ctx) => userSeat('agenda').create(ctx),
      createAgent: (ctx) => agentSeat('rule-based').create(ctx),
      onTurn: (t) => storage.appendTurn(t),
    });
    await storage.putSession(session, { initialDb: plan.scenario.initialDb });
    run.doneSessions++;
    if (session.outcome === 'pass') run.passedSessions++;
  }
  await storage.updateRun('r1', { doneSessions: run.doneSessions, passedSessions: run.passedSessions });
  return { run, sessions: await storage.listSessions('r1') };
}

describe('re-grading a stored run', () => {
  it('finds the sessions of a changed task, shows the changed verdicts, and writes them keeping the old', async () => {
    const { sessions } = await storedRun(TASKS);
    expect(sessions.map((s) => s.outcome)).toEqual(['pass', 'pass', 'pass', 'pass']);

    // Unchanged library: nothing to re-grade.
    const same = new Map(TASKS.map((s) => [s.id, s]));
    expect(regradeStatus(sessions, same, TASKS.map((s) => s.id)).outdated).toEqual([]);

    // The cancellation's gold action now cancels another order.
    const changed = structuredClone(TASKS[0]!);
    changed.evaluation.goldActions = changed.evaluation.goldActions.map((a) =>
      a.name === 'cancel_order' ? { ...a, arguments: { ...a.arguments, order_id: 'BK-2043' } } : a,
    );
    const library = new Map([[changed.id, changed], [TASKS[1]!.id, TASKS[1]!]]);
    const status = regradeStatus(sessions, library, TASKS.map((s) => s.id));
    expect(status.outdated.map((s) => s.scenarioId)).toEqual([changed.id, changed.id]);
    expect(status).toMatchObject({ unknown: 0, gone: 0, scenarioIds: [changed.id], regraded: [] });

    const progress: number[] = [];
    const { results, skipped } = await computeRegrade(storage, status.outdated, library, (d) => progress.push(d));
    expect(skipped).toEqual([]);
    expect(progress).toEqual([1, 2]);
    for (const r of results) {
      expect(r.before).toEqual({ outcome: 'pass', reward: 1 });
      expect(r.after).toEqual({ outcome: 'fail', reward: 0 });
      expect(r.changes.map((c) => `${c.criterion} ${c.from}→${c.to}`)).toEqual(['DB pass→fail', 'ACTION pass→fail']);
    }
    // Nothing written yet.
    expect((await storage.getRun('r1'))!.passedSessions).toBe(4);

    await applyRegrade(storage, 'r1', sessions, results, 9999);
    const after = await storage.listSessions('r1');
    expect(after.map((s) => s.outcome).sort()).toEqual(['fail', 'fail', 'pass', 'pass']);
    expect((await storage.getRun('r1'))!.passedSessions).toBe(2);
    const regraded = after.find((s) => s.scenarioId === changed.id)!;
    expect(regraded.regrades).toHaveLength(1);
    expect(regraded.regrades![0]).toMatchObject({ at: 9999, previousOutcome: 'pass', previous: { reward: 1 } });
    // Graded against the library now: nothing left to re-grade, and the page can say it was.
    const now = regradeStatus(after, library, TASKS.map((s) => s.id));
    expect(now.outdated).toEqual([]);
    expect(now.regraded).toHaveLength(2);
    // The expected database is the new gold's.
    const dbs = await storage.getSessionDbs(regraded.id);
    expect((dbs!.expectedDb!.orders as Record<string, { status: string }>)['BK-2043']!.status).toBe('cancelled');
    // A second write of the same computation is refused whole: the sessions changed since.
    await expect(applyRegrade(storage, 'r1', sessions, results)).rejects.toThrow(/re-graded meanwhile/);
  });

  it('skips sessions whose scenario left the library', async () => {
    const { sessions } = await storedRun(TASKS.slice(1));
    const status = regradeStatus(sessions, new Map(), [TASKS[1]!.id]);
    expect(status).toMatchObject({ outdated: [], gone: 2 });
  });
});

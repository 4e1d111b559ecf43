import Dexie from 'dexie';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome, Session } from '../../src/core/model/types.ts';
import { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeRun, makeSession, openTestStorage, seedGridRun } from './fixtures.ts';

/*
 * Runs of several agents (issue 14): sessions carry their agent entry, and a per-entry summary
 * reads index keys only, as summarizeRun does per run.
 */

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const OUTCOMES: Outcome[] = ['pass', 'fail', 'pass', 'error', 'pass', 'running', 'fail', 'pass'];

/** A run of two entries over s1, s2 × p1, p2 × 2 trials; a2's outcomes are a1's shifted by one. */
async function seedEntries(runId: string): Promise<Session[]> {
  await storage.createRun(makeRun(runId, { totalSessions: 16 }));
  const sessions: Session[] = [];
  let k = 0;
  for (const trial of [0, 1])
    for (const scenarioId of ['s1', 's2'])
      for (const personaId of ['p1', 'p2']) {
        for (const [i, entry] of ['a1', 'a2'].entries()) {
          const s = makeSession(runId, scenarioId, personaId, trial, OUTCOMES[(k + i) % OUTCOMES.length], {
            id: `${runId}:${entry}:${scenarioId}:${personaId}:${trial}`,
            agentEntry: entry,
          });
          await storage.putSession(s);
          sessions.push(s);
        }
        k++;
      }
  return sessions;
}

const counts = (list: Session[]) => ({
  passed: list.filter((s) => s.outcome === 'pass').length,
  done: list.filter((s) => s.outcome !== 'running').length,
  total: list.length,
});

describe('sessions of a run with several agents', () => {
  it('summarizes each entry from index keys, matching the sessions themselves', async () => {
    const sessions = await seedEntries('M');
    await seedEntries('N');
    await seedGridRun(storage, 'single');
    const byEntry = await storage.summarizeRunEntries('M');
    expect([...byEntry.keys()]).toEqual(['a1', 'a2']);
    for (const entry of ['a1', 'a2']) {
      const own = sessions.filter((s) => s.agentEntry === entry);
      const summary = byEntry.get(entry)!;
      expect(summary).toMatchObject({ runId: 'M', entry });
      expect(summary.overall).toEqual(counts(own));
      for (const sc of ['s1', 's2']) expect(summary.byScenario[sc]).toEqual(counts(own.filter((s) => s.scenarioId === sc)));
      for (const p of ['p1', 'p2']) expect(summary.byPersona[p]).toEqual(counts(own.filter((s) => s.personaId === p)));
      expect(summary.byPair['s2']?.['p1']).toEqual(counts(own.filter((s) => s.scenarioId === 's2' && s.personaId === 'p1')));
      for (const o of ['pass', 'fail', 'error', 'running'] as Outcome[]) expect(summary.outcomes[o]).toBe(own.filter((s) => s.outcome === o).length);
      expect(summary.terminations.user_stop).toBe(own.filter((s) => s.termination === 'user_stop').length);
      expect(summary.terminations.max_turns).toBe(own.filter((s) => s.termination === 'max_turns').length);
      expect(summary.terminations.agent_error).toBe(own.filter((s) => s.termination === 'agent_error').length);
    }
    // One entry alone reads the same; the whole run's summary still counts every entry.
    expect((await storage.summarizeRunEntries('M', { entry: 'a2' })).get('a2')).toEqual(byEntry.get('a2'));
    expect([...(await storage.summarizeRunEntries('M', { entry: 'a2' })).keys()]).toEqual(['a2']);
    expect((await storage.summarizeRun('M')).overall).toEqual(counts(sessions));
    // A single-agent run has no entries.
    expect((await storage.summarizeRunEntries('single')).size).toBe(0);
    expect((await storage.summarizeRunEntries('nope')).size).toBe(0);
  });

  it('lists and counts one entry’s sessions, narrowed by task, persona and outcome', async () => {
    const sessions = await seedEntries('M');
    await seedEntries('N');
    const a2 = sessions.filter((s) => s.agentEntry === 'a2');
    expect((await storage.listSessions('M', { agentEntry: 'a2' })).map((s) => s.id)).toEqual(
      [...a2].sort((x, y) => (x.scenarioId + x.personaId + x.trial < y.scenarioId + y.personaId + y.trial ? -1 : 1)).map((s) => s.id),
    );
    const cases = [
      { scenarioId: 's1' },
      { personaId: 'p2' },
      { outcome: 'pass' as const },
      { scenarioId: 's2', personaId: 'p1' },
      { scenarioId: 's2', outcome: 'fail' as const },
      { scenarioId: 's1', personaId: 'p1', outcome: 'pass' as const },
    ];
    for (const f of cases) {
      const want = a2.filter(
        (s) =>
          (f.scenarioId === undefined || s.scenarioId === f.scenarioId) &&
          (!('personaId' in f) || s.personaId === f.personaId) &&
          (!('outcome' in f) || s.outcome === f.outcome),
      );
      const got = await storage.listSessions('M', { agentEntry: 'a2', ...f });
      expect(got.map((s) => s.id).sort(), JSON.stringify(f)).toEqual(want.map((s) => s.id).sort());
      expect(await storage.countSessions('M', { agentEntry: 'a2', ...f })).toBe(want.length);
    }
    expect(await storage.countSessions('M', { agentEntry: 'zz' })).toBe(0);
    // Without an entry, the run's sessions of every entry, as before.
    expect(await storage.countSessions('M')).toBe(16);
  });
});

describe('schema upgrade from version 3', () => {
  // Version 3 exactly as it shipped.
  const V3_STORES = {
    runs: 'id, createdAt, status',
    sessions:
      'id, runId, scenarioId, personaId, outcome, [runId+scenarioId], [runId+personaId], [runId+outcome], [runId+trial], [runId+scenarioId+personaId+outcome], [runId+termination]',
    turns: '[sessionId+index], sessionId',
    scenarios: 'id, packId, domain, dbHash, agentHash',
    personas: 'id, setId',
    sessionDbs: 'sessionId, baseHash',
    settings: 'key',
    ggufModels: 'id, addedAt, sha256',
    ggufBlobs: 'id',
    scenarioDbs: 'hash',
    scenarioAgents: 'hash',
    packs: 'id, origin',
  };

  it('keeps every stored session readable and summarized as before, and indexes entries written after', async () => {
    const name = `upgrade4-${Math.random()}`;
    const v3 = new Dexie(name, { indexedDB, IDBKeyRange });
    v3.version(3).stores(V3_STORES);
    const old = [makeSession('old', 's1', 'p1', 0, 'pass'), makeSession('old', 's1', 'p2', 0, 'fail'), makeSession('old', 's2', 'p1', 0)];
    await v3.table('runs').put(makeRun('old'));
    for (const s of old) {
      const { finalDb, expectedDb, ...light } = s;
      await v3.table('sessions').put(light);
      if (finalDb) await v3.table('sessionDbs').put({ sessionId: s.id, finalDb, expectedDb });
    }
    // A session that somehow carries an entry before version 4 (an imported bundle) is indexed too.
    await v3.table('sessions').put({ ...makeSession('old2', 's1', 'p1', 0, 'pass'), agentEntry: 'a1' });
    v3.close();

    const upgraded = Storage.open(name, { indexedDB, IDBKeyRange });
    try {
      expect(upgraded.db.verno).toBe(4);
      for (const s of old) expect(await upgraded.getSession(s.id)).toEqual(s);
      expect((await upgraded.listSessions('old')).map((s) => s.id)).toEqual(old.map((s) => s.id).sort());
      expect((await upgraded.summarizeRun('old')).overall).toEqual({ passed: 1, done: 2, total: 3 });
      expect(await upgraded.getRun('old')).toEqual(makeRun('old'));
      // Sessions without an entry are not in the entry indexes: no entries, nothing lost.
      expect((await upgraded.summarizeRunEntries('old')).size).toBe(0);
      expect((await upgraded.summarizeRunEntries('old2')).get('a1')?.overall).toEqual({ passed: 1, done: 1, total: 1 });
      await upgraded.putSession({ ...makeSession('old', 's2', 'p2', 1, 'pass'), id: 'new', agentEntry: 'a1' });
      expect((await upgraded.summarizeRunEntries('old')).get('a1')?.overall).toEqual({ passed: 1, done: 1, total: 1 });
      expect((await upgraded.summarizeRun('old')).overall).toEqual({ passed: 2, done: 3, total: 4 });
    } finally {
      await dropTestStorage(upgraded);
    }
  });
});

/** Builders for stored shapes and a fresh fake-indexeddb database per test. */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type {
  JsonObject,
  Outcome,
  Persona,
  Run,
  Scenario,
  SeatConfig,
  Session,
  TerminationReason,
  Turn,
} from '../../src/core/model/types.ts';
import { Storage } from '../../src/storage/repo.ts';

let counter = 0;

/** A Storage over a database no other test uses. */
export function openTestStorage(name = `test-${process.pid}-${++counter}-${Math.random()}`): Storage {
  return Storage.open(name, { indexedDB, IDBKeyRange });
}

/** Closes and deletes the test database. */
export async function dropTestStorage(storage: Storage): Promise<void> {
  storage.close();
  await storage.db.delete();
}

const seat = (kind: string): SeatConfig => ({
  kind,
  label: kind,
  version: '1',
  settings: { temperature: 0 },
});

export function makeRun(id: string, over: Partial<Run> = {}): Run {
  return {
    id,
    createdAt: 1_700_000_000_000,
    status: 'running',
    spec: {
      name: `run ${id}`,
      scenarioIds: ['s1', 's2'],
      personaIds: ['p1', 'p2'],
      user: seat('agenda'),
      agent: seat('rule-based'),
      trials: 2,
      seed: 42,
      maxTurns: 20,
      maxErrors: 3,
    },
    scenarioTitles: { s1: 'Cancel an order', s2: 'Track a parcel' },
    personaNames: { p1: 'Ana', p2: 'Bo' },
    totalSessions: 8,
    doneSessions: 0,
    passedSessions: 0,
    ...over,
  };
}

const TERMINATION_BY_OUTCOME: Record<Outcome, TerminationReason | undefined> = {
  running: undefined,
  pass: 'user_stop',
  fail: 'max_turns',
  error: 'agent_error',
};

export function makeSession(
  runId: string,
  scenarioId: string,
  personaId: string,
  trial: number,
  outcome: Outcome = 'running',
  over: Partial<Session> = {},
): Session {
  const done = outcome !== 'running';
  const termination = TERMINATION_BY_OUTCOME[outcome];
  return {
    id: `${runId}/${scenarioId}/${personaId}/${trial}`,
    runId,
    scenarioId,
    personaId,
    trial,
    seed: 1000 + trial,
    user: seat('agenda'),
    agent: seat('rule-based'),
    status: done ? 'done' : 'running',
    outcome,
    startedAt: 1_700_000_001_000,
    turnCount: 0,
    ...(done ? { finishedAt: 1_700_000_009_000 } : {}),
    ...(termination ? { termination } : {}),
    ...(outcome === 'error' ? { error: { name: 'EngineError', message: 'boom' } } : {}),
    ...(done
      ? {
          finalDb: { orders: { o1: { status: outcome === 'pass' ? 'cancelled' : 'open' } } },
          expectedDb: { orders: { o1: { status: 'cancelled' } } },
          score: {
            reward: outcome === 'pass' ? 1 : 0,
            basis: ['DB'],
            db: {
              match: outcome === 'pass',
              expectedHash: 'abc',
              actualHash: outcome === 'pass' ? 'abc' : 'def',
              diff:
                outcome === 'pass'
                  ? []
                  : [{ path: 'orders.o1.status', expected: 'cancelled', actual: 'open' }],
            },
            notes: [],
            // Every optional score field, so a bundle round trip shows none is dropped.
            actions: [
              { name: 'cancel_order', arguments: { order_id: 'o1' }, compareArgs: ['order_id'], write: true, matched: outcome === 'pass', ...(outcome === 'pass' ? { callId: 't1-0', callOk: true } : {}) },
            ],
            nlAssertions: [{ assertion: 'The agent confirmed first.', verdict: 'met', reason: 'It asked before cancelling.' }],
            judge: { model: 'judge-model', attempts: 2, error: { name: 'MalformedJudgeReply', message: 'no verdict for assertion 2' } },
            criteria: [
              { criterion: 'DB', inBasis: true, result: outcome === 'pass' ? 'pass' : 'fail' },
              { criterion: 'NL_ASSERTION', inBasis: false, result: 'pass' },
            ],
            strictReward: outcome === 'pass' ? 1 : 0,
            flags: outcome === 'pass' ? [] : ['info_conveyed_db_wrong'],
          },
        }
      : {}),
    ...over,
  };
}

export function makeTurn(sessionId: string, index: number, over: Partial<Turn> = {}): Turn {
  const role = index % 2 === 0 ? 'user' : 'agent';
  return {
    sessionId,
    index,
    role,
    author: role === 'user' ? 'agenda@1' : 'rule-based@1',
    content: `${role} message ${index}`,
    toolCalls:
      role === 'agent'
        ? [
            {
              id: `t${index}-0`,
              name: 'get_order',
              arguments: { orderId: 'o1' },
              result: { ok: true, value: { status: 'open' } },
            },
          ]
        : [],
    acts: [{ act: 'inform', slot: 'email', value: 'ana@x.org' }],
    flags: [],
    startedAt: 1_700_000_001_000 + index * 1000,
    durationMs: 250,
    ...over,
  };
}

export function makeScenario(id: string, over: Partial<Scenario> = {}): Scenario {
  return {
    id,
    domain: 'bookshop',
    packId: 'bookshop-basics',
    title: `Scenario ${id}`,
    purpose: 'test',
    difficulty: 'easy',
    user: {
      reasonForContact: 'wants to cancel',
      knownInfo: { orderId: 'o1' },
      unknownInfo: [],
      taskInstructions: 'Cancel order o1.',
      goal: { requests: [{ type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { orderId: 'orderId' } }] },
    },
    agent: { policy: 'Be nice.', tools: [] },
    initialDb: { orders: { o1: { status: 'open' } } },
    evaluation: {
      goldActions: [{ name: 'cancel_order', arguments: { orderId: 'o1' } }],
      envAssertions: [],
      communicateInfo: [],
      nlAssertions: [],
      rewardBasis: ['DB'],
    },
    ...over,
  };
}

export function makePersona(id: string, over: Partial<Persona> = {}): Persona {
  return {
    id,
    name: `Persona ${id}`,
    setId: 'core',
    summary: 'a test persona',
    traits: {
      patience: 3,
      verbosity: 3,
      clarity: 3,
      cooperativeness: 3,
      techLiteracy: 3,
      emotion: 3,
      formality: 3,
      noise: 1,
      drift: 1,
      initiative: 3,
      proficiency: 5,
    },
    role: 'novice',
    background: 'none',
    ...over,
  };
}

/** The initial database the fixture sessions' final and expected databases start from. */
export const FIXTURE_INITIAL_DB: JsonObject = { orders: { o1: { status: 'open' } }, users: { u1: { name: 'Ana' } } };

/**
 * A run of 2 scenarios × 2 personas × 2 trials with a fixed mix of outcomes, and `turnsEach`
 * turns per session. Returns what was written. With `initialDb`, the sessions' databases are
 * stored as deltas against it, as a run stores them; without, whole.
 */
export async function seedGridRun(
  storage: Storage,
  runId: string,
  turnsEach = 2,
  opts: { initialDb?: JsonObject } = {},
): Promise<{ run: Run; sessions: Session[] }> {
  const outcomes: Outcome[] = ['pass', 'fail', 'pass', 'error', 'pass', 'running', 'fail', 'pass'];
  const run = makeRun(runId);
  await storage.createRun(run);
  const sessions: Session[] = [];
  let k = 0;
  // Written in an order unlike the listing order, so ordering is really tested.
  for (const trial of [1, 0])
    for (const personaId of ['p2', 'p1'])
      for (const scenarioId of ['s2', 's1']) {
        const s = makeSession(runId, scenarioId, personaId, trial, outcomes[k++ % outcomes.length], {
          turnCount: turnsEach,
        });
        await storage.putSession(s, opts);
        for (let i = 0; i < turnsEach; i++) await storage.appendTurn(makeTurn(s.id, i));
        sessions.push(s);
      }
  return { run, sessions };
}

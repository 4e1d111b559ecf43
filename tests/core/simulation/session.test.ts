import { describe, expect, it } from 'vitest';
import type { RunSpec, Turn } from '../../../src/core/model/types.ts';
import { planSessions, runSession, startedSession, type SessionDeps } from '../../../src/core/simulation/session.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ACME_DOMAIN, acmeDb, makePersona, makeScenario, PERSONAS, say, scripted, type ScriptStep } from '../fixtures.ts';

const SPEC: RunSpec = {
  name: 'test run',
  scenarioIds: ['upgrade-plan'],
  personaIds: ['baseline'],
  user: { kind: 'agenda', label: 'Agenda', version: 'agenda-1.0', settings: {} },
  agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
  trials: 2,
  seed: 99,
  maxTurns: 30,
  maxErrors: 3,
};

const goodAgent = (): ScriptStep[] => [
  say('What is your account id?', { acts: [{ act: 'request', slot: 'account_id' }] }),
  say('Shall I switch account A1 to the premium plan?', {
    acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the premium plan' }],
  }),
  say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
  say('Done: you are on premium now.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
];
const reqmore = say('Anything else?', { acts: [{ act: 'reqmore' }] });

function deps(patch: Partial<SessionDeps> = {}): SessionDeps {
  let t = 1000;
  return {
    runId: 'run1',
    spec: SPEC,
    domain: ACME_DOMAIN,
    createUser: (ctx) => createAgendaUser(ctx),
    createAgent: () => scripted('agent', goodAgent(), { fallback: reqmore }),
    now: () => (t += 10),
    ...patch,
  };
}

const plan = (trial = 0) => planSessions('run1', { ...SPEC, trials: trial + 1 }, [makeScenario()], [PERSONAS.baseline])[trial]!;

describe('planSessions', () => {
  it('plans trial-major, with stable ids and seeds', () => {
    const scenarios = [makeScenario(), makeScenario({ id: 'other' })];
    const personas = [PERSONAS.baseline, PERSONAS.impatient];
    const plans = planSessions('r', SPEC, scenarios, personas);
    expect(plans.map((p) => p.id)).toEqual([
      'r:upgrade-plan:baseline:0',
      'r:upgrade-plan:impatient:0',
      'r:other:baseline:0',
      'r:other:impatient:0',
      'r:upgrade-plan:baseline:1',
      'r:upgrade-plan:impatient:1',
      'r:other:baseline:1',
      'r:other:impatient:1',
    ]);
    expect(new Set(plans.map((p) => p.seed)).size).toBe(8);
    expect(planSessions('r', SPEC, scenarios, personas).map((p) => p.seed)).toEqual(plans.map((p) => p.seed));
    expect(planSessions('r', { ...SPEC, seed: 100 }, scenarios, personas)[0]!.seed).not.toBe(plans[0]!.seed);
  });
});

describe('runSession', () => {
  it('runs and scores a session that reaches the goal as a pass', async () => {
    const turns: Turn[] = [];
    const session = await runSession(plan(), deps({ onTurn: (t) => void turns.push(t) }));
    expect(session).toMatchObject({
      id: 'run1:upgrade-plan:baseline:0',
      runId: 'run1',
      scenarioId: 'upgrade-plan',
      personaId: 'baseline',
      status: 'done',
      outcome: 'pass',
      termination: 'user_stop',
      startedAt: 1010,
    });
    expect(session.turnCount).toBe(turns.length);
    expect(session.score?.reward).toBe(1);
    expect(session.finalDb).toEqual(session.expectedDb);
    expect(session.finishedAt!).toBeGreaterThan(session.startedAt);
    expect(session.error).toBeUndefined();
  });

  it('scores a session that did the wrong thing as a fail', async () => {
    const wrong = goodAgent();
    wrong[2] = say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } }] });
    const session = await runSession(plan(), deps({ createAgent: () => scripted('agent', wrong, { fallback: reqmore }) }));
    expect(session.outcome).toBe('fail');
    expect(session.score?.db?.diff).toEqual([{ path: 'accounts.A1.plan', expected: 'premium', actual: 'family' }]);
  });

  it('records an agent that cannot be created as an agent_error session', async () => {
    const session = await runSession(
      plan(),
      deps({
        createAgent: () => {
          throw new Error('No rule-based agent exists for domain "acme".');
        },
      }),
    );
    expect(session).toMatchObject({
      status: 'done',
      outcome: 'error',
      termination: 'agent_error',
      turnCount: 0,
      error: { name: 'Error', message: 'No rule-based agent exists for domain "acme".' },
    });
  });

  it('records a user that cannot be created as a user_error session', async () => {
    const session = await runSession(
      plan(),
      deps({
        createUser: () => {
          throw new TypeError('bad persona');
        },
      }),
    );
    expect(session).toMatchObject({ outcome: 'error', termination: 'user_error', error: { name: 'TypeError' } });
  });

  it('marks a session whose agent crashed as an error, not a fail', async () => {
    const session = await runSession(
      plan(),
      deps({ createAgent: () => scripted('agent', [{ throws: { name: 'DeviceLostError', message: 'lost' } }]) }),
    );
    expect(session).toMatchObject({ outcome: 'error', termination: 'engine_lost', error: { name: 'DeviceLostError', message: 'lost' } });
    expect(session.turnCount).toBe(1);
    expect(session.finalDb).toEqual(acmeDb());
  });

  it('scores a session that ran out of turns as a fail', async () => {
    const session = await runSession(
      plan(),
      deps({ spec: { ...SPEC, maxTurns: 3 }, createAgent: () => scripted('agent', [], { fallback: say('One moment.') }) }),
    );
    expect(session).toMatchObject({ outcome: 'fail', termination: 'max_turns', turnCount: 3 });
  });

  it('fails a session that reached the gold state but ran out of turns, keeping its criteria', async () => {
    // The same conversation as a pass, cut off just before the user's closing turn.
    const full = await runSession(plan(), deps());
    expect(full).toMatchObject({ outcome: 'pass', termination: 'user_stop' });
    const session = await runSession(plan(), deps({ spec: { ...SPEC, maxTurns: full.turnCount - 1 } }));
    expect(session).toMatchObject({ outcome: 'fail', termination: 'max_turns' });
    expect(session.finalDb).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
    expect(session.score).toMatchObject({ reward: 0, strictReward: 0, ended: { termination: 'max_turns', counts: false } });
    expect(session.score!.criteria!.find((c) => c.criterion === 'DB')).toMatchObject({ result: 'pass' });
    expect(session.score!.db!.match).toBe(true);
  });

  it('fills and reuses the gold cache', async () => {
    const goldCache = new Map();
    await runSession(plan(), deps({ goldCache }));
    expect(goldCache.get('upgrade-plan')?.db).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
    // A cached replay is used as is: here it says the initial database was expected.
    goldCache.set('upgrade-plan', { results: [], db: acmeDb() });
    const session = await runSession(plan(), deps({ goldCache }));
    expect(session.expectedDb).toEqual(acmeDb());
    expect(session.outcome).toBe('fail');
  });

  it('gives the same transcript for the same plan', async () => {
    const contents = async (seedTrial: number) => {
      const turns: string[] = [];
      const persona = makePersona('chatty', { drift: 5, noise: 4 });
      const p = planSessions('run1', { ...SPEC, trials: 2 }, [makeScenario()], [persona])[seedTrial]!;
      await runSession(p, deps({ onTurn: (t) => void turns.push(t.content) }));
      return turns;
    };
    expect(await contents(0)).toEqual(await contents(0));
  });
});

describe('startedSession', () => {
  it('describes a running session before its first turn', () => {
    const s = startedSession(plan(), { runId: 'run1', spec: SPEC, now: () => 5 });
    expect(s).toMatchObject({ status: 'running', outcome: 'running', turnCount: 0, startedAt: 5, user: SPEC.user, agent: SPEC.agent });
  });
});

describe('runSession in agentic mode', () => {
  it('gives the agent the ask_user tool and counts the questions it asked', async () => {
    let tools: string[] = [];
    const session = await runSession(
      plan(),
      deps({
        spec: { ...SPEC, mode: 'agentic' },
        createAgent: (ctx) => {
          tools = ctx.tools.map((t) => t.name);
          return scripted('agent', [
            say('', { toolCalls: [{ name: 'ask_user', arguments: { question: 'What is your account id?' } }] }),
            ...goodAgent().slice(1),
          ], { fallback: reqmore });
        },
      }),
    );
    expect(tools).toContain('ask_user');
    expect(session.questionsAsked).toBe(1);
    expect(session.outcome).toBe('pass');
  });

  it('leaves the tool out, and counts nothing, in conversational mode', async () => {
    let tools: string[] = [];
    const session = await runSession(plan(), deps({ createAgent: (ctx) => ((tools = ctx.tools.map((t) => t.name)), scripted('agent', goodAgent(), { fallback: reqmore })) }));
    expect(tools).not.toContain('ask_user');
    expect(session.questionsAsked).toBeUndefined();
  });
});

describe('provenance', () => {
  it('stores a hash of the scenario and persona as they ran, which changes when either changes', () => {
    const scenario = makeScenario();
    const persona = makePersona();
    const plan = { id: 's1', scenario, persona, trial: 0, seed: 1 };
    const a = startedSession(plan, deps());
    expect(a.scenarioHash).toMatch(/^[0-9a-f]{8,}$/);
    expect(a.personaHash).toMatch(/^[0-9a-f]{8,}$/);
    // The same content in a new object hashes the same; one changed field or record does not.
    expect(startedSession({ ...plan, scenario: makeScenario() }, deps()).scenarioHash).toBe(a.scenarioHash);
    expect(startedSession({ ...plan, scenario: { ...scenario, agent: { ...scenario.agent, policy: 'Another policy.' } } }, deps()).scenarioHash).not.toBe(a.scenarioHash);
    const db = acmeDb();
    (db.accounts as Record<string, Record<string, unknown>>).A1!.plan = 'premium';
    expect(startedSession({ ...plan, scenario: makeScenario({ initialDb: db }) }, deps()).scenarioHash).not.toBe(a.scenarioHash);
    expect(startedSession({ ...plan, persona: { ...persona, traits: { ...persona.traits, patience: 1 } } }, deps()).personaHash).not.toBe(a.personaHash);
  });
});

describe('several agents in one run', () => {
  const seat = (kind: string) => ({ kind, label: kind, version: `${kind}-1`, settings: {} });
  const MULTI: RunSpec = {
    ...SPEC,
    agents: [
      { id: 'a1', label: 'Scripted', seat: seat('scripted') },
      { id: 'a2', label: 'Other', seat: seat('other') },
    ],
  };
  const scenarios = [makeScenario(), makeScenario({ id: 'other' })];
  const personas = [PERSONAS.baseline, PERSONAS.impatient];

  it('plans every entry for each scenario, persona and trial, with one seed per trio and entries interleaved', () => {
    const plans = planSessions('r', MULTI, scenarios, personas);
    expect(plans).toHaveLength(2 * 2 * 2 * 2);
    expect(plans.slice(0, 5).map((p) => p.id)).toEqual([
      'r:a1:upgrade-plan:baseline:0',
      'r:a2:upgrade-plan:baseline:0',
      'r:a1:upgrade-plan:impatient:0',
      'r:a2:upgrade-plan:impatient:0',
      'r:a1:other:baseline:0',
    ]);
    expect(new Set(plans.map((p) => p.id)).size).toBe(plans.length);
    // Entries pair up: the same trio gets the same seed in every entry, the single-agent seed.
    const single = planSessions('r', SPEC, scenarios, personas);
    const trio = (p: { scenario: { id: string }; persona: { id: string }; trial: number }) => `${p.scenario.id}|${p.persona.id}|${p.trial}`;
    const singleSeed = new Map(single.map((p) => [trio(p), p.seed]));
    for (const p of plans) expect(p.seed).toBe(singleSeed.get(trio(p)));
    const a1 = plans.filter((p) => p.entry?.id === 'a1');
    const a2 = plans.filter((p) => p.entry?.id === 'a2');
    expect(a1.map(trio)).toEqual(a2.map(trio));
    expect(a1.map((p) => p.seed)).toEqual(a2.map((p) => p.seed));
    // Stopping after any even number of sessions leaves both entries with the same trios done.
    for (let n = 0; n <= plans.length; n += 2) {
      const done = plans.slice(0, n);
      expect(done.filter((p) => p.entry?.id === 'a1').map(trio)).toEqual(done.filter((p) => p.entry?.id === 'a2').map(trio));
    }
    // Trial-major still: every trio of trial 0 before any of trial 1.
    expect(plans.findIndex((p) => p.trial === 1)).toBe(8);
  });

  it('refuses entries that share an id', () => {
    const dup = { ...MULTI, agents: [MULTI.agents![0]!, { ...MULTI.agents![1]!, id: 'a1' }] };
    expect(() => planSessions('r', dup, scenarios, personas)).toThrow(/distinct ids/);
  });

  it('records the entry and its seat, as the spec holds it when the session starts, and hands the entry to createAgent', async () => {
    const p = planSessions('run1', MULTI, [makeScenario()], [PERSONAS.baseline])[1]!;
    expect(p.entry?.id).toBe('a2');
    // The runner fills in a seat's settings after planning: the session records the spec's seat.
    const loaded = { ...MULTI, agents: MULTI.agents!.map((e) => ({ ...e, seat: { ...e.seat, settings: { model: `m-${e.id}` } } })) };
    const started = startedSession(p, { runId: 'run1', spec: loaded });
    expect(started).toMatchObject({ id: 'run1:a2:upgrade-plan:baseline:0', agentEntry: 'a2', agent: { kind: 'other', settings: { model: 'm-a2' } } });
    const given: (string | undefined)[] = [];
    const session = await runSession(
      p,
      deps({
        spec: loaded,
        createAgent: (_ctx, entry) => {
          given.push(entry?.seat.settings.model as string | undefined);
          return scripted('agent', goodAgent(), { fallback: reqmore });
        },
      }),
    );
    expect(given).toEqual(['m-a2']);
    expect(session).toMatchObject({ agentEntry: 'a2', agent: { kind: 'other' }, outcome: 'pass' });
  });

  it('leaves single-agent sessions without an entry, and an empty agents list plans as one agent', () => {
    const s = startedSession(plan(), { runId: 'run1', spec: SPEC });
    expect(s).not.toHaveProperty('agentEntry');
    expect(s.agent).toBe(SPEC.agent);
    const none = planSessions('r', { ...SPEC, agents: [] }, scenarios, personas);
    expect(none.map((p) => p.id)).toEqual(planSessions('r', SPEC, scenarios, personas).map((p) => p.id));
    expect(none.every((p) => !('entry' in p))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { TERMINATION_REASONS, type JsonObject, type Turn } from '../../../src/core/model/types.ts';
import { canonicalHash, canonicalJson, diffJson } from '../../../src/core/scenarios/canonical.ts';
import { evaluateSession, readPath, REWARDED_ENDINGS, replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { ACME_DOMAIN, acmeDb, makeScenario, scenarioWith } from '../fixtures.ts';

type Evidence = Pick<Turn, 'role' | 'content' | 'toolCalls'>;
const agentSays = (content: string): Evidence => ({ role: 'agent', content, toolCalls: [] });
const userSays = (content: string): Evidence => ({ role: 'user', content, toolCalls: [] });

/** The acme db after A1 moved to `plan`, written with keys in a different order. */
function dbWithPlan(plan: string): JsonObject {
  return {
    accounts: {
      B2: { plan: 'premium', email: 'ben@example.org', name: 'Ben Ode' },
      A1: { plan, name: 'Ana Lima', email: 'ana@example.org' },
    },
  };
}

describe('replayGold', () => {
  it('replays the gold actions on a fresh database and reports each result', () => {
    const scenario = makeScenario();
    const gold = replayGold(scenario, ACME_DOMAIN);
    expect(gold.results).toEqual([{ ok: true }, { ok: true }]);
    expect(gold.db).toMatchObject({ accounts: { A1: { plan: 'premium' }, B2: { plan: 'premium' } } });
    expect(scenario.initialDb).toEqual(acmeDb());
  });

  it('reports a gold action that fails, with its message', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.goldActions = [
        { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } },
        { name: 'set_plan', arguments: { account_id: 'ZZ9', plan: 'family' } },
      ];
    });
    const gold = replayGold(scenario, ACME_DOMAIN);
    expect(gold.results).toEqual([{ ok: true }, { ok: false, error: 'Account not found' }]);
    expect(gold.db).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
  });
});

describe('evaluateSession', () => {
  it('gives reward 1 when the final database equals the gold replay, whatever the key order', () => {
    const scenario = makeScenario();
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('premium'), turns: [] });
    expect(score.reward).toBe(1);
    expect(score.db).toMatchObject({ match: true, diff: [] });
    expect(score.db!.actualHash).toBe(score.db!.expectedHash);
    expect(score.expectedDb).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
    expect(score.notes).toEqual([]);
  });

  it('gives reward 0 with a diff when the write is missing', () => {
    const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: [] });
    expect(score.reward).toBe(0);
    expect(score.db!.match).toBe(false);
    expect(score.db!.actualHash).not.toBe(score.db!.expectedHash);
    expect(score.db!.diff).toEqual([{ path: 'accounts.A1.plan', expected: 'premium', actual: 'basic' }]);
  });

  it('gives reward 0 when the write had a wrong argument', () => {
    const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('family'), turns: [] });
    expect(score.reward).toBe(0);
    expect(score.db!.diff).toEqual([{ path: 'accounts.A1.plan', expected: 'premium', actual: 'family' }]);
  });

  it('lists every changed path, added and removed fields included', () => {
    const finalDb = dbWithPlan('premium') as { accounts: Record<string, JsonObject> };
    finalDb.accounts.A1!.email = 'other@example.org';
    delete finalDb.accounts.B2;
    finalDb.accounts.C3 = { name: 'New' };
    const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination: 'user_stop', finalDb, turns: [] });
    expect(score.db!.diff.map((d) => d.path)).toEqual(['accounts.A1.email', 'accounts.B2', 'accounts.C3']);
    expect(score.db!.diff[1]).toEqual({
      path: 'accounts.B2',
      expected: { name: 'Ben Ode', email: 'ben@example.org', plan: 'premium' },
      actual: undefined,
    });
  });

  it('finds information to convey in agent messages, case-insensitively, and only there', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.communicateInfo = ['Premium', '€30'];
      s.evaluation.rewardBasis = ['DB', 'COMMUNICATE'];
    });
    const finalDb = dbWithPlan('premium');
    const pass = evaluateSession(scenario, ACME_DOMAIN, {
      termination: 'user_stop',
      finalDb,
      turns: [userSays('how much?'), agentSays('You are on PREMIUM now.'), agentSays('It costs €30 a month.')],
    });
    expect(pass.communicate).toEqual([
      { info: 'Premium', found: true },
      { info: '€30', found: true },
    ]);
    expect(pass.reward).toBe(1);

    const fail = evaluateSession(scenario, ACME_DOMAIN, {
      termination: 'user_stop',
      finalDb,
      turns: [userSays('Is it €30?'), agentSays('You are on premium now.')],
    });
    expect(fail.communicate).toEqual([
      { info: 'Premium', found: true },
      { info: '€30', found: false },
    ]);
    expect(fail.reward).toBe(0);
  });

  it('does not let communication count when it is not in the reward basis', () => {
    const scenario = scenarioWith((s) => (s.evaluation.communicateInfo = ['a fact never said']));
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('premium'), turns: [] });
    expect(score.communicate).toEqual([{ info: 'a fact never said', found: false }]);
    expect(score.reward).toBe(1);
  });

  it('checks env assertions by path when they are in the basis', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.rewardBasis = ['ENV_ASSERTION'];
      s.evaluation.envAssertions = [
        { path: 'accounts.A1.plan', equals: 'premium' },
        { path: 'accounts.B2.plan', equals: 'basic' },
      ];
    });
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('premium'), turns: [] });
    expect(score.envAssertions![0]).toEqual({ path: 'accounts.A1.plan', expected: 'premium', actual: 'premium', ok: true });
    expect(score.envAssertions![1]).toEqual({ path: 'accounts.B2.plan', expected: 'basic', actual: 'premium', ok: false });
    expect(score.reward).toBe(0);
    const only = scenarioWith((s) => {
      s.evaluation.rewardBasis = ['ENV_ASSERTION'];
    });
    // The DB differs from gold (B2 removed) but only the assertion counts.
    const db = dbWithPlan('premium') as { accounts: Record<string, JsonObject> };
    delete db.accounts.B2;
    expect(evaluateSession(only, ACME_DOMAIN, { termination: 'user_stop', finalDb: db, turns: [] }).reward).toBe(1);
  });

  it('notes gold actions that fail on replay', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.goldActions.push({ name: 'set_plan', arguments: { account_id: 'ZZ9', plan: 'basic' } });
    });
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('premium'), turns: [] });
    expect(score.notes).toEqual(['Gold action 3 (set_plan) fails on replay: Account not found']);
  });

  it('notes criteria that cannot be scored yet and leaves them out', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.rewardBasis = ['DB', 'NL_ASSERTION'];
      s.evaluation.nlAssertions = ['The agent was polite.'];
    });
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: dbWithPlan('premium'), turns: [] });
    expect(score.reward).toBe(1);
    expect(score.basis).toEqual(['DB', 'NL_ASSERTION']);
    expect(score.notes).toHaveLength(1);
    expect(score.notes[0]).toContain('NL_ASSERTION');
  });

  it('uses a given gold replay instead of replaying again', () => {
    const scenario = makeScenario();
    const gold = { results: [{ ok: true as const }], db: acmeDb() };
    expect(evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: [] }, gold).reward).toBe(1);
  });
});

describe('evaluateSession: how the session ended', () => {
  it('gives a session at maximum turns whose database matches the gold state reward 0, with every criterion shown', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.communicateInfo = ['premium'];
      s.evaluation.rewardBasis = ['DB', 'COMMUNICATE'];
    });
    const evidence = { finalDb: dbWithPlan('premium'), turns: [agentSays('You are on premium now.')] };
    const stopped = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', ...evidence });
    const atLimit = evaluateSession(scenario, ACME_DOMAIN, { termination: 'max_turns', ...evidence });
    expect(stopped).toMatchObject({ reward: 1, ended: { termination: 'user_stop', counts: true } });
    expect(atLimit).toMatchObject({ reward: 0, strictReward: 0, ended: { termination: 'max_turns', counts: false } });
    // The criteria are the same either way: what would have passed stays visible.
    expect(atLimit.criteria).toEqual(stopped.criteria);
    expect(atLimit.criteria!.filter((c) => c.inBasis).every((c) => c.result === 'pass')).toBe(true);
    expect(atLimit.db!.match).toBe(true);
    expect(atLimit.communicate).toEqual([{ info: 'premium', found: true }]);
    expect(stopped.notes).toEqual([]);
    expect(atLimit.notes).toHaveLength(1);
    expect(atLimit.notes[0]).toContain('max_turns');
  });

  it('lets only the user stopping, a transfer or out of scope earn a reward', () => {
    expect(REWARDED_ENDINGS).toEqual(['user_stop', 'transfer', 'out_of_scope']);
    for (const termination of TERMINATION_REASONS) {
      const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination, finalDb: dbWithPlan('premium'), turns: [] });
      const counts = REWARDED_ENDINGS.includes(termination);
      expect(score.reward, termination).toBe(counts ? 1 : 0);
      expect(score.ended, termination).toEqual({ termination, counts });
      expect(score.db!.match, termination).toBe(true);
    }
  });

  it('still fails a session that ended properly with the database wrong', () => {
    const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination: 'transfer', finalDb: acmeDb(), turns: [] });
    expect(score).toMatchObject({ reward: 0, ended: { termination: 'transfer', counts: true }, notes: [] });
  });
});

describe('canonical JSON', () => {
  it('gives the same text and hash whatever the key order, at every level', () => {
    const a = { b: 1, a: { y: [1, { q: 2, p: 3 }], x: null } };
    const b = { a: { x: null, y: [1, { p: 3, q: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"x":null,"y":[1,{"p":3,"q":2}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalHash(b)).toBe(canonicalHash(a));
    expect(canonicalHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('distinguishes different data: values, array order, types', () => {
    const h = canonicalHash({ a: [1, 2] });
    expect(canonicalHash({ a: [2, 1] })).not.toBe(h);
    expect(canonicalHash({ a: ['1', 2] })).not.toBe(h);
    expect(canonicalHash({ a: [1, 2], b: null })).not.toBe(h);
    expect(canonicalJson(undefined)).not.toBe(canonicalJson(null));
  });
});

describe('diffJson', () => {
  it('names nested object and array paths', () => {
    expect(diffJson({ a: { b: 1, c: [1, 2, { d: 'x' }] } }, { a: { b: 2, c: [1, 3, { d: 'y' }] } })).toEqual([
      { path: 'a.b', expected: 1, actual: 2 },
      { path: 'a.c[1]', expected: 2, actual: 3 },
      { path: 'a.c[2].d', expected: 'x', actual: 'y' },
    ]);
  });

  it('reports a whole array whose length changed, and a changed root', () => {
    expect(diffJson({ l: [1, 2] }, { l: [1, 2, 3] })).toEqual([{ path: 'l', expected: [1, 2], actual: [1, 2, 3] }]);
    expect(diffJson(1, 'one')).toEqual([{ path: '(root)', expected: 1, actual: 'one' }]);
    expect(diffJson({ a: 1 }, { a: 1 })).toEqual([]);
    // Equal data in other objects, other key order, -0 for 0: no difference, as canonical JSON says.
    expect(diffJson({ a: { x: 1, y: [1, { p: 0 }] } }, { a: { y: [1, { p: -0 }], x: 1 } })).toEqual([]);
    expect(diffJson({ a: { x: 1 }, b: 2 }, { b: 2, a: { x: 1, z: null } })).toEqual([{ path: 'a.z', expected: undefined, actual: null }]);
  });
});

describe('readPath', () => {
  it('reads dot and bracket paths and gives undefined past a missing step', () => {
    const db = { orders: [{ id: 'x', items: [{ qty: 2 }] }] };
    expect(readPath(db, 'orders[0].items[0].qty')).toBe(2);
    expect(readPath(db, 'orders.0.id')).toBe('x');
    expect(readPath(db, 'orders[3].id')).toBeUndefined();
    expect(readPath(db, 'orders[0].id.length')).toBeUndefined();
  });
});

/**
 * The evaluator's action matching, NL verdicts, criteria list, strict reward and flags.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject, ToolCall, ToolResult, Turn } from '../../../src/core/model/types.ts';
import {
  callMatchesGold,
  evaluateSession,
  goldWritesMade,
  matchGoldActions,
  replayGold,
} from '../../../src/core/scenarios/evaluator.ts';
import type { NlJudgement } from '../../../src/core/scenarios/judge.ts';
import { ACME_DOMAIN, acmeDb, makeScenario, scenarioWith } from '../fixtures.ts';

type Evidence = Pick<Turn, 'role' | 'content' | 'toolCalls'>;
const OK: ToolResult = { ok: true, value: null };
const FAIL: ToolResult = { ok: false, error: { name: 'DomainError', message: 'Account not found' } };
let nextId = 0;
const call = (name: string, args: JsonObject, result: ToolResult = OK): ToolCall => ({ id: `c${nextId++}`, name, arguments: args, result });
const agentCalls = (...calls: ToolCall[]): Evidence => ({ role: 'agent', content: '', toolCalls: calls });
const agentSays = (content: string): Evidence => ({ role: 'agent', content, toolCalls: [] });

/** The acme database after A1 moved to premium. */
function premiumDb(): JsonObject {
  const db = acmeDb() as { accounts: Record<string, JsonObject> };
  db.accounts.A1!.plan = 'premium';
  return db;
}

describe('callMatchesGold', () => {
  const gold = { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } };

  it('needs the same name and equal values of every gold argument; extra call arguments do not matter', () => {
    expect(callMatchesGold(gold, { name: 'set_plan', arguments: { plan: 'premium', account_id: 'A1' } })).toBe(true);
    expect(callMatchesGold(gold, { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium', note: 'x' } })).toBe(true);
    expect(callMatchesGold(gold, { name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } })).toBe(false);
    expect(callMatchesGold(gold, { name: 'set_plan', arguments: { account_id: 'A1' } })).toBe(false);
    expect(callMatchesGold(gold, { name: 'get_account', arguments: { account_id: 'A1', plan: 'premium' } })).toBe(false);
  });

  it('compares only the listed arguments when the gold action names them', () => {
    const some = { ...gold, compareArgs: ['account_id'] };
    expect(callMatchesGold(some, { name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } })).toBe(true);
    expect(callMatchesGold(some, { name: 'set_plan', arguments: { account_id: 'B2', plan: 'premium' } })).toBe(false);
    const none = { ...gold, compareArgs: [] };
    expect(callMatchesGold(none, { name: 'set_plan', arguments: {} })).toBe(true);
  });

  it('compares nested values by content, whatever the key order', () => {
    const g = { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium', extras: { a: [1, { b: 2, c: 3 }] } } };
    expect(callMatchesGold(g, { name: 'set_plan', arguments: { extras: { a: [1, { c: 3, b: 2 }] }, plan: 'premium', account_id: 'A1' } })).toBe(true);
    expect(callMatchesGold(g, { name: 'set_plan', arguments: { extras: { a: [{ c: 3, b: 2 }, 1] }, plan: 'premium', account_id: 'A1' } })).toBe(false);
  });
});

describe('matchGoldActions', () => {
  it('matches whatever the order of the calls, and records which call matched', () => {
    const scenario = makeScenario();
    const set = call('set_plan', { account_id: 'A1', plan: 'premium' });
    const get = call('get_account', { account_id: 'A1' });
    const m = matchGoldActions(scenario, [set, get]);
    expect(m.map((a) => [a.name, a.matched, a.callId, a.write])).toEqual([
      ['get_account', true, get.id, false],
      ['set_plan', true, set.id, true],
    ]);
    expect(m[1]!.compareArgs).toEqual(['account_id', 'plan']);
  });

  it('needs one call per gold action: duplicates in the gold need duplicate calls', () => {
    const scenario = scenarioWith((s) => {
      s.evaluation.goldActions = [
        { name: 'get_account', arguments: { account_id: 'A1' } },
        { name: 'get_account', arguments: { account_id: 'A1' } },
      ];
    });
    const once = matchGoldActions(scenario, [call('get_account', { account_id: 'A1' })]);
    expect(once.map((a) => a.matched)).toEqual([true, false]);
    const twice = matchGoldActions(scenario, [call('get_account', { account_id: 'A1' }), call('get_account', { account_id: 'A1' })]);
    expect(twice.map((a) => a.matched)).toEqual([true, true]);
    expect(twice[0]!.callId).not.toBe(twice[1]!.callId);
  });

  it('finds the matching that covers most gold actions, not the first greedy one', () => {
    // Gold 1 compares only the account, so either call fits it; gold 2 needs the family call.
    // Greedy in call order would give the family call to gold 1 and leave gold 2 unmatched.
    const scenario = scenarioWith((s) => {
      s.evaluation.goldActions = [
        { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' }, compareArgs: ['account_id'] },
        { name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } },
      ];
    });
    const family = call('set_plan', { account_id: 'A1', plan: 'family' });
    const basic = call('set_plan', { account_id: 'A1', plan: 'basic' });
    const m = matchGoldActions(scenario, [family, basic]);
    expect(m.map((a) => a.callId)).toEqual([basic.id, family.id]);
  });

  it('prefers a call that succeeded, as the gold call does, when several fit', () => {
    const scenario = makeScenario();
    const failed = call('set_plan', { account_id: 'A1', plan: 'premium' }, FAIL);
    const done = call('set_plan', { account_id: 'A1', plan: 'premium' });
    const m = matchGoldActions(scenario, [failed, done], replayGold(scenario, ACME_DOMAIN));
    expect(m[1]).toMatchObject({ matched: true, callId: done.id, callOk: true });
  });

  it('counts a tool the scenario does not describe as a write', () => {
    const scenario = scenarioWith((s) => (s.evaluation.goldActions = [{ name: 'crash', arguments: {} }, { name: 'mystery', arguments: {} }]));
    expect(matchGoldActions(scenario, []).map((a) => a.write)).toEqual([false, true]);
  });
});

describe('goldWritesMade', () => {
  const scenario = makeScenario();
  const gold = replayGold(scenario, ACME_DOMAIN);

  it('needs every write matched by a call that succeeded; reads do not count', () => {
    const withWrite = matchGoldActions(scenario, [call('set_plan', { account_id: 'A1', plan: 'premium' })], gold);
    expect(goldWritesMade(withWrite, gold)).toBe(true);
    const failedWrite = matchGoldActions(scenario, [call('set_plan', { account_id: 'A1', plan: 'premium' }, FAIL)], gold);
    expect(goldWritesMade(failedWrite, gold)).toBe(false);
    expect(goldWritesMade(matchGoldActions(scenario, [call('get_account', { account_id: 'A1' })], gold), gold)).toBe(false);
  });

  it('accepts a failed call where the gold call fails on replay too', () => {
    const s = scenarioWith((x) => (x.evaluation.goldActions = [{ name: 'set_plan', arguments: { account_id: 'ZZ', plan: 'basic' } }]));
    const g = replayGold(s, ACME_DOMAIN);
    expect(g.results[0]!.ok).toBe(false);
    expect(goldWritesMade(matchGoldActions(s, [call('set_plan', { account_id: 'ZZ', plan: 'basic' }, FAIL)], g), g)).toBe(true);
  });
});

describe('evaluateSession: actions, criteria, strict reward and flags', () => {
  const doneRight: Evidence[] = [
    agentCalls(call('get_account', { account_id: 'A1' })),
    agentCalls(call('set_plan', { account_id: 'A1', plan: 'premium' })),
    agentSays('You are on Premium now.'),
  ];

  it('counts ACTION in the reward when it is in the basis', () => {
    const scenario = scenarioWith((s) => (s.evaluation.rewardBasis = ['ACTION']));
    expect(evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: doneRight }).reward).toBe(1);
    // The database is right but the look-up was never made.
    const noLookUp = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: doneRight.slice(1) });
    expect(noLookUp.reward).toBe(0);
    expect(noLookUp.actions!.map((a) => a.matched)).toEqual([false, true]);
    expect(noLookUp.criteria!.find((c) => c.criterion === 'ACTION')).toEqual({ criterion: 'ACTION', inBasis: true, result: 'fail' });
  });

  it('only matches the agent\'s calls', () => {
    const scenario = scenarioWith((s) => (s.evaluation.rewardBasis = ['ACTION']));
    const byUser: Evidence[] = doneRight.map((t) => ({ ...t, role: 'user' }));
    expect(evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: byUser }).reward).toBe(0);
  });

  it('lists every criterion the task has, with whether it counts', () => {
    const scenario = scenarioWith((s) => (s.evaluation.nlAssertions = ['The agent confirmed before changing the plan.']));
    const score = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: doneRight });
    expect(score.criteria).toEqual([
      { criterion: 'DB', inBasis: true, result: 'pass' },
      { criterion: 'ACTION', inBasis: false, result: 'pass' },
      { criterion: 'ENV_ASSERTION', inBasis: false, result: 'pass' },
      { criterion: 'COMMUNICATE', inBasis: false, result: 'pass' },
      { criterion: 'NL_ASSERTION', inBasis: false, result: 'not_scored' },
    ]);
    expect(score.nlAssertions).toEqual([
      { assertion: 'The agent confirmed before changing the plan.', verdict: 'not_judged', reason: expect.stringContaining('No judge ran') },
    ]);
    // Not in the basis: no note about leaving it out.
    expect(score.notes).toEqual([]);
  });

  it('passes the DB but not the strict reward when the gold write was never made', () => {
    // The agent did nothing and the final database equals the gold one anyway: here because
    // the gold state is the initial one, as when a write's effect happens to be there already.
    const scenario = scenarioWith((s) => {
      s.evaluation.goldActions = [{ name: 'set_plan', arguments: { account_id: 'B2', plan: 'premium' } }];
    });
    const lucky = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: [agentSays('All set.')] });
    expect(lucky.db!.match).toBe(true);
    expect(lucky.reward).toBe(1);
    expect(lucky.strictReward).toBe(0);
    const made = evaluateSession(scenario, ACME_DOMAIN, {
      termination: 'user_stop',
      finalDb: acmeDb(),
      turns: [agentCalls(call('set_plan', { account_id: 'B2', plan: 'premium' }))],
    });
    expect(made.strictReward).toBe(1);
  });

  it('gives strict reward 0 whenever the reward is 0', () => {
    const score = evaluateSession(makeScenario(), ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: doneRight });
    expect(score.reward).toBe(0);
    expect(score.strictReward).toBe(0);
  });

  it('flags a right database with information never conveyed, and the reverse', () => {
    const scenario = scenarioWith((s) => (s.evaluation.communicateInfo = ['premium', '€30']));
    const quiet = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: [agentSays('Done, premium it is.')] });
    expect(quiet.reward).toBe(1);
    expect(quiet.flags).toEqual(['db_right_info_missing']);
    const talker = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: [agentSays('Premium costs €30.')] });
    expect(talker.reward).toBe(0);
    expect(talker.flags).toEqual(['info_conveyed_db_wrong']);
    const both = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: [agentSays('Premium costs €30.')] });
    expect(both.flags).toEqual([]);
    const neither = evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: acmeDb(), turns: [] });
    expect(neither.flags).toEqual([]);
  });

  it('raises no flag when the task has no information to convey', () => {
    const scenario = scenarioWith((s) => (s.evaluation.communicateInfo = []));
    expect(evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: [] }).flags).toEqual([]);
  });
});

describe('evaluateSession: NL assertions', () => {
  const scenario = scenarioWith((s) => {
    s.evaluation.rewardBasis = ['DB', 'NL_ASSERTION'];
    s.evaluation.nlAssertions = ['The agent confirmed first.', 'The agent said the price.'];
  });
  const judged = (...verdicts: ('met' | 'not_met' | 'not_judged')[]): NlJudgement => ({
    results: verdicts.map((verdict, i) => ({ assertion: scenario.evaluation.nlAssertions[i]!, verdict, reason: `reason ${i + 1}` })),
    model: 'judge-model',
    attempts: 1,
  });
  const run = (judgement?: NlJudgement) => evaluateSession(scenario, ACME_DOMAIN, { termination: 'user_stop', finalDb: premiumDb(), turns: [], ...(judgement ? { judgement } : {}) });

  it('passes when every assertion is met, and keeps each verdict and reason', () => {
    const score = run(judged('met', 'met'));
    expect(score.reward).toBe(1);
    expect(score.nlAssertions!.map((a) => [a.verdict, a.reason])).toEqual([
      ['met', 'reason 1'],
      ['met', 'reason 2'],
    ]);
    expect(score.judge).toEqual({ model: 'judge-model', attempts: 1 });
    expect(score.notes).toEqual([]);
  });

  it('fails when one assertion is not met, even if another was not judged', () => {
    expect(run(judged('met', 'not_met')).reward).toBe(0);
    expect(run(judged('not_judged', 'not_met')).reward).toBe(0);
  });

  it('leaves the criterion out of the reward, with a note, when an assertion has no verdict', () => {
    const score = run(judged('met', 'not_judged'));
    expect(score.reward).toBe(1);
    expect(score.criteria!.find((c) => c.criterion === 'NL_ASSERTION')!.result).toBe('not_scored');
    expect(score.notes).toHaveLength(1);
    expect(score.notes[0]).toMatch(/NL_ASSERTION .* 1 of 2 assertions were not judged .*reason 2.*left out of the reward/);
  });

  it('reports every assertion as not judged when no judge ran', () => {
    const score = run();
    expect(score.nlAssertions!.every((a) => a.verdict === 'not_judged')).toBe(true);
    expect(score.judge).toBeUndefined();
    expect(score.notes[0]).toContain('2 of 2');
  });
});

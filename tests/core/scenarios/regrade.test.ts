import { describe, expect, it } from 'vitest';
import type { RunSpec, Scenario, Session, SessionScore, Turn } from '../../../src/core/model/types.ts';
import { replayGold } from '../../../src/core/scenarios/evaluator.ts';
import {
  REGRADE_UNJUDGED_REASON,
  carriedJudgement,
  gradedScenarioHash,
  ranCurrentVersion,
  regradeChanged,
  regradeNote,
  regradePatch,
  regradeSession,
  scenarioVersionStatus,
  storedScenarioFingerprint,
  summarizeRegrade,
  type RegradeResult,
} from '../../../src/core/scenarios/regrade.ts';
import { planSessions, runSession, scenarioFingerprint } from '../../../src/core/simulation/session.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ACME_DOMAIN, makeScenario, PERSONAS, say, scripted, type ScriptStep } from '../fixtures.ts';

const SPEC: RunSpec = {
  name: 'regrade',
  scenarioIds: ['upgrade-plan'],
  personaIds: ['baseline'],
  user: { kind: 'agenda', label: 'Agenda', version: 'agenda-1.0', settings: {} },
  agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
  trials: 1,
  seed: 7,
  maxTurns: 30,
  maxErrors: 3,
};

/** An agent that confirms and sets account A1 to `plan`. */
const agentSetting = (plan: string): ScriptStep[] => [
  say('What is your account id?', { acts: [{ act: 'request', slot: 'account_id' }] }),
  say('', { toolCalls: [{ name: 'get_account', arguments: { account_id: 'A1' } }] }),
  say('Shall I switch account A1 to the premium plan?', {
    acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the premium plan' }],
  }),
  say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan } }] }),
  say('Done: you are on premium now.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
];
const reqmore = say('Anything else?', { acts: [{ act: 'reqmore' }] });

/** Runs one session of `scenario` with an agent that sets `plan`; its record and turns. */
async function ran(scenario: Scenario, plan: string): Promise<{ session: Session; turns: Turn[] }> {
  const turns: Turn[] = [];
  const [p] = planSessions('run1', SPEC, [scenario], [PERSONAS.baseline]);
  let t = 1000;
  const session = await runSession(p!, {
    runId: 'run1',
    spec: SPEC,
    domain: ACME_DOMAIN,
    createUser: (ctx) => createAgendaUser(ctx),
    createAgent: () => scripted('agent', agentSetting(plan), { fallback: reqmore }),
    now: () => (t += 10),
    onTurn: (turn) => void turns.push(turn),
  });
  return { session, turns };
}

function regrade(scenario: Scenario, run: { session: Session; turns: Turn[] }): RegradeResult {
  return regradeSession(scenario, { session: run.session, finalDb: run.session.finalDb!, turns: run.turns }, replayGold(scenario, ACME_DOMAIN), ACME_DOMAIN);
}

/** The acme task with its gold set_plan (and only it) moved to the family plan. */
function familyGold(): Scenario {
  const s = makeScenario();
  s.evaluation.goldActions = [
    { name: 'get_account', arguments: { account_id: 'A1' } },
    { name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } },
  ];
  return s;
}

const results = (r: RegradeResult) => Object.fromEntries(r.score.criteria!.map((c) => [c.criterion, c.result]));

describe('re-grading against a changed gold action', () => {
  it('flips the verdicts the gold action decides, and no others', async () => {
    const premium = await ran(makeScenario(), 'premium');
    const family = await ran(makeScenario(), 'family');
    expect(premium.session.outcome).toBe('pass');
    expect(family.session.outcome).toBe('fail');
    // As run: the premium session meets every criterion; the family one only talks about premium.
    expect(Object.fromEntries(premium.session.score!.criteria!.map((c) => [c.criterion, c.result]))).toEqual({
      DB: 'pass', ACTION: 'pass', ENV_ASSERTION: 'pass', COMMUNICATE: 'pass',
    });

    const changed = familyGold();
    const a = regrade(changed, premium);
    // The database and the action now expect family; the env assertion (premium) and what was
    // said do not depend on the gold actions and stay as they were.
    expect(a.changes).toEqual([
      { criterion: 'DB', from: 'pass', to: 'fail', inBasis: true },
      { criterion: 'ACTION', from: 'pass', to: 'fail', inBasis: false },
    ]);
    expect(results(a)).toEqual({ DB: 'fail', ACTION: 'fail', ENV_ASSERTION: 'pass', COMMUNICATE: 'pass' });
    expect(a.before).toEqual({ outcome: 'pass', reward: 1 });
    expect(a.after).toEqual({ outcome: 'fail', reward: 0 });
    expect(a.score.db?.diff).toEqual([{ path: 'accounts.A1.plan', expected: 'family', actual: 'premium' }]);
    expect(a.expectedDb).toEqual(family.session.finalDb);
    expect(a.score.notes).toContain(regradeNote('pass'));
    expect(regradeNote('pass')).toContain('the outcome was pass before');

    const b = regrade(changed, family);
    expect(b.changes).toEqual([
      { criterion: 'DB', from: 'fail', to: 'pass', inBasis: true },
      { criterion: 'ACTION', from: 'fail', to: 'pass', inBasis: false },
    ]);
    expect(results(b)).toEqual({ DB: 'pass', ACTION: 'pass', ENV_ASSERTION: 'fail', COMMUNICATE: 'pass' });
    expect(b.after).toEqual({ outcome: 'pass', reward: 1 });

    const summary = summarizeRegrade([a, b]);
    expect(summary).toMatchObject({ sessions: 2, changed: 2, passedBefore: 1, passedAfter: 1, passToFail: 1, failToPass: 1, unjudged: 0 });
    expect(summary.byCriterion).toEqual([
      { criterion: 'DB', passToFail: 1, failToPass: 1, other: 0 },
      { criterion: 'ACTION', passToFail: 1, failToPass: 1, other: 0 },
    ]);
  });

  it('changes nothing against the definition the session ran', async () => {
    const premium = await ran(makeScenario(), 'premium');
    const same = regrade(makeScenario(), premium);
    expect(same.changes).toEqual([]);
    expect(regradeChanged(same)).toBe(false);
    expect(same.score.db).toEqual(premium.session.score!.db);
    expect(same.score.actions).toEqual(premium.session.score!.actions);
  });

  it('changes the one verdict a changed read action decides, leaving the database alone', async () => {
    const premium = await ran(makeScenario(), 'premium');
    const s = makeScenario();
    // A look-up the agent never made: only ACTION (not in the reward) can change.
    s.evaluation.goldActions = [{ name: 'get_account', arguments: { account_id: 'B2' } }, ...s.evaluation.goldActions.slice(1)];
    const r = regrade(s, premium);
    expect(r.changes).toEqual([{ criterion: 'ACTION', from: 'pass', to: 'fail', inBasis: false }]);
    expect(r.after).toEqual({ outcome: 'pass', reward: 1 });
  });

  it('keeps a session that ended in an error an error, whatever its criteria now say', async () => {
    const premium = await ran(makeScenario(), 'premium');
    const errored = { ...premium, session: { ...premium.session, outcome: 'error' as const, termination: 'agent_error' as const } };
    const r = regrade(familyGold(), errored);
    expect(r.after.outcome).toBe('error');
    expect(r.before.outcome).toBe('error');
  });

  it('refuses a session without a score or of another scenario', async () => {
    const premium = await ran(makeScenario(), 'premium');
    const { score: _s, ...unscored } = premium.session;
    expect(() => regrade(makeScenario(), { ...premium, session: unscored })).toThrow(/no score/);
    expect(() => regrade(makeScenario({ id: 'other' }), premium)).toThrow(/not "other"/);
  });
});

describe('judged assertions without a model', () => {
  const previous: SessionScore = {
    reward: 1,
    basis: ['DB', 'NL_ASSERTION'],
    notes: [],
    nlAssertions: [
      { assertion: 'Confirms first.', verdict: 'met', reason: 'it asked' },
      { assertion: 'Says the price.', verdict: 'not_met', reason: 'never did' },
    ],
    judge: { model: 'judge-model', attempts: 1 },
  };

  it('keeps the verdict of an unchanged assertion and leaves a reworded one not judged', () => {
    const j = carriedJudgement(previous, ['Confirms first.', 'Says the monthly price.'])!;
    expect(j.results).toEqual([
      { assertion: 'Confirms first.', verdict: 'met', reason: 'it asked' },
      { assertion: 'Says the monthly price.', verdict: 'not_judged', reason: REGRADE_UNJUDGED_REASON },
    ]);
    expect(j).toMatchObject({ model: 'judge-model', attempts: 1 });
    // Nothing the judge said is kept: no judge record either.
    expect(carriedJudgement(previous, ['Something new.'])).toMatchObject({ model: '', attempts: 0 });
    expect(carriedJudgement(previous, [])).toBeUndefined();
  });

  it('leaves the NL criterion unscored and out of the reward when an assertion changed', async () => {
    const judgedScenario = (assertions: string[]) => {
      const s = makeScenario();
      s.evaluation.nlAssertions = assertions;
      s.evaluation.rewardBasis = ['DB', 'NL_ASSERTION'];
      return s;
    };
    const premium = await ran(makeScenario(), 'premium');
    // As if the judge had found the first met and the second not met.
    const judged = {
      ...premium,
      session: {
        ...premium.session,
        outcome: 'fail' as const,
        score: {
          ...premium.session.score!,
          reward: 0 as const,
          nlAssertions: previous.nlAssertions,
          judge: previous.judge,
          criteria: [...premium.session.score!.criteria!, { criterion: 'NL_ASSERTION' as const, inBasis: true, result: 'fail' as const }],
        },
      },
    };
    const same = regrade(judgedScenario(['Confirms first.', 'Says the price.']), judged);
    expect(same.changes).toEqual([]);
    expect(same.after.outcome).toBe('fail');
    expect(same.score.judge).toEqual({ model: 'judge-model', attempts: 1 });

    const reworded = regrade(judgedScenario(['Confirms first.', 'Says the monthly price.']), judged);
    expect(reworded.changes).toEqual([{ criterion: 'NL_ASSERTION', from: 'fail', to: 'not_scored', inBasis: true }]);
    expect(reworded.unjudged).toEqual(['Says the monthly price.']);
    expect(reworded.after).toEqual({ outcome: 'pass', reward: 1 });
    expect(reworded.score.notes.some((n) => n.includes('NL_ASSERTION is in the reward basis but 1 of 2'))).toBe(true);
    expect(summarizeRegrade([reworded])).toMatchObject({ unjudged: 1, failToPass: 1, byCriterion: [{ criterion: 'NL_ASSERTION', passToFail: 0, failToPass: 0, other: 1 }] });
  });
});

describe('which version a session is graded against', () => {
  it('is the version it ran until it is re-graded, then the last re-grading', async () => {
    const premium = await ran(makeScenario(), 'premium');
    expect(scenarioVersionStatus(premium.session, makeScenario())).toBe('current');
    expect(scenarioVersionStatus(premium.session, familyGold())).toBe('older');
    expect(scenarioVersionStatus({}, makeScenario())).toBe('unknown');

    const r = regrade(familyGold(), premium);
    const patch = regradePatch(premium.session, r, 5000);
    expect(patch.outcome).toBe('fail');
    expect(patch.regrades).toEqual([{ at: 5000, scenarioHash: scenarioFingerprint(familyGold()), previous: premium.session.score, previousOutcome: 'pass' }]);
    const after = { ...premium.session, ...patch };
    expect(gradedScenarioHash(after)).toBe(scenarioFingerprint(familyGold()));
    expect(scenarioVersionStatus(after, familyGold())).toBe('current');
    // The conversation still ran the earlier definition.
    expect(after.scenarioHash).toBe(premium.session.scenarioHash);
    expect(ranCurrentVersion(after, familyGold())).toBe(false);
    // A second re-grading appends, keeping the first.
    const again = regradePatch(after, regrade(makeScenario(), { ...premium, session: after }), 6000);
    expect(again.regrades.map((x) => x.at)).toEqual([5000, 6000]);
    expect(again.regrades[1]!.previous).toBe(after.score);
  });

  it("ignores storage's own fields, and reads hashes stored with them as current", () => {
    const plain = makeScenario();
    const stored = { ...makeScenario(), builtin: false, importedAt: 123 };
    expect(scenarioFingerprint(stored)).toBe(scenarioFingerprint(plain));
    // A session stored before the fix hashed importedAt and builtin too.
    const legacy = storedScenarioFingerprint(stored);
    expect(legacy).not.toBe(scenarioFingerprint(plain));
    expect(storedScenarioFingerprint(plain)).toBe(scenarioFingerprint(plain));
    expect(scenarioVersionStatus({ scenarioHash: legacy }, stored)).toBe('current');
    expect(scenarioVersionStatus({ scenarioHash: legacy }, { ...stored, title: 'Renamed' })).toBe('older');
  });
});

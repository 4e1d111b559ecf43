import { describe, expect, it } from 'vitest';
import type { RunSpec, Session, Turn } from '../../../src/core/model/types.ts';
import {
  identifierTokens,
  LEAK_CHECK_VERSION,
  unknownValues,
  userKnownTexts,
  userTurnCheck,
  valueLikeTokens,
} from '../../../src/core/simulation/leak-check.ts';
import { ASK_USER_TOOL } from '../../../src/core/simulation/orchestrator.ts';
import { planSessions, runSession } from '../../../src/core/simulation/session.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ACME_DOMAIN, converse, makePersona, makeScenario, say, scenarioWith, scripted, userTurns, type ScriptStep } from '../fixtures.ts';

describe('valueLikeTokens', () => {
  it('finds identifiers, as written less surrounding punctuation and a leading "#"', () => {
    expect(valueLikeTokens('Order #W2378156, user mei_kovacs_8020, paid with credit_card_9513926.')).toEqual([
      'W2378156',
      'mei_kovacs_8020',
      'credit_card_9513926',
    ]);
    expect(valueLikeTokens('It is 1151293680 (or HP-30118?), flight **SK201-2026-06-18**, ref "KQ4T7B". BK-2041\'s status')).toEqual([
      '1151293680',
      'HP-30118',
      'SK201-2026-06-18',
      'KQ4T7B',
      'BK-2041',
    ]);
    expect(valueLikeTokens('zip 94105, the last four 4821, call 555-010-1234')).toEqual(['94105', '4821', '555-010-1234']);
  });

  it('finds emails whole', () => {
    expect(valueLikeTokens('Write to ana.souza@example.com.')).toEqual(['ana.souza@example.com']);
  });

  it('finds amounts: with a currency, two decimals, or three integer digits', () => {
    expect(valueLikeTokens('$12.50')).toEqual(['$12.50']);
    expect(valueLikeTokens('about 107.50 back')).toEqual(['107.50']);
    expect(valueLikeTokens('54.04')).toEqual(['54.04']);
    expect(valueLikeTokens('107.5')).toEqual(['107.5']);
    expect(valueLikeTokens('€40 or 40 dollars or 1,000')).toEqual(['€40', '1,000']);
  });

  it('finds dates in the usual shapes', () => {
    for (const d of ['2026-06-18', 'June 18', 'June 18th, 2026', '18 June', '18th of June', '18/06/2026', '06/18/2026', 'Sept. 3']) {
      expect(valueLikeTokens(`on ${d}, please`)).toEqual([d]);
    }
  });

  it('leaves out small numbers, ordinary words and words with a number in them', () => {
    const text =
      'I want 2 of them, 40 in all, 10 items, the 10th one, 40mg, the 1980s, 5-star, a 24-hour window, covid-19, at 10:30, 24/7, 10-20, 100%, rated 4.5, v2.0, and you may 2 times.';
    expect(valueLikeTokens(text)).toEqual([]);
    expect(valueLikeTokens('Hello, I would like to cancel my order please.')).toEqual([]);
  });

  it('gives each value once', () => {
    expect(valueLikeTokens('#W2378156 is W2378156')).toEqual(['W2378156']);
  });
});

describe('identifierTokens', () => {
  it('keeps codes and long numbers', () => {
    expect(identifierTokens('Order #W2378156 (HP-30118), user mei_kovacs_8020, ref KQ4T7B, account 1151293680, zip 94105')).toEqual([
      'W2378156',
      'HP-30118',
      'mei_kovacs_8020',
      'KQ4T7B',
      '1151293680',
      '94105',
    ]);
  });

  it('leaves out emails, dates, amounts, four-digit numbers and options with units', () => {
    const text = 'ana.souza@example.com on 2026-06-18 or June 18, paid $107.50 (54.04), Visa ending in 2478, a 1000ml bottle, a 5000mAh bank, 1,000 pieces, size 10';
    expect(valueLikeTokens(text).length).toBeGreaterThan(5);
    expect(identifierTokens(text)).toEqual([]);
  });
});

describe('unknownValues', () => {
  it('returns the values in neither the known texts nor what the agent said', () => {
    expect(unknownValues('My order is W2378156 and my email ana@x.org', ['email ana@x.org'], [])).toEqual(['W2378156']);
  });

  it('a value the agent said first is covered, with or without the "#" and whatever the case', () => {
    expect(unknownValues('Yes, W2378156.', [], ['Is it order #W2378156?'])).toEqual([]);
    expect(unknownValues('Yes, #w2378156.', [], ['Is it order W2378156?'])).toEqual([]);
    expect(unknownValues('Yes, W2378156.', [], ['Is it order #W2378157?'])).toEqual(['W2378156']);
  });

  it('compares amounts as numbers', () => {
    expect(unknownValues('So 107.5 back?', [], ['You will get $107.50 back.'])).toEqual([]);
    expect(unknownValues('So $107.50 back?', [], ['You will get 107.5 back.'])).toEqual([]);
    expect(unknownValues('So $107.50 back?', [], ['You will get 170.50 back.'])).toEqual(['$107.50']);
  });

  it('compares dates by month and day, and by year where both name one', () => {
    expect(unknownValues('The flight on June 18', ['Atlanta to Miami on 2026-06-18'], [])).toEqual([]);
    expect(unknownValues('The flight on 18/06/2026', ['Atlanta to Miami on June 18'], [])).toEqual([]);
    expect(unknownValues('The flight on June 18, 2025', ['Atlanta to Miami on 2026-06-18'], [])).toEqual(['June 18, 2025']);
    expect(unknownValues('The flight on June 19', ['Atlanta to Miami on 2026-06-18'], [])).toEqual(['June 19']);
  });

  it('counts a value as present inside a longer one, and across separators', () => {
    expect(unknownValues('order 2041', ['order BK-2041'], [])).toEqual([]);
    expect(unknownValues('credit_card_9513926', ['the credit card 9513926'], [])).toEqual([]);
    expect(unknownValues('555 010 1234', ['mobile 555-010-1234'], [])).toEqual([]);
  });
});

describe('userKnownTexts', () => {
  const scenario = scenarioWith((s) => {
    s.user.knownInfo = { order_id: 'HP-30118', email: 'olivia@example.com' };
    s.user.taskInstructions = 'Cancel order HP-30118.';
    s.user.unknownInfo = ['the order total'];
    s.user.goal.requests = [
      { type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { order_id: 'HP-30118', item_ids: '1151293680' } },
      { type: 'info', utterance: 'find out how much I will get back', slot: '107.50' },
    ];
  });

  it('holds the user side and the persona, never the goal\'s argument values or info slots', () => {
    const persona = { ...makePersona('baseline'), background: 'Member since 2019.' };
    const texts = userKnownTexts(scenario, persona);
    expect(texts).toEqual(expect.arrayContaining(['Wants a bigger plan.', 'HP-30118', 'olivia@example.com', 'Cancel order HP-30118.', 'the order total', 'cancel my order', 'find out how much I will get back', 'Member since 2019.']));
    expect(texts.join('\n')).not.toContain('1151293680');
    expect(texts.join('\n')).not.toContain('107.50');
    const check = userTurnCheck(scenario, persona);
    expect(check('Cancel HP-30118, items 1151293680, refund 107.50, member since 2019', [])).toEqual(['1151293680', '107.50']);
  });

  it('is the user side alone without a persona', () => {
    expect(userKnownTexts(scenario)).not.toContain(makePersona('baseline').background);
  });
});

/* ----------------------------------------------------- on every session, with scripted users */

const SPEC: RunSpec = {
  name: 'leak check',
  scenarioIds: ['upgrade-plan'],
  personaIds: ['baseline'],
  user: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
  agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
  trials: 1,
  seed: 7,
  maxTurns: 20,
  maxErrors: 3,
};

const plan = () => planSessions('run1', SPEC, [makeScenario()], [makePersona('baseline')])[0]!;

/** Runs one session of the acme scenario (known: A1, ana@example.org; hidden: B2's ben@example.org). */
async function session(user: ScriptStep[], agent: ScriptStep[], spec: RunSpec = SPEC): Promise<{ session: Session; turns: Turn[] }> {
  const turns: Turn[] = [];
  const s = await runSession(plan(), {
    runId: 'run1',
    spec,
    domain: ACME_DOMAIN,
    createUser: () => scripted('user', user),
    createAgent: () => scripted('agent', agent, { fallback: say('Anything else?') }),
    onTurn: (t) => void turns.push(t),
  });
  return { session: s, turns };
}

const flagged = (turns: readonly Turn[]) => turns.filter((t) => t.flags.includes('user_unknown_value'));

describe('the leak check on every session', () => {
  it('flags a user turn with a value from the hidden database, and counts it on the session', async () => {
    const { session: s, turns } = await session(
      [say('Hi, I want to change my plan.'), say('My email is ben@example.org.'), say('Thanks, bye ###STOP###')],
      [say('Sure, what is your email?'), say('Thanks.')],
    );
    expect(flagged(turns).map((t) => t.index)).toEqual([2]);
    expect(turns[2]!.unknownValues).toEqual(['ben@example.org']);
    expect(s.userUnknownValueTurns).toBe(1);
    expect(s.leakCheckVersion).toBe(LEAK_CHECK_VERSION);
    // The stored turns (onTurn) carry the flag: storage sees them before the session ends.
    expect(turns.filter((t) => t.role === 'user' && t.index !== 2).every((t) => t.unknownValues === undefined)).toBe(true);
  });

  it('does not flag the same value once the agent has said it', async () => {
    const { session: s, turns } = await session(
      [say('Hi, I want to change my plan.'), say('Yes, ben@example.org is mine.'), say('Thanks, bye ###STOP###')],
      [say('Is your email ben@example.org?'), say('Thanks.')],
    );
    expect(flagged(turns)).toEqual([]);
    expect(s.userUnknownValueTurns).toBe(0);
  });

  it('does not count what a tool returned: the user never sees tool results', async () => {
    const { session: s, turns } = await session(
      [say('Hi, I want to change my plan.'), say('It is ben@example.org.'), say('bye ###STOP###')],
      [say('', { toolCalls: [{ name: 'get_account', arguments: { account_id: 'B2' } }] }), say('Found an account. Your email?'), say('Thanks.')],
    );
    expect(JSON.stringify(turns[1]!.toolCalls[0]!.result)).toContain('ben@example.org');
    expect(flagged(turns).map((t) => t.content)).toEqual(['It is ben@example.org.']);
    expect(s.userUnknownValueTurns).toBe(1);
  });

  it('does not flag a value from the known information', async () => {
    const { session: s, turns } = await session(
      [say('Hi, I want to change my plan.'), say('My email is ana@example.org.'), say('Thanks, bye ###STOP###')],
      [say('Sure, what is your email?'), say('Thanks.')],
    );
    expect(flagged(turns)).toEqual([]);
    expect(s.userUnknownValueTurns).toBe(0);
  });

  it('checks answers to ask_user, counting the question as something the agent said', async () => {
    const agentic: RunSpec = { ...SPEC, mode: 'agentic' };
    const ask = (question: string) => say('', { toolCalls: [{ name: ASK_USER_TOOL.name, arguments: { question } }] });
    const leaked = await session([say('Hi, I want to change my plan.'), say('ben@example.org'), say('bye ###STOP###')], [ask('What is your email?'), say('Thanks.')], agentic);
    const answer = leaked.turns.find((t) => t.flags.includes('answer_to_ask_user'))!;
    expect(answer.flags).toContain('user_unknown_value');
    expect(answer.unknownValues).toEqual(['ben@example.org']);
    expect(leaked.session.userUnknownValueTurns).toBe(1);

    const asked = await session([say('Hi, I want to change my plan.'), say('Yes, ben@example.org'), say('bye ###STOP###')], [ask('Is your email ben@example.org?'), say('Thanks.')], agentic);
    expect(flagged(asked.turns)).toEqual([]);
    expect(asked.session.userUnknownValueTurns).toBe(0);
  });

  it('passes the check the agent\'s earlier messages only, not later ones nor the user\'s own', async () => {
    const seen: (readonly string[])[] = [];
    await converse(scripted('user', [say('hi'), say('ok'), say('bye ###STOP###')]), scripted('agent', [say('one'), say('two')]), {
      checkUserTurn: (_text, agentSaid) => {
        seen.push([...agentSaid]);
        return [];
      },
    });
    expect(seen).toEqual([[], ['one'], ['one', 'two']]);
  });

  it('never changes the reward: a flagged session that does the task passes', async () => {
    const { session: s } = await session(
      [say('Please move A1 to premium.'), say('A1, and my other email is ben@example.org.'), say('Yes.'), say('Thanks, bye ###STOP###')],
      [
        say('What is your account id?'),
        say('Shall I switch account A1 to the premium plan?'),
        say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
        say('Done: you are on premium now.'),
      ],
    );
    expect(s).toMatchObject({ outcome: 'pass', userUnknownValueTurns: 1, score: { reward: 1 } });
  });

  it('the agenda user on its own task raises no flag', async () => {
    const turns: Turn[] = [];
    const s = await runSession(plan(), {
      runId: 'run1',
      spec: { ...SPEC, user: { kind: 'agenda', label: 'Agenda', version: 'agenda', settings: {} } },
      domain: ACME_DOMAIN,
      createUser: (ctx) => createAgendaUser(ctx),
      createAgent: () =>
        scripted('agent', [
          say('What is your account id?', { acts: [{ act: 'request', slot: 'account_id' }] }),
          say('Shall I switch account A1 to the premium plan?', { acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the premium plan' }] }),
          say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
          say('Done: you are on premium now.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
        ], { fallback: say('Anything else?', { acts: [{ act: 'reqmore' }] }) }),
      onTurn: (t) => void turns.push(t),
    });
    expect(userTurns(turns).length).toBeGreaterThan(1);
    expect(s).toMatchObject({ outcome: 'pass', userUnknownValueTurns: 0 });
  });
});

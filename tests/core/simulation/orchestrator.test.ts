import { describe, expect, it } from 'vitest';
import type { Turn } from '../../../src/core/model/types.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import {
  parseControlSignal,
  runConversation,
  seatView,
} from '../../../src/core/simulation/orchestrator.ts';
import { ACME_DOMAIN, converse, makeScenario, say, scripted, type ScriptStep } from '../fixtures.ts';

const chatter = (n: number, role: 'user' | 'agent'): ScriptStep[] =>
  Array.from({ length: n }, (_, i) => say(`${role} line ${i}`));

describe('runConversation: termination', () => {
  it('ends with user_stop when the user sends the stop control signal', async () => {
    const user = scripted('user', [say('Hi, I need help.'), say('Thanks, bye.', { control: 'stop' })]);
    const agent = scripted('agent', [say('Sure, how can I help?')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('user_stop');
    expect(r.turns.map((t) => t.role)).toEqual(['user', 'agent', 'user']);
    expect(r.turns[2]!.control).toBe('stop');
    expect(r.error).toBeUndefined();
  });

  it('ends with user_stop when the user writes the ###STOP### token', async () => {
    const user = scripted('user', [say('Hi.'), say('All good, thanks! ###STOP###')]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('user_stop');
    expect(r.turns).toHaveLength(3);
    expect(r.turns[2]!.control).toBe('stop');
  });

  it('ends with transfer when the agent calls the transfer tool successfully', async () => {
    const user = scripted('user', [say('I want a human.')]);
    const agent = scripted('agent', [
      say('Transferring you now.', { toolCalls: [{ name: 'transfer_to_human', arguments: { summary: 'wants a person' } }] }),
    ]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('transfer');
    expect(r.turns).toHaveLength(2);
    expect(r.turns[1]!.toolCalls[0]).toMatchObject({ name: 'transfer_to_human', result: { ok: true, value: 'Transfer successful' } });
  });

  it('does not transfer when the transfer tool call itself fails', async () => {
    // Missing the required "summary": the call fails, so no hand-off happened.
    const user = scripted('user', [say('I want a human.'), say('bye', { control: 'stop' })]);
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'transfer_to_human', arguments: {} }] }),
      say('Sorry, I could not transfer you.'),
    ]);
    const r = await converse(user, agent, { maxErrors: 5 });
    expect(r.termination).toBe('user_stop');
    expect(r.turns[1]!.toolCalls[0]!.result.ok).toBe(false);
  });

  it('ends with transfer when the user writes ###TRANSFER###', async () => {
    const user = scripted('user', [say('Hi.'), say('Put me through to a person. ###TRANSFER###')]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('transfer');
    expect(r.turns[2]!.control).toBe('transfer');
  });

  it('ends with out_of_scope when the user writes ###OUT-OF-SCOPE###', async () => {
    const user = scripted('user', [say('Hi.'), say('###OUT-OF-SCOPE###')]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('out_of_scope');
    expect(r.turns).toHaveLength(3);
  });

  it('ends with max_turns after exactly maxTurns stored turns, tool steps included', async () => {
    const user = scripted('user', chatter(10, 'user'));
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'get_account', arguments: { account_id: 'A1' } }] }),
      ...chatter(10, 'agent'),
    ]);
    const r = await converse(user, agent, { maxTurns: 5 });
    expect(r.termination).toBe('max_turns');
    expect(r.turns.map((t) => t.role)).toEqual(['user', 'agent', 'agent', 'user', 'agent']);
  });

  it('counts failed tool calls (domain errors and unknown tools) toward too_many_errors', async () => {
    const user = scripted('user', chatter(10, 'user'));
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'ZZ', plan: 'premium' } }] }),
      say('', { toolCalls: [{ name: 'no_such_tool', arguments: {} }] }),
      say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1' } }] }),
      ...chatter(5, 'agent'),
    ]);
    const r = await converse(user, agent, { maxErrors: 3 });
    expect(r.termination).toBe('too_many_errors');
    expect(r.errorCount).toBe(3);
    expect(r.turns).toHaveLength(4);
    const errors = r.turns.slice(1).map((t) => {
      const res = t.toolCalls[0]!.result;
      return res.ok ? 'ok' : res.error.name;
    });
    expect(errors).toEqual(['DomainError', 'UnknownTool', 'InvalidArguments']);
    expect(r.turns[1]!.flags).toContain('tool_error');
    // Nothing was written by the failed calls.
    expect(r.finalDb).toEqual(makeScenario().initialDb);
  });

  it('counts every failed call of a multi-call turn', async () => {
    const user = scripted('user', chatter(3, 'user'));
    const agent = scripted('agent', [
      say('', {
        toolCalls: [
          { name: 'get_account', arguments: { account_id: 'nope' } },
          { name: 'get_account', arguments: { account_id: 'A1' } },
          { name: 'ghost', arguments: {} },
        ],
      }),
    ]);
    const r = await converse(user, agent, { maxErrors: 2 });
    expect(r.termination).toBe('too_many_errors');
    expect(r.errorCount).toBe(2);
    expect(r.turns[1]!.toolCalls.map((c) => c.id)).toEqual(['t1-0', 't1-1', 't1-2']);
  });

  it('counts replies flagged participant_error toward too_many_errors', async () => {
    const user = scripted('user', chatter(5, 'user'));
    const agent = scripted('agent', [
      say('(unparseable output)', { flags: ['participant_error'] }),
      say('(unparseable output)', { flags: ['participant_error'] }),
    ]);
    const r = await converse(user, agent, { maxErrors: 2 });
    expect(r.termination).toBe('too_many_errors');
    expect(r.errorCount).toBe(2);
    expect(r.turns).toHaveLength(4);
  });

  it('turns a crashing tool into a ToolCrashed result the agent sees next, and goes on', async () => {
    const user = scripted('user', [say('Hi.'), say('ok bye', { control: 'stop' })]);
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'crash', arguments: {} }] }),
      say('Something went wrong on my side, sorry.'),
    ]);
    const r = await converse(user, agent, { maxErrors: 3 });
    expect(r.termination).toBe('user_stop');
    expect(r.errorCount).toBe(1);
    expect(r.turns[1]!.toolCalls[0]!.result).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 'crash failed: boom' },
    });
    // The agent's second call is a continuation: its view ends with its own crashed call.
    expect(agent.contexts[1]!.turnIndex).toBe(2);
    const last = agent.views[1]!.at(-1)!;
    expect(last.from).toBe('self');
    expect(last.toolCalls?.[0]?.result).toMatchObject({ ok: false, error: { name: 'ToolCrashed' } });
  });

  it('a maxErrors of 0 does not end an error-free conversation as too_many_errors', async () => {
    // errorCount 0 >= maxErrors 0 must not count as "too many errors".
    const user = scripted('user', [say('Hi.'), say('bye', { control: 'stop' })]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent, { maxErrors: 0 });
    expect(r.errorCount).toBe(0);
    expect(r.termination).toBe('user_stop');
  });

  it('ends with agent_error and an error record when the agent throws', async () => {
    const user = scripted('user', chatter(3, 'user'));
    const agent = scripted('agent', [say('Hello!'), { throws: { name: 'TypeError', message: 'x is undefined' } }]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('agent_error');
    expect(r.error).toEqual({ name: 'TypeError', message: 'x is undefined' });
    expect(r.turns).toHaveLength(3);
    expect(r.finalDb).toEqual(makeScenario().initialDb);
  });

  it('ends with user_error when the user throws, even a non-Error value', async () => {
    const user = scripted('user', [
      say('Hi.'),
      () => {
        throw 'model returned nothing';
      },
    ]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('user_error');
    expect(r.error).toEqual({ name: 'Error', message: 'model returned nothing' });
    expect(r.turns).toHaveLength(2);
  });

  it.each(['DeviceLostError', 'EngineLostError', 'GPUDeviceLostError'])(
    'ends with engine_lost when a participant throws %s',
    async (name) => {
      const user = scripted('user', [say('Hi.')]);
      const agent = scripted('agent', [{ throws: { name, message: 'GPU device was lost' } }]);
      const r = await converse(user, agent);
      expect(r.termination).toBe('engine_lost');
      expect(r.error).toEqual({ name, message: 'GPU device was lost' });
    },
  );

  it.each(['ContextExhaustedError', 'ContextWindowSizeExceededError', 'ContextOverflowError'])(
    'ends with context_exhausted, saying at which turn, when a seat throws %s',
    async (name) => {
      const user = scripted('user', [say('Hi.'), say('Order BK-1, please.')]);
      const agent = scripted('agent', [say('Which order?'), { throws: { name, message: 'The window is full.' } }]);
      const r = await converse(user, agent);
      expect(r.termination).toBe('context_exhausted');
      expect(r.error).toEqual({ name, message: "Turn 4, the agent's request. The window is full." });
      expect(r.turns).toHaveLength(3);
    },
  );

  it('ends with aborted and no turns when the signal is aborted before the first turn', async () => {
    const controller = new AbortController();
    controller.abort();
    const user = scripted('user', [say('Hi.')]);
    const agent = scripted('agent', [say('Hello!')]);
    const r = await converse(user, agent, { signal: controller.signal });
    expect(r.termination).toBe('aborted');
    expect(r.turns).toEqual([]);
    expect(user.views).toHaveLength(0);
  });

  it('ends with aborted without recording the turn in flight', async () => {
    const controller = new AbortController();
    const recorded: number[] = [];
    const user = scripted('user', chatter(3, 'user'));
    const agent = scripted('agent', [
      say('Hello!'),
      () => {
        controller.abort();
        return say('This reply arrived after stop.');
      },
    ]);
    const r = await converse(user, agent, { signal: controller.signal, onTurn: (t) => void recorded.push(t.index) });
    expect(r.termination).toBe('aborted');
    expect(r.turns.map((t) => t.content)).toEqual(['user line 0', 'Hello!', 'user line 1']);
    expect(r.turns.some((t) => t.content.includes('after stop'))).toBe(false);
    expect(recorded).toEqual([0, 1, 2]);
    expect(agent.contexts[1]!.signal).toBe(controller.signal);
  });

  it('ends with aborted when a participant rejects with an AbortError', async () => {
    const user = scripted('user', [say('Hi.')]);
    const agent = scripted('agent', [{ throws: { name: 'AbortError', message: 'The operation was aborted' } }]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('aborted');
    expect(r.turns).toHaveLength(1);
  });
});

describe('runConversation: recording', () => {
  it('records index, role, author and injected timings on each turn', async () => {
    let clock = 1000;
    const user = scripted('user', [
      () => {
        clock += 30;
        return say('Hi.');
      },
      () => {
        clock += 5;
        return say('bye', { control: 'stop', satisfaction: 4, latent: { mood: 'fine' } });
      },
    ], { id: 'sim-user' });
    const agent = scripted('agent', [
      () => {
        clock += 250;
        return say('Hello!', { authorDetail: 'qwen-0.5b', usage: { promptTokens: 12, completionTokens: 3 } });
      },
    ], { id: 'llm-agent' });
    const r = await converse(user, agent, { now: () => clock, sessionId: 'sess-9' });
    expect(r.turns.map((t) => [t.index, t.role, t.author, t.startedAt, t.durationMs])).toEqual([
      [0, 'user', 'sim-user', 1000, 30],
      [1, 'agent', 'llm-agent/qwen-0.5b', 1030, 250],
      [2, 'user', 'sim-user', 1280, 5],
    ]);
    expect(r.turns.every((t) => t.sessionId === 'sess-9')).toBe(true);
    expect(r.turns[1]!.usage).toEqual({ promptTokens: 12, completionTokens: 3 });
    expect(r.turns[2]).toMatchObject({ satisfaction: 4, latent: { mood: 'fine' }, control: 'stop' });
    // Optional fields are absent, not undefined, where nothing produced them.
    expect('usage' in r.turns[0]!).toBe(false);
    expect('control' in r.turns[0]!).toBe(false);
  });

  it('awaits onTurn for each turn, in order, before the next turn starts', async () => {
    const log: string[] = [];
    const note = (who: string) => (_view: unknown, ctx: { turnIndex: number }) => {
      log.push(`${who} ${ctx.turnIndex}`);
      return say(`${who} says something`);
    };
    const user = scripted('user', [note('user'), (v, c) => ({ ...note('user')(v, c), control: 'stop' as const })]);
    const agent = scripted('agent', [note('agent')]);
    const stored: Turn[] = [];
    const r = await converse(user, agent, {
      onTurn: async (turn) => {
        log.push(`store ${turn.index} begin`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        stored.push(turn);
        log.push(`store ${turn.index} end`);
      },
    });
    expect(log).toEqual([
      'user 0',
      'store 0 begin',
      'store 0 end',
      'agent 1',
      'store 1 begin',
      'store 1 end',
      'user 2',
      'store 2 begin',
      'store 2 end',
    ]);
    expect(stored).toEqual(r.turns);
  });

  it("keeps tool calls and tool-only agent steps out of the user's view", async () => {
    const user = scripted('user', [say('Change my plan please, account A1.'), say('bye', { control: 'stop' })]);
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'get_account', arguments: { account_id: 'A1' } }] }),
      say('Let me change that.', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
      say('Done, you are on premium now.'),
    ]);
    const r = await converse(user, agent);
    expect(r.turns.map((t) => t.role)).toEqual(['user', 'agent', 'agent', 'agent', 'user']);
    const view = user.views[1]!;
    expect(view.map((m) => [m.from, m.turnIndex, m.content])).toEqual([
      ['self', 0, 'Change my plan please, account A1.'],
      ['other', 2, 'Let me change that.'],
      ['other', 3, 'Done, you are on premium now.'],
    ]);
    expect(view.every((m) => m.toolCalls === undefined)).toBe(true);
    expect(JSON.stringify(view)).not.toContain('set_plan');
    expect(r.finalDb).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
  });

  it('shows the agent its own tool calls with their results', async () => {
    const user = scripted('user', [say('What plan am I on? Account A1.'), say('thanks ###STOP###')]);
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'get_account', arguments: { account_id: 'A1' } }] }),
      say('You are on the basic plan.'),
    ]);
    await converse(user, agent);
    const view = agent.views[1]!;
    expect(view.map((m) => m.from)).toEqual(['other', 'self']);
    expect(view[1]!.toolCalls).toEqual([
      {
        id: 't1-0',
        name: 'get_account',
        arguments: { account_id: 'A1' },
        result: { ok: true, value: { name: 'Ana Lima', email: 'ana@example.org', plan: 'basic' } },
      },
    ]);
  });

  it('ignores tool calls from the user seat and flags them', async () => {
    const user = scripted('user', [
      say('I will do it myself.', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'family' } }] }),
      say('bye', { control: 'stop' }),
    ]);
    const agent = scripted('agent', [say('OK.')]);
    const r = await converse(user, agent);
    expect(r.turns[0]!.toolCalls).toEqual([]);
    expect(r.turns[0]!.flags).toContain('user_tool_call_ignored');
    expect(r.finalDb).toEqual(makeScenario().initialDb);
  });

  it('gives each seat a seeded stream: same seed, same numbers; seats and seeds differ', async () => {
    const draw = async (seed: number) => {
      const sample = (who: string) => (_v: unknown, ctx: { rng: () => number }) => say(`${who} ${ctx.rng()} ${ctx.rng()}`);
      const user = scripted('user', [sample('u'), sample('u'), say('bye', { control: 'stop' })]);
      const agent = scripted('agent', [sample('a'), sample('a')]);
      const r = await converse(user, agent, { seed });
      return r.turns.map((t) => t.content);
    };
    const a = await draw(7);
    const b = await draw(7);
    const c = await draw(8);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    // Streams continue across a seat's turns and differ between the seats.
    const nums = a.slice(0, 4).map((s) => s.split(' ').slice(1));
    expect(new Set(nums.flat()).size).toBe(8);
  });

  it('starts from a private copy of the database', async () => {
    const scenario = makeScenario();
    const environment = createEnvironment(scenario, ACME_DOMAIN);
    const user = scripted('user', [say('Premium please, A1.'), say('bye', { control: 'stop' })]);
    const agent = scripted('agent', [
      say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
      say('Done.'),
    ]);
    const r = await runConversation(
      { user, agent, environment },
      { sessionId: 's', seed: 1, maxTurns: 10, maxErrors: 3 },
    );
    expect(r.finalDb).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
    expect(scenario.initialDb).toMatchObject({ accounts: { A1: { plan: 'basic' } } });
  });
});

describe('parseControlSignal and seatView', () => {
  it('finds each control token anywhere in a message', () => {
    expect(parseControlSignal('Thanks! ###STOP###')).toBe('stop');
    expect(parseControlSignal('###TRANSFER### please')).toBe('transfer');
    expect(parseControlSignal('this is ###OUT-OF-SCOPE###')).toBe('out_of_scope');
    expect(parseControlSignal('Please stop calling me')).toBeUndefined();
  });

  it('flips roles for the user seat and drops empty agent steps', () => {
    const base = { sessionId: 's', author: 'x', flags: [], startedAt: 0, durationMs: 0 };
    const turns: Turn[] = [
      { ...base, index: 0, role: 'user', content: 'hi', toolCalls: [] },
      {
        ...base,
        index: 1,
        role: 'agent',
        content: '  ',
        toolCalls: [{ id: 't1-0', name: 'get_account', arguments: {}, result: { ok: true, value: null } }],
      },
      { ...base, index: 2, role: 'agent', content: 'hello', toolCalls: [] },
    ];
    expect(seatView(turns, 'user').map((m) => [m.from, m.turnIndex])).toEqual([
      ['self', 0],
      ['other', 2],
    ]);
    expect(seatView(turns, 'agent').map((m) => [m.from, m.turnIndex])).toEqual([
      ['other', 0],
      ['self', 1],
      ['self', 2],
    ]);
  });

  it('tells the user seat how many tool calls failed behind each agent message, never the calls', () => {
    const base = { sessionId: 's', author: 'x', flags: [], startedAt: 0, durationMs: 0 };
    const failed = { ok: false as const, error: { name: 'DomainError' as const, message: 'Order not found' } };
    const turns: Turn[] = [
      { ...base, index: 0, role: 'user', content: 'hi', toolCalls: [] },
      { ...base, index: 1, role: 'agent', content: '', toolCalls: [{ id: 'a', name: 'get_order', arguments: {}, result: failed }] },
      { ...base, index: 2, role: 'agent', content: 'one moment', toolCalls: [{ id: 'b', name: 'get_order', arguments: {}, result: failed }] },
      { ...base, index: 3, role: 'user', content: 'ok', toolCalls: [] },
      { ...base, index: 4, role: 'agent', content: 'found it', toolCalls: [{ id: 'c', name: 'get_order', arguments: {}, result: { ok: true, value: null } }] },
    ];
    const view = seatView(turns, 'user');
    expect(view.map((m) => [m.turnIndex, m.toolErrors])).toEqual([
      [0, undefined],
      [2, 2],
      [3, undefined],
      [4, undefined],
    ]);
    expect(view.every((m) => m.toolCalls === undefined)).toBe(true);
  });
});

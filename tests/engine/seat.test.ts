import { describe, expect, it } from 'vitest';
import { EngineSeat, engineSeatFactory, requestSeed, seatSettingsJson, type EngineSeatSettings } from '../../src/engine/seat.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import { isPrefixExtension } from '../../src/engine/role-chat.ts';

const settings = (over: Partial<EngineSeatSettings> = {}): EngineSeatSettings => ({
  engine: 'scripted',
  model: 'tiny',
  sampling: { temperature: 0.7, top_p: 0.95, max_tokens: 64, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
  ...over,
});

describe('EngineSeat', () => {
  it('keeps each role prefix-extending over a 4-turn two-role conversation, one engine per role', async () => {
    const userEngine = new ScriptedEngine((_, i) => `user line ${i}`);
    const agentEngine = new ScriptedEngine((_, i) => `agent line ${i}`);
    const user = new EngineSeat(userEngine, settings(), 'user', 7, 'You are a customer.');
    const agent = new EngineSeat(agentEngine, settings(), 'agent', 7, 'You are an agent.');
    let toUser = 'Hello, how can I help?';
    for (let turn = 0; turn < 4; turn++) {
      const u = await user.reply([{ role: 'user', content: toUser }]);
      const a = await agent.reply([{ role: 'user', content: u.content }]);
      toUser = a.content;
      expect(u.usage.prefixExtending).toBe(true);
      expect(a.usage.prefixExtending).toBe(true);
    }
    for (const engine of [userEngine, agentEngine]) {
      const reqs = engine.requests;
      expect(reqs).toHaveLength(4);
      for (let i = 1; i < reqs.length; i++) {
        const prevReply = engine === userEngine ? `user line ${i - 1}` : `agent line ${i - 1}`;
        expect(isPrefixExtension(reqs[i - 1]!.messages, prevReply, reqs[i]!.messages)).toBe(true);
      }
    }
  });

  it('sends explicit sampling with a seed derived from the session seed, role and request', async () => {
    const engine = new ScriptedEngine(['a', 'b']);
    const seat = new EngineSeat(engine, settings({ resetChatEachRequest: true }), 'agent', 42, 'sys');
    const r0 = await seat.reply([{ role: 'user', content: 'x' }]);
    await seat.reply([{ role: 'user', content: 'y' }]);
    const [q0, q1] = engine.requests;
    expect(q0!.sampling).toEqual({ ...settings().sampling, seed: requestSeed(42, 'agent', 0) });
    expect(q1!.sampling.seed).toBe(requestSeed(42, 'agent', 1));
    expect(q0!.sampling.seed).not.toBe(q1!.sampling.seed);
    expect(requestSeed(42, 'agent', 0)).not.toBe(requestSeed(42, 'user', 0));
    expect(requestSeed(42, 'agent', 0)).toBe(requestSeed(42, 'agent', 0));
    expect(Number.isInteger(q0!.sampling.seed) && q0!.sampling.seed >= 0).toBe(true);
    expect(q0!.resetChat).toBe(true);
    expect(r0.usage.seed).toBe(q0!.sampling.seed);
  });

  it('marks requests as not extending when the engine is shared or the last reply was cut', async () => {
    const shared = new EngineSeat(new ScriptedEngine(['a', 'b']), settings({ sharedEngine: true }), 'user', 1, 's');
    await shared.reply([{ role: 'user', content: '1' }]);
    expect((await shared.reply([{ role: 'user', content: '2' }])).usage.prefixExtending).toBe(false);

    const ctrl = new AbortController();
    const engine = new ScriptedEngine(['a long reply that will be cut', 'next'], { chunkChars: 2 });
    const seat = new EngineSeat(engine, settings(), 'agent', 1, 's');
    const cut = await seat.reply([{ role: 'user', content: '1' }], {
      signal: ctrl.signal,
      onDelta: () => ctrl.abort(),
    });
    expect(cut.finishReason).toBe('abort');
    expect((await seat.reply([{ role: 'user', content: '2' }])).usage.prefixExtending).toBe(false);
  });

  it('passes the prompt tokens the engine took from its cache through to the turn\'s usage', async () => {
    const engine = new ScriptedEngine([{ content: 'a', usage: { promptTokens: 20, cachedPromptTokens: 412 } }, { content: 'b', usage: { cachedPromptTokens: 0 } }, 'c']);
    const seat = new EngineSeat(engine, settings(), 'user', 1, 'sys');
    const r0 = await seat.reply([{ role: 'user', content: '1' }]);
    expect(r0.usage).toMatchObject({ promptTokens: 20, cachedPromptTokens: 412 });
    expect((await seat.reply([{ role: 'user', content: '2' }])).usage.cachedPromptTokens).toBe(0);
    // An engine that does not report it leaves it out, rather than claiming 0.
    expect('cachedPromptTokens' in (await seat.reply([{ role: 'user', content: '3' }])).usage).toBe(false);
  });

  it('takes back a request whose engine call failed, so the history stays clean', async () => {
    const engine = new ScriptedEngine([{ error: { name: 'EngineLostError', message: 'gone' } }, 'ok']);
    const seat = new EngineSeat(engine, settings(), 'user', 1, 'sys');
    await expect(seat.reply([{ role: 'user', content: 'first' }])).rejects.toMatchObject({ name: 'EngineLostError' });
    await seat.reply([{ role: 'user', content: 'again' }]);
    expect(engine.requests[1]!.messages.map((m) => m.content)).toEqual(['sys', 'again']);
  });

  it('sends the tool role from the settings, native tools when asked, and returns the calls read', async () => {
    const engine = new ScriptedEngine([
      { content: '[…]', toolCalls: [{ name: 'get_account', arguments: '{"account_id":"A1"}' }] },
      'A1 is on basic.',
    ]);
    const s = settings({ toolCalling: { toolRole: 'user', native: true, constrain: false } });
    const seat = new EngineSeat(engine, s, 'agent', 5, 'sys');
    const tools = [{ name: 'get_account', description: 'Look up.', parameters: { type: 'object' } }];
    const r = await seat.reply([{ role: 'user', content: 'A1?' }], { tools });
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([{ name: 'get_account', arguments: '{"account_id":"A1"}' }]);
    const next = await seat.reply([{ role: 'tool', content: '<tool_result name="get_account">{}</tool_result>', tool_call_id: 't1-0' }], { tools });
    // A tool-call finish leaves the cache usable, and a tool message extends the stream.
    expect(next.usage.prefixExtending).toBe(true);
    expect(engine.requests.map((q) => q.toolRole)).toEqual(['user', 'user']);
    expect(engine.requests[0]!.tools).toEqual(tools);
    expect(engine.requests[1]!.messages.at(-1)).toEqual({ role: 'tool', content: '<tool_result name="get_account">{}</tool_result>', tool_call_id: 't1-0' });
    // A role without tool settings sends no tool role at all.
    const plain = new ScriptedEngine(['x']);
    await new EngineSeat(plain, settings(), 'user', 5, 'sys').reply([{ role: 'user', content: 'hi' }]);
    expect(plain.requests[0]!.toolRole).toBeUndefined();
    expect(plain.requests[0]!.tools).toBeUndefined();
  });

  it('builds seats through a factory that carries the agent\'s tool-calling mode, and stores it', () => {
    const engine = new ScriptedEngine(['x']);
    const s = settings({ toolCalling: { toolRole: 'native', native: false, constrain: true }, runtime: { nCtx: 8192 } });
    const make = engineSeatFactory(engine, s, 'agent', 1);
    expect(make.toolCalling).toEqual({ native: false, constrain: true });
    expect(make('sys')).toBeInstanceOf(EngineSeat);
    expect(engineSeatFactory(engine, settings(), 'user', 1).toolCalling).toBeUndefined();
    expect(seatSettingsJson(s)).toMatchObject({ toolCalling: { toolRole: 'native', native: false, constrain: true }, runtime: { nCtx: 8192 } });
  });
});

describe('EngineSeat and the context window', () => {
  const big = (n: number) => 'x'.repeat(n);

  it('refuses a request that leaves no room for the reply, before the engine sees it, as ContextExhaustedError', async () => {
    const engine = new ScriptedEngine(['ok']);
    // 1,000 tokens of window: a 3,000-character prompt (about 1,000 tokens) and a 64-token reply cannot fit.
    const seat = new EngineSeat(engine, settings({ runtime: { nCtx: 1000 } }), 'agent', 1, 'sys');
    const err = await seat.reply([{ role: 'user', content: big(3000) }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ContextExhaustedError', contextTokens: 1000, replyTokens: 64 });
    expect((err as Error).message).toMatch(/agent's context window is full: its next request is about 1,0\d\d tokens and its reply may take 64, more than the 1,000 tokens/);
    expect(engine.requests).toHaveLength(0);
  });

  it('lets the same request through with a larger window, and without a known window', async () => {
    for (const runtime of [{ contextWindowSize: 4096 }, undefined]) {
      const engine = new ScriptedEngine(['ok']);
      const seat = new EngineSeat(engine, settings(runtime ? { runtime } : {}), 'user', 1, 'sys');
      expect((await seat.reply([{ role: 'user', content: big(3000) }])).content).toBe('ok');
    }
  });

  it('measures the model on its first request: a dense tokenizer fills the window sooner', async () => {
    // The engine reports one token per character (stories260K's 512-token vocabulary does about that).
    const dense = new ScriptedEngine((req) => ({ content: 'ok', usage: { promptTokens: req.messages.reduce((n, m) => n + m.content.length, 0) + 6 * req.messages.length } }));
    const seat = new EngineSeat(dense, settings({ runtime: { nCtx: 2048 } }), 'user', 1, 'sys');
    await seat.reply([{ role: 'user', content: big(900) }]);
    // 903 + 2 + 1,100 characters: about 700 tokens at the default three characters a token, but
    // over 2,000 at this model's one, which with the 64-token reply is more than 2,048.
    const err = await seat.reply([{ role: 'user', content: big(1100) }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ContextExhaustedError' });
    // A later session on the same engine starts from the measured ratio.
    const next = new EngineSeat(dense, settings({ runtime: { nCtx: 2048 } }), 'user', 2, 'sys');
    await expect(next.reply([{ role: 'user', content: big(2000) }])).rejects.toMatchObject({ name: 'ContextExhaustedError' });
  });
});

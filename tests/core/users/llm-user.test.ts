import { describe, expect, it } from 'vitest';
import { EngineSeat, type EngineSeatSettings } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { createLlmUser, copiesVerbatim, KICKOFF, renderUserSystemPrompt } from '../../../src/core/users/llm-user.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { converse, makePersona, makeScenario, PERSONAS, say, scripted, userTurns } from '../fixtures.ts';

const settings: EngineSeatSettings = {
  engine: 'scripted',
  model: 'tiny-user',
  sampling: { temperature: 0.8, top_p: 0.9, max_tokens: 80, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
};

function seatOn(script: Script): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  return { engine, make: (system) => new EngineSeat(engine, settings, 'user', 5, system) };
}

describe('LLM user simulator', () => {
  it('puts the guidelines, the persona and the hidden scenario in its prompt', () => {
    const scenario = makeScenario();
    const persona = PERSONAS.impatient;
    const prompt = renderUserSystemPrompt({ role: 'user', scenario, persona });
    expect(prompt).toContain('not an assistant');
    expect(prompt).toContain('###STOP###');
    expect(prompt).toContain('###TRANSFER###');
    expect(prompt).toContain('###OUT-OF-SCOPE###');
    expect(prompt).toContain(scenario.user.reasonForContact);
    expect(prompt).toContain(scenario.user.taskInstructions);
    for (const v of Object.values(scenario.user.knownInfo)) expect(prompt).toContain(v);
    for (const u of scenario.user.unknownInfo) expect(prompt).toContain(u);
    expect(prompt).toMatch(/impatient/i);
    // A different persona changes the prompt; the task part stays the same.
    const calm = renderUserSystemPrompt({ role: 'user', scenario, persona: makePersona('baseline') });
    expect(calm).not.toEqual(prompt);
    expect(calm).toContain(scenario.user.taskInstructions);
  });

  it('sees the conversation with roles flipped, opens with a kickoff, and reaches the stop signal', async () => {
    const { engine, make } = seatOn(['Hi, I want to upgrade my plan.', 'It is A1.', 'Thanks! ###STOP###']);
    const scenario = makeScenario();
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona('baseline') }, make);
    const agent = scripted('agent', [say('Sure, which account?'), say('Done.')]);
    const r = await converse(user, agent, { scenario });
    expect(r.termination).toBe('user_stop');
    const [first, second] = engine.requests;
    expect(first!.messages[0]!.role).toBe('system');
    expect(first!.messages.at(-1)).toEqual({ role: 'user', content: KICKOFF });
    // The agent's line reaches the simulator as a "user" message; its own reply is "assistant".
    expect(second!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Hi, I want to upgrade my plan.' },
      { role: 'user', content: 'Sure, which account?' },
    ]);
    expect(userTurns(r.turns)[0]!.author).toBe('llm-user/tiny-user');
    expect(userTurns(r.turns)[0]!.usage?.seed).toBeTypeOf('number');
  });

  it('never lets the hidden scenario reach the agent', async () => {
    const scenario = makeScenario();
    const { make } = seatOn(['Hello, I need help with my plan.', 'A1 please', 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona('baseline') }, make);
    const agent = scripted('agent', [say('How can I help?'), say('OK.')]);
    await converse(user, agent, { scenario });
    const seenByAgent = agent.views.flat().map((m) => m.content).join('\n');
    expect(seenByAgent).not.toContain(scenario.user.taskInstructions);
    expect(seenByAgent).not.toContain(scenario.user.reasonForContact);
  });

  it('retries an empty reply once, then fails the session as user_error', async () => {
    const once = seatOn(['  ', 'Hello there']);
    const r1 = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, once.make),
      scripted('agent', [], { fallback: say('ok') }),
      { maxTurns: 2 },
    );
    expect(userTurns(r1.turns)[0]!.flags).toContain('empty_reply_retried');
    expect(userTurns(r1.turns)[0]!.content).toBe('Hello there');

    const twice = seatOn(['', '']);
    const r2 = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, twice.make),
      scripted('agent', [], { fallback: say('ok') }),
    );
    expect(r2.termination).toBe('user_error');
    expect(r2.error?.name).toBe('EmptyReplyError');
  });

  it('flags replying as the assistant and copying the hidden instructions verbatim', async () => {
    const scenario = makeScenario();
    const copied = scenario.user.taskInstructions;
    const { make } = seatOn(['Hello! How can I help you today?', copied, 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [], { fallback: say('Tell me more.') }), { scenario });
    const [a, b, c] = userTurns(r.turns);
    expect(a!.flags).toContain('replied_as_assistant');
    expect(b!.flags).toContain('copied_instructions');
    expect(c!.flags).not.toContain('copied_instructions');
  });

  it('streams its text through the orchestrator as the engine produces it', async () => {
    const { make } = seatOn(['Hello, I need a bigger plan.', 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    let streamed = '';
    const r = await converse(user, scripted('agent', [say('Sure.')]), { onDelta: (role, t) => (streamed += role === 'user' ? t : '') });
    expect(streamed).toBe('Hello, I need a bigger plan.bye ###STOP###');
    expect(userTurns(r.turns).map((t) => t.content).join('')).toBe(streamed);
  });

  it('an engine lost mid-session ends it as engine_lost', async () => {
    const { make } = seatOn([{ error: { name: 'EngineLostError', message: 'GPU device lost' } }]);
    const r = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make),
      scripted('agent', []),
    );
    expect(r.termination).toBe('engine_lost');
  });
});

describe('copiesVerbatim', () => {
  it('finds 8-word runs and ignores paraphrase', () => {
    const src = 'You want to upgrade account A1 to the premium plan today if possible.';
    expect(copiesVerbatim('so, upgrade account A1 to the premium plan today please', src)).toBe(true);
    expect(copiesVerbatim('I would like premium for A1', src)).toBe(false);
  });
});

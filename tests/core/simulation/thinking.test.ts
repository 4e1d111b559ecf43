/**
 * Thinking models (issue 13): reasoning taken out of replies in each form small open models
 * write it, before display, parsing and storage; kept on the turn; never sent to the other
 * seat; a tool call drafted while thinking never runs; the engine still records the raw reply.
 */
import { describe, expect, it } from 'vitest';
import { EngineSeat } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { createLlmAgent } from '../../../src/core/agents/llm-agent.ts';
import { createLlmUser } from '../../../src/core/users/llm-user.ts';
import type { AgentSeatContext } from '../../../src/core/simulation/participant.ts';
import { splitThinking, thinkingFilter, withoutThinking } from '../../../src/core/simulation/thinking.ts';
import { agentTurns, converse, makePersona, makeScenario, say, scripted, scriptedSeatSettings, userTurns } from '../fixtures.ts';

describe('splitThinking', () => {
  it.each([
    ['a leading block (Qwen3 thinking on)', '<think>\nThe user wants A1. Check it.\n</think>\n\nLet me check that.', 'Let me check that.', 'The user wants A1. Check it.'],
    ['the empty block Qwen3 writes with thinking off', '<think>\n\n</think>\n\nHello! How can I help?', 'Hello! How can I help?', undefined],
    ['an orphan close (Qwen3.5 opens <think> in the prompt)', 'They asked about A1, so I answer.\n</think>\n\nYou are on basic.', 'You are on basic.', 'They asked about A1, so I answer.'],
    ['an unclosed block (cut while thinking)', 'Sure. <think>Hmm, maybe I should call get_account with', 'Sure.', 'Hmm, maybe I should call get_account with'],
    ['only thinking, cut off', '<think>I need to work out what the', '', 'I need to work out what the'],
    ['<thinking> and several blocks', '<thinking>one</thinking>Hi.<THINK>two</THINK> Bye.', 'Hi. Bye.', 'one\n\ntwo'],
    ['no thinking at all', 'Plain reply.', 'Plain reply.', undefined],
  ])('%s', (_name, raw, visible, reasoning) => {
    const out = splitThinking(raw);
    expect(out.visible).toBe(visible);
    expect(out.reasoning).toBe(reasoning);
  });
});

describe('thinkingFilter (streaming)', () => {
  it('passes on only what is outside the blocks, whatever the deltas cut', () => {
    const raw = '<think>secret plan</think>Hello there, <think>more</think>friend.';
    for (const size of [1, 2, 3, 5, 7, 64]) {
      let shown = '';
      const push = thinkingFilter((t) => (shown += t));
      for (let i = 0; i < raw.length; i += size) push(raw.slice(i, i + size));
      expect(shown, `deltas of ${size}`).toBe('Hello there, friend.');
    }
  });
});

const settings = scriptedSeatSettings('thinker', { max_tokens: 256 });

function agentOn(script: Script) {
  const engine = new ScriptedEngine(script);
  const scenario = makeScenario();
  const ctx: AgentSeatContext = { role: 'agent', scenarioId: scenario.id, domain: scenario.domain, policy: scenario.agent.policy, tools: scenario.agent.tools };
  return { engine, scenario, agent: createLlmAgent(ctx, (system) => new EngineSeat(engine, settings, 'agent', 9, system)) };
}

describe('LLM participants with a thinking model', () => {
  it('the agent never runs a call it drafted while thinking, shows no reasoning, and keeps it on the turn', async () => {
    const { engine, agent, scenario } = agentOn([
      '<think>I could call <tool_call>{"name": "set_plan", "arguments": {"account_id": "A1", "plan": "premium"}}</tool_call> but I must ask first.</think>\n\nShall I switch A1 to premium?',
      'All right, I left it as it is.',
    ]);
    const user = scripted('user', [say('Switch A1 to premium please.'), say('No, leave it.'), say('bye ###STOP###')]);
    const r = await converse(user, agent, { scenario });
    const [first] = agentTurns(r.turns);
    expect(first!.toolCalls).toEqual([]);
    expect(first!.content).toBe('Shall I switch A1 to premium?');
    expect(first!.reasoning).toContain('I must ask first');
    // The user seat never sees the reasoning; the engine's history keeps the raw reply (cache).
    expect(r.turns.filter((t) => t.role === 'agent').every((t) => !t.content.includes('think'))).toBe(true);
    const history = engine.requests[1]!.messages;
    expect(history.some((m) => m.role === 'assistant' && m.content.includes('<think>'))).toBe(true);
  });

  it("the user simulator's reasoning never reaches the agent", async () => {
    const scenario = makeScenario();
    const secret = scenario.user.taskInstructions;
    const engine = new ScriptedEngine((q) =>
      q.responseFormat?.type === 'grammar'
        ? '<think>Rate it.</think>{"progress": "started", "emotion": "calm", "beliefAboutAgent": "fine", "satisfaction": 4, "reason": "ok"}'
        : `<think>My hidden task: ${secret}</think>\n\nHi, I need help with my plan. ###STOP###`,
    );
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona() }, (system) => new EngineSeat(engine, settings, 'user', 5, system));
    const agent = scripted('agent', [say('Hello, how can I help?')]);
    const r = await converse(user, agent, { scenario });
    const [u] = userTurns(r.turns);
    expect(u!.content).toBe('Hi, I need help with my plan. ###STOP###');
    expect(u!.content).not.toContain(secret);
    expect(u!.reasoning).toContain(secret);
  });

  it('withoutThinking streams the visible text only', async () => {
    const engine = new ScriptedEngine(['<think>plan</think>Visible.']);
    const seat = withoutThinking(new EngineSeat(engine, settings, 'agent', 1, 'sys'));
    let streamed = '';
    const reply = await seat.reply([{ role: 'user', content: 'hi' }], { onDelta: (t) => (streamed += t) });
    expect(reply.content).toBe('Visible.');
    expect(reply.reasoning).toBe('plan');
    expect(streamed).not.toContain('plan');
  });
});

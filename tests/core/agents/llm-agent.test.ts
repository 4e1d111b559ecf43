import { describe, expect, it } from 'vitest';
import { EngineSeat, type EngineSeatSettings } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { createLlmAgent, renderAgentSystemPrompt } from '../../../src/core/agents/llm-agent.ts';
import { createLlmUser } from '../../../src/core/users/llm-user.ts';
import type { AgentSeatContext } from '../../../src/core/simulation/participant.ts';
import { ACME_DOMAIN, agentTurns, converse, makePersona, makeScenario, say, scripted } from '../fixtures.ts';

const settings: EngineSeatSettings = {
  engine: 'scripted',
  model: 'tiny-agent',
  sampling: { temperature: 0, top_p: 1, max_tokens: 128, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
};

function agentOn(script: Script) {
  const engine = new ScriptedEngine(script);
  const scenario = makeScenario();
  const ctx: AgentSeatContext = {
    role: 'agent',
    scenarioId: scenario.id,
    domain: scenario.domain,
    policy: scenario.agent.policy,
    tools: scenario.agent.tools,
  };
  const agent = createLlmAgent(ctx, (system) => new EngineSeat(engine, settings, 'agent', 9, system));
  return { engine, agent, scenario, ctx };
}

describe('LLM agent', () => {
  it('gets the policy and the tools in its prompt, and none of the user side', () => {
    const { ctx, scenario } = agentOn([]);
    const prompt = renderAgentSystemPrompt(ctx);
    expect(prompt).toContain(scenario.agent.policy);
    for (const t of scenario.agent.tools) expect(prompt).toContain(t.name);
    expect(prompt).toContain('<tool_call>');
    expect(prompt).not.toContain(scenario.user.taskInstructions);
    expect(prompt).not.toContain(scenario.user.reasonForContact);
  });

  it('makes a tool call, sees its result, and answers the user', async () => {
    const { engine, agent, scenario } = agentOn([
      'Let me check. <tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call>',
      'You are on the basic plan.',
    ]);
    const user = scripted('user', [say('What plan is A1 on?'), say('thanks ###STOP###')]);
    const r = await converse(user, agent, { scenario });
    const [call, answer] = agentTurns(r.turns);
    expect(call!.content).toBe('Let me check.');
    expect(call!.toolCalls[0]).toMatchObject({ name: 'get_account', arguments: { account_id: 'A1' }, result: { ok: true } });
    expect(answer!.content).toBe('You are on the basic plan.');
    const second = engine.requests[1]!.messages.at(-1)!;
    expect(second.role).toBe('user');
    expect(second.content).toContain('<tool_result name="get_account">');
    expect(second.content).toContain('basic');
    expect(r.termination).toBe('user_stop');
  });

  it('recovers from a call without a name: the error goes back and counts, the next call works', async () => {
    const { engine, agent, scenario } = agentOn([
      '<tool_call>{"arguments": {"account_id": "A1"}}</tool_call>',
      '<tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call>',
      'Basic plan.',
    ]);
    const r = await converse(scripted('user', [say('A1 plan?'), say('ok ###STOP###')]), agent, { scenario });
    const [bad, good] = agentTurns(r.turns);
    expect(bad!.toolCalls[0]!.result).toMatchObject({ ok: false, error: { name: 'MalformedCall' } });
    expect(good!.toolCalls[0]!.result.ok).toBe(true);
    expect(r.errorCount).toBe(1);
    expect(engine.requests[1]!.messages.at(-1)!.content).toMatch(/error/i);
  });

  it('an unknown tool becomes an error result and counts toward maximum errors', async () => {
    const { agent, scenario } = agentOn(() => '<tool_call>{"name": "refund_everything", "arguments": {}}</tool_call>');
    const r = await converse(scripted('user', [say('hi')]), agent, { scenario, maxErrors: 2 });
    expect(r.termination).toBe('too_many_errors');
    const first = agentTurns(r.turns)[0]!.toolCalls[0]!;
    expect(first.result.ok).toBe(false);
    expect(JSON.stringify(first.result)).toContain('refund_everything');
  });

  it('transfer_to_human ends the session as a transfer', async () => {
    const { agent, scenario } = agentOn(['<tool_call>{"name": "transfer_to_human", "arguments": {"summary": "wants a refund"}}</tool_call>']);
    const r = await converse(scripted('user', [say('I want a refund of last year')]), agent, { scenario });
    expect(r.termination).toBe('transfer');
  });

  it('two LLM seats hold a whole session, and no hidden fact reaches the agent', async () => {
    const scenario = makeScenario();
    const userEngine = new ScriptedEngine(['I want account A1 on premium.', 'Yes.', 'Thanks ###STOP###']);
    const agentEngine = new ScriptedEngine([
      'Shall I change account A1 to premium?',
      '<tool_call>{"name": "set_plan", "arguments": {"account_id": "A1", "plan": "premium"}}</tool_call>',
      'Done: A1 is on premium.',
    ]);
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona() }, (s) => new EngineSeat(userEngine, { ...settings, model: 'u' }, 'user', 3, s), {
      latentState: false,
    });
    const agent = createLlmAgent(
      { role: 'agent', scenarioId: scenario.id, domain: scenario.domain, policy: scenario.agent.policy, tools: scenario.agent.tools },
      (s) => new EngineSeat(agentEngine, settings, 'agent', 3, s),
    );
    const r = await converse(user, agent, { scenario, environment: undefined });
    expect(r.termination).toBe('user_stop');
    expect((r.finalDb.accounts as Record<string, { plan: string }>).A1!.plan).toBe('premium');
    const everythingTheAgentGot = agentEngine.requests.flatMap((q) => q.messages.map((m) => m.content)).join('\n');
    expect(everythingTheAgentGot).not.toContain(scenario.user.taskInstructions);
    expect(everythingTheAgentGot).not.toContain(scenario.user.reasonForContact);
    expect(r.turns.every((t) => t.usage !== undefined)).toBe(true);
    void ACME_DOMAIN;
  });
});

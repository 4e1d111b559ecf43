import { describe, expect, it } from 'vitest';
import { EngineSeat, engineSeatFactory, type ToolCallingSettings } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { isPrefixExtension } from '../../../src/engine/role-chat.ts';
import { REPLY_TO_USER_TOOL, createLlmAgent, renderAgentSystemPrompt } from '../../../src/core/agents/llm-agent.ts';
import { createLlmUser } from '../../../src/core/users/llm-user.ts';
import type { AgentSeatContext } from '../../../src/core/simulation/participant.ts';
import { ACME_DOMAIN, agentTurns, converse, makePersona, makeScenario, say, scripted, scriptedSeatSettings, userScript } from '../fixtures.ts';

const settings = scriptedSeatSettings('tiny-agent', { max_tokens: 128 });

function agentOn(script: Script, toolCalling?: ToolCallingSettings) {
  const engine = new ScriptedEngine(script);
  const scenario = makeScenario();
  const ctx: AgentSeatContext = {
    role: 'agent',
    scenarioId: scenario.id,
    domain: scenario.domain,
    policy: scenario.agent.policy,
    tools: scenario.agent.tools,
  };
  const agent = toolCalling
    ? createLlmAgent(ctx, engineSeatFactory(engine, { ...settings, toolCalling }, 'agent', 9))
    : createLlmAgent(ctx, (system) => new EngineSeat(engine, settings, 'agent', 9, system));
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
    // The result goes back as a tool-role message answering the stored call.
    const second = engine.requests[1]!.messages.at(-1)!;
    expect(second).toMatchObject({ role: 'tool', tool_call_id: call!.toolCalls[0]!.id });
    expect(second.content).toContain('<tool_result name="get_account">');
    expect(second.content).toContain('basic');
    expect(r.termination).toBe('user_stop');
  });

  it('sends every result of one step in one tool message, so each request still extends the last', async () => {
    const { engine, agent, scenario } = agentOn([
      '<tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call><tool_call>{"name": "get_account", "arguments": {"account_id": "nope"}}</tool_call>',
      'A1 is on basic; the other account does not exist.',
    ]);
    const r = await converse(scripted('user', [say('Check A1 and nope'), say('ok ###STOP###')]), agent, { scenario });
    const [step] = agentTurns(r.turns);
    expect(step!.toolCalls).toHaveLength(2);
    const msg = engine.requests[1]!.messages.at(-1)!;
    expect(msg).toMatchObject({ role: 'tool', tool_call_id: step!.toolCalls.map((c) => c.id).join(',') });
    expect(msg.content.match(/<tool_result name="get_account">/g)).toHaveLength(2);
    expect(msg.content).toContain('Account not found');
    const firstReply = engine.requests[1]!.messages.at(-2)!;
    expect(firstReply.role).toBe('assistant');
    expect(isPrefixExtension(engine.requests[0]!.messages, firstReply.content, engine.requests[1]!.messages)).toBe(true);
    expect(agentTurns(r.turns).every((t) => t.usage?.prefixExtending !== false)).toBe(true);
  });

  it('asks the engine to render tool results as user messages where the model has no tool role', async () => {
    const { engine, agent, scenario } = agentOn(
      ['<tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call>', 'Basic.'],
      { toolRole: 'user', native: false, constrain: false },
    );
    await converse(scripted('user', [say('A1?'), say('bye ###STOP###')]), agent, { scenario });
    expect(engine.requests.map((q) => q.toolRole)).toEqual(['user', 'user']);
    // The agent's own stream keeps the tool role; the engine maps it (tests/engine/tool-support.test.ts).
    expect(engine.requests[1]!.messages.at(-1)!.role).toBe('tool');
    expect(engine.requests.every((q) => q.responseFormat === undefined && q.tools === undefined)).toBe(true);
  });

  it('sends the tool-call constraint with every request when the setting is on, and only then', async () => {
    const on = agentOn(['<tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call>', 'Basic.'], {
      toolRole: 'native',
      native: false,
      constrain: true,
    });
    await converse(scripted('user', [say('A1?'), say('bye ###STOP###')]), on.agent, { scenario: on.scenario });
    expect(on.engine.requests).toHaveLength(2);
    for (const q of on.engine.requests) {
      expect(q.responseFormat?.type).toBe('tool_call_tags');
      const f = q.responseFormat as { grammar: string; structuralTag: string; trigger: string };
      expect(f.trigger).toBe('<tool_call>');
      for (const t of on.scenario.agent.tools) {
        expect(f.grammar).toContain(`"\\"${t.name}\\""`);
        expect(f.structuralTag).toContain(t.name);
      }
    }
    const off = agentOn(['Hello.'], { toolRole: 'native', native: false, constrain: false });
    await converse(scripted('user', [say('hi'), say('bye ###STOP###')]), off.agent, { scenario: off.scenario });
    expect(off.engine.requests[0]!.responseFormat).toBeUndefined();
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
    // The simulator rates each agent turn (a structured request) before it speaks.
    const userEngine = new ScriptedEngine(userScript(['I want account A1 on premium.', 'Yes.', 'Thanks ###STOP###']));
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

  describe('with native function calling (web-llm Hermes models)', () => {
    const NATIVE: ToolCallingSettings = { toolRole: 'native', native: true, constrain: true };

    it('offers the tools natively, reads the engine\'s calls, and speaks through reply_to_user', async () => {
      const { engine, agent, scenario } = agentOn(
        [
          { content: '[{"name": "get_account", "arguments": {"account_id": "A1"}}]', toolCalls: [{ name: 'get_account', arguments: '{"account_id": "A1"}' }] },
          { content: '[…]', toolCalls: [{ name: 'reply_to_user', arguments: '{"message": "You are on the basic plan."}' }] },
        ],
        NATIVE,
      );
      const r = await converse(scripted('user', [say('A1 plan?'), say('thanks ###STOP###')]), agent, { scenario });
      const [call, answer] = agentTurns(r.turns);
      expect(call!.toolCalls[0]).toMatchObject({ name: 'get_account', arguments: { account_id: 'A1' }, result: { ok: true } });
      expect(call!.content).toBe('');
      expect(answer!.content).toBe('You are on the basic plan.');
      expect(answer!.toolCalls).toEqual([]);
      const q = engine.requests[0]!;
      expect(q.tools!.map((t) => t.name)).toEqual([...scenario.agent.tools.map((t) => t.name), REPLY_TO_USER_TOOL.name]);
      expect(q.tools![0]!.parameters).toEqual(scenario.agent.tools[0]!.parameters);
      // Native calling constrains the output itself: no second constraint is sent.
      expect(q.responseFormat).toBeUndefined();
      expect(q.messages[0]!.content).not.toContain('<tool_call>');
      expect(q.messages[0]!.content).toContain(REPLY_TO_USER_TOOL.name);
      expect(engine.requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call!.toolCalls[0]!.id });
      expect(r.termination).toBe('user_stop');
    });

    it('an unknown or unreadable native call becomes an error result that counts', async () => {
      const { agent, scenario } = agentOn(
        [
          { content: 'x', toolCalls: [{ name: 'refund_everything', arguments: '{}' }, { name: 'get_account', arguments: '{"account_id": ' }] },
          { content: 'x', toolCalls: [{ name: 'reply_to_user', arguments: '{"message": "Sorry."}' }] },
        ],
        NATIVE,
      );
      const r = await converse(scripted('user', [say('hi'), say('bye ###STOP###')]), agent, { scenario, maxErrors: 5 });
      const [bad, sorry] = agentTurns(r.turns);
      expect(bad!.toolCalls.map((c) => c.result.ok)).toEqual([false, false]);
      expect(JSON.stringify(bad!.toolCalls)).toContain('refund_everything');
      expect(r.errorCount).toBe(2);
      expect(sorry!.content).toBe('Sorry.');
    });

    it('reads the text when the engine could not read calls, and retries an empty list once', async () => {
      const { engine, agent, scenario } = agentOn(
        [
          // The engine gave no calls (its own parse failed): the JSON text is read instead.
          '[{"name": "get_account", "arguments": {"account_id": "A1"}}]',
          { content: '[]', toolCalls: [] },
          { content: 'x', toolCalls: [{ name: 'reply_to_user', arguments: '{"message": "Basic."}' }] },
        ],
        NATIVE,
      );
      const r = await converse(scripted('user', [say('A1?'), say('ok ###STOP###')]), agent, { scenario });
      const [call, answer] = agentTurns(r.turns);
      expect(call!.toolCalls[0]).toMatchObject({ name: 'get_account', result: { ok: true } });
      expect(answer!.flags).toContain('empty_reply_retried');
      expect(answer!.content).toBe('Basic.');
      expect(engine.requests[2]!.messages.at(-1)!.role).toBe('user');
    });
  });
});

/*
 * Sessions whose LLM agent runs on a scripted engine that behaves as small local models and
 * web-llm 0.2.86 really do (issue 13): a prompt that does not fit, a window filling up, a template
 * without a tool role, a model lost after loading. Each must end or go on as the issue says.
 */
import { describe, expect, it } from 'vitest';
import { createLlmAgent } from '../../src/core/agents/llm-agent.ts';
import type { RunSpec } from '../../src/core/model/types.ts';
import { planSessions, runSession } from '../../src/core/simulation/session.ts';
import { engineSeatFactory, type EngineSeatSettings } from '../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../src/engine/scripted.ts';
import { ACME_DOMAIN, makeScenario, PERSONAS, say, scripted } from '../core/fixtures.ts';

const SPEC: RunSpec = {
  name: 'llm',
  scenarioIds: ['upgrade-plan'],
  personaIds: ['baseline'],
  user: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
  agent: { kind: 'llm', label: 'LLM agent', version: 'test', settings: {} },
  trials: 1,
  seed: 5,
  maxTurns: 20,
  maxErrors: 3,
};

const settings = (over: Partial<EngineSeatSettings> = {}): EngineSeatSettings => ({
  engine: 'scripted',
  model: 'small-model',
  sampling: { temperature: 0.3, top_p: 0.9, max_tokens: 384, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
  toolCalling: { toolRole: 'native', native: false, constrain: false },
  ...over,
});

async function session(engine: ScriptedEngine, over: Partial<EngineSeatSettings> = {}) {
  const plan = planSessions('r', SPEC, [makeScenario()], [PERSONAS.baseline])[0]!;
  const user = scripted('user', [say('I want premium on account A1.'), say('Yes, go ahead.'), say('Thanks, bye ###STOP###')]);
  return runSession(plan, {
    runId: 'r',
    spec: SPEC,
    domain: ACME_DOMAIN,
    createUser: () => user,
    createAgent: (ctx) => createLlmAgent(ctx, engineSeatFactory(engine, settings(over), 'agent', plan.seed)),
  });
}

const UPGRADE = '<tool_call>{"name": "set_plan", "arguments": {"account_id": "A1", "plan": "premium"}}</tool_call>';

describe('an LLM agent on a small model', () => {
  it("ends the session as context_exhausted when web-llm says the prompt does not fit, saying at which turn", async () => {
    const script: Script = [
      'Shall I switch account A1 to premium?',
      { error: { name: 'ContextWindowSizeExceededError', message: 'The prompt did not fit the 4096-token context window of small-model.' } },
    ];
    const s = await session(new ScriptedEngine(script));
    expect(s).toMatchObject({ outcome: 'error', termination: 'context_exhausted', turnCount: 3 });
    expect(s.error).toEqual({ name: 'ContextWindowSizeExceededError', message: "Turn 4, the agent's request. The prompt did not fit the 4096-token context window of small-model." });
  });

  it('ends it before the engine is asked when the next request would leave no room for the reply', async () => {
    // A 600-token window: the agent's prompt (policy and tools) and a 384-token reply do not fit.
    const engine = new ScriptedEngine(['never sent']);
    const s = await session(engine, { runtime: { contextWindowSize: 600 } });
    expect(s).toMatchObject({ outcome: 'error', termination: 'context_exhausted' });
    expect(s.error!.name).toBe('ContextExhaustedError');
    expect(s.error!.message).toMatch(/^Turn 2, the agent's request\. The agent's context window is full: its next request is about [\d,]+ tokens and its reply may take 384, more than the 600 tokens/);
    expect(engine.requests).toHaveLength(0);
  });

  it('sends tool results as user messages once the template refuses the tool role, and the session goes on', async () => {
    const replies = ['Shall I switch account A1 to premium?', UPGRADE, 'Done: you are on premium.'];
    let n = 0;
    const engine = new ScriptedEngine((req) => {
      if (req.toolRole === 'native' && req.messages.some((m) => m.role === 'tool')) return { error: { name: 'Error', message: 'Role is not supported: tool' } };
      return replies[n++] ?? 'Anything else?';
    });
    const s = await session(engine);
    expect(s.termination).toBe('user_stop');
    expect(s.outcome).toBe('pass');
    // The request after the call was refused once, then sent with the results as user messages;
    // every later request too.
    const withResults = engine.requests.filter((r) => r.messages.some((m) => m.role === 'tool'));
    expect(withResults.map((r) => r.toolRole)).toEqual(['native', 'user', ...withResults.slice(2).map(() => 'user')]);
  });

  it('marks the session engine_lost when the model is gone after loading (web-llm unloads after a lost device)', async () => {
    const s = await session(new ScriptedEngine([{ error: { name: 'EngineLostError', message: 'The model was unloaded after it loaded: the GPU device was lost.' } }]));
    expect(s).toMatchObject({ outcome: 'error', termination: 'engine_lost' });
  });
});

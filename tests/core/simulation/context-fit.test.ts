import { describe, expect, it } from 'vitest';
import { createLlmAgent } from '../../../src/core/agents/llm-agent.ts';
import { createLlmUser } from '../../../src/core/users/llm-user.ts';
import {
  calibratedCharsPerToken,
  estimateRequestTokens,
  firstTurnProblem,
  largestFirstTurn,
  largestRequestTokens,
  probeFirstTurn,
  type SeatFit,
} from '../../../src/core/simulation/context-fit.ts';
import { makePersona, makeScenario } from '../fixtures.ts';
import { loadPack } from '../scenarios/pack-fixture.ts';

const create = {
  user: (ctx: Parameters<typeof createLlmUser>[0], seat: Parameters<typeof createLlmUser>[1]) => createLlmUser(ctx, seat),
  agent: (ctx: Parameters<typeof createLlmAgent>[0], seat: Parameters<typeof createLlmAgent>[1]) => createLlmAgent(ctx, seat),
};

describe('estimates', () => {
  it('counts characters at the ratio plus a template overhead per message', () => {
    expect(estimateRequestTokens([{ content: 'x'.repeat(300) }, { content: 'y'.repeat(30) }])).toBe(110 + 12);
    expect(estimateRequestTokens([{ content: 'x'.repeat(300) }], 1)).toBe(306);
    // A nonsense ratio falls back to the default rather than dividing by zero.
    expect(estimateRequestTokens([{ content: 'x'.repeat(300) }], 0)).toBe(106);
  });

  it('calibrates from a reported count, and ignores an implausible one', () => {
    expect(calibratedCharsPerToken([{ content: 'x'.repeat(400) }], 106)).toBe(4);
    expect(calibratedCharsPerToken([{ content: 'x'.repeat(400) }], 3)).toBeUndefined();
    expect(calibratedCharsPerToken([{ content: 'x'.repeat(400) }], 5000)).toBeUndefined();
  });
});

describe('probing a first turn without a model', () => {
  it("records the agent's real first request: its system prompt with the policy and tools, then the customer's opening", async () => {
    const scenario = makeScenario();
    const turn = await probeFirstTurn(
      (seat) => create.agent({ role: 'agent', scenarioId: scenario.id, domain: scenario.domain, policy: scenario.agent.policy, tools: scenario.agent.tools, seed: 0 }, seat),
      'agent',
      'Hello there.',
    );
    expect(turn).not.toBeNull();
    expect(turn!.requests).toHaveLength(1);
    const [system, opening] = turn!.requests[0]!;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain(scenario.agent.policy.trim());
    for (const t of scenario.agent.tools) expect(system!.content).toContain(t.name);
    expect(opening).toEqual({ role: 'user', content: 'Hello there.' });
  });

  it("records every request of the user simulator's opening turn (inner state, then the message)", async () => {
    const scenario = makeScenario();
    const turn = await probeFirstTurn((seat) => create.user({ role: 'user', scenario, persona: makePersona(), seed: 0 }, seat), 'user');
    expect(turn!.requests).toHaveLength(2);
    // The second request extends the first: the largest is the last.
    expect(turn!.requests[1]!.length).toBeGreaterThan(turn!.requests[0]!.length);
    expect(largestRequestTokens(turn!)).toBe(estimateRequestTokens(turn!.requests[1]!));
    expect(turn!.system).toContain(scenario.user.taskInstructions.trim().slice(0, 40));
  });

  it('finds the largest first turn over a pack and names where it came from', async () => {
    const { scenarios } = loadPack('retail');
    const personas = [makePersona('baseline'), makePersona('verbose', { verbosity: 5 })];
    const agent = await largestFirstTurn('agent', scenarios, personas, create);
    expect(agent!.promptTokens).toBeGreaterThan(500);
    expect(agent!.personaName).toBeUndefined();
    const user = await largestFirstTurn('user', scenarios, personas, create);
    expect(scenarios.map((s) => s.title)).toContain(user!.scenarioTitle);
    expect(personas.map((p) => p.name)).toContain(user!.personaName);
    // No task's first turn is larger than the one reported.
    for (const s of scenarios) {
      const one = await largestFirstTurn('user', [s], personas, create);
      expect(one!.promptTokens).toBeLessThanOrEqual(user!.promptTokens);
    }
  });
});

describe('refusing a run whose first turn cannot fit', () => {
  const fit = (over: Partial<SeatFit>): SeatFit => ({
    role: 'agent',
    model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    promptTokens: 4300,
    scenarioTitle: 'Retail: exchange',
    replyTokens: 384,
    contextTokens: 4096,
    contextSource: 'model',
    maxContextTokens: 32768,
    ...over,
  });

  it('says the numbers, the task, the model and the setting to change', () => {
    expect(firstTurnProblem([fit({})])).toBe(
      "The agent's first turn does not fit Qwen2.5-0.5B-Instruct-q4f16_1-MLC's context window: about 4,300 tokens of prompt for “Retail: exchange”, plus 384 for its reply, is more than the 4,096 tokens it has. " +
        'Set its context size to at least 5,120 on the Models page (it allows up to 32,768), or choose a model with a larger window.',
    );
  });

  it('names the persona for the user seat, the setting when one was made, and a model that cannot grow', () => {
    const p = firstTurnProblem([
      fit({ role: 'user', model: 'stories260K.gguf', promptTokens: 900, replyTokens: 160, contextTokens: 256, contextSource: 'setting', maxContextTokens: 512, personaName: 'Impatient' }),
    ])!;
    expect(p).toContain("The user simulator's first turn does not fit stories260K.gguf's context window: about 900 tokens of prompt for “Retail: exchange” with Impatient");
    expect(p).toContain('more than the 256 tokens it is set to.');
    expect(p).toContain('The model allows at most 512, so choose a model with a larger window or a smaller pack.');
  });

  it('passes seats that fit, exactly at the limit too', () => {
    expect(firstTurnProblem([fit({ promptTokens: 3712 })])).toBeNull();
    expect(firstTurnProblem([fit({ promptTokens: 3713 })])).not.toBeNull();
    expect(firstTurnProblem([])).toBeNull();
  });
});

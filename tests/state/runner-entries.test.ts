import { describe, expect, it } from 'vitest';
import { agentChoices, loadedAgentSeat, MAX_AGENT_ENTRIES, RunController, samplingOverride, type RunChoice } from '../../src/state/runner.svelte.ts';
import { DEFAULT_SAMPLING, EnginePool, type LoadableModel, type SamplingOverride } from '../../src/state/engines.svelte.ts';
import { agentEntrySeat, agentSeat, seatConfig } from '../../src/core/participants.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';

/*
 * The runner's part in runs of several agents (issue 14): which agents a choice names, what a
 * choice may not hold, and what an LLM entry's stored seat says once its model is loaded.
 */

const CHOICE: RunChoice = {
  name: '',
  scenarioIds: ['s1'],
  personaIds: ['p1'],
  userKind: 'agenda',
  agentKind: 'rule-based',
  trials: 2,
  seed: 1,
  maxTurns: 20,
  maxErrors: 5,
  pace: 'instant',
};

const loaded: ScriptedEngine[] = [];
const model: LoadableModel = {
  engine: 'wllama',
  modelId: 'tiny',
  label: 'tiny.gguf',
  async describe() {
    return { label: 'tiny.gguf', context: { tokens: 4096, source: 'model', defaultTokens: 4096 } };
  },
  async load() {
    const e = new ScriptedEngine(() => 'Hello.');
    loaded.push(e);
    return e;
  },
};

describe('a run choice with several agents', () => {
  it('names agentKind alone without agents, and the agents in order with them', () => {
    expect(agentChoices(CHOICE)).toEqual([{ kind: 'rule-based' }]);
    expect(agentChoices({ ...CHOICE, agents: [] })).toEqual([{ kind: 'rule-based' }]);
    const agents = [{ kind: 'frame' }, { kind: 'llm', overrides: { temperature: 1 } }];
    expect(agentChoices({ ...CHOICE, agents })).toEqual(agents);
  });

  it('says what is wrong with an entry, numbering it when there are several', () => {
    expect(RunController.problem({ ...CHOICE, agents: [{ kind: 'rule-based' }, { kind: 'frame' }] })).toBeNull();
    expect(RunController.problem({ ...CHOICE, agents: [{ kind: 'rule-based' }, { kind: 'llm', overrides: { temperature: 3 } }] })).toBe(
      'Agent 2: A temperature must be a number from 0 to 2, not 3.',
    );
    expect(RunController.problem({ ...CHOICE, agents: [{ kind: 'frame', overrides: { temperature: 1 } }] })).toBe(
      'The Generic rule-based agent has no sampling or prompt to change.',
    );
    expect(RunController.problem({ ...CHOICE, agents: [{ kind: 'nope' }, { kind: 'frame' }] })).toMatch(/^Unknown agent seat "nope"/);
    const many = Array.from({ length: MAX_AGENT_ENTRIES + 1 }, () => ({ kind: 'frame' }));
    expect(RunController.problem({ ...CHOICE, agents: many })).toBe(`Compare at most ${MAX_AGENT_ENTRIES} agents in one run.`);
  });
});

describe('an LLM entry once its model is loaded', () => {
  it('stores the engine settings with the sampling actually sent and the overrides, and the default seat as before', async () => {
    const pool = new EnginePool();
    await pool.prepare({ agent: model }, { shared: false, resetChatEachRequest: false });
    const settingsFor = (sampling?: SamplingOverride) => pool.settingsFor('agent', sampling);
    // No overrides: exactly what a single LLM agent always stored.
    expect(loadedAgentSeat(seatConfig(agentSeat('llm')), settingsFor).settings).toEqual(pool.settingsFor('agent'));
    const warm = loadedAgentSeat(agentEntrySeat(agentSeat('llm'), { temperature: 1.1, promptNote: 'Be brief.' }), settingsFor);
    expect(warm.settings).toEqual({
      ...pool.settingsFor('agent'),
      sampling: { ...DEFAULT_SAMPLING.agent, temperature: 1.1 },
      overrides: { temperature: 1.1, promptNote: 'Be brief.' },
    });
    expect(samplingOverride({ temperature: 0 })).toEqual({ temperature: 0 });
    expect(samplingOverride({ promptNote: 'x' })).toBeUndefined();
    // The engine gets the overridden temperature, with the role's other defaults and the same seed.
    await pool.makeSeat('agent', 7, { temperature: 1.1 })('system').reply([{ role: 'user', content: 'Hi.' }]);
    await pool.makeSeat('agent', 7)('system').reply([{ role: 'user', content: 'Hi.' }]);
    const [hot, plain] = loaded.at(-1)!.requests.map((r) => r.sampling);
    expect(hot).toEqual({ ...plain, temperature: 1.1 });
    expect(plain).toMatchObject(DEFAULT_SAMPLING.agent);
    pool.dispose();
  });
});

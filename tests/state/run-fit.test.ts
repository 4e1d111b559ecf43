import { describe, expect, it } from 'vitest';
import { agentSeat, userSeat } from '../../src/core/participants.ts';
import { firstTurnRefusal, memoryWarning } from '../../src/state/run-fit.ts';
import type { LoadableModel, ModelDescription } from '../../src/state/engines.svelte.ts';
import { loadPack } from '../core/scenarios/pack-fixture.ts';
import { makePersona } from '../core/fixtures.ts';

const describe_ = (label: string, tokens: number, memoryMB?: number): ModelDescription => ({
  label,
  context: { tokens, source: 'model', defaultTokens: tokens, maxTokens: 32768 },
  ...(memoryMB !== undefined ? { memoryMB } : {}),
});
const model = (modelId: string): LoadableModel => ({
  engine: 'web-llm',
  modelId,
  label: modelId,
  describe: async () => describe_(modelId, 4096),
  load: async () => {
    throw new Error('not in this test');
  },
});

describe('before a run starts', () => {
  const { scenarios } = loadPack('retail');
  const personas = [makePersona()];

  it("refuses when the LLM agent's first turn cannot fit the window, naming the model and the setting", async () => {
    const refusal = await firstTurnRefusal({
      described: { agent: describe_('Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k', 1024) },
      user: userSeat('agenda'),
      agent: agentSeat('llm'),
      scenarios,
      personas,
    });
    expect(refusal).toMatch(/^The agent's first turn does not fit Qwen2\.5-0\.5B-Instruct-q4f16_1-MLC-1k's context window: about [\d,]+ tokens of prompt for “.+”, plus 384 for its reply, is more than the 1,024 tokens it has\. Set its context size to at least [\d,]+ on the Models page \(it allows up to 32,768\)/);
  });

  it('lets it start when every model seat fits, and checks only seats that run on a model', async () => {
    const fits = await firstTurnRefusal({
      described: { user: describe_('m', 8192), agent: describe_('m', 8192) },
      user: userSeat('llm'),
      agent: agentSeat('llm'),
      scenarios,
      personas,
    });
    expect(fits).toBeNull();
    // The agenda user needs no model: a tiny window on the user role does not matter.
    expect(await firstTurnRefusal({ described: { user: describe_('m', 256) }, user: userSeat('agenda'), agent: agentSeat('frame'), scenarios, personas })).toBeNull();
    // The LLM user simulator on that window is refused, naming the persona.
    const user = await firstTurnRefusal({ described: { user: describe_('tiny.gguf', 256) }, user: userSeat('llm'), agent: agentSeat('frame'), scenarios, personas });
    expect(user).toContain("The user simulator's first turn does not fit tiny.gguf's context window");
    expect(user).toContain(`with ${personas[0]!.name}`);
  });

  it('warns when the engines a run loads need more memory together than the device has, counting a shared engine once', () => {
    const a = model('A');
    const j = model('J');
    const described = { user: describe_('A', 4096, 3000), agent: describe_('A', 4096, 3000), judge: describe_('J', 4096, 1000) };
    const w = memoryWarning({ user: a, agent: a, judge: j }, described, { shared: false, deviceMB: 6000 });
    expect(w).toBe(
      'The models this run loads need about 6.8 GB together (A for the user (2.9 GB), A for the agent (2.9 GB), J for the judge (1000 MB)), more than the 5.9 GB this device is estimated to have. ' +
        'Loading may fail or the GPU may be lost mid-run. Use one model for several roles in shared mode, smaller models, or smaller context windows (Models page).',
    );
    // The judge on the agent's model joins its engine: 6,000 MB fit.
    expect(memoryWarning({ user: a, agent: a, judge: a }, { ...described, judge: describe_('A', 4096, 3000) }, { shared: false, deviceMB: 6000 })).toBeNull();
    // Shared mode: one engine for every role.
    expect(memoryWarning({ user: a, agent: a, judge: a }, { ...described, judge: describe_('A', 4096, 3000) }, { shared: true, deviceMB: 3000 })).toBeNull();
    // No estimate: no warning.
    expect(memoryWarning({ user: a, agent: a, judge: j }, described, { shared: false, deviceMB: undefined })).toBeNull();
  });
});

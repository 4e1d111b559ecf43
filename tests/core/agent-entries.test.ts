import { describe, expect, it } from 'vitest';
import { agentEntries, agentEntrySeat, agentSeat, describeOverrides, overridesOf, overridesProblem, seatConfig } from '../../src/core/participants.ts';
import { LLM_AGENT_PROMPT_VERSION, llmAgentPromptVersion, renderAgentSystemPrompt } from '../../src/core/agents/llm-agent.ts';
import { EngineSeat } from '../../src/engine/seat.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import type { AgentSeatContext } from '../../src/core/simulation/participant.ts';
import { makeScenario, scriptedSeatSettings } from './fixtures.ts';

const scenario = makeScenario();
const ctx: AgentSeatContext = { role: 'agent', scenarioId: scenario.id, domain: scenario.domain, policy: scenario.agent.policy, tools: scenario.agent.tools, seed: 3 };

describe('agent entries of a run that compares several agents', () => {
  it('numbers entries a1, a2… and gives each a label that tells it apart', () => {
    const entries = agentEntries(
      [
        { kind: 'rule-based' },
        { kind: 'frame' },
        { kind: 'llm' },
        { kind: 'llm', overrides: { temperature: 0.9 } },
        { kind: 'llm', overrides: { promptNote: 'Always greet the customer by name before anything else.' } },
        { kind: 'frame' },
      ],
      { modelLabel: 'Qwen3-0.6B' },
    );
    expect(entries.map((e) => e.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(entries.map((e) => e.label)).toEqual([
      'Rule-based bookshop agent',
      'Generic rule-based agent (1)',
      'LLM agent · Qwen3-0.6B',
      'LLM agent · Qwen3-0.6B · t=0.9',
      'LLM agent · Qwen3-0.6B · note “Always greet the custom…”',
      'Generic rule-based agent (2)',
    ]);
    expect(new Set(entries.map((e) => e.label)).size).toBe(entries.length);
    // Two LLM entries with the same settings still differ by number.
    expect(agentEntries([{ kind: 'llm' }, { kind: 'llm' }]).map((e) => e.label)).toEqual(['LLM agent (1)', 'LLM agent (2)']);
  });

  it('stores a seat without overrides exactly as a single-agent run does', () => {
    for (const kind of ['rule-based', 'frame', 'llm']) {
      expect(agentEntrySeat(agentSeat(kind))).toEqual(seatConfig(agentSeat(kind)));
      expect(agentEntrySeat(agentSeat(kind), { promptNote: '   ' })).toEqual(seatConfig(agentSeat(kind)));
    }
    expect(agentEntries([{ kind: 'frame' }, { kind: 'llm' }]).map((e) => e.seat)).toEqual([seatConfig(agentSeat('frame')), seatConfig(agentSeat('llm'))]);
  });

  it('records exactly what an LLM entry changes, and a prompt note in its version', () => {
    const t = agentEntrySeat(agentSeat('llm'), { temperature: 0.7 });
    expect(t).toMatchObject({ kind: 'llm', version: LLM_AGENT_PROMPT_VERSION, settings: { overrides: { temperature: 0.7 } } });
    const note = agentEntrySeat(agentSeat('llm'), { promptNote: '  Be brief.  ' });
    expect(note.settings).toEqual({ overrides: { promptNote: 'Be brief.' } });
    expect(note.version).toBe(llmAgentPromptVersion('Be brief.'));
    expect(note.version).toMatch(new RegExp(`^${LLM_AGENT_PROMPT_VERSION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\+note-[0-9a-f]{8}$`));
    expect(llmAgentPromptVersion('Be thorough.')).not.toBe(note.version);
    expect(llmAgentPromptVersion('')).toBe(LLM_AGENT_PROMPT_VERSION);
    expect(overridesOf(note.settings)).toEqual({ promptNote: 'Be brief.' });
    expect(overridesOf({ overrides: 'nonsense' })).toEqual({});
    expect(describeOverrides({ temperature: 0, promptNote: 'Short.' })).toBe('t=0 · note “Short.”');
  });

  it('refuses overrides a seat cannot take, and temperatures out of range', () => {
    expect(overridesProblem(agentSeat('frame'), { temperature: 0.5 })).toBe('The Generic rule-based agent has no sampling or prompt to change.');
    expect(overridesProblem(agentSeat('frame'), { promptNote: ' ' })).toBeNull();
    expect(overridesProblem(agentSeat('llm'), { temperature: 2.5 })).toMatch(/from 0 to 2/);
    expect(overridesProblem(agentSeat('llm'), { temperature: Number.NaN })).toMatch(/from 0 to 2/);
    expect(overridesProblem(agentSeat('llm'), { temperature: 2 })).toBeNull();
    expect(() => agentEntrySeat(agentSeat('rule-based'), { promptNote: 'x' })).toThrow(/no sampling or prompt/);
  });
});

describe('the LLM agent with a prompt note', () => {
  it('keeps the default prompt byte for byte without a note, and adds the note after the policy with one', () => {
    const plain = renderAgentSystemPrompt(ctx);
    expect(renderAgentSystemPrompt(ctx, { promptNote: '' })).toBe(plain);
    expect(renderAgentSystemPrompt(ctx, { promptNote: '  \n ' })).toBe(plain);
    const noted = renderAgentSystemPrompt(ctx, { promptNote: ' Answer in one sentence. ' });
    expect(noted).toContain('# Additional instructions\nAnswer in one sentence.');
    expect(noted.indexOf('# Additional instructions')).toBeGreaterThan(noted.indexOf('# Policy'));
    expect(noted.replace('# Additional instructions\nAnswer in one sentence.\n\n', '')).toBe(plain);
  });

  it('reads the note from its stored seat settings', async () => {
    const systems: string[] = [];
    const engine = new ScriptedEngine(['Hello.']);
    const deps = {
      makeSeat: (role: 'user' | 'agent', seed: number) => (system: string) => {
        systems.push(system);
        return new EngineSeat(engine, scriptedSeatSettings('a'), role, seed, system);
      },
    };
    const seat = agentEntrySeat(agentSeat('llm'), { promptNote: 'Sign every message "Kim".' });
    agentSeat('llm').create(ctx, deps, seat.settings);
    agentSeat('llm').create(ctx, deps, seatConfig(agentSeat('llm')).settings);
    agentSeat('llm').create(ctx, deps);
    expect(systems[0]).toContain('Sign every message "Kim".');
    expect(systems[1]).toBe(renderAgentSystemPrompt(ctx));
    expect(systems[2]).toBe(systems[1]);
  });
});

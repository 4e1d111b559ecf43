/**
 * Frame agent 1.2.1: when the id a write needs can only come from a search whose parameters
 * are choices from a list (a film by genre and language), it asks the user for those choices
 * instead of for an id they cannot know, searches, and offers the films found by name.
 */
import { describe, expect, it } from 'vitest';
import { createFrameAgent } from '../../../src/core/agents/frame-agent.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession } from '../../../src/core/scenarios/evaluator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { loadPack } from '../scenarios/pack-fixture.ts';
import { converse, makePersona } from '../fixtures.ts';

describe('frame agent: search filters before ids', () => {
  it('asks for genre and language, not the film id, then offers the films of the search', async () => {
    const s = loadPack('recommendation').scenario('unseen-french-thriller');
    const agent = createFrameAgent({ role: 'agent', scenarioId: s.id, domain: s.domain, policy: s.agent.policy, tools: s.agent.tools });
    const user = createAgendaUser({ role: 'user', scenario: s, persona: makePersona('guarded', { cooperativeness: 3 }) });
    const r = await converse(user, agent, { scenario: s, environment: createEnvironment(s), seed: 11 });
    const asked = r.turns.filter((t) => t.role === 'agent' && t.content).map((t) => t.content);
    expect(asked.some((t) => /What is your genre \(comedy, drama/.test(t)), asked.join('\n')).toBe(true);
    expect(asked.some((t) => /What is your language \(Italian, French or Spanish\)/.test(t))).toBe(true);
    expect(asked.some((t) => /film id\?/.test(t)), asked.join('\n')).toBe(false);
    const search = r.turns.flatMap((t) => t.toolCalls).find((c) => c.name === 'search_films');
    expect(search?.arguments).toEqual({ genre: 'thriller', language: 'French' });
    expect(asked.some((t) => /Which film do you mean: .*Sunday Engines/.test(t))).toBe(true);
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
  });
});

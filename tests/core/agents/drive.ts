import type { JsonObject, RunSpec, ToolResult, ToolSpec } from '../../../src/core/model/types.ts';
import { AGENDA_VERSION } from '../../../src/core/users/agenda.ts';
import type { Participant, ParticipantReply, ViewMessage } from '../../../src/core/simulation/participant.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

/** Answers an agent's tool call in a test, as a domain would. */
export type ToolRunner = (name: string, args: JsonObject) => ToolResult;

/**
 * Drives an agent through user lines: after each line the agent replies until it says
 * something (at most `rounds` replies), its tool calls answered by `run`. Returns what it said
 * and every call with its result.
 */
export async function driveAgent(agent: Participant, lines: readonly string[], run: ToolRunner, rounds = 10) {
  const view: ViewMessage[] = [];
  const said: string[] = [];
  const calls: { name: string; arguments: JsonObject; result: ToolResult }[] = [];
  let turn = 0;
  for (const line of lines) {
    view.push({ from: 'other', content: line, turnIndex: turn++ });
    for (let round = 0; round < rounds; round++) {
      const reply: ParticipantReply = await agent.nextMessage(view, { turnIndex: turn, rng: mulberry32(1) });
      if (reply.toolCalls?.length) {
        const done = reply.toolCalls.map((c, i) => ({ id: `t${turn}-${i}`, name: c.name, arguments: c.arguments, result: run(c.name, c.arguments) }));
        calls.push(...done);
        view.push({ from: 'self', content: reply.content, toolCalls: done, turnIndex: turn++ });
        continue;
      }
      said.push(reply.content);
      view.push({ from: 'self', content: reply.content, turnIndex: turn++ });
      break;
    }
  }
  return { said, calls };
}

/** A tool spec for a hand-made test domain: JSON-Schema parameters, no extra properties. */
export const tool = (name: string, kind: 'read' | 'write', description: string, properties: Record<string, JsonObject>, required: string[]): ToolSpec => ({
  name,
  kind,
  description,
  parameters: { type: 'object', properties, required, additionalProperties: false },
});

/** A string parameter. */
export const str = (description: string): JsonObject => ({ type: 'string', description });

/** A tool's refusal, as a domain rule gives it. */
export const fail = (message: string): ToolResult => ({ ok: false, error: { name: 'DomainError', message } });

/** A run of the agenda user against the generic frame agent: one trial, seed 2027, 60 turns, 4 errors. */
export function agendaVsFrameSpec(name: string, personaIds: string[]): RunSpec {
  return {
    name,
    scenarioIds: [],
    personaIds,
    user: { kind: 'agenda', label: 'Agenda', version: AGENDA_VERSION, settings: {} },
    agent: { kind: 'frame', label: 'Generic rule-based agent', version: 'frame', settings: {} },
    trials: 1,
    seed: 2027,
    maxTurns: 60,
    maxErrors: 4,
  };
}

import { sinceLastOwn, type Participant, type ParticipantReply, type AgentSeatContext, type ViewMessage } from '../simulation/participant.ts';
import type { LlmMessage, SeatFactory } from '../simulation/llm-seat.ts';
import { parseToolCalls, problemMessage, renderToolInstructions, renderToolResult, TOOL_PROTOCOL_VERSION } from './tool-protocol.ts';

/** Bumped whenever the agent prompt's wording changes. */
export const LLM_AGENT_PROMPT_VERSION = `llm-agent-1/tools-${TOOL_PROTOCOL_VERSION}`;

/** The agent's system prompt: its role, the domain policy and the tools. No user facts. */
export function renderAgentSystemPrompt(ctx: AgentSeatContext): string {
  return [
    'You are a customer-service agent. Help the customer by following the policy below exactly, using the tools to look things up and to make changes. Never make up information: look it up.',
    'Talk to the customer in plain text, one message at a time. Before any change to their account or orders, state exactly what you will do and wait for an explicit "yes".',
    `# Policy\n${ctx.policy.trim()}`,
    renderToolInstructions(ctx.tools),
  ]
    .filter(Boolean)
    .join('\n\n');
}

const EMPTY_NUDGE = '[Your last reply was empty. Reply to the customer, or call a tool.]';

/**
 * An LLM in the agent seat, with a prompted tool protocol that works for small models:
 * calls are parsed tolerantly; an unreadable call or an unknown tool goes back to the agent as
 * an error result and counts toward maximum errors; results come back as messages.
 */
export function createLlmAgent(ctx: AgentSeatContext, makeSeat: SeatFactory): Participant {
  const seat = makeSeat(renderAgentSystemPrompt(ctx));
  return {
    id: 'llm-agent',
    role: 'agent',
    async nextMessage(view: readonly ViewMessage[], turnCtx): Promise<ParticipantReply> {
      const { lastOwn, incoming: fromUser } = sinceLastOwn(view);
      // Called again straight after its own tool calls: what it needs now is their results.
      const results = lastOwn >= 0 && fromUser.length === 0 ? (view[lastOwn]!.toolCalls ?? []) : [];
      const incoming: LlmMessage[] = fromUser.length
        ? fromUser.map((m) => ({ role: 'user', content: m.content }))
        : [{ role: 'user', content: results.map((c) => renderToolResult(c, c.result)).join('\n') || EMPTY_NUDGE }];

      const flags: string[] = [];
      let reply = await seat.reply(incoming, { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
      let parsed = parseToolCalls(reply.content, ctx.tools);
      if (parsed.text === '' && parsed.calls.length === 0 && parsed.problems.length === 0) {
        flags.push('empty_reply_retried');
        reply = await seat.reply([{ role: 'user', content: EMPTY_NUDGE }], { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
        parsed = parseToolCalls(reply.content, ctx.tools);
        if (parsed.text === '' && parsed.calls.length === 0 && parsed.problems.length === 0) flags.push('participant_error', 'empty_reply');
      }
      if (reply.finishReason === 'length') flags.push('cut_at_max_tokens');
      return {
        content: parsed.text,
        toolCalls: parsed.calls,
        invalidToolCalls: parsed.problems.map((p) => ({ raw: p.raw, message: problemMessage(p, ctx.tools) })),
        flags,
        usage: reply.usage,
        authorDetail: seat.model,
      };
    },
  };
}

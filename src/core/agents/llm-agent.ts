import type { ToolCall, ToolSpec } from '../model/types.ts';
import { sinceLastOwn, type Participant, type ParticipantReply, type AgentSeatContext, type ViewMessage } from '../simulation/participant.ts';
import type { LlmMessage, LlmReply, LlmReplyOptions, SeatFactory, SeatToolCalling } from '../simulation/llm-seat.ts';
import { withoutThinking } from '../simulation/thinking.ts';
import { hashCanonicalText } from '../scenarios/canonical.ts';
import { TOOL_GRAMMAR_VERSION, toolCallFormat } from './tool-grammar.ts';
import {
  parseToolCalls,
  problemMessage,
  readEngineToolCalls,
  renderToolInstructions,
  renderToolResult,
  TOOL_PROTOCOL_VERSION,
  type ParsedReply,
} from './tool-protocol.ts';

/** Bumped whenever the agent prompt's wording changes. */
export const LLM_AGENT_PROMPT_VERSION = `llm-agent-3/tools-${TOOL_PROTOCOL_VERSION}/grammar-${TOOL_GRAMMAR_VERSION}`;

/**
 * With native function calling (web-llm's Hermes models) every reply is a list of calls, so
 * the agent speaks to the customer through this tool; its message becomes the turn's text.
 */
export const REPLY_TO_USER_TOOL: ToolSpec = {
  name: 'reply_to_user',
  description: 'Send a message to the customer. Use it whenever you talk to the customer: to ask, confirm or answer.',
  parameters: {
    type: 'object',
    properties: { message: { type: 'string', description: 'The message, in plain text.' } },
    required: ['message'],
    additionalProperties: false,
  },
  kind: 'read',
};

/**
 * The prompt version of an agent whose system prompt carries a note (an entry of a run that
 * compares prompts): the base version plus a hash of the note, so two notes never share a
 * version. Without a note, the base version itself.
 */
export function llmAgentPromptVersion(promptNote?: string): string {
  const note = promptNote?.trim();
  return note ? `${LLM_AGENT_PROMPT_VERSION}+note-${hashCanonicalText(note).slice(0, 8)}` : LLM_AGENT_PROMPT_VERSION;
}

/** Options of the LLM agent beyond its context and model. */
export interface LlmAgentOptions {
  /**
   * Extra instructions placed after the policy, under their own heading (issue 14: the same model
   * with another prompt). Empty or absent: the prompt is exactly the default one.
   */
  promptNote?: string;
}

const PROMPTED: SeatToolCalling = { native: false, constrain: false };

/**
 * The agent's system prompt: its role, the domain policy and the tools. No user facts. With
 * native tools the engine describes the tools itself, so the prompt says how to speak instead.
 */
export function renderAgentSystemPrompt(ctx: AgentSeatContext, opts: { nativeTools?: boolean } & LlmAgentOptions = {}): string {
  const talk = opts.nativeTools
    ? `Every reply of yours is a list of function calls. To talk to the customer, call ${REPLY_TO_USER_TOOL.name} with your message, one message at a time. Before any change to their account or orders, state exactly what you will do and wait for an explicit "yes".`
    : 'Talk to the customer in plain text, one message at a time. Before any change to their account or orders, state exactly what you will do and wait for an explicit "yes".';
  return [
    'You are a customer-service agent. Help the customer by following the policy below exactly, using the tools to look things up and to make changes. Never make up information: look it up.',
    talk,
    `# Policy\n${ctx.policy.trim()}`,
    opts.promptNote?.trim() ? `# Additional instructions\n${opts.promptNote.trim()}` : '',
    opts.nativeTools ? '' : renderToolInstructions(ctx.tools),
  ]
    .filter(Boolean)
    .join('\n\n');
}

const EMPTY_NUDGE = '[Your last reply was empty. Reply to the customer, or call a tool.]';

/**
 * The results of the agent's last step, as one tool message: every call of the step in its own
 * `<tool_result>` block. One message rather than one per call keeps each request a single new
 * message after the previous reply, which is what lets web-llm reuse its KV cache.
 */
export function toolResultMessage(calls: readonly ToolCall[]): LlmMessage {
  return {
    role: 'tool',
    content: calls.map((c) => renderToolResult(c, c.result)).join('\n'),
    tool_call_id: calls.map((c) => c.id).join(','),
  };
}

/** A native-tools reply read into text and calls: `reply_to_user` calls become the text. */
function readNative(reply: LlmReply, tools: readonly ToolSpec[]): ParsedReply {
  // The engine read the calls itself; when it could not (output cut short, unreadable JSON),
  // the text is read with the prompted parser, which knows bare JSON call lists too.
  const parsed = reply.toolCalls ? readEngineToolCalls(reply.toolCalls, tools) : parseToolCalls(reply.content, tools);
  const said: string[] = parsed.text ? [parsed.text] : [];
  const calls = parsed.calls.filter((c) => {
    if (c.name !== REPLY_TO_USER_TOOL.name) return true;
    const m = c.arguments.message;
    if (typeof m === 'string' && m.trim()) said.push(m.trim());
    return false;
  });
  return { text: said.join('\n\n'), calls, problems: parsed.problems };
}

/**
 * An LLM in the agent seat. By default a prompted tool protocol that works for small models
 * (calls parsed tolerantly, optionally constrained by the engine's grammar); with models that
 * have native function calling, the engine's `tools`. An unreadable call or an unknown tool
 * goes back to the agent as an error result and counts toward maximum errors; results come
 * back as tool-role messages.
 */
export function createLlmAgent(ctx: AgentSeatContext, makeSeat: SeatFactory, opts: LlmAgentOptions = {}): Participant {
  const mode = makeSeat.toolCalling ?? PROMPTED;
  const offered = mode.native ? [...ctx.tools, REPLY_TO_USER_TOOL] : ctx.tools;
  // Reasoning is taken out before anything is read: a call drafted while thinking never runs.
  const seat = withoutThinking(makeSeat(renderAgentSystemPrompt(ctx, { nativeTools: mode.native, promptNote: opts.promptNote })));
  // Native calling constrains the output itself (web-llm forbids a response format with it).
  const extra: Pick<LlmReplyOptions, 'tools' | 'responseFormat'> = mode.native
    ? { tools: offered.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })) }
    : mode.constrain && ctx.tools.length > 0
      ? { responseFormat: toolCallFormat(ctx.tools) }
      : {};
  const read = (reply: LlmReply): ParsedReply => (mode.native ? readNative(reply, offered) : parseToolCalls(reply.content, ctx.tools));
  const isEmpty = (p: ParsedReply) => p.text === '' && p.calls.length === 0 && p.problems.length === 0;
  return {
    id: 'llm-agent',
    role: 'agent',
    async nextMessage(view: readonly ViewMessage[], turnCtx): Promise<ParticipantReply> {
      const { lastOwn, incoming: fromUser } = sinceLastOwn(view);
      // Called again straight after its own tool calls: what it needs now is their results.
      const results = lastOwn >= 0 && fromUser.length === 0 ? (view[lastOwn]!.toolCalls ?? []) : [];
      const incoming: LlmMessage[] = fromUser.length
        ? fromUser.map((m) => ({ role: 'user', content: m.content }))
        : results.length
          ? [toolResultMessage(results)]
          : [{ role: 'user', content: EMPTY_NUDGE }];

      const opts = { ...extra, signal: turnCtx.signal, onDelta: turnCtx.onDelta };
      const flags: string[] = [];
      let reply = await seat.reply(incoming, opts);
      const reasoning: string[] = reply.reasoning ? [reply.reasoning] : [];
      let parsed = read(reply);
      if (isEmpty(parsed)) {
        flags.push('empty_reply_retried');
        reply = await seat.reply([{ role: 'user', content: EMPTY_NUDGE }], opts);
        if (reply.reasoning) reasoning.push(reply.reasoning);
        parsed = read(reply);
        if (isEmpty(parsed)) flags.push('participant_error', 'empty_reply');
      }
      if (reply.finishReason === 'length') flags.push('cut_at_max_tokens');
      return {
        content: parsed.text,
        toolCalls: parsed.calls,
        invalidToolCalls: parsed.problems.map((p) => ({ raw: p.raw, message: problemMessage(p, offered) })),
        flags,
        usage: reply.usage,
        authorDetail: seat.model,
        ...(reasoning.length ? { reasoning: reasoning.join('\n\n') } : {}),
      };
    },
  };
}

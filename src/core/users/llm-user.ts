import type { Scenario } from '../model/types.ts';
import { renderPersonaInstructions } from '../personas/render.ts';
import type { LlmMessage, SeatFactory } from '../simulation/llm-seat.ts';
import { sinceLastOwn, type Participant, type ParticipantReply, type UserSeatContext, type ViewMessage } from '../simulation/participant.ts';

/** Bumped whenever the prompt's wording changes, so results stay comparable. */
export const LLM_USER_PROMPT_VERSION = 'llm-user-1';

/** The first request: there is no agent message yet for the simulator to answer. */
export const KICKOFF = '[The customer-service chat has opened. Write your first message to the agent.]';
const EMPTY_NUDGE = '[Your last reply was empty. Write the customer\'s next message.]';

/** The hidden scenario as the simulator sees it. Never shown to the agent. */
export function renderHiddenScenario(scenario: Scenario): string {
  const u = scenario.user;
  const known = Object.entries(u.knownInfo).map(([k, v]) => `- ${k.replace(/_/g, ' ')}: ${v}`);
  return [
    `Why you are getting in touch: ${u.reasonForContact}`,
    `What you know:\n${known.length ? known.join('\n') : '- nothing beyond the above'}`,
    `What you do not know (never make these up):\n${u.unknownInfo.length ? u.unknownInfo.map((x) => `- ${x}`).join('\n') : '- anything not listed above'}`,
    `Your task:\n${u.taskInstructions}`,
  ].join('\n\n');
}

/** The simulator's system prompt: guidelines, persona, hidden scenario, control signals. */
export function renderUserSystemPrompt(ctx: UserSeatContext): string {
  return [
    'You are role-playing a CUSTOMER who is contacting a customer-service agent. You are not an assistant and you never help the agent.',
    '# How to play\n' +
      [
        '- Write one message at a time, as the customer, in the first person. Never write the agent\'s side.',
        '- Use only the facts given below. If you are asked for something that is not there, say you do not know or do not have it. Never invent numbers, names, emails or dates.',
        '- Do not say everything at once: give a detail when the agent asks for it. Use your own words; never copy this text.',
        '- Stay in character for the whole conversation, and keep your messages as short as this person would.',
        '- When your task is done, or clearly cannot be done, write a short closing message ending with ###STOP###.',
        '- If the agent transfers you to a human, reply with ###TRANSFER###. If the conversation needs information you do not have and cannot go on, reply with ###OUT-OF-SCOPE###.',
      ].join('\n'),
    `# Who you are\n${renderPersonaInstructions(ctx.persona)}`,
    `# Your situation (private: the agent cannot see this)\n${renderHiddenScenario(ctx.scenario)}`,
  ].join('\n\n');
}

const AS_ASSISTANT = /\b(how (can|may) i (help|assist) you|is there anything else i can (help|do)|as an ai\b|i am an ai|i'm an ai|i am a language model)/i;

/** True when `text` repeats 8 or more consecutive words of `source`: copied, not paraphrased. */
export function copiesVerbatim(text: string, source: string, n = 8): boolean {
  const words = (s: string) => s.toLowerCase().match(/[a-z0-9@.'-]+/g) ?? [];
  const src = words(source);
  if (src.length < n) return false;
  const grams = new Set<string>();
  for (let i = 0; i + n <= src.length; i++) grams.add(src.slice(i, i + n).join(' '));
  const out = words(text);
  for (let i = 0; i + n <= out.length; i++) if (grams.has(out.slice(i, i + n).join(' '))) return true;
  return false;
}

/**
 * An LLM playing the user: it sees the conversation with the roles flipped (the agent's lines
 * arrive as "user" messages, its own are "assistant"), and the hidden scenario in its prompt.
 * Failures that peer benchmarks report are flagged on the turn, never hidden.
 */
export function createLlmUser(ctx: UserSeatContext, makeSeat: SeatFactory): Participant {
  const seat = makeSeat(renderUserSystemPrompt(ctx));
  const hidden = `${ctx.scenario.user.taskInstructions}\n${ctx.scenario.user.reasonForContact}`;
  return {
    id: 'llm-user',
    role: 'user',
    async nextMessage(view: readonly ViewMessage[], turnCtx): Promise<ParticipantReply> {
      const incoming: LlmMessage[] = sinceLastOwn(view).incoming.map((m) => ({ role: 'user', content: m.content }));
      const first = incoming.length ? incoming : [{ role: 'user' as const, content: KICKOFF }];
      const flags: string[] = [];
      let reply = await seat.reply(first, { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
      if (reply.content.trim() === '') {
        flags.push('empty_reply_retried');
        reply = await seat.reply([{ role: 'user', content: EMPTY_NUDGE }], { signal: turnCtx.signal, onDelta: turnCtx.onDelta });
        if (reply.content.trim() === '') {
          const err = new Error('The user simulator replied with nothing, twice.');
          err.name = 'EmptyReplyError';
          throw err;
        }
      }
      const content = reply.content.trim();
      if (AS_ASSISTANT.test(content)) flags.push('replied_as_assistant');
      if (copiesVerbatim(content, hidden)) flags.push('copied_instructions');
      return { content, flags, usage: reply.usage, authorDetail: seat.model };
    },
  };
}

import type { Turn } from '../model/types.ts';
import type { ValidationIssue } from '../model/validation.ts';

/*
 * Conversations to learn personas from: real human conversations (the MirrorBench-style
 * JSONL in ../shared/data/human-conversations: one object a line with `conversation_id`,
 * `task_description` and `turns`), OpenAI-style chat JSONL (`messages`), or the stored turns
 * of a session. Reading never throws for a bad line: it is reported with its line number.
 */

/** One message of a conversation, as a profile extractor reads it. */
export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A conversation between a person (or simulated user) and an assistant. */
export interface Conversation {
  id: string;
  /** Where it came from, e.g. "oasst1" or a file name. */
  source?: string;
  /** The user's goal in the third person, where the data gives one. */
  task?: string;
  messages: ConversationMessage[];
}

/** What a JSONL file held: the conversations read, and a problem per line that could not be. */
export interface ConversationFile {
  conversations: Conversation[];
  issues: ValidationIssue[];
}

function messagesOf(list: unknown, path: string, issues: ValidationIssue[]): ConversationMessage[] | undefined {
  if (!Array.isArray(list)) {
    issues.push({ path, message: 'must be a list of messages' });
    return undefined;
  }
  const out: ConversationMessage[] = [];
  for (const [i, m] of list.entries()) {
    const o = m as { role?: unknown; content?: unknown } | null;
    if (!o || typeof o !== 'object' || typeof o.content !== 'string') {
      issues.push({ path: `${path}[${i}]`, message: 'must be an object with a string "content"' });
      return undefined;
    }
    // System prompts and tool messages are not the person speaking.
    if (o.role === 'user' || o.role === 'assistant') out.push({ role: o.role, content: o.content });
  }
  return out;
}

/**
 * Reads conversations from JSONL text. `source` names the file in the issues, whose paths
 * are `line N` (1-based) plus the field.
 */
export function parseConversationsJsonl(text: string, source = 'conversations'): ConversationFile {
  const conversations: Conversation[] = [];
  const issues: ValidationIssue[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `line ${i + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      issues.push({ path: where, message: `not valid JSON (${(err as Error).message})` });
      return;
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      issues.push({ path: where, message: 'must be a JSON object' });
      return;
    }
    const o = data as Record<string, unknown>;
    const list = 'turns' in o ? o.turns : o.messages;
    const messages = messagesOf(list, `${where}.${'turns' in o ? 'turns' : 'messages'}`, issues);
    if (!messages) return;
    if (!messages.some((m) => m.role === 'user')) {
      issues.push({ path: where, message: 'has no user message' });
      return;
    }
    const id = typeof o.conversation_id === 'string' ? o.conversation_id : typeof o.id === 'string' ? o.id : `${source}#${i + 1}`;
    conversations.push({
      id,
      source: typeof o.dataset === 'string' ? o.dataset : source,
      ...(typeof o.task_description === 'string' ? { task: o.task_description } : {}),
      messages,
    });
  });
  return { conversations, issues };
}

/** A stored session's turns as a conversation: the user seat is "user", the agent "assistant". */
export function conversationFromTurns(id: string, turns: readonly Pick<Turn, 'role' | 'content'>[]): Conversation {
  return {
    id,
    source: 'session',
    messages: turns.filter((t) => t.content.trim() !== '').map((t) => ({ role: t.role === 'user' ? 'user' : 'assistant', content: t.content })),
  };
}

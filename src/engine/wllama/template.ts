/**
 * The prompt format for a model whose GGUF carries no chat template (stories260K, many base
 * models). llama.cpp would fall back to ChatML, whose special tokens such models do not know;
 * plain "Role: text" lines suit a base model better and are easy to read in a transcript.
 */
import type { ChatMessage } from '../types.ts';

/** Recorded with the load: which template formats the conversation. */
export type TemplateSource =
  /** `tokenizer.chat_template` from the GGUF metadata, applied by llama.cpp (Jinja). */
  | { kind: 'gguf' }
  /** A Jinja template passed to load() as an override. */
  | { kind: 'override'; template: string }
  /** The GGUF has none: the plain default below, applied here. */
  | { kind: 'default'; name: typeof DEFAULT_TEMPLATE_NAME };

export const DEFAULT_TEMPLATE_NAME = 'understudy-plain';

const LABEL: Record<ChatMessage['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

/** Stop strings for the plain template: the model starting another speaker's line. */
export const DEFAULT_TEMPLATE_STOP = ['\nUser:', '\nSystem:', '\nTool:'];

/** Renders messages as "Role: text" paragraphs, ending with an open "Assistant:" line. */
export function renderDefaultTemplate(messages: readonly ChatMessage[]): string {
  const parts = messages.map((m) => `${LABEL[m.role]}: ${m.content.trim()}`);
  parts.push('Assistant:');
  return parts.join('\n\n');
}

/** Chooses the template: an override wins, then the GGUF's own, then the plain default. */
export function chooseTemplate(ggufTemplate: string | null | undefined, override?: string): TemplateSource {
  if (override !== undefined && override.trim() !== '') return { kind: 'override', template: override };
  if (ggufTemplate && ggufTemplate.trim() !== '') return { kind: 'gguf' };
  return { kind: 'default', name: DEFAULT_TEMPLATE_NAME };
}

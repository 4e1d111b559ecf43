/**
 * The parts of a llama.cpp request that depend only on the ChatRequest, kept apart from the
 * engine (which needs wllama and a browser) so they are unit-tested in Node.
 */
import { EngineError, type ChatRequest } from '../types.ts';

/** llama.cpp's `common_grammar_trigger_type`: 0 token, 1 word, 2 pattern, 3 full pattern. */
const GRAMMAR_TRIGGER_WORD = 1;

/** Grammar or JSON constraints, in llama-server's request fields. */
export function responseFormat(request: Pick<ChatRequest, 'responseFormat'>): Record<string, unknown> {
  const f = request.responseFormat;
  if (!f || f.type === 'text') return {};
  if (f.type === 'grammar') return { grammar: f.grammar };
  if (f.type === 'tool_call_tags') {
    // A lazy grammar: sampling is free until the model writes the trigger, then the grammar
    // (whose root starts with the trigger) holds it to a well-formed call. A trigger that is
    // one special token in the model's vocabulary must also be listed as preserved, or
    // llama.cpp refuses the request; for other models the entry is ignored.
    return {
      grammar: f.grammar,
      grammar_lazy: true,
      grammar_triggers: [{ type: GRAMMAR_TRIGGER_WORD, value: f.trigger }],
      preserved_tokens: [f.trigger],
    };
  }
  if (f.schema) {
    try {
      return { json_schema: JSON.parse(f.schema) as unknown };
    } catch {
      throw new EngineError('GenerationError', 'The JSON schema of the response format is not valid JSON.');
    }
  }
  return { response_format: { type: 'json_object' } };
}

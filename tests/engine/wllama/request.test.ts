import { describe, expect, it } from 'vitest';
import { responseFormat } from '../../../src/engine/wllama/request.ts';
import { toolCallFormat } from '../../../src/core/agents/tool-grammar.ts';
import { JUDGE_OUTPUT_FORMAT } from '../../../src/core/scenarios/judge.ts';
import { ACME_TOOLS } from '../../core/fixtures.ts';

describe('llama.cpp request fields for constrained output', () => {
  it('sends tool-call constraints as a lazy grammar woken by the trigger word', () => {
    const f = toolCallFormat(ACME_TOOLS);
    if (f.type !== 'tool_call_tags') throw new Error('wrong type');
    const fields = responseFormat({ responseFormat: f });
    expect(fields).toEqual({
      grammar: f.grammar,
      grammar_lazy: true,
      // llama.cpp's COMMON_GRAMMAR_TRIGGER_TYPE_WORD.
      grammar_triggers: [{ type: 1, value: '<tool_call>' }],
      // A trigger that is one special token (Qwen, Hermes) must be preserved or llama.cpp refuses it.
      preserved_tokens: ['<tool_call>'],
    });
    expect(String(fields.grammar).startsWith('root ::= call')).toBe(true);
  });

  it("sends the core's JSON-reply grammars (judge, inner state) as a plain grammar, not a JSON schema", () => {
    const f = JUDGE_OUTPUT_FORMAT;
    if (f.type !== 'grammar') throw new Error('wrong type');
    // Whole-reply and not lazy: no trigger, no json_schema (whose whitespace llama.cpp would choose).
    expect(responseFormat({ responseFormat: f })).toEqual({ grammar: f.grammar });
    expect(f.grammar.startsWith('root ::= "{" ws "\\"verdicts\\""')).toBe(true);
  });

  it('keeps plain grammars, JSON schemas and JSON mode as before, and nothing for text', () => {
    expect(responseFormat({ responseFormat: { type: 'grammar', grammar: 'root ::= "a"' } })).toEqual({ grammar: 'root ::= "a"' });
    expect(responseFormat({ responseFormat: { type: 'json_object', schema: '{"type":"object"}' } })).toEqual({ json_schema: { type: 'object' } });
    expect(responseFormat({ responseFormat: { type: 'json_object' } })).toEqual({ response_format: { type: 'json_object' } });
    expect(responseFormat({ responseFormat: { type: 'text' } })).toEqual({});
    expect(responseFormat({})).toEqual({});
    expect(() => responseFormat({ responseFormat: { type: 'json_object', schema: '{nope' } })).toThrow(/not valid JSON/);
  });
});

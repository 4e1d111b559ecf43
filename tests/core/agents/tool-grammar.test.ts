import { describe, expect, it } from 'vitest';
import {
  buildToolCallGrammar,
  buildToolCallStructuralTag,
  constrainableSchema,
  grammarLiteral,
  toolCallFormat,
} from '../../../src/core/agents/tool-grammar.ts';
import { parseToolCalls } from '../../../src/core/agents/tool-protocol.ts';
import type { JsonObject, ToolSpec } from '../../../src/core/model/types.ts';
import { ACME_TOOLS } from '../fixtures.ts';

const tool = (name: string, parameters: JsonObject = { type: 'object', properties: {} }): ToolSpec => ({ name, description: `${name}.`, parameters, kind: 'read' });

/** The rules of a GBNF grammar by name. */
function rules(grammar: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of grammar.split('\n')) {
    const m = /^([a-z][a-z0-9-]*) ::= (.*)$/.exec(line);
    expect(m, `not a rule: ${line}`).not.toBeNull();
    out.set(m![1]!, m![2]!);
  }
  return out;
}

describe('grammarLiteral', () => {
  it('quotes and escapes quotes, backslashes and control characters', () => {
    expect(grammarLiteral('<tool_call>')).toBe('"<tool_call>"');
    expect(grammarLiteral('"a"')).toBe('"\\"a\\""');
    expect(grammarLiteral('a\\b')).toBe('"a\\\\b"');
    expect(grammarLiteral('x\ny\tz\u0001')).toBe('"x\\ny\\tz\\x01"');
  });
});

describe('the tool-call GBNF grammar', () => {
  it('starts at the trigger, lists every tool name as a JSON string, and nothing else', () => {
    const g = buildToolCallGrammar(ACME_TOOLS);
    const r = rules(g);
    expect(r.get('root')).toBe('call (ws call)*');
    expect(r.get('call')!.startsWith('"<tool_call>"')).toBe(true);
    expect(r.get('call')!.endsWith('"</tool_call>"')).toBe(true);
    const names = r.get('name')!.split(' | ');
    expect(names).toEqual(ACME_TOOLS.map((t) => `"\\"${t.name}\\""`));
    // Every rule used is defined.
    for (const body of r.values()) {
      for (const ref of body.replace(/"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]/g, ' ').match(/[a-z][a-z0-9-]*/g) ?? []) {
        expect(r.has(ref), `rule ${ref} is used but not defined`).toBe(true);
      }
    }
  });

  it('escapes quotes and backslashes in names twice: for JSON, then for the grammar', () => {
    const g = buildToolCallGrammar([tool('say "hi"'), tool('back\\slash')]);
    const names = rules(g).get('name')!;
    // The model must write the JSON string "say \"hi\"", which the grammar spells with escapes.
    expect(names).toContain('"\\"say \\\\\\"hi\\\\\\"\\""');
    expect(names).toContain('"\\"back\\\\\\\\slash\\""');
  });

  it('lists a name once however often it is given, and refuses an empty tool list', () => {
    expect(rules(buildToolCallGrammar([tool('a'), tool('a'), tool('b')])).get('name')).toBe('"\\"a\\"" | "\\"b\\""');
    expect(() => buildToolCallGrammar([])).toThrow(/at least one tool/);
  });

  it('allows only a little whitespace, so a small model cannot pad until max_tokens', () => {
    const ws = rules(buildToolCallGrammar(ACME_TOOLS)).get('ws')!;
    expect(ws).not.toMatch(/[*+]/);
  });
});

describe('the structural tag (web-llm)', () => {
  it('triggers on <tool_call>, with one tag per tool whose begin fixes the name', () => {
    const st = buildToolCallStructuralTag(ACME_TOOLS) as { type: string; format: { type: string; triggers: string[]; tags: { begin: string; end: string; content: { type: string; json_schema: JsonObject } }[]; at_least_one: boolean } };
    expect(st.type).toBe('structural_tag');
    expect(st.format.type).toBe('triggered_tags');
    expect(st.format.triggers).toEqual(['<tool_call>']);
    // Free text stays allowed: a plain answer needs no call.
    expect(st.format.at_least_one).toBe(false);
    expect(st.format.tags.map((t) => t.begin)).toEqual(ACME_TOOLS.map((t) => `<tool_call>{"name": "${t.name}", "arguments": `));
    for (const t of st.format.tags) {
      expect(t.begin.startsWith(st.format.triggers[0]!)).toBe(true);
      expect(t.end).toBe('}</tool_call>');
      expect(t.content.type).toBe('json_schema');
    }
    expect(st.format.tags[1]!.content.json_schema).toMatchObject({ type: 'object', required: ['account_id', 'plan'] });
  });

  it('what a constrained model writes is read back by the parser as that call', () => {
    const st = buildToolCallStructuralTag(ACME_TOOLS) as { format: { tags: { begin: string; end: string }[] } };
    const setPlan = st.format.tags[1]!;
    const text = `Changing it now. ${setPlan.begin}{"account_id": "A1", "plan": "premium"}${setPlan.end}`;
    const parsed = parseToolCalls(text, ACME_TOOLS);
    expect(parsed.calls).toEqual([{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.text).toBe('Changing it now.');
  });

  it('reduces argument schemas to keywords every grammar compiler takes', () => {
    const s = constrainableSchema({
      type: 'object',
      description: 'dropped',
      properties: {
        id: { type: 'string', pattern: '^BK-\\d+$', description: 'dropped', format: 'x' },
        items: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 },
      },
      required: ['id'],
      additionalProperties: false,
    });
    expect(s).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, items: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 } },
      required: ['id'],
      additionalProperties: false,
    });
    expect(constrainableSchema(null)).toEqual({ type: 'object' });
  });
});

describe('toolCallFormat', () => {
  it('carries both forms for the same tools, the structural tag as JSON text', () => {
    const f = toolCallFormat(ACME_TOOLS);
    if (f.type !== 'tool_call_tags') throw new Error('wrong type');
    expect(f.trigger).toBe('<tool_call>');
    expect(f.grammar).toBe(buildToolCallGrammar(ACME_TOOLS));
    expect(JSON.parse(f.structuralTag)).toEqual(buildToolCallStructuralTag(ACME_TOOLS));
  });
});

import { describe, expect, it } from 'vitest';
import {
  buildToolCallGrammar,
  buildToolCallStructuralTag,
  constrainableSchema,
  grammarLiteral,
  MAX_CALLS_PER_REPLY,
  toolCallFormat,
} from '../../../src/core/agents/tool-grammar.ts';
import { parseToolCalls } from '../../../src/core/agents/tool-protocol.ts';
import type { JsonObject, ToolSpec } from '../../../src/core/model/types.ts';
import { ACME_TOOLS } from '../fixtures.ts';
import { gbnf } from './gbnf.ts';

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
  const BOOKSHOP: ToolSpec[] = [
    tool('find_customer', { type: 'object', properties: { email: { type: 'string' }, name: { type: 'string' }, zip: { type: 'string', pattern: '^\\d{5}$' } }, required: [], additionalProperties: false }),
    tool('return_items', {
      type: 'object',
      properties: {
        order_id: { type: 'string' },
        item_ids: { type: 'array', items: { type: 'string' }, minItems: 1 },
        refund_method: { type: 'string', enum: ['original_payment', 'store_credit'] },
      },
      required: ['order_id', 'item_ids', 'refund_method'],
      additionalProperties: false,
    }),
    tool('set_quantity', { type: 'object', properties: { qty: { type: 'integer' }, gift: { type: 'boolean' }, note: {} }, required: ['qty'] }),
  ];
  const call = (name: string, args: string) => `<tool_call>{"name": ${JSON.stringify(name)}, "arguments": ${args}}</tool_call>`;

  it('starts at the trigger and names every tool, each once, as a JSON string', () => {
    const g = buildToolCallGrammar([...ACME_TOOLS, ACME_TOOLS[0]!]);
    const r = rules(g);
    expect(r.get('root')!.startsWith('call ')).toBe(true);
    expect(r.get('call')).toBe(ACME_TOOLS.map((_, i) => `call${i}`).join(' | '));
    ACME_TOOLS.forEach((t, i) => {
      expect(r.get(`call${i}`)!.startsWith('"<tool_call>"')).toBe(true);
      expect(r.get(`call${i}`)).toContain(`"\\"${t.name}\\""`);
      expect(r.get(`call${i}`)!.endsWith('"</tool_call>"')).toBe(true);
    });
    expect(() => buildToolCallGrammar([])).toThrow(/at least one tool/);
  });

  it('accepts well-formed calls to declared tools, one or several', () => {
    const g = gbnf(buildToolCallGrammar(ACME_TOOLS));
    expect(g.accepts(call('get_account', '{"account_id": "A1"}'))).toBe(true);
    expect(g.accepts(call('set_plan', '{"account_id": "A1", "plan": "premium"}'))).toBe(true);
    expect(g.accepts(`${call('get_account', '{"account_id": "A1"}')}\n${call('get_account', '{"account_id": "B2"}')}`)).toBe(true);
    expect(g.accepts('<tool_call>\n{ "name" : "get_account",\n "arguments": { "account_id" : "A \\"1\\"" } }\n</tool_call>')).toBe(true);
  });

  it('refuses unknown tools, missing or extra arguments, wrong types, and anything before the trigger', () => {
    const g = gbnf(buildToolCallGrammar(ACME_TOOLS));
    expect(g.accepts(call('refund_everything', '{}'))).toBe(false);
    expect(g.accepts(call('set_plan', '{"account_id": "A1"}'))).toBe(false);
    expect(g.accepts(call('get_account', '{"account_id": "A1", "force": true}'))).toBe(false);
    expect(g.accepts(call('get_account', '{"account_id": 7}'))).toBe(false);
    expect(g.accepts(`Sure. ${call('get_account', '{"account_id": "A1"}')}`)).toBe(false);
    expect(g.accepts(call('get_account', '{"account_id": "A1"}').replace('</tool_call>', ''))).toBe(false);
    // Whitespace is bounded: a small model cannot pad forever.
    expect(g.accepts(call('get_account', '{    "account_id": "A1"}'))).toBe(false);
  });

  it('follows each tool\'s schema: enums, arrays, integers, booleans, optional keys, untyped values', () => {
    const g = gbnf(buildToolCallGrammar(BOOKSHOP));
    expect(g.accepts(call('find_customer', '{}'))).toBe(true);
    expect(g.accepts(call('find_customer', '{"email": "a@b.c"}'))).toBe(true);
    expect(g.accepts(call('find_customer', '{"name": "Ana Souza", "zip": "97205"}'))).toBe(true);
    expect(g.accepts(call('find_customer', '{"name": "Ana", "name": "Ana"}'))).toBe(false);
    expect(g.accepts(call('return_items', '{"order_id": "BK-1", "item_ids": ["BK-1-1", "BK-1-2"], "refund_method": "store_credit"}'))).toBe(true);
    expect(g.accepts(call('return_items', '{"order_id": "BK-1", "item_ids": [], "refund_method": "store_credit"}'))).toBe(false);
    expect(g.accepts(call('return_items', '{"order_id": "BK-1", "item_ids": ["x"], "refund_method": "cash"}'))).toBe(false);
    expect(g.accepts(call('set_quantity', '{"qty": -3, "gift": false, "note": {"any": [1, null]}}'))).toBe(true);
    expect(g.accepts(call('set_quantity', '{"qty": 1.5}'))).toBe(false);
  });

  it('escapes quotes and backslashes in names twice: for JSON, then for the grammar', () => {
    const odd = [tool('say "hi"'), tool('back\\slash')];
    const src = buildToolCallGrammar(odd);
    // The model must write the JSON string "say \"hi\"", which the grammar spells with escapes.
    expect(src).toContain('"\\"say \\\\\\"hi\\\\\\"\\""');
    const g = gbnf(src);
    expect(g.accepts(call('say "hi"', '{}'))).toBe(true);
    expect(g.accepts(call('back\\slash', '{}'))).toBe(true);
    expect(g.accepts('<tool_call>{"name": "say "hi"", "arguments": {}}</tool_call>')).toBe(false);
  });

  it('allows only a little whitespace and a few calls, never an unbounded run', () => {
    const r = rules(buildToolCallGrammar(ACME_TOOLS));
    expect(r.get('ws')).not.toMatch(/[*+]/);
    expect(r.get('root')).not.toMatch(/[*+]/);
    const g = gbnf(buildToolCallGrammar(ACME_TOOLS));
    const one = call('get_account', '{"account_id": "A1"}');
    expect(g.accepts(Array(MAX_CALLS_PER_REPLY).fill(one).join(' '))).toBe(true);
    expect(g.accepts(Array(MAX_CALLS_PER_REPLY + 1).fill(one).join(' '))).toBe(false);
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

/**
 * The prompted tool-call protocol: what small models really write back, table-driven, plus
 * round trips through the rendered instructions and a fuzz check that nothing ever throws.
 */
import { describe, expect, it } from 'vitest';
import {
  parseToolCalls,
  readLoose,
  renderProblemResult,
  renderToolInstructions,
  renderToolResult,
  resolveToolName,
  type ToolParseProblemKind,
} from '../../../src/core/agents/tool-protocol.ts';
import type { ToolSpec } from '../../../src/core/model/types.ts';
import type { ToolCallRequest } from '../../../src/core/simulation/participant.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

const TOOLS: ToolSpec[] = [
  {
    name: 'get_order',
    description: 'Look up an order by its id.',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'], additionalProperties: false },
    kind: 'read',
  },
  {
    name: 'cancel_order',
    description: 'Cancel an order that has not shipped.',
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string' }, reason: { type: 'string', enum: ['no_longer_needed', 'ordered_by_mistake'] } },
      required: ['order_id', 'reason'],
    },
    kind: 'write',
  },
  {
    name: 'search_books',
    description: 'Search the catalogue.',
    parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' }, in_stock: { type: 'boolean' } }, required: ['query'] },
    kind: 'read',
  },
  {
    name: 'transfer_to_human',
    description: 'Hand the conversation to a person.',
    parameters: { type: 'object', properties: { summary: { type: 'string' } } },
    kind: 'write',
  },
];

const GET = (order_id: string): ToolCallRequest => ({ name: 'get_order', arguments: { order_id } });

interface Case {
  name: string;
  reply: string;
  calls: ToolCallRequest[];
  problems?: ToolParseProblemKind[];
  /** Expected user-facing text; '' when the reply was only calls. */
  text: string;
}

const CASES: Case[] = [
  {
    name: 'canonical single call',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'Hermes/Qwen layout with newlines inside the tag',
    reply: '<tool_call>\n{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\n</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'missing closing tag (stop string ate it)',
    reply: '<tool_call>\n{"name": "get_order", "arguments": {"order_id": "BK-2041"}}',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'missing closing tag, chatter after the JSON',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\nI will check that for you.',
    calls: [GET('BK-2041')],
    text: 'I will check that for you.',
  },
  {
    name: 'json code fence instead of tags',
    reply: '```json\n{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\n```',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'tool_call code fence',
    reply: '```tool_call\n{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\n```',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'code fence inside the tags',
    reply: '<tool_call>\n```json\n{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\n```\n</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'tags inside a code fence',
    reply: 'Checking.\n```\n<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>\n```',
    calls: [GET('BK-2041')],
    text: 'Checking.',
  },
  {
    name: 'Phi style <|tool_call|> with a list',
    reply: '<|tool_call|>[{"name": "get_order", "arguments": {"order_id": "BK-1"}}, {"name": "get_order", "arguments": {"order_id": "BK-2"}}]<|/tool_call|>',
    calls: [GET('BK-1'), GET('BK-2')],
    text: '',
  },
  {
    name: 'Llama 3.1 <function=name>{…}</function>',
    reply: '<function=get_order>{"order_id": "BK-2041"}</function>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'Llama 3.1 <|python_tag|> with bare JSON and "parameters"',
    reply: '<|python_tag|>{"name": "get_order", "parameters": {"order_id": "BK-2041"}}<|eom_id|>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'Llama 3.2 pythonic list of calls as the whole reply',
    reply: '[get_order(order_id="BK-1"), search_books(query=\'dune\', limit=3)]',
    calls: [GET('BK-1'), { name: 'search_books', arguments: { query: 'dune', limit: 3 } }],
    text: '',
  },
  {
    name: 'Gemma tool_code fence with print(...)',
    reply: '```tool_code\nprint(search_books(query="dune", in_stock=True))\n```',
    calls: [{ name: 'search_books', arguments: { query: 'dune', in_stock: true } }],
    text: '',
  },
  {
    name: 'Mistral [TOOL_CALLS] prefix',
    reply: '[TOOL_CALLS] [{"name": "get_order", "arguments": {"order_id": "BK-2041"}}]',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'bare JSON object as the whole reply',
    reply: '{"name": "get_order", "arguments": {"order_id": "BK-2041"}}',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: '"args" instead of "arguments"',
    reply: '<tool_call>{"name": "get_order", "args": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'arguments double-encoded as a JSON string',
    reply: '<tool_call>{"name": "get_order", "arguments": "{\\"order_id\\": \\"BK-2041\\"}"}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'whole call double-encoded as a string',
    reply: '<tool_call>"{\\"name\\": \\"get_order\\", \\"arguments\\": {\\"order_id\\": \\"BK-2041\\"}}"</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: '{"tool": …} key',
    reply: '<tool_call>{"tool": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'OpenAI style {"type": "function", "function": {…}} with string arguments',
    reply: '{"type": "function", "function": {"name": "get_order", "arguments": "{\\"order_id\\":\\"BK-2041\\"}"}}',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'OpenAI style {"tool_calls": [...]}',
    reply: '{"tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_order", "arguments": {"order_id": "BK-2041"}}}]}',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'single quotes (Python dict repr)',
    reply: "<tool_call>{'name': 'get_order', 'arguments': {'order_id': 'BK-2041'}}</tool_call>",
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'trailing commas',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041",},}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'unquoted keys',
    reply: '<tool_call>{name: "get_order", arguments: {order_id: "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'comments inside the JSON',
    reply: '<tool_call>{\n  // look the order up first\n  "name": "get_order", /* read only */\n  "arguments": {"order_id": "BK-2041"} # the customer\'s order\n}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'Python literals True/False/None',
    reply: '<tool_call>{"name": "search_books", "arguments": {"query": "dune", "in_stock": True, "limit": None, "used": False}}</tool_call>',
    calls: [{ name: 'search_books', arguments: { query: 'dune', in_stock: true, limit: null, used: false } }],
    text: '',
  },
  {
    name: 'several calls in one reply, separate tags',
    reply:
      '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-1"}}</tool_call>\n<tool_call>{"name": "cancel_order", "arguments": {"order_id": "BK-1", "reason": "no_longer_needed"}}</tool_call>',
    calls: [GET('BK-1'), { name: 'cancel_order', arguments: { order_id: 'BK-1', reason: 'no_longer_needed' } }],
    text: '',
  },
  {
    name: 'several JSON objects inside one tag',
    reply: '<tool_call>\n{"name": "get_order", "arguments": {"order_id": "BK-1"}}\n{"name": "get_order", "arguments": {"order_id": "BK-2"}}\n</tool_call>',
    calls: [GET('BK-1'), GET('BK-2')],
    text: '',
  },
  {
    name: 'two unclosed tags in a row',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-1"}}\n<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2"}}',
    calls: [GET('BK-1'), GET('BK-2')],
    text: '',
  },
  {
    name: 'bare JSON followed by chatter',
    reply: '{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\nLet me know if you need anything else!',
    calls: [GET('BK-2041')],
    text: 'Let me know if you need anything else!',
  },
  {
    name: 'chatter before the call',
    reply: 'Sure, let me look that up for you.\n<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: 'Sure, let me look that up for you.',
  },
  {
    name: 'chatter before a bare JSON call',
    reply: 'I will search now: {"name": "search_books", "arguments": {"query": "dune"}}',
    calls: [{ name: 'search_books', arguments: { query: 'dune' } }],
    text: 'I will search now:',
  },
  {
    name: 'a closing tag and nested braces inside a string',
    reply:
      '<tool_call>{"name": "transfer_to_human", "arguments": {"summary": "User typed {\\"x\\": [1, 2]} and said \'hi\' </tool_call> oddly"}}</tool_call>',
    calls: [{ name: 'transfer_to_human', arguments: { summary: 'User typed {"x": [1, 2]} and said \'hi\' </tool_call> oddly' } }],
    text: '',
  },
  {
    name: 'nested braces inside strings',
    reply: '<tool_call>{"name": "transfer_to_human", "arguments": {"summary": "wants {gift wrap} and [fast] shipping; said \\"}\\""}}</tool_call>',
    calls: [{ name: 'transfer_to_human', arguments: { summary: 'wants {gift wrap} and [fast] shipping; said "}"' } }],
    text: '',
  },
  {
    name: 'unicode in arguments and text',
    reply: 'Je cherche « Dune » 📚\n<tool_call>{"name": "search_books", "arguments": {"query": "Dune — Frank Herbert \\u00e9dition 日本語"}}</tool_call>',
    calls: [{ name: 'search_books', arguments: { query: 'Dune — Frank Herbert édition 日本語' } }],
    text: 'Je cherche « Dune » 📚',
  },
  {
    name: 'unknown tool is a problem, not a call',
    reply: '<tool_call>{"name": "refund_everything", "arguments": {"order_id": "BK-1"}}</tool_call>',
    calls: [],
    problems: ['unknown_tool'],
    text: '',
  },
  {
    name: 'tag mentioned in prose without JSON',
    reply: 'I will use <tool_call> to look up your order once you give me its number.',
    calls: [],
    text: 'I will use <tool_call> to look up your order once you give me its number.',
  },
  {
    name: 'tag mentioned in prose, followed by braces that are no call',
    reply: 'I use <tool_call> {json} blocks to reach the order system.',
    calls: [],
    text: 'I use <tool_call> {json} blocks to reach the order system.',
  },
  {
    name: 'both tags mentioned in prose',
    reply: 'I can call tools with <tool_call>...</tool_call> blocks. What is your order number?',
    calls: [],
    text: 'I can call tools with <tool_call>...</tool_call> blocks. What is your order number?',
  },
  {
    name: 'empty arguments object',
    reply: '<tool_call>{"name": "transfer_to_human", "arguments": {}}</tool_call>',
    calls: [{ name: 'transfer_to_human', arguments: {} }],
    text: '',
  },
  {
    name: 'arguments left out, null, or an empty string',
    reply:
      '<tool_call>{"name": "transfer_to_human"}</tool_call><tool_call>{"name": "transfer_to_human", "arguments": null}</tool_call><tool_call>{"name": "transfer_to_human", "arguments": ""}</tool_call>',
    calls: [
      { name: 'transfer_to_human', arguments: {} },
      { name: 'transfer_to_human', arguments: {} },
      { name: 'transfer_to_human', arguments: {} },
    ],
    text: '',
  },
  {
    name: 'name in different casing',
    reply: '<tool_call>{"name": "Get_Order", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'functions. prefix on the name',
    reply: '<tool_call>{"name": "functions.get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'camelCase name and trailing ()',
    reply: '<tool_call>{"name": "getOrder()", "arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'missing name',
    reply: '<tool_call>{"arguments": {"order_id": "BK-2041"}}</tool_call>',
    calls: [],
    problems: ['missing_name'],
    text: '',
  },
  {
    name: 'arguments as a list',
    reply: '<tool_call>{"name": "get_order", "arguments": ["BK-2041"]}</tool_call>',
    calls: [],
    problems: ['bad_arguments'],
    text: '',
  },
  {
    name: 'arguments as a string that is not JSON',
    reply: '<tool_call>{"name": "get_order", "arguments": "BK-2041"}</tool_call>',
    calls: [],
    problems: ['bad_arguments'],
    text: '',
  },
  {
    name: 'broken JSON inside closed tags',
    reply: 'One moment.\n<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"]]</tool_call>',
    calls: [],
    problems: ['malformed_json'],
    text: 'One moment.',
  },
  {
    name: 'output cut short inside a string',
    reply: '<tool_call>{"name": "search_books", "arguments": {"query": "the lord of the',
    calls: [],
    problems: ['unclosed_tag'],
    text: '',
  },
  {
    name: 'opening tag at the very end',
    reply: 'Let me check.\n<tool_call>',
    calls: [],
    problems: ['unclosed_tag'],
    text: 'Let me check.',
  },
  {
    name: 'one closing brace short',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'one closing brace too many, bare',
    reply: '{"name": "get_order", "arguments": {"order_id": "BK-2041"}}}',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'stray closing tag after bare JSON',
    reply: '{"name": "get_order", "arguments": {"order_id": "BK-2041"}}\n</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'arguments flattened into the call object',
    reply: '<tool_call>{"name": "get_order", "order_id": "BK-2041"}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'tool name used as the only key',
    reply: '<tool_call>{"get_order": {"order_id": "BK-2041"}}</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'Python-style call inside tags',
    reply: '<tool_call>get_order(order_id="BK-2041")</tool_call>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'bare tool name inside tags',
    reply: '<tool_call>transfer_to_human</tool_call>',
    calls: [{ name: 'transfer_to_human', arguments: {} }],
    text: '',
  },
  {
    name: 'invented tool result after the call is dropped',
    reply:
      '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call>\n<tool_response>{"status": "shipped"}</tool_response>\nYour order has shipped!',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'missing comma between members and a bare-word value',
    reply: '<tool_call>{"name": "cancel_order" "arguments": {"order_id": BK-2041, "reason": no_longer_needed}}</tool_call>',
    calls: [{ name: 'cancel_order', arguments: { order_id: 'BK-2041', reason: 'no_longer_needed' } }],
    text: '',
  },
  {
    name: 'LangChain style action / action_input',
    reply: '```json\n{"action": "search_books", "action_input": {"query": "dune"}}\n```',
    calls: [{ name: 'search_books', arguments: { query: 'dune' } }],
    text: '',
  },
  {
    name: 'JSON data shown to the user is not a call',
    reply: 'Here is your order:\n```json\n{"id": "BK-2041", "status": "shipped", "items": [{"title": "Dune"}]}\n```',
    calls: [],
    text: 'Here is your order:\n```json\n{"id": "BK-2041", "status": "shipped", "items": [{"title": "Dune"}]}\n```',
  },
  {
    name: 'braces and brackets in ordinary prose',
    reply: 'Your reference is {BK-2041} [see note 1]. Is that right?',
    calls: [],
    text: 'Your reference is {BK-2041} [see note 1]. Is that right?',
  },
  {
    name: 'plain text reply',
    reply: '  Hello! How can I help you today?  ',
    calls: [],
    text: 'Hello! How can I help you today?',
  },
  {
    name: 'empty reply',
    reply: '',
    calls: [],
    text: '',
  },
  {
    name: 'leaked end-of-turn tokens around a call',
    reply: '<tool_call>{"name": "get_order", "arguments": {"order_id": "BK-2041"}}</tool_call><|im_end|>',
    calls: [GET('BK-2041')],
    text: '',
  },
  {
    name: 'unknown tool in a bare JSON call alongside a good one',
    reply: '[{"name": "get_order", "arguments": {"order_id": "BK-1"}}, {"name": "delete_db", "arguments": {}}]',
    calls: [GET('BK-1')],
    problems: ['unknown_tool'],
    text: '',
  },
];

describe('parseToolCalls: what small models really write', () => {
  it('covers at least 30 distinct outputs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.reply)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const parsed = parseToolCalls(c.reply, TOOLS);
      expect(parsed.calls).toEqual(c.calls);
      expect(parsed.problems.map((p) => p.kind)).toEqual(c.problems ?? []);
      expect(parsed.text).toBe(c.text);
      for (const p of parsed.problems) {
        expect(p.message.length).toBeGreaterThan(0);
        expect(typeof p.raw).toBe('string');
      }
    });
  }

  it('records the written name on unknown-tool problems', () => {
    const parsed = parseToolCalls('<tool_call>{"name": "refund_everything", "arguments": {}}</tool_call>', TOOLS);
    expect(parsed.problems[0]).toMatchObject({ kind: 'unknown_tool', name: 'refund_everything' });
  });

  it('does not guess between tools whose names differ only in case', () => {
    const tools: ToolSpec[] = [
      { ...TOOLS[0]!, name: 'Lookup' },
      { ...TOOLS[0]!, name: 'lookup' },
    ];
    expect(resolveToolName('LOOKUP', tools)).toBeUndefined();
    expect(resolveToolName('lookup', tools)).toBe('lookup');
    expect(parseToolCalls('<tool_call>{"name": "LOOKUP", "arguments": {}}</tool_call>', tools).problems[0]?.kind).toBe('unknown_tool');
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const parsed = parseToolCalls('<tool_call>{"name": "search_books", "arguments": {"__proto__": {"x": 1}, "query": "q"}}</tool_call>', TOOLS);
    expect(parsed.calls).toHaveLength(1);
    const args = parsed.calls[0]!.arguments;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.keys(args)).toEqual(['__proto__', 'query']);
  });
});

describe('round trips', () => {
  it('the instructions name every tool with its schema and show the protocol', () => {
    const text = renderToolInstructions(TOOLS);
    for (const tool of TOOLS) {
      expect(text).toContain(tool.name);
      expect(text).toContain(tool.description);
      expect(text).toContain(JSON.stringify(tool.parameters));
    }
    expect(text).toContain('<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}</tool_call>');
    expect(text).toContain('<tool_result name="TOOL_NAME">');
  });

  it('the example call in the instructions parses back to a declared tool', () => {
    const text = renderToolInstructions(TOOLS);
    const example = text.split('\n').at(-1)!;
    const parsed = parseToolCalls(example, TOOLS);
    expect(parsed.problems).toEqual([]);
    expect(parsed.calls).toEqual([{ name: 'get_order', arguments: { order_id: '<order_id>' } }]);
    expect(parsed.text).toBe('');
  });

  it('renders nothing when there are no tools', () => {
    expect(renderToolInstructions([])).toBe('');
  });

  it('a canonical call for every tool parses back exactly', () => {
    const calls: ToolCallRequest[] = [
      GET('BK-2041'),
      { name: 'cancel_order', arguments: { order_id: 'BK-2041', reason: 'ordered_by_mistake' } },
      { name: 'search_books', arguments: { query: 'naïve "quotes" {braces} </tool_call>', limit: 5, in_stock: false } },
      { name: 'transfer_to_human', arguments: {} },
    ];
    for (const call of calls) {
      const reply = `<tool_call>${JSON.stringify(call)}</tool_call>`;
      expect(parseToolCalls(reply, TOOLS)).toEqual({ text: '', calls: [call], problems: [] });
    }
  });

  it('renders results as compact JSON and errors as error objects', () => {
    expect(renderToolResult({ name: 'get_order' }, { ok: true, value: { status: 'shipped' } })).toBe(
      '<tool_result name="get_order">\n{"status":"shipped"}\n</tool_result>',
    );
    expect(renderToolResult({ name: 'get_order' }, { ok: false, error: { name: 'DomainError', message: 'No such order.' } })).toBe(
      '<tool_result name="get_order">\n{"error":{"name":"DomainError","message":"No such order."}}\n</tool_result>',
    );
  });

  it('truncates long results with a note', () => {
    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ i, title: `Book ${i}` })) };
    const full = JSON.stringify(value);
    const out = renderToolResult({ name: 'search_books' }, { ok: true, value }, { maxChars: 200 });
    expect(out.startsWith('<tool_result name="search_books">\n')).toBe(true);
    expect(out).toContain(full.slice(0, 200));
    expect(out).not.toContain(full.slice(0, 201));
    expect(out).toContain(`[truncated: 200 of ${full.length} characters shown]`);
    expect(out.endsWith('</tool_result>')).toBe(true);
  });

  it('escapes odd names in the result tag', () => {
    expect(renderToolResult({ name: 'a"b<c>' }, { ok: true, value: null })).toContain('<tool_result name="a&quot;b&lt;c&gt;">');
  });

  it('turns a parse problem into an error result that lists the tools', () => {
    const [problem] = parseToolCalls('<tool_call>{"name": "nope", "arguments": {}}</tool_call>', TOOLS).problems;
    const out = renderProblemResult(problem!, TOOLS);
    expect(out.startsWith('<tool_result name="nope">')).toBe(true);
    expect(out).toContain('UnknownTool');
    for (const tool of TOOLS) expect(out).toContain(tool.name);
  });
});

describe('readLoose', () => {
  it('reads JSON5-ish values and reports where they end', () => {
    expect(readLoose("{a: 1, 'b': [1, 2,], c: None} tail", 0, false)).toEqual({ ok: true, value: { a: 1, b: [1, 2], c: null }, end: 29 });
    expect(readLoose('-1.5e3', 0, false)).toEqual({ ok: true, value: -1500, end: 6 });
  });

  it('refuses input cut inside a string even when closing brackets', () => {
    const r = readLoose('{"a": "unfinished', 0, true);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.eof).toBe(true);
  });

  it('stops at a nesting limit instead of overflowing the stack', () => {
    expect(readLoose('['.repeat(100_000), 0, true).ok).toBe(false);
    expect(() => parseToolCalls('<tool_call>' + '{"a":'.repeat(5_000), TOOLS)).not.toThrow();
  });
});

describe('never throws', () => {
  const ALPHABET = [
    '{', '}', '[', ']', '"', "'", ':', ',', '\\', '/', '*', '#', '\n', ' ', 'a', 'name', 'arguments', 'get_order',
    '<tool_call>', '</tool_call>', '<|tool_call|>', '<function=get_order>', '</function>', '```', '```json\n',
    'True', 'None', '1', '-', '.', 'e', '(', ')', '=', 'print(', '<tool_result', '\u201c', '😀', '\u0000', '__proto__',
    '<parameter=order_id>', '</parameter>', '<tool_call name="get_order">', '[TOOL_CALLS]', '[ARGS]', '<think>', '</think>',
    '<|tool_call_begin|>', '<|tool_call_argument_begin|>', '<|tool_call_end|>', '<|python_tag|>', 'cancel_order',
  ];

  it('on random garbage built from protocol fragments', () => {
    const rng = mulberry32(20240607);
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(rng() * 40);
      let s = '';
      for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(rng() * ALPHABET.length)]!;
      const parsed = parseToolCalls(s, TOOLS);
      expect(typeof parsed.text).toBe('string');
      for (const call of parsed.calls) {
        expect(TOOLS.some((t) => t.name === call.name)).toBe(true);
        expect(typeof call.arguments).toBe('object');
        expect(Array.isArray(call.arguments)).toBe(false);
      }
    }
  });

  it('on random characters', () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const n = Math.floor(rng() * 200);
      let s = '';
      for (let j = 0; j < n; j++) s += String.fromCharCode(Math.floor(rng() * 0x3000));
      expect(() => parseToolCalls(s, TOOLS)).not.toThrow();
    }
  });

  it('on non-string input smuggled past the types', () => {
    expect(() => parseToolCalls(undefined as unknown as string, TOOLS)).not.toThrow();
    expect(() => parseToolCalls(null as unknown as string, [])).not.toThrow();
  });
});

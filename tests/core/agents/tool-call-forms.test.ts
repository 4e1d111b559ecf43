/**
 * Tool calls in the native forms of model families (issue 13, "Drafted calls run"), and the
 * rule for write tools: they run only from a tagged form or a reply that is nothing but calls,
 * never from JSON the agent shows the customer or drafts while thinking. Each case asserts the
 * exact calls, problems and text.
 */
import { describe, expect, it } from 'vitest';
import { parseToolCalls, TOOL_PROTOCOL_VERSION, type ToolParseProblemKind } from '../../../src/core/agents/tool-protocol.ts';
import type { ToolSpec } from '../../../src/core/model/types.ts';
import type { ToolCallRequest } from '../../../src/core/simulation/participant.ts';

const TOOLS: ToolSpec[] = [
  {
    name: 'get_order_details',
    description: 'Look up an order.',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
    kind: 'read',
  },
  {
    name: 'cancel_order',
    description: 'Cancel a pending order.',
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string' }, reason: { type: 'string', enum: ['no longer needed', 'ordered by mistake'] } },
      required: ['order_id', 'reason'],
    },
    kind: 'write',
  },
  {
    name: 'modify_items',
    description: 'Exchange items of a pending order.',
    parameters: {
      type: 'object',
      properties: {
        order_id: { type: 'string' },
        item_ids: { type: 'array', items: { type: 'string' } },
        quantity: { type: 'integer' },
        gift_wrap: { type: 'boolean' },
        max_price: { type: 'number' },
        address: { type: 'object' },
        note: { type: ['string', 'null'] },
      },
      required: ['order_id', 'item_ids'],
    },
    kind: 'write',
  },
];

const CANCEL: ToolCallRequest = { name: 'cancel_order', arguments: { order_id: '#W123', reason: 'no longer needed' } };
const LOOKUP: ToolCallRequest = { name: 'get_order_details', arguments: { order_id: '#W123' } };

interface Case {
  name: string;
  reply: string;
  calls: ToolCallRequest[];
  problems?: ToolParseProblemKind[];
  text: string;
}

function check(c: Case): void {
  const parsed = parseToolCalls(c.reply, TOOLS);
  expect(parsed.calls).toEqual(c.calls);
  expect(parsed.problems.map((p) => p.kind)).toEqual(c.problems ?? []);
  expect(parsed.text).toBe(c.text);
}

const cancelJson = '{"name": "cancel_order", "arguments": {"order_id": "#W123", "reason": "no longer needed"}}';

/** The documented native forms: all run, write tools included. */
const NATIVE: Case[] = [
  {
    name: 'Hermes / Qwen2.5: <tool_call>{json}</tool_call>',
    reply: `<tool_call>\n${cancelJson}\n</tool_call>`,
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Hermes, the closing tag eaten as a stop string',
    reply: `I will cancel it now.\n<tool_call>\n${cancelJson}`,
    calls: [CANCEL],
    text: 'I will cancel it now.',
  },
  {
    name: 'Qwen3-Coder / Qwen3.5 XML inside <tool_call>',
    reply: '<tool_call>\n<function=cancel_order>\n<parameter=order_id>\n#W123\n</parameter>\n<parameter=reason>\nno longer needed\n</parameter>\n</function>\n</tool_call>',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Qwen XML without the <tool_call> wrapper, text after it',
    reply: '<function=cancel_order>\n<parameter=order_id>\n#W123\n</parameter>\n<parameter=reason>\nno longer needed\n</parameter>\n</function>\nDone.',
    calls: [CANCEL],
    text: 'Done.',
  },
  {
    name: 'Qwen XML: values converted to the declared types',
    reply:
      '<tool_call>\n<function=modify_items>\n<parameter=order_id>\n#W9\n</parameter>\n<parameter=item_ids>\n["1008", "2051"]\n</parameter>\n<parameter=quantity>\n2\n</parameter>\n<parameter=gift_wrap>\nTrue\n</parameter>\n<parameter=max_price>\n19.5\n</parameter>\n<parameter=address>\n{"city": "Paris", "zip": "75001"}\n</parameter>\n<parameter=note>\n  leave at the door \n</parameter>\n</function>\n</tool_call>',
    calls: [
      {
        name: 'modify_items',
        arguments: {
          order_id: '#W9',
          item_ids: ['1008', '2051'],
          quantity: 2,
          gift_wrap: true,
          max_price: 19.5,
          address: { city: 'Paris', zip: '75001' },
          note: '  leave at the door ',
        },
      },
    ],
    text: '',
  },
  {
    name: 'Qwen XML: a value that does not fit its type stays a string (the tool reports it)',
    reply: '<function=modify_items>\n<parameter=order_id>\n#W9\n</parameter>\n<parameter=quantity>\ntwo\n</parameter>\n</function>',
    calls: [{ name: 'modify_items', arguments: { order_id: '#W9', quantity: 'two' } }],
    text: '',
  },
  {
    name: 'Qwen XML: several <function=…> blocks are several calls',
    reply:
      '<tool_call>\n<function=get_order_details>\n<parameter=order_id>\n#W123\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=cancel_order>\n<parameter=order_id>\n#W123\n</parameter>\n<parameter=reason>\nno longer needed\n</parameter>\n</function>\n</tool_call>',
    calls: [LOOKUP, CANCEL],
    text: '',
  },
  {
    name: 'Qwen XML cut off inside a parameter: a problem, not half a value',
    reply: '<tool_call>\n<function=cancel_order>\n<parameter=order_id>\n#W123\n</parameter>\n<parameter=reason>\nno lon',
    calls: [],
    problems: ['unclosed_tag'],
    text: '',
  },
  {
    name: '<tool_call name="…"> with the arguments as the body',
    reply: '<tool_call name="cancel_order">{"order_id": "#W123", "reason": "no longer needed"}</tool_call>',
    calls: [CANCEL],
    text: '',
  },
  {
    name: "<tool_call name='…'> with single quotes and an {\"arguments\": …} body",
    reply: 'Cancelling.\n<tool_call name=\'cancel_order\'>\n{"arguments": {"order_id": "#W123", "reason": "no longer needed"}}\n</tool_call>',
    calls: [CANCEL],
    text: 'Cancelling.',
  },
  {
    name: 'Llama 3.1 <function=name>{…}</function>',
    reply: `<function=cancel_order>{"order_id": "#W123", "reason": "no longer needed"}</function>`,
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Llama 3.2: the whole reply is a JSON call with "parameters"',
    reply: '{"name": "cancel_order", "parameters": {"order_id": "#W123", "reason": "no longer needed"}}',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Llama 3.2: a JSON call alone with end-of-turn tokens around it',
    reply: '\n<|python_tag|>{"name": "cancel_order", "parameters": {"order_id": "#W123", "reason": "no longer needed"}}<|eot_id|>\n',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Llama 3.2 pythonic call as the whole reply',
    reply: '[cancel_order(order_id="#W123", reason="no longer needed")]',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Mistral [TOOL_CALLS][…]',
    reply: `[TOOL_CALLS][${cancelJson}]`,
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Mistral (v11 tokenizer) [TOOL_CALLS]name[ARGS]{…}',
    reply: '[TOOL_CALLS]cancel_order[ARGS]{"order_id": "#W123", "reason": "no longer needed"}',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'Gemma ```tool_code fence',
    reply: 'One moment.\n```tool_code\nprint(cancel_order(order_id="#W123", reason="no longer needed"))\n```',
    calls: [CANCEL],
    text: 'One moment.',
  },
  {
    name: 'a fence labelled tool_call with JSON inside prose',
    reply: `I am cancelling it now.\n\`\`\`tool_call\n${cancelJson}\n\`\`\``,
    calls: [CANCEL],
    text: 'I am cancelling it now.',
  },
  {
    name: 'Kimi <|tool_call_begin|> with section separators',
    reply:
      '<|tool_calls_section_begin|><|tool_call_begin|>functions.cancel_order:0<|tool_call_argument_begin|>{"order_id": "#W123", "reason": "no longer needed"}<|tool_call_end|><|tool_calls_section_end|>',
    calls: [CANCEL],
    text: '',
  },
  {
    name: 'a json fence that is the whole reply is a call, not something shown',
    reply: `\`\`\`json\n${cancelJson}\n\`\`\``,
    calls: [CANCEL],
    text: '',
  },
];

/** Write calls the customer is shown, or the model only drafted: nothing runs. */
const NOT_RUN: Case[] = [
  {
    name: 'a write call in a json fence with "Do you confirm?" around it',
    reply: `Here is the change I will make:\n\`\`\`json\n${cancelJson}\n\`\`\`\nDo you confirm?`,
    calls: [],
    text: `Here is the change I will make:\n\`\`\`json\n${cancelJson}\n\`\`\`\nDo you confirm?`,
  },
  {
    name: 'a write call in an unlabelled fence after prose',
    reply: `I would send this:\n\`\`\`\n${cancelJson}\n\`\`\``,
    calls: [],
    text: `I would send this:\n\`\`\`\n${cancelJson}\n\`\`\``,
  },
  {
    name: 'bare JSON write call in prose',
    reply: 'I will call {"name": "cancel_order", "arguments": {"order_id": "#W123"}} once you say yes.',
    calls: [],
    text: 'I will call {"name": "cancel_order", "arguments": {"order_id": "#W123"}} once you say yes.',
  },
  {
    name: 'bare JSON write call with prose after it',
    reply: `${cancelJson}\nShall I go ahead?`,
    calls: [],
    text: `${cancelJson}\nShall I go ahead?`,
  },
  {
    name: 'a fence mixing a lookup and a write, in prose: shown whole',
    reply: `Two steps:\n\`\`\`json\n[{"name": "get_order_details", "arguments": {"order_id": "#W123"}}, ${cancelJson}]\n\`\`\`\nOK?`,
    calls: [],
    text: `Two steps:\n\`\`\`json\n[{"name": "get_order_details", "arguments": {"order_id": "#W123"}}, ${cancelJson}]\n\`\`\`\nOK?`,
  },
  {
    name: 'unreadable write-call JSON in prose stays text, no problem',
    reply: 'I could run {"name": "cancel_order", "arguments": {"order_id": "#W1" ]] if you like',
    calls: [],
    text: 'I could run {"name": "cancel_order", "arguments": {"order_id": "#W1" ]] if you like',
  },
  {
    name: 'a tagged call inside <think>…</think>',
    reply: `<think>The user wants it gone.\n<tool_call>${cancelJson}</tool_call>\nBut I must confirm first.</think>\nShall I cancel order #W123?`,
    calls: [],
    text: 'Shall I cancel order #W123?',
  },
  {
    name: 'a call inside <reasoning>, and a Qwen XML call inside <thinking>',
    reply:
      '<reasoning>{"name": "cancel_order", "arguments": {"order_id": "#W123"}}</reasoning><thinking><function=cancel_order><parameter=order_id>#W123</parameter></function></thinking>Please confirm.',
    calls: [],
    text: 'Please confirm.',
  },
  {
    name: 'an unclosed <think> cut off with a call in it',
    reply: `Let me see.\n<think>I will call <tool_call>${cancelJson}`,
    calls: [],
    text: 'Let me see.',
  },
  {
    name: 'Qwen3.5: reasoning before an orphan </think> holds a call',
    reply: `I should call <tool_call>${cancelJson}</tool_call>\n</think>\n\nDo you want me to cancel #W123?`,
    calls: [],
    text: 'Do you want me to cancel #W123?',
  },
];

/** Read calls in the loose forms still run, as before. */
const READS: Case[] = [
  {
    name: 'a read call in a json fence after prose',
    reply: 'Let me look that up.\n```json\n{"name": "get_order_details", "arguments": {"order_id": "#W123"}}\n```',
    calls: [LOOKUP],
    text: 'Let me look that up.',
  },
  {
    name: 'a read call as bare JSON in prose',
    reply: 'Checking your order: {"name": "get_order_details", "arguments": {"order_id": "#W123"}}',
    calls: [LOOKUP],
    text: 'Checking your order:',
  },
  {
    name: 'a read in a fence runs while a write in prose stays shown',
    reply: `\`\`\`json\n{"name": "get_order_details", "arguments": {"order_id": "#W123"}}\n\`\`\`\nNext I would do ${cancelJson}, if you agree.`,
    calls: [LOOKUP],
    text: `Next I would do ${cancelJson}, if you agree.`,
  },
  {
    name: 'a tagged read and a bare write with nothing else: all calls, all run in order',
    reply: `<tool_call>{"name": "get_order_details", "arguments": {"order_id": "#W123"}}</tool_call>\n${cancelJson}`,
    calls: [LOOKUP, CANCEL],
    text: '',
  },
];

/** Protocol debris never reaches the user; ordinary text does, untouched. */
const STRAYS: Case[] = [
  {
    name: 'stray function and parameter tags',
    reply: 'Your order is cancelled.\n</parameter>\n</function>\n</tool_call>',
    calls: [],
    text: 'Your order is cancelled.',
  },
  {
    name: 'special-token separators between words',
    reply: 'Done <|tool_call_end|> <|tool_calls_section_end|> and refunded.<|im_end|>',
    calls: [],
    text: 'Done and refunded.',
  },
  {
    name: 'Hermes <tools> wrapper and a leftover <parameter=…>',
    reply: '<tools></tools>\nHello! <parameter=order_id>How can I help?',
    calls: [],
    text: 'Hello! How can I help?',
  },
  {
    name: 'an orphan </think> at the start',
    reply: '</think>\n\nHow can I help you today?',
    calls: [],
    text: 'How can I help you today?',
  },
  {
    name: 'debris after a Qwen XML call',
    reply: '<tool_call>\n<function=get_order_details>\n<parameter=order_id>\n#W123\n</parameter>\n</function>\n</tool_call>\n</function>\n<|tool_call_end|>',
    calls: [LOOKUP],
    text: '',
  },
  {
    name: 'comparisons, HTML-ish words and bracketed words are kept; a bare <function> is not',
    reply: 'If a < b and c > d, choose <b>premium</b>; see [args] and <function> notes? No: a <= b.',
    calls: [],
    text: 'If a < b and c > d, choose <b>premium</b>; see [args] and notes? No: a <= b.',
  },
  {
    name: 'a code block shown to the user keeps its XML',
    reply: 'Example:\n```xml\n<parameter=order_id>\n#W1\n</parameter>\n```',
    calls: [],
    text: 'Example:\n```xml\n<parameter=order_id>\n#W1\n</parameter>\n```',
  },
];

describe('tool-call forms of model families', () => {
  it('the protocol version records the new rule', () => {
    expect(TOOL_PROTOCOL_VERSION).toBe('3');
  });
  for (const c of NATIVE) it(c.name, () => check(c));
});

describe('write calls shown to the customer or drafted while thinking do not run', () => {
  for (const c of NOT_RUN) it(c.name, () => check(c));
});

describe('read calls in loose forms still run', () => {
  for (const c of READS) it(c.name, () => check(c));
});

describe('stray protocol tags are cleaned from the text', () => {
  for (const c of STRAYS) it(c.name, () => check(c));
});

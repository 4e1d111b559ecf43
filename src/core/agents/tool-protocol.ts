/**
 * The prompted tool-calling protocol for small browser LLMs (0.5B–3B): the system-prompt
 * section that teaches it, the rendering of tool results, and a tolerant parser for what such
 * models actually write back.
 *
 * The canonical form is one or more `<tool_call>{"name": …, "arguments": {…}}</tool_call>`
 * blocks. Small models drift from it in predictable ways (code fences, missing closing tags,
 * Llama/Qwen/Phi/Mistral habits from their own chat templates, JSON5-ish syntax, Python
 * literals, double-encoded arguments, invented name prefixes), so the parser accepts those
 * whenever the intent is unambiguous, and reports the rest as problems rather than guessing.
 * It never throws: whatever a model writes is data.
 *
 * Which forms may run which tools (tool-protocol 3): a call to a write tool (`kind: 'write'`)
 * runs only from a form that can only mean "call this now":
 * - tagged forms: `<tool_call>…</tool_call>` (also unclosed, when the closing tag was a stop
 *   string or the output was cut), its `<|tool_call|>` variants, `<tool_call name="…">{args}`,
 *   Llama 3.1's `<function=name>{…}</function>`, Qwen3-Coder / Qwen3.5's XML
 *   (`<function=name><parameter=key>value</parameter></function>`, with or without
 *   `<tool_call>` around it), Mistral's `[TOOL_CALLS]`, Llama's `<|python_tag|>`, Kimi's
 *   `<|tool_call_begin|>`, and code fences labelled as calls (tool_call, tool_code…);
 * - a reply that is nothing but calls: a Python-style call list (Llama 3.2), or bare JSON calls
 *   or a fence holding only calls, with nothing else for the user (Llama 3.2 and Hermes answer
 *   so natively).
 * A write call found loose, in an unlabelled or json code fence or as JSON in prose ("Here is
 * the change I will make: {…} Do you confirm?"), is a proposal shown to the customer: it stays
 * in the text and nothing runs. Read calls in those loose forms still run (harmless lookups,
 * and small models write them so). Reasoning (`<think>`, `<thinking>`, `<reasoning>`) is taken
 * out first, as withoutThinking does, so a call drafted while thinking never runs; protocol
 * debris (`</function>`, `<parameter=…>`, `<|tool_call_end|>`, `<tools>`…) never reaches the
 * text shown to the user.
 */
import type { Json, JsonObject, ToolResult, ToolSpec } from '../model/types.ts';
import type { ToolCallRequest } from '../simulation/participant.ts';
import { splitThinking } from '../simulation/thinking.ts';

/**
 * Bumped whenever the rendered instructions, the result format or what the parser takes as a
 * call change, for provenance. 3: write calls only from tagged forms or a reply of nothing but
 * calls; Qwen's XML calls and `<tool_call name=…>`; reasoning and protocol debris taken out.
 */
export const TOOL_PROTOCOL_VERSION = '3';

export const TOOL_CALL_OPEN = '<tool_call>';
export const TOOL_CALL_CLOSE = '</tool_call>';

/**
 * Why part of a reply could not become a tool call:
 * - `malformed_json`: a call was clearly intended but its JSON could not be read;
 * - `unknown_tool`: the name matches no declared tool (even after normalising case and prefixes);
 * - `missing_name`: a call object without a tool name;
 * - `bad_arguments`: arguments that are not a JSON object (or a string holding one);
 * - `unclosed_tag`: an opening tag with nothing readable after it (typically output cut short).
 */
export type ToolParseProblemKind =
  | 'malformed_json'
  | 'unknown_tool'
  | 'missing_name'
  | 'bad_arguments'
  | 'unclosed_tag';

/** One failed call attempt. `message` is written to be shown back to the model. */
export interface ToolParseProblem {
  kind: ToolParseProblemKind;
  message: string;
  /** The offending part of the reply (clipped). */
  raw: string;
  /** The tool name the model wrote, where there was one. */
  name?: string;
}

/** A model reply split into what the user should see, the calls to run, and failed attempts. */
export interface ParsedReply {
  /** What remains for the user once call blocks are removed, trimmed. */
  text: string;
  /** Calls to declared tools, in the order they were written, names normalised. */
  calls: ToolCallRequest[];
  problems: ToolParseProblem[];
}

/* ------------------------------------------------------------- rendering */

/** Default cap on the characters of a rendered tool result. */
export const DEFAULT_RESULT_MAX_CHARS = 4000;

/**
 * The system-prompt section describing the tools and the call protocol. Short and literal on
 * purpose: small models copy examples far more reliably than they follow abstract rules.
 * Returns '' when there are no tools.
 */
export function renderToolInstructions(tools: readonly ToolSpec[]): string {
  if (tools.length === 0) return '';
  const lines: string[] = ['# Tools', '', 'You can use these tools:', ''];
  for (const tool of tools) {
    lines.push(`- ${tool.name}: ${oneLine(tool.description)}`);
    lines.push(`  arguments: ${compactSchema(tool.parameters)}`);
  }
  const example = tools[0]!;
  lines.push(
    '',
    'To call a tool, reply with exactly this and nothing else:',
    `${TOOL_CALL_OPEN}{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}${TOOL_CALL_CLOSE}`,
    'Use valid JSON with double quotes. To call several tools, write one block per call.',
    'Each result comes back to you as a tool message holding <tool_result name="TOOL_NAME">…</tool_result>. Wait for it; never write a result yourself.',
    'To talk to the user, reply in plain text without any tool_call block.',
    '',
    'Example:',
    `${TOOL_CALL_OPEN}{"name": ${JSON.stringify(example.name)}, "arguments": ${JSON.stringify(exampleArguments(example.parameters))}}${TOOL_CALL_CLOSE}`,
  );
  return lines.join('\n');
}

/**
 * A tool result as the model reads it, for a tool-role message (or a user-role one where the
 * chat template has no tool role). The payload is compact JSON, cut to `maxChars` with a note
 * so the model knows it saw only part of it.
 */
export function renderToolResult(
  call: Pick<ToolCallRequest, 'name'>,
  result: ToolResult,
  opts: { maxChars?: number } = {},
): string {
  const payload: Json = result.ok
    ? result.value
    : { error: { name: result.error.name, message: result.error.message } };
  return wrapResult(call.name, safeStringify(payload), opts.maxChars ?? DEFAULT_RESULT_MAX_CHARS);
}

/**
 * The error result sent back for a failed call attempt, so the model can correct itself.
 * Unknown tools and unreadable calls both name the declared tools and the expected format.
 */
/** What the model is told about a call that could not be used: the problem, the tools, the format. */
export function problemMessage(problem: ToolParseProblem, tools: readonly ToolSpec[]): string {
  return `${problem.message} Available tools: ${tools.map((t) => t.name).join(', ') || 'none'}. Format: ${TOOL_CALL_OPEN}{"name": "TOOL_NAME", "arguments": {...}}${TOOL_CALL_CLOSE}`;
}

export function renderProblemResult(
  problem: ToolParseProblem,
  tools: readonly ToolSpec[],
  opts: { maxChars?: number } = {},
): string {
  const errorName = problem.kind === 'unknown_tool' ? 'UnknownTool' : problem.kind === 'bad_arguments' ? 'InvalidArguments' : 'MalformedToolCall';
  const message = problemMessage(problem, tools);
  return wrapResult(problem.name ?? 'invalid', safeStringify({ error: { name: errorName, message } }), opts.maxChars ?? DEFAULT_RESULT_MAX_CHARS);
}

function wrapResult(name: string, body: string, maxChars: number): string {
  const limit = Math.max(0, Math.floor(maxChars));
  let shown = body;
  if (body.length > limit) {
    shown = `${body.slice(0, limit)}… [truncated: ${limit} of ${body.length} characters shown]`;
  }
  return `<tool_result name="${escapeAttr(name)}">\n${shown}\n</tool_result>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function safeStringify(value: Json): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The schema without keys that cost tokens and tell a small model nothing. */
function compactSchema(schema: JsonObject): string {
  const { $schema: _s, $id: _i, title: _t, ...rest } = schema;
  return safeStringify(rest);
}

/** Plausible arguments for the example call: each required parameter with a typed placeholder. */
function exampleArguments(schema: JsonObject): JsonObject {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const names = required.length > 0 ? required : Object.keys(props).slice(0, 1);
  const out: JsonObject = {};
  for (const name of names) {
    const prop = props[name];
    const p = isObject(prop) ? prop : {};
    if (Array.isArray(p.enum) && p.enum.length > 0) out[name] = p.enum[0]!;
    else if (Array.isArray(p.examples) && p.examples.length > 0) out[name] = p.examples[0]!;
    else {
      const type = Array.isArray(p.type) ? p.type[0] : p.type;
      out[name] =
        type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : `<${name}>`;
    }
  }
  return out;
}

/* --------------------------------------------------------------- parsing */

const CLOSE_TAG = /<\|?\s*\/\s*tool[_\- ]?calls?\s*\|?>|<\|\s*end_?tool[_\- ]?calls?\s*\|>/gi;
/** `<tool_call name="cancel_order">`: the name as an attribute, the arguments as the body. */
const NAMED_TAG = `<\\|?\\s*tool[_\\- ]?calls?\\s+name\\s*=\\s*(?:"[^"<>]*"|'[^'<>]*'|[\\w.\\-]+)\\s*\\|?>`;
const NEXT_OPEN_TAG = new RegExp(`<\\|?\\s*tool[_\\- ]?calls?\\s*\\|?>|${NAMED_TAG}|<function\\s*=|<function\\s+name\\s*=`, 'gi');
const FUNCTION_CLOSE = /<\/function\s*>/gi;
const NEXT_FUNCTION = NEXT_OPEN_TAG;
const PARAMETER_OPEN = /<parameter(?:\s*=\s*([^<>\n]*?)|\s+name\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'))\s*>/gi;
const PARAMETER_CLOSE = /<\/parameter\s*>/gi;
/** Call tags a code fence may hold, in which case its content is scanned like a reply. */
const TAG_INSIDE = new RegExp(`<\\|?\\s*tool[_\\- ]?calls?\\s*\\|?>|${NAMED_TAG}|<function\\s*=|<function\\s+name\\s*=`, 'i');

/**
 * Everything the scanner reacts to. The order of the alternatives matters only where two
 * could start at the same character: `[TOOL_CALLS]` is a special token before it is JSON.
 */
const TRIGGER = new RegExp(
  [
    '(?<tag><\\|?\\s*tool[_\\- ]?calls?\\s*\\|?>)',
    `(?<named>${NAMED_TAG})`,
    '(?<kimi><\\|tool_call_begin\\|>)',
    '(?<close><\\|?\\s*\\/\\s*tool[_\\- ]?calls?\\s*\\|?>|<\\|\\s*end_?tool[_\\- ]?calls?\\s*\\|>|<\\/function\\s*>)',
    '(?<fn><function\\s*=\\s*[\\w.\\-]+\\s*>|<function\\s+name\\s*=\\s*["\'][^"\'<>]+["\']\\s*>)',
    '(?<fence>```)',
    // A model that goes on to write the result itself has stopped calling and started
    // imagining; nothing after that point is trustworthy.
    '(?<result><\\|?\\s*tool[_\\- ]?(?:result|response|output)s?\\b)',
    '(?<special><\\|python_tag\\|>|<\\|eom_id\\|>|<\\|eot_id\\|>|<\\|im_end\\|>|<\\|end\\|>|<end_of_turn>|\\[TOOL_CALLS\\]|<\\/s>)',
    '(?<json>[\\[{])',
  ].join('|'),
  'gi',
);

/** Special tokens after which a model writes its calls (Mistral, Llama 3.1). */
const LEAD_TOKEN = /^(?:\[TOOL_CALLS\]|<\|python_tag\|>)$/i;

/** Labels of code fences that announce a call, so their content must be one. */
const STRONG_FENCE_LABELS = new Set(['tool_call', 'tool_calls', 'toolcall', 'tool-call', 'tool_code', 'tool', 'tools', 'function_call', 'functions', 'function']);

/** Reasoning tags; the blocks are taken out before anything is read. */
const THINK_TAG = /<\/?(?:think|thinking|reasoning)>/i;

/**
 * Protocol debris that must not reach the user: chat-template special tokens
 * (`<|tool_call_end|>`, `<|tool_calls_section_begin|>`, `<｜tool▁sep｜>`), the pieces of Qwen's
 * XML form, Hermes's `<tools>` wrapper, closing result tags, reasoning tags. Only whole tags
 * with these names, so that `a < b` and other text stay as written.
 */
const STRAY_TAGS = new RegExp(
  `(?:[ \\t]*(?:${[
    '<\\|[\\w\\-.]{1,48}\\|>',
    '<\uff5c[^\uff5c<>\\n]{1,48}\uff5c>',
    '<\\/?function(?:\\s*=\\s*[\\w.\\-]*|\\s+name\\s*=\\s*(?:"[^"<>]*"|\'[^\'<>]*\'))?\\s*>',
    '<\\/?parameter(?:\\s*=\\s*[^<>\\n]*|\\s+name\\s*=\\s*(?:"[^"<>]*"|\'[^\'<>]*\'))?\\s*>',
    '<\\/?tools\\s*>',
    '<\\/\\s*tool[_\\- ]?(?:result|response|output)s?\\s*>',
    '<\\/?(?:think|thinking|reasoning)>',
  ].join('|')}))+[ \\t]*`,
  'gi',
);
/** Mistral's control tokens, case-sensitive so that prose such as "[args]" stays. */
const STRAY_MISTRAL = /(?:[ \t]*\[\/?(?:TOOL_CALLS|ARGS|CALL_ID|TOOL_RESULTS|TOOL_CONTENT)\])+[ \t]*/g;

/** Text without protocol debris; a run of it between two words leaves one space. */
function withoutStrays(s: string): string {
  const drop = (run: string, at: number, all: string): string => {
    const before = all[at - 1];
    const after = all[at + run.length];
    if (before === undefined || before === '\n' || after === undefined || after === '\n') return '';
    return /[ \t]/.test(run) ? ' ' : '';
  };
  return s.replace(STRAY_TAGS, drop).replace(STRAY_MISTRAL, drop);
}

interface Found {
  calls: ToolCallRequest[];
  problems: ToolParseProblem[];
}

function newFound(): Found {
  return { calls: [], problems: [] };
}

/**
 * What the scanner makes of a reply, in order: text for the user (`verbatim` where it must be
 * shown as written: a code block, a tag mentioned in prose), calls that run, and proposals:
 * write calls found loose in the text, which run only when nothing else is shown.
 */
type Piece =
  | { kind: 'text'; text: string; verbatim: boolean }
  | { kind: 'calls'; found: Found }
  | { kind: 'proposal'; found: Found; raw: string };

class Scan {
  readonly pieces: Piece[] = [];
  constructor(readonly tools: readonly ToolSpec[]) {}

  text(text: string, verbatim = false): void {
    if (text !== '') this.pieces.push({ kind: 'text', text, verbatim });
  }

  /** Calls from a tagged form: always used. */
  tagged(found: Found): void {
    if (found.calls.length + found.problems.length > 0) this.pieces.push({ kind: 'calls', found });
  }

  /** Calls found loose in the text (a json fence, bare JSON): reads run, writes are proposals. */
  loose(found: Found, raw: string): void {
    if (found.calls.length + found.problems.length === 0) return;
    if (touchesWrite(found, this.tools)) this.pieces.push({ kind: 'proposal', found, raw });
    else this.pieces.push({ kind: 'calls', found });
  }

  get anyCall(): boolean {
    return this.pieces.some((p) => p.kind !== 'text');
  }
}

/** Whether a call (or a failed attempt) names a tool that changes something. */
function touchesWrite(found: Found, tools: readonly ToolSpec[]): boolean {
  const isWrite = (written: string | undefined): boolean => {
    if (written === undefined) return false;
    const name = resolveToolName(written, tools);
    return name !== undefined && tools.some((t) => t.name === name && t.kind === 'write');
  };
  return found.calls.some((c) => isWrite(c.name)) || found.problems.some((p) => isWrite(p.name));
}

/**
 * Splits a model reply into user-facing text, tool calls and problems. Tolerates the formats
 * small models produce (see the module comment); never throws.
 */
export function parseToolCalls(text: string, tools: readonly ToolSpec[]): ParsedReply {
  try {
    let input = typeof text === 'string' ? text : String(text ?? '');
    // Normally done by the participant already (withoutThinking); a call drafted while
    // thinking must never run, whoever calls this.
    if (THINK_TAG.test(input)) input = splitThinking(input).visible;
    const whole = parseWholePythonCalls(input, tools);
    if (whole) return { text: '', calls: whole, problems: [] };
    const sc = new Scan(tools);
    scan(input, sc);
    // Proposals run only when the reply is nothing but calls (Llama 3.2 and Hermes answer
    // with a bare JSON call); with anything else to show, the customer sees them as text.
    const onlyCalls = assemble(sc.pieces, true);
    return onlyCalls.text === '' ? onlyCalls : assemble(sc.pieces, false);
  } catch (err) {
    // Defensive only: the scanner is written not to throw. Should it ever, the model's text
    // still reaches the caller and the failure is visible.
    return {
      text: typeof text === 'string' ? text.trim() : '',
      calls: [],
      problems: [{ kind: 'malformed_json', message: `The reply could not be read: ${String(err)}.`, raw: clip(String(text)) }],
    };
  }
}

/** The reply from its pieces, with proposals either run or shown as written. */
function assemble(pieces: readonly Piece[], runProposals: boolean): ParsedReply {
  const calls: ToolCallRequest[] = [];
  const problems: ToolParseProblem[] = [];
  let out = '';
  let loose = '';
  const flush = (): void => {
    out += withoutStrays(loose);
    loose = '';
  };
  for (const p of pieces) {
    if (p.kind === 'text') {
      if (!p.verbatim) {
        loose += p.text;
        continue;
      }
      flush();
      out += p.text;
    } else if (p.kind === 'calls' || runProposals) {
      calls.push(...p.found.calls);
      problems.push(...p.found.problems);
    } else {
      flush();
      out += p.raw;
    }
  }
  flush();
  return { text: tidy(out), calls, problems };
}

function tidy(s: string): string {
  return s
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Walks the text, sorting it into pieces. */
function scan(text: string, sc: Scan): void {
  let pos = 0;
  const trigger = new RegExp(TRIGGER.source, TRIGGER.flags);
  while (pos < text.length) {
    trigger.lastIndex = pos;
    const m = trigger.exec(text);
    if (!m || !m.groups) {
      sc.text(text.slice(pos));
      break;
    }
    const at = m.index;
    sc.text(text.slice(pos, at));
    const g = m.groups;
    if (g.tag !== undefined) {
      const r = handleTag(text, at, m[0].length, sc);
      if (r.keep) sc.text(text.slice(at, r.end), true);
      pos = r.end;
    } else if (g.named !== undefined) {
      pos = handleNamedTag(text, at, m[0], sc);
    } else if (g.kimi !== undefined) {
      pos = handleKimi(text, at, m[0].length, sc);
    } else if (g.close !== undefined) {
      pos = at + m[0].length;
    } else if (g.special !== undefined) {
      pos = LEAD_TOKEN.test(m[0]) ? handleLead(text, at + m[0].length, sc) : at + m[0].length;
    } else if (g.fn !== undefined) {
      pos = handleFunctionTag(text, at, m[0], sc);
    } else if (g.fence !== undefined) {
      const r = handleFence(text, at, sc);
      if (r.keep) sc.text(text.slice(at, r.end), true);
      pos = r.end;
    } else if (g.result !== undefined) {
      // Only drop an imagined result once a call was made; a reply that merely talks about
      // results keeps its text.
      if (sc.anyCall) return;
      sc.text(m[0]);
      pos = at + m[0].length;
    } else {
      const r = handleBareJson(text, at, sc, false);
      if (r.keep) sc.text(text.slice(at, r.end));
      pos = r.end;
    }
    if (pos <= at) pos = at + 1; // always advance
  }
}

/** `<tool_call>…</tool_call>`, possibly unclosed. */
function handleTag(text: string, at: number, openLen: number, sc: Scan): { end: number; keep: boolean } {
  const tools = sc.tools;
  const start = at + openLen;
  const next = findFrom(NEXT_OPEN_TAG, text, start);
  const close = findFrom(CLOSE_TAG, text, start, next?.index);
  if (close && (!next || close.index <= next.index)) {
    const content = text.slice(start, close.index);
    const r = readPayload(content, tools, true);
    if (r.error !== undefined) {
      // The first closing tag may sit inside a JSON string; read on, string-aware, and accept
      // when a closing tag follows the values.
      const alt = readPayload(text.slice(start), tools, false);
      if (alt.error === undefined && !alt.notACall && alt.calls.length + alt.problems.length > 0) {
        const after = /\s*(?:<\|?\s*\/\s*tool[_\- ]?calls?\s*\|?>|<\|\s*end_?tool[_\- ]?calls?\s*\|>)/iy;
        after.lastIndex = start + alt.consumed;
        if (after.exec(text)) {
          sc.tagged(alt);
          return { end: after.lastIndex, keep: false };
        }
      }
    }
    if (r.notACall) return { end: close.index + close.length, keep: true };
    sc.tagged(r);
    return { end: close.index + close.length, keep: false };
  }
  // Unclosed: often the closing tag was a stop string, or the output ran out of tokens.
  const limit = next ? next.index : text.length;
  const content = text.slice(start, limit);
  if (content.trim() === '' && next) return { end: limit, keep: false }; // a doubled opening tag, or Qwen's <function=…> inside
  if (content.trim() === '') {
    sc.tagged({
      calls: [],
      problems: [{ kind: 'unclosed_tag', message: `The ${TOOL_CALL_OPEN} block is empty: it has no JSON call after it.`, raw: clip(text.slice(at, limit)) }],
    });
    return { end: limit, keep: false };
  }
  const r = readPayload(content, tools, false);
  if (r.notACall) return { end: start, keep: true };
  sc.tagged(r);
  return { end: start + r.consumed, keep: false };
}

/**
 * `<tool_call name="cancel_order">{"order_id": "#W1"}</tool_call>`: the arguments as the body,
 * also wrapped as `{"arguments": {…}}`, or Qwen's `<parameter=…>` elements.
 */
function handleNamedTag(text: string, at: number, opener: string, sc: Scan): number {
  const nm = /name\s*=\s*(?:"([^"]*)"|'([^']*)'|([\w.\-]+))/i.exec(opener);
  const name = (nm?.[1] ?? nm?.[2] ?? nm?.[3] ?? '').trim();
  const start = at + opener.length;
  const next = findFrom(NEXT_OPEN_TAG, text, start);
  const close = findFrom(CLOSE_TAG, text, start, next?.index);
  const closed = close !== undefined && (!next || close.index <= next.index);
  const limit = closed ? close.index : next ? next.index : text.length;
  const closeEnd = closed ? close.index + close.length : limit;
  const found = newFound();
  const xml = readXmlCall(text, start, limit, closed, name, found, sc.tools);
  if (xml !== undefined) {
    sc.tagged(found);
    return closed ? closeEnd : xml;
  }
  const head = /\s*(?:```[ \t]*(?:[A-Za-z][\w\-+.]*)?[ \t]*\r?\n?)?\s*/y;
  head.lastIndex = start;
  head.exec(text);
  const bodyAt = head.lastIndex;
  if (bodyAt >= limit) {
    pushNormalized({ name, arguments: {} }, sc.tools, found, text.slice(at, closeEnd));
    sc.tagged(found);
    return closeEnd;
  }
  const r = readLoose(text, bodyAt, true);
  if (!r.ok) {
    const cut = r.eof && !closed;
    found.problems.push({
      kind: cut ? 'unclosed_tag' : 'malformed_json',
      message: cut ? `The call to ${name} ends before its JSON is complete (${r.message}).` : `The arguments of ${name} are not valid JSON (${r.message}).`,
      raw: clip(text.slice(at, closeEnd)),
      name,
    });
    sc.tagged(found);
    return closeEnd;
  }
  pushNormalized(namedCall(name, r.value, sc.tools), sc.tools, found, text.slice(at, r.end));
  sc.tagged(found);
  // After the value: an optional closing fence, then the closing tag; in a closed block
  // anything else before the tag is dropped.
  const tail = new RegExp(`\\s*(?:\`\`\`)?\\s*(?:${CLOSE_TAG.source})`, 'iy');
  tail.lastIndex = r.end;
  if (tail.exec(text)) return tail.lastIndex;
  return closed && r.end <= close.index ? closeEnd : r.end;
}

/** The call a `<tool_call name=…>` body stands for. */
function namedCall(name: string, body: Json, tools: readonly ToolSpec[]): Json {
  if (!isObject(body)) return { name, arguments: body };
  const tool = resolveToolName(name, tools);
  const params = tool ? toolProperties(tools, tool) : {};
  const inner = firstDefined(body, NAME_KEYS);
  // The whole call repeated in the body: {"name": "cancel_order", "arguments": {…}}.
  if (typeof inner === 'string' && tool !== undefined && resolveToolName(inner, tools) === tool && firstDefined(body, ARG_KEYS) !== undefined && !(inner in params)) {
    return body;
  }
  const keys = Object.keys(body);
  if (keys.length === 1 && ARG_KEYS.includes(keys[0]!) && !(keys[0]! in params)) return { name, arguments: body[keys[0]!]! };
  return { name, arguments: body };
}

/** Kimi K2: `<|tool_call_begin|>functions.name:0<|tool_call_argument_begin|>{…}<|tool_call_end|>`. */
function handleKimi(text: string, at: number, openLen: number, sc: Scan): number {
  const head = /\s*([\w.\-]+?)(?::\d+)?\s*<\|tool_call_argument_begin\|>\s*/y;
  head.lastIndex = at + openLen;
  const h = head.exec(text);
  if (!h) return at + openLen; // a stray token
  const name = h[1]!;
  const found = newFound();
  const r = readLoose(text, head.lastIndex, true);
  if (!r.ok) {
    const end = findFrom(/<\|tool_call_end\|>/g, text, head.lastIndex);
    const stop = end ? end.index + end.length : text.length;
    found.problems.push({ kind: 'malformed_json', message: `The arguments of ${name} are not valid JSON (${r.message}).`, raw: clip(text.slice(at, stop)), name });
    sc.tagged(found);
    return stop;
  }
  pushNormalized({ name, arguments: r.value }, sc.tools, found, text.slice(at, r.end));
  sc.tagged(found);
  const tail = /\s*<\|tool_call_end\|>/y;
  tail.lastIndex = r.end;
  return tail.exec(text) ? tail.lastIndex : r.end;
}

/**
 * What follows Mistral's `[TOOL_CALLS]` or Llama's `<|python_tag|>`: a JSON call or list,
 * Mistral's newer `name[ARGS]{…}`, or a Python-style call. All tagged: the token announces them.
 */
function handleLead(text: string, from: number, sc: Scan): number {
  const ws = /\s*/y;
  ws.lastIndex = from;
  ws.exec(text);
  const p = ws.lastIndex;
  const mistral = /([A-Za-z_][\w.\-]*)\s*(?:\[CALL_ID\]\s*[\w\-]*\s*)?\[ARGS\]\s*/y;
  mistral.lastIndex = p;
  const mm = mistral.exec(text);
  if (mm) {
    const name = mm[1]!;
    const found = newFound();
    const r = readLoose(text, mistral.lastIndex, true);
    if (!r.ok) {
      found.problems.push({ kind: 'malformed_json', message: `The arguments of ${name} are not valid JSON (${r.message}).`, raw: clip(text.slice(p)), name });
      sc.tagged(found);
      return text.length;
    }
    pushNormalized({ name, arguments: r.value }, sc.tools, found, text.slice(p, r.end));
    sc.tagged(found);
    return r.end;
  }
  if (text[p] === '{' || text[p] === '[') {
    const r = handleBareJson(text, p, sc, true);
    if (r.keep) sc.text(text.slice(p, r.end));
    return r.end;
  }
  const py = readPythonCall(text, p);
  if (py) {
    const found = newFound();
    pushNormalized({ name: py.name, arguments: py.args }, sc.tools, found, text.slice(p, py.end));
    sc.tagged(found);
    return py.end;
  }
  return from;
}

/**
 * Llama 3.1 style `<function=name>{…}</function>` or `<function name="…">`, and Qwen3-Coder /
 * Qwen3.5's `<function=name><parameter=key>value</parameter>…</function>`.
 */
function handleFunctionTag(text: string, at: number, opener: string, sc: Scan): number {
  const tools = sc.tools;
  const found = newFound();
  const name = /<function\s*=\s*([\w.\-]+)/i.exec(opener)?.[1] ?? /name\s*=\s*["']([^"']+)["']/i.exec(opener)?.[1] ?? '';
  const start = at + opener.length;
  const next = findFrom(NEXT_FUNCTION, text, start);
  const close = findFrom(FUNCTION_CLOSE, text, start, next?.index);
  let closed = close !== undefined && (!next || close.index <= next.index);
  let limit = closed ? close!.index : next ? next.index : text.length;
  let end = closed ? close!.index + close!.length : limit;
  if (!closed) {
    // `</tool_call>` without `</function>` also ends the call: the model closed it.
    const outer = findFrom(CLOSE_TAG, text, start, limit);
    if (outer) {
      closed = true;
      limit = outer.index;
      end = outer.index;
    }
  }
  const xml = readXmlCall(text, start, limit, closed, name, found, tools);
  if (xml !== undefined) {
    sc.tagged(found);
    return closed ? end : xml;
  }
  const content = stripFence(text.slice(start, limit)).trim();
  const raw = text.slice(at, end);
  if (content === '') pushNormalized({ name, arguments: {} }, tools, found, raw);
  else {
    const r = readLoose(content, 0, true);
    if (!r.ok) found.problems.push({ kind: 'malformed_json', message: `The arguments of ${name} are not valid JSON (${r.message}).`, raw: clip(raw), name });
    else pushNormalized({ name, arguments: r.value }, tools, found, raw);
  }
  sc.tagged(found);
  return end;
}

/**
 * Reads Qwen's `<parameter=key>value</parameter>` elements between `start` and `limit` into a
 * call on `found`, when the body is made of them. Values are raw text: one newline trimmed at
 * each end, then converted to the type the tool's schema declares. Returns where the call's
 * text ends (after the last parameter), or undefined when the body is not of that form. A
 * block cut off inside a parameter (`closed` false, its closing tag missing) is a problem,
 * not a call with half a value.
 */
function readXmlCall(text: string, start: number, limit: number, closed: boolean, name: string, found: Found, tools: readonly ToolSpec[]): number | undefined {
  const body = text.slice(start, limit);
  if (!/^\s*<parameter[\s=>]/i.test(body)) return undefined;
  const tool = resolveToolName(name, tools);
  const props = tool ? toolProperties(tools, tool) : {};
  const args: JsonObject = {};
  let pos = 0;
  let cut = false;
  for (;;) {
    const open = new RegExp(PARAMETER_OPEN.source, 'giy');
    const ws = /\s*/y;
    ws.lastIndex = pos;
    ws.exec(body);
    open.lastIndex = ws.lastIndex;
    const m = open.exec(body);
    if (!m) break;
    const key = (m[1] ?? m[2] ?? m[3] ?? '').trim().replace(/^["']|["']$/g, '');
    const from = m.index + m[0].length;
    const pnext = findFrom(PARAMETER_OPEN, body, from);
    const pclose = findFrom(PARAMETER_CLOSE, body, from, pnext?.index);
    let to: number;
    if (pclose && (!pnext || pclose.index < pnext.index)) {
      to = pclose.index;
      pos = pclose.index + pclose.length;
    } else {
      to = pnext ? pnext.index : body.length;
      pos = to;
      if (!pnext) cut = true;
    }
    if (key !== '') {
      const schema = props[key];
      Object.defineProperty(args, key, {
        value: xmlValue(body.slice(from, to), isObject(schema) ? schema : undefined),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  const raw = text.slice(start, limit);
  if (cut && !closed) {
    found.problems.push({ kind: 'unclosed_tag', message: `The call to ${name} ends inside a parameter: the reply was cut short.`, raw: clip(raw), name });
    return limit;
  }
  pushNormalized({ name, arguments: args }, tools, found, raw);
  return cut ? limit : start + pos;
}

/** The declared properties of a tool's arguments. */
function toolProperties(tools: readonly ToolSpec[], name: string): JsonObject {
  const props = tools.find((t) => t.name === name)?.parameters.properties;
  return isObject(props) ? props : {};
}

/** A parameter written as raw text, as the type its schema declares; a string otherwise. */
function xmlValue(raw: string, schema: JsonObject | undefined): Json {
  const value = raw.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
  if (!schema) return value;
  const t = value.trim();
  if (Array.isArray(schema.enum)) {
    const hit = schema.enum.find((e) => e === value || e === t || (e !== null && typeof e !== 'object' && String(e) === t));
    if (hit !== undefined) return hit;
  }
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((x): x is string => typeof x === 'string');
  if (types.length === 0 || types.includes('string')) return value;
  if (/^(?:null|none)$/i.test(t)) return null;
  for (const type of types) {
    if (type === 'integer' || type === 'number') {
      if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) {
        const n = Number(t);
        if (Number.isFinite(n) && (type === 'number' || Number.isInteger(n))) return n;
      }
    } else if (type === 'boolean') {
      if (/^true$/i.test(t)) return true;
      if (/^false$/i.test(t)) return false;
    } else if (type === 'array' || type === 'object') {
      const r = readLoose(t, 0, true);
      if (r.ok && t.slice(r.end).trim() === '' && (type === 'array' ? Array.isArray(r.value) : isObject(r.value))) return r.value;
    }
  }
  return value;
}

/**
 * A ``` fence: a call when it announces one (tool_call, tool_code… labels: tagged) or, for an
 * unlabelled or json fence, when it holds only call-shaped values (loose); otherwise text.
 */
function handleFence(text: string, at: number, sc: Scan): { end: number; keep: boolean } {
  const tools = sc.tools;
  const head = /```[ \t]*([A-Za-z][\w\-+.]*)?(?![\w(])[ \t]*\r?\n?/y;
  head.lastIndex = at;
  const h = head.exec(text);
  const label = (h?.[1] ?? '').toLowerCase();
  const start = h ? at + h[0].length : at + 3;
  const closeAt = text.indexOf('```', start);
  const contentEnd = closeAt === -1 ? text.length : closeAt;
  const end = closeAt === -1 ? text.length : closeAt + 3;
  const content = text.slice(start, contentEnd);
  const strong = STRONG_FENCE_LABELS.has(label);

  if (TAG_INSIDE.test(content)) {
    const inner = new Scan(tools);
    scan(content, inner);
    const callPieces = inner.pieces.filter((p) => p.kind !== 'text');
    if (callPieces.length > 0) {
      sc.pieces.push(...callPieces);
      return { end, keep: false };
    }
    return { end, keep: inner.pieces.some((p) => p.kind === 'text' && p.text.trim() !== '') };
  }
  const r = readPayload(content, tools, true);
  if (strong) {
    if (r.notACall) {
      sc.tagged({ calls: [], problems: [{ kind: 'malformed_json', message: 'The tool_call block holds no JSON call.', raw: clip(text.slice(at, end)) }] });
    } else {
      sc.tagged(r);
    }
    return { end, keep: false };
  }
  // An unlabelled or json fence may just be the agent showing data to the user: it is a call
  // only when every value in it looks like one, and a write call only when nothing else is shown.
  if (!r.notACall && r.error === undefined && r.callShaped && r.calls.length + r.problems.length > 0) {
    sc.loose({ calls: r.calls, problems: r.problems }, text.slice(at, end));
    return { end, keep: false };
  }
  if (r.error !== undefined && looksLikeBrokenCall(content)) {
    sc.loose(
      { calls: [], problems: [{ kind: 'malformed_json', message: `The tool call is not valid JSON (${r.error}).`, raw: clip(text.slice(at, end)), ...writtenName(content) }] },
      text.slice(at, end),
    );
    return { end, keep: false };
  }
  return { end, keep: true };
}

/**
 * A `{` or `[` in running text (loose: a call only if it parses to call-shaped values, and a
 * write call only when nothing else is shown), or right after a call token (tagged).
 */
function handleBareJson(text: string, at: number, sc: Scan, tagged: boolean): { end: number; keep: boolean } {
  const tools = sc.tools;
  const r = readLoose(text, at, true);
  if (r.ok) {
    const items = Array.isArray(r.value) ? r.value : [r.value];
    const end = skipStrayClosers(text, r.end);
    if (tagged && items.length === 0) return { end, keep: false };
    if (items.length > 0 && (tagged || items.every((v) => isCallShaped(v, tools)))) {
      const found = newFound();
      for (const item of items) pushNormalized(item, tools, found, text.slice(at, r.end));
      if (tagged) sc.tagged(found);
      else sc.loose(found, text.slice(at, end));
      return { end, keep: false };
    }
    return { end: r.end, keep: true };
  }
  if (looksLikeBrokenCall(text, at)) {
    const found: Found = {
      calls: [],
      problems: [{ kind: 'malformed_json', message: `The tool call is not valid JSON (${r.message}).`, raw: clip(text.slice(at)), ...writtenName(text.slice(at)) }],
    };
    if (tagged) sc.tagged(found);
    else sc.loose(found, text.slice(at));
    return { end: text.length, keep: false };
  }
  return { end: at + 1, keep: true };
}

function skipStrayClosers(text: string, end: number): number {
  const m = /[ \t]*[}\]]+/y;
  m.lastIndex = end;
  return m.exec(text) ? m.lastIndex : end;
}

function looksLikeBrokenCall(s: string, at = 0): boolean {
  const re = /\s*\[?\s*\{\s*["']?(name|tool|tool_name|function)["']?\s*:/iy;
  re.lastIndex = at;
  return re.test(s);
}

/** The tool name an unreadable call wrote, where one can be seen. */
function writtenName(s: string): { name?: string } {
  const m = /["']?(?:name|tool|tool_name|function)["']?\s*:\s*["']([^"'\n]{1,100})["']/i.exec(s);
  return m ? { name: m[1]! } : {};
}

interface PayloadResult extends Found {
  /** Nothing call-like was there: the caller should keep the text as it stands. */
  notACall: boolean;
  /** Every value read was call-shaped (for weak contexts such as json fences). */
  callShaped: boolean;
  /** Characters of the content used (for unclosed tags, where chatter may follow). */
  consumed: number;
  error?: string;
}

/**
 * Reads the body of a call block: one or more JSON values (or Python-style calls) separated by
 * whitespace or commas, optionally inside a code fence. `closed` says whether the block had an
 * end marker; an unclosed block that starts with prose is a mention, not a call.
 */
function readPayload(content: string, tools: readonly ToolSpec[], closed: boolean): PayloadResult {
  const res: PayloadResult = { calls: [], problems: [], notACall: false, callShaped: true, consumed: 0 };
  let pos = 0;
  const fenceHead = /\s*```[ \t]*([A-Za-z][\w\-+.]*)?(?![\w(])[ \t]*\r?\n?/y;
  const fh = fenceHead.exec(content);
  let fenceLimit = content.length;
  if (fh) {
    pos = fh[0].length;
    const closeAt = content.indexOf('```', pos);
    if (closeAt !== -1) fenceLimit = closeAt;
  }
  const body = content.slice(0, fenceLimit);
  let readAny = false;
  for (;;) {
    const ws = /[\s,;]*/y;
    ws.lastIndex = pos;
    ws.exec(body);
    pos = ws.lastIndex;
    if (pos >= body.length) break;
    const ch = body[pos]!;
    // In an unclosed block a leading quote is more likely prose than a double-encoded call.
    if (ch === '{' || ch === '[' || ((ch === '"' || ch === "'") && (closed || readAny))) {
      const r = readLoose(body, pos, true);
      if (!r.ok) {
        // `I use <tool_call> {json} blocks`: an unclosed tag followed by something that is
        // neither a call nor cut short is prose.
        if (!closed && !readAny && !r.eof && !looksLikeBrokenCall(body, pos)) return { ...res, notACall: true, callShaped: false };
        res.problems.push({
          kind: r.eof && !closed ? 'unclosed_tag' : 'malformed_json',
          message: r.eof && !closed ? `The ${TOOL_CALL_OPEN} block ends before its JSON is complete (${r.message}).` : `The tool call is not valid JSON (${r.message}).`,
          raw: clip(body.slice(pos)),
        });
        res.error = r.message;
        res.callShaped = false;
        pos = body.length;
        break;
      }
      readAny = true;
      const items = Array.isArray(r.value) ? r.value : [r.value];
      for (const item of items) {
        if (!isCallShaped(item, tools)) res.callShaped = false;
        pushNormalized(item, tools, res, body.slice(pos, r.end));
      }
      pos = r.end;
      continue;
    }
    const py = readPythonCall(body, pos);
    if (py) {
      readAny = true;
      if (!resolveToolName(py.name, tools)) res.callShaped = false;
      pushNormalized({ name: py.name, arguments: py.args }, tools, res, body.slice(pos, py.end));
      pos = py.end;
      continue;
    }
    break;
  }
  if (!readAny && res.problems.length === 0) {
    const rest = body.slice(pos).trim();
    // `<tool_call>get_order</tool_call>`: a bare declared name is a call without arguments.
    if (closed && rest !== '' && resolveToolName(rest, tools)) {
      pushNormalized({ name: rest, arguments: {} }, tools, res, rest);
      return { ...res, consumed: content.length };
    }
    if (closed && rest !== '' && /[{(\[]/.test(rest)) {
      res.problems.push({ kind: 'malformed_json', message: 'The tool call is not valid JSON.', raw: clip(rest) });
      return { ...res, callShaped: false, consumed: content.length };
    }
    return { ...res, notACall: true, callShaped: false };
  }
  // Past the values: the rest of a closed block is dropped; in an unclosed one it is chatter
  // for the user, after any closing fence.
  let consumed = pos;
  if (fh && fenceLimit < content.length) consumed = fenceLimit + 3;
  res.consumed = consumed;
  return res;
}

/**
 * Calls the engine read itself (native function calling: a name and the arguments as JSON
 * text), checked exactly like prompted ones: names resolved tolerantly, unknown tools and
 * unreadable arguments reported as problems.
 */
export function readEngineToolCalls(calls: readonly { name: string; arguments: string }[], tools: readonly ToolSpec[]): ParsedReply {
  const found: Found = { calls: [], problems: [] };
  for (const c of calls) pushNormalized({ name: c.name, arguments: c.arguments }, tools, found, `${c.name} ${c.arguments}`);
  return { text: '', calls: found.calls, problems: found.problems };
}

/** Turns a parsed value into calls or problems and appends them to `into`. */
function pushNormalized(value: Json, tools: readonly ToolSpec[], into: Found, raw: string, depth = 0): void {
  if (depth > 4) {
    into.problems.push({ kind: 'malformed_json', message: 'The tool call is nested too deeply.', raw: clip(raw) });
    return;
  }
  if (typeof value === 'string') {
    // A whole call double-encoded as a JSON string.
    const r = readLoose(value, 0, true);
    if (r.ok && value.slice(r.end).trim() === '' && (isObject(r.value) || Array.isArray(r.value))) {
      pushNormalized(r.value, tools, into, raw, depth + 1);
    } else {
      into.problems.push({ kind: 'malformed_json', message: 'The tool call must be a JSON object with "name" and "arguments".', raw: clip(raw) });
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) pushNormalized(v, tools, into, raw, depth + 1);
    return;
  }
  if (!isObject(value)) {
    into.problems.push({ kind: 'malformed_json', message: 'The tool call must be a JSON object with "name" and "arguments".', raw: clip(raw) });
    return;
  }
  if (Array.isArray(value.tool_calls)) {
    for (const v of value.tool_calls) pushNormalized(v, tools, into, raw, depth + 1);
    return;
  }
  const fn = isObject(value.function) ? value.function : undefined;
  const src = fn ?? value;
  const nameValue = fn ? fn.name : firstDefined(value, NAME_KEYS);
  let argsValue = firstDefined(src, ARG_KEYS) ?? (fn ? firstDefined(value, ARG_KEYS) : undefined);

  if (nameValue === undefined) {
    // `{"get_order": {"order_id": "…"}}`: the tool name used as the only key.
    const keys = Object.keys(value);
    if (keys.length === 1 && resolveToolName(keys[0]!, tools) && (isObject(value[keys[0]!]) || value[keys[0]!] === null)) {
      pushNormalized({ name: keys[0]!, arguments: value[keys[0]!] ?? {} }, tools, into, raw, depth + 1);
      return;
    }
    into.problems.push({ kind: 'missing_name', message: 'The tool call has no "name".', raw: clip(raw) });
    return;
  }
  if (typeof nameValue !== 'string' || nameValue.trim() === '') {
    into.problems.push({ kind: 'missing_name', message: 'The tool call\'s "name" must be a non-empty string.', raw: clip(raw) });
    return;
  }
  const name = resolveToolName(nameValue, tools);
  if (!name) {
    into.problems.push({ kind: 'unknown_tool', message: `There is no tool named "${nameValue}".`, raw: clip(raw), name: nameValue });
    return;
  }
  if (argsValue === undefined && !fn) {
    // `{"name": "get_order", "order_id": "…"}`: arguments flattened into the call object.
    const rest: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (!RESERVED_KEYS.has(k)) rest[k] = v;
    argsValue = rest;
  }
  const args = toArguments(argsValue);
  if (!args) {
    into.problems.push({ kind: 'bad_arguments', message: `The arguments of ${name} must be a JSON object.`, raw: clip(raw), name });
    return;
  }
  into.calls.push({ name, arguments: args });
}

const NAME_KEYS = ['name', 'tool', 'tool_name', 'toolName', 'function', 'function_name', 'action', 'recipient_name'];
const ARG_KEYS = ['arguments', 'parameters', 'args', 'params', 'input', 'action_input', 'tool_input', 'kwargs', 'argument'];
const RESERVED_KEYS = new Set([...NAME_KEYS, ...ARG_KEYS, 'type', 'id', 'call_id', 'index']);

function toArguments(v: Json | undefined): JsonObject | undefined {
  if (v === undefined || v === null) return {};
  if (isObject(v)) return v;
  if (typeof v === 'string') {
    if (v.trim() === '') return {};
    const r = readLoose(v, 0, true);
    if (r.ok && isObject(r.value) && v.slice(r.end).trim() === '') return r.value;
    return undefined;
  }
  return undefined;
}

/** Whether a value found loose in text is plainly a call, not data the agent shows the user. */
function isCallShaped(v: Json, tools: readonly ToolSpec[]): boolean {
  if (!isObject(v)) return false;
  if (Array.isArray(v.tool_calls)) return true;
  if (isObject(v.function)) return typeof v.function.name === 'string';
  const name = firstDefined(v, NAME_KEYS);
  if (typeof name === 'string') {
    return firstDefined(v, ARG_KEYS) !== undefined || resolveToolName(name, tools) !== undefined;
  }
  const keys = Object.keys(v);
  return keys.length === 1 && resolveToolName(keys[0]!, tools) !== undefined && isObject(v[keys[0]!]);
}

function firstDefined(o: JsonObject, keys: readonly string[]): Json | undefined {
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined) return o[k];
  return undefined;
}

/**
 * Maps a written name to a declared tool: exact, then without an invented namespace
 * (`functions.`, `default_api.`…) or trailing `()`, then ignoring case, then ignoring
 * separators. Each relaxed step counts only when exactly one tool matches.
 */
export function resolveToolName(written: string, tools: readonly ToolSpec[]): string | undefined {
  if (tools.some((t) => t.name === written)) return written;
  let s = written.trim().replace(/\(\s*\)$/, '').replace(/^["'`]|["'`]$/g, '');
  for (;;) {
    const stripped = s.replace(/^(functions?|tools?|default_api|api|tool_call)\s*[.:/]\s*/i, '');
    if (stripped === s) break;
    s = stripped;
  }
  if (s === '') return undefined;
  const exact = tools.filter((t) => t.name === s);
  if (exact.length === 1) return exact[0]!.name;
  const lower = s.toLowerCase();
  const ci = tools.filter((t) => t.name.toLowerCase() === lower);
  if (ci.length === 1) return ci[0]!.name;
  if (ci.length > 1) return undefined;
  const key = canonicalKey(s);
  if (key === '') return undefined;
  const loose = tools.filter((t) => canonicalKey(t.name) === key);
  return loose.length === 1 ? loose[0]!.name : undefined;
}

function canonicalKey(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/* ------------------------------------------------- Python-style calls */

/**
 * A reply that is nothing but Python-style calls, as Llama 3.2 writes them by default:
 * `[get_order(order_id="BK-1"), …]` or `get_order(order_id="BK-1")`. Accepted only when every
 * name is a declared tool, since prose can look like this too.
 */
function parseWholePythonCalls(text: string, tools: readonly ToolSpec[]): ToolCallRequest[] | undefined {
  const s = text.replace(/<\|python_tag\|>|<\|eom_id\|>|<\|eot_id\|>|<\|im_end\|>|<\|end\|>|<end_of_turn>/g, '').trim();
  if (!/^\[?\s*[A-Za-z_][\w.]*\s*\(/.test(s)) return undefined;
  let pos = 0;
  const bracket = s.startsWith('[');
  if (bracket) pos = 1;
  const calls: ToolCallRequest[] = [];
  for (;;) {
    const ws = /[\s,]*/y;
    ws.lastIndex = pos;
    ws.exec(s);
    pos = ws.lastIndex;
    if (bracket && s[pos] === ']') {
      pos++;
      break;
    }
    if (pos >= s.length) break;
    const py = readPythonCall(s, pos);
    if (!py) return undefined;
    const name = resolveToolName(py.name, tools);
    if (!name) return undefined;
    calls.push({ name, arguments: py.args });
    pos = py.end;
  }
  if (s.slice(pos).trim() !== '' || calls.length === 0) return undefined;
  return calls;
}

/** `name(key=value, …)`, optionally wrapped in `print(…)` as Gemma's tool_code does. */
function readPythonCall(s: string, at: number): { name: string; args: JsonObject; end: number } | undefined {
  const printed = /print\s*\(\s*/y;
  printed.lastIndex = at;
  let pos = at;
  const isPrinted = printed.exec(s) !== null;
  if (isPrinted) pos = printed.lastIndex;
  const head = /([A-Za-z_][\w.]*)\s*\(\s*/y;
  head.lastIndex = pos;
  const h = head.exec(s);
  if (!h) return undefined;
  pos = head.lastIndex;
  const args: JsonObject = {};
  for (;;) {
    const ws = /\s*/y;
    ws.lastIndex = pos;
    ws.exec(s);
    pos = ws.lastIndex;
    if (s[pos] === ')') {
      pos++;
      break;
    }
    const key = /([A-Za-z_]\w*)\s*[=:]\s*/y;
    key.lastIndex = pos;
    const k = key.exec(s);
    if (!k) return undefined;
    const v = readLoose(s, key.lastIndex, false);
    if (!v.ok) return undefined;
    args[k[1]!] = v.value;
    pos = v.end;
    const sep = /\s*,?\s*/y;
    sep.lastIndex = pos;
    sep.exec(s);
    pos = sep.lastIndex;
  }
  if (isPrinted) {
    const close = /\s*\)/y;
    close.lastIndex = pos;
    if (!close.exec(s)) return undefined;
    pos = close.lastIndex;
  }
  return { name: h[1]!, args, end: pos };
}

/* ------------------------------------------------- tolerant JSON reader */

type LooseResult = { ok: true; value: Json; end: number } | { ok: false; message: string; eof: boolean };

const MAX_DEPTH = 32;

class LooseError extends Error {
  constructor(
    message: string,
    readonly eof: boolean,
  ) {
    super(message);
  }
}

/**
 * Reads one JSON-ish value from `src` at `at`. Beyond JSON it accepts single quotes and curly
 * double quotes, unquoted keys, trailing or missing commas, `//`, `/* *\/` and `#` comments,
 * Python's True/False/None, bare words as strings, and raw newlines in strings. With
 * `autoClose`, brackets still open when the input ends are closed, unless it ends inside a
 * string (then the output was cut short and the value is not trusted).
 */
export function readLoose(src: string, at: number, autoClose: boolean): LooseResult {
  const p = new LooseReader(src, at, autoClose);
  try {
    const value = p.value(0);
    return { ok: true, value, end: p.pos };
  } catch (err) {
    if (err instanceof LooseError) return { ok: false, message: err.message, eof: err.eof };
    return { ok: false, message: String(err), eof: false };
  }
}

const CLOSING_QUOTE: Record<string, string> = { '"': '"', "'": "'", '\u201c': '\u201d', '\u2018': '\u2019' };

class LooseReader {
  pos: number;
  constructor(
    readonly src: string,
    at: number,
    readonly autoClose: boolean,
  ) {
    this.pos = at;
  }

  fail(message: string): never {
    const eof = this.pos >= this.src.length;
    throw new LooseError(eof ? `unexpected end: ${message}` : `${message} at position ${this.pos}`, eof);
  }

  skip(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0' || c === '\ufeff') this.pos++;
      else if (c === '/' && s[this.pos + 1] === '/') this.toEol();
      else if (c === '#') this.toEol();
      else if (c === '/' && s[this.pos + 1] === '*') {
        const end = s.indexOf('*/', this.pos + 2);
        this.pos = end === -1 ? s.length : end + 2;
      } else break;
    }
  }

  toEol(): void {
    const end = this.src.indexOf('\n', this.pos);
    this.pos = end === -1 ? this.src.length : end + 1;
  }

  value(depth: number): Json {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.skip();
    const c = this.src[this.pos];
    if (c === undefined) this.fail('expected a value');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c in CLOSING_QUOTE) return this.string();
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) {
      const n = this.number();
      if (n !== undefined) return n;
    }
    return this.word();
  }

  object(depth: number): JsonObject {
    const out: JsonObject = {};
    this.pos++; // {
    for (;;) {
      this.skip();
      const c = this.src[this.pos];
      if (c === undefined) {
        if (this.autoClose) return out;
        this.fail("expected '}'");
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      const key = this.key();
      this.skip();
      if (this.src[this.pos] !== ':' && this.src[this.pos] !== '=') this.fail("expected ':'");
      this.pos++;
      const v = this.value(depth + 1);
      // A key such as "__proto__" must become data, not change the object's prototype.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skip();
      const n = this.src[this.pos];
      if (n === ',' || n === '}') continue;
      if (n === undefined) continue; // auto-close or fail above
      if (n === ']') this.fail("expected '}' but found ']'");
      // Missing comma between members: go on if a key follows.
      if (n in CLOSING_QUOTE || /[\p{L}_$]/u.test(n)) continue;
      this.fail("expected ',' or '}'");
    }
  }

  key(): string {
    const c = this.src[this.pos]!;
    if (c in CLOSING_QUOTE) return this.string();
    const m = /[\p{L}\p{N}_$\-.]+/uy;
    m.lastIndex = this.pos;
    const k = m.exec(this.src);
    if (!k) this.fail('expected a key');
    this.pos = m.lastIndex;
    return k[0];
  }

  array(depth: number): Json[] {
    const out: Json[] = [];
    this.pos++; // [
    for (;;) {
      this.skip();
      const c = this.src[this.pos];
      if (c === undefined) {
        if (this.autoClose) return out;
        this.fail("expected ']'");
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}' || c === ')') this.fail(`unexpected '${c}'`);
      out.push(this.value(depth + 1));
      this.skip();
      const n = this.src[this.pos];
      if (n === undefined || n === ',' || n === ']') continue;
      if (n === '}' || n === ')') this.fail(`expected ',' or ']' but found '${n}'`);
      // missing comma: the next value follows
    }
  }

  string(): string {
    const s = this.src;
    const close = CLOSING_QUOTE[s[this.pos]!]!;
    this.pos++;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) this.fail('unterminated string');
      this.pos++;
      if (c === close) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = s[this.pos];
      if (e === undefined) this.fail('unterminated string');
      this.pos++;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const hex = /^[0-9a-fA-F]{4}/.exec(s.slice(this.pos, this.pos + 4));
          if (hex) {
            out += String.fromCharCode(parseInt(hex[0], 16));
            this.pos += 4;
          } else out += 'u';
          break;
        }
        case '\n':
          break; // line continuation
        default:
          out += e; // \" \' \\ \/ and unknown escapes keep the character
      }
    }
  }

  number(): number | undefined {
    const m = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const r = m.exec(this.src);
    if (!r) return undefined;
    // `12abc` or `BK-1` style bare words are strings, not numbers.
    const after = this.src[m.lastIndex];
    if (after !== undefined && /[\p{L}_\-]/u.test(after)) return undefined;
    const n = Number(r[0]);
    if (!Number.isFinite(n)) return undefined;
    this.pos = m.lastIndex;
    return n;
  }

  word(): Json {
    const m = /[^\s,{}\[\]():"'#]+(?:[ \t]+[^\s,{}\[\]():"'#]+)*/uy;
    m.lastIndex = this.pos;
    const r = m.exec(this.src);
    if (!r) this.fail(`unexpected '${this.src[this.pos]}'`);
    this.pos = m.lastIndex;
    const w = r[0];
    switch (w) {
      case 'true':
      case 'True':
        return true;
      case 'false':
      case 'False':
        return false;
      case 'null':
      case 'None':
      case 'undefined':
        return null;
      default:
        return w;
    }
  }
}

/* ------------------------------------------------------------- helpers */

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first match of `re` at or after `from`, ending by `until` (the end of the text by default). */
function findFrom(re: RegExp, text: string, from: number, until?: number): { index: number; length: number } | undefined {
  const r = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  if (until !== undefined && until < text.length) {
    const m = r.exec(text.slice(from, Math.max(from, until)));
    return m ? { index: from + m.index, length: m[0].length } : undefined;
  }
  r.lastIndex = from;
  const m = r.exec(text);
  return m ? { index: m.index, length: m[0].length } : undefined;
}

function stripFence(s: string): string {
  const m = /^\s*```[ \t]*[A-Za-z][\w\-+.]*[ \t]*\r?\n?|^\s*```/.exec(s);
  if (!m) return s;
  const rest = s.slice(m[0].length);
  const close = rest.lastIndexOf('```');
  return close === -1 ? rest : rest.slice(0, close);
}

function clip(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

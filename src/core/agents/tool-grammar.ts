/**
 * Constraints for the prompted tool protocol: what the engine may let a model write once it
 * opens a `<tool_call>` block. Free text stays free; a call must be
 * `<tool_call>{"name": <a declared tool>, "arguments": {…}}</tool_call>`.
 *
 * Two forms of the same rule, one per engine family:
 * - a GBNF grammar (llama.cpp) whose root starts with the trigger; wllama sends it as a *lazy*
 *   grammar, so sampling is unconstrained until the model writes `<tool_call>`. The arguments
 *   follow each tool's schema, converted by src/core/simulation/json-grammar.ts for the subset
 *   tool schemas use (llama.cpp's own JSON-Schema converter cannot be combined with a lazy
 *   trigger).
 * - an xgrammar structural tag (web-llm), `triggered_tags` with one tag per tool whose begin
 *   string fixes the name and whose content is the tool's own argument schema (reduced to the
 *   keywords every grammar compiler handles).
 *
 * A grammar over the whole reply ("text | calls") was the alternative: it must either describe
 * free text loosely (and then constrains nothing) or forbid characters the agent may need in
 * prose, and it makes every token of a plain answer pay for grammar checks. The triggered forms
 * are what the engines offer for exactly this, so they are used. Pure: no engine imports.
 */
import type { Json, JsonObject, ToolSpec } from '../model/types.ts';
import { grammarLiteral, isJsonObject as isObj, JSON_RULES, renderRules, schemaExpr } from '../simulation/json-grammar.ts';
import type { LlmResponseFormat } from '../simulation/llm-seat.ts';
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from './tool-protocol.ts';

/** Bumped whenever the grammar or the structural tag change, for provenance. */
export const TOOL_GRAMMAR_VERSION = '1';

/** Re-exported: the literal quoting lives with the JSON rules in json-grammar.ts. */
export { grammarLiteral };

/** The JSON text of a tool's name as the model must write it: `"get_order"`, JSON-escaped. */
const jsonName = (name: string) => JSON.stringify(name);

/**
 * Most calls one reply may hold. A bound, like the whitespace one: a small model that never
 * stops would otherwise write call after call until max_tokens; after this many only the end
 * of the reply is allowed.
 */
export const MAX_CALLS_PER_REPLY = 4;

/**
 * The call blocks as a GBNF grammar: one to MAX_CALLS_PER_REPLY `<tool_call>{"name": …, "arguments": {…}}</tool_call>`
 * where the name is one of `tools` and the arguments follow that tool's parameter schema (the
 * subset in schemaExpr). A little whitespace is allowed between tokens, never unbounded, so a
 * small model cannot pad until max_tokens. Throws when there are no tools: nothing to allow.
 */
export function buildToolCallGrammar(tools: readonly Pick<ToolSpec, 'name' | 'parameters'>[]): string {
  const seen = new Set<string>();
  const unique = tools.filter((t) => !seen.has(t.name) && seen.add(t.name));
  if (unique.length === 0) throw new Error('A tool-call grammar needs at least one tool.');
  const rules = new Map<string, string>();
  const calls = unique.map((t, i) => {
    const args = schemaExpr({ ...(isObj(t.parameters) ? t.parameters : {}), type: 'object' }, `args${i}`, rules, 0);
    return [
      grammarLiteral(TOOL_CALL_OPEN),
      'ws "{" ws',
      grammarLiteral('"name"'),
      'ws ":" ws',
      grammarLiteral(jsonName(t.name)),
      'ws "," ws',
      grammarLiteral('"arguments"'),
      `ws ":" ws ${args} ws "}" ws`,
      grammarLiteral(TOOL_CALL_CLOSE),
    ].join(' ');
  });
  const all: (readonly [string, string])[] = [
    ['root', `call ${'( ws call '.repeat(MAX_CALLS_PER_REPLY - 1)}${')? '.repeat(MAX_CALLS_PER_REPLY - 1).trim()}`],
    ['call', unique.map((_, i) => `call${i}`).join(' | ')],
    ...calls.map((body, i): [string, string] => [`call${i}`, body]),
    ...rules,
    ...JSON_RULES,
  ];
  return renderRules(all);
}

/** JSON-Schema keywords kept for a structural tag's argument schema; the rest are dropped. */
const KEPT = new Set(['type', 'properties', 'required', 'enum', 'const', 'items', 'additionalProperties', 'minItems', 'maxItems', 'minimum', 'maximum']);

/**
 * A tool's argument schema reduced to keywords every grammar compiler takes (descriptions,
 * patterns and formats go: they tell the model nothing at sampling time, and an unsupported
 * keyword would fail the whole request).
 */
export function constrainableSchema(schema: Json | undefined): JsonObject {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return { type: 'object' };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (!KEPT.has(k)) continue;
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, constrainableSchema(s)]));
    } else if (k === 'items') {
      out.items = constrainableSchema(v);
    } else if (k === 'additionalProperties') {
      if (typeof v === 'boolean') out.additionalProperties = v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** The structural tag for web-llm (xgrammar): free text, and constrained calls once triggered. */
export function buildToolCallStructuralTag(tools: readonly Pick<ToolSpec, 'name' | 'parameters'>[]): JsonObject {
  if (tools.length === 0) throw new Error('A tool-call structural tag needs at least one tool.');
  const seen = new Set<string>();
  const tags: Json[] = [];
  for (const t of tools) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    tags.push({
      type: 'tag',
      begin: `${TOOL_CALL_OPEN}{"name": ${jsonName(t.name)}, "arguments": `,
      content: { type: 'json_schema', json_schema: { ...constrainableSchema(t.parameters), type: 'object' } },
      end: `}${TOOL_CALL_CLOSE}`,
    });
  }
  return {
    type: 'structural_tag',
    format: { type: 'triggered_tags', triggers: [TOOL_CALL_OPEN], tags, at_least_one: false, stop_after_first: false },
  };
}

/** The response format that constrains tool calls to `tools`, in both engines' forms. */
export function toolCallFormat(tools: readonly Pick<ToolSpec, 'name' | 'parameters'>[]): LlmResponseFormat {
  return {
    type: 'tool_call_tags',
    trigger: TOOL_CALL_OPEN,
    grammar: buildToolCallGrammar(tools),
    structuralTag: JSON.stringify(buildToolCallStructuralTag(tools)),
  };
}

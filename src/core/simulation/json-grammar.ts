/**
 * JSON Schema → GBNF, for the subset of JSON Schema the core's constrained replies use: the
 * tool-call arguments (src/core/agents/tool-grammar.ts) and the whole-reply JSON objects of the
 * judge, the LLM user simulator's inner state and the persona profile judge.
 *
 * Why a grammar rather than the engines' own JSON modes: web-llm's `json_object` format (with
 * or without a schema) compiles in xgrammar with unlimited whitespace between tokens, so a
 * small model can pad with spaces and newlines until max_tokens and the reply is cut off. The
 * grammar here allows at most a few whitespace characters between tokens (`ws`), never
 * unbounded. The output uses only notation that both llama.cpp's GBNF and xgrammar's EBNF
 * parse: one `name ::= body` rule per line, rule names of letters, digits and `-`, string
 * literals, character classes (negated, ranges, `\xNN` escapes), groups, `|` and the `?` `*` `+`
 * suffixes (no `{m,n}` repetition, which older parsers lack). Pure: no engine imports.
 */
import type { Json, JsonObject } from '../model/types.ts';
import type { LlmResponseFormat } from './llm-seat.ts';

/** A GBNF / EBNF string literal for `s`: quotes, backslashes and control characters escaped. */
export function grammarLiteral(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export const isJsonObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The shared JSON rules every generated grammar ends with. `string` takes any character but a
 * quote, a backslash or a control character, and the JSON escapes; `ws` is zero to three
 * spaces, tabs or newlines: enough for `{"a": 1}` or a line break, too little to pad with. (An
 * empty list or object, where two `ws` meet, takes up to six.)
 */
export const JSON_RULES: readonly (readonly [string, string])[] = [
  ['value', 'object | array | string | number | "true" | "false" | "null"'],
  ['object', '"{" ws ( member ( ws "," ws member )* )? ws "}"'],
  ['member', 'string ws ":" ws value'],
  ['array', '"[" ws ( value ( ws "," ws value )* )? ws "]"'],
  ['string', '"\\"" char* "\\""'],
  ['char', '[^"\\\\\\x00-\\x1F\\x7F] | "\\\\" ( ["\\\\/bfnrt] | "u" hex hex hex hex )'],
  ['hex', '[0-9a-fA-F]'],
  ['integer', '"-"? ( "0" | [1-9] [0-9]* )'],
  ['number', '"-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?'],
  ['ws', '( [ \\t\\n] ( [ \\t\\n] ( [ \\t\\n] )? )? )?'],
];

/** Deepest schema nesting turned into rules; below it any JSON value is allowed. */
const MAX_SCHEMA_DEPTH = 6;

/**
 * A GBNF expression for a value matching `schema`, for the subset the core's schemas use: enum
 * and const, the primitive types, arrays of one item schema (`minItems` ≥ 1 honoured), and
 * objects whose properties are written required first, then optional ones, each in
 * declaration order (no extra keys). Anything else (unions, $ref, combinators) allows any JSON
 * value rather than guessing. Named rules go into `rules` under `prefix` (letters, digits and
 * `-` only: llama.cpp's rule names allow nothing else).
 */
export function schemaExpr(schema: Json | undefined, prefix: string, rules: Map<string, string>, depth = 0): string {
  if (!isJsonObject(schema) || depth > MAX_SCHEMA_DEPTH) return 'value';
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return `( ${schema.enum.map((v) => grammarLiteral(JSON.stringify(v))).join(' | ')} )`;
  if ('const' in schema && schema.const !== undefined) return grammarLiteral(JSON.stringify(schema.const));
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return '( "true" | "false" )';
    case 'null':
      return '"null"';
    case 'array': {
      const item = schemaExpr(schema.items, `${prefix}-item`, rules, depth + 1);
      const atLeastOne = typeof schema.minItems === 'number' && schema.minItems >= 1;
      rules.set(prefix, atLeastOne ? `"[" ws ${item} ( ws "," ws ${item} )* ws "]"` : `"[" ws ( ${item} ( ws "," ws ${item} )* )? ws "]"`);
      return prefix;
    }
    case 'object': {
      const props = isJsonObject(schema.properties) ? schema.properties : {};
      const keys = Object.keys(props);
      if (keys.length === 0) return 'object';
      const req = Array.isArray(schema.required) ? schema.required : [];
      const required = keys.filter((k) => req.includes(k));
      const optional = keys.filter((k) => !req.includes(k));
      const kv = new Map(keys.map((k, i) => [k, `${grammarLiteral(JSON.stringify(k))} ws ":" ws ${schemaExpr(props[k], `${prefix}-p${i}`, rules, depth + 1)}`]));
      const opt = (k: string) => `( ws "," ws ${kv.get(k)} )?`;
      const inner = required.length
        ? [required.map((k) => kv.get(k)).join(' ws "," ws '), ...optional.map(opt)].join(' ')
        : // Nothing required: nothing, or the optional keys from any one of them on, in order.
          `( ${optional.map((k, i) => [kv.get(k), ...optional.slice(i + 1).map(opt)].join(' ')).join(' | ')} )?`;
      rules.set(prefix, `"{" ws ${inner} ws "}"`);
      return prefix;
    }
    default:
      return 'value';
  }
}

/** Rules as grammar text, one `name ::= body` per line. */
export function renderRules(rules: Iterable<readonly [string, string]>): string {
  return [...rules].map(([name, body]) => `${name} ::= ${body}`).join('\n');
}

/**
 * A grammar whose root is one JSON value matching `schema` (the subset in schemaExpr), with
 * nothing before or after it and at most a few whitespace characters between tokens. An
 * object's keys must come in the schema's order (required ones first, as the prompts show
 * them). Used for whole-reply JSON: the judge's verdicts, the user simulator's inner state,
 * the profile judge's answer.
 */
export function jsonSchemaGrammar(schema: JsonObject): string {
  const rules = new Map<string, string>();
  const top = schemaExpr(schema, 'root', rules);
  if (top !== 'root') rules.set('root', top);
  const root = rules.get('root')!;
  rules.delete('root');
  return renderRules([['root', root], ...rules, ...JSON_RULES]);
}

/**
 * The response format for a reply that is one JSON object of `schema` (a JSON Schema as a
 * string, the single source the prompt's parser and the grammar both follow): a grammar with
 * bounded whitespace, not the engines' `json_object` (see the top of this file).
 */
export function jsonGrammarFormat(schema: string): LlmResponseFormat {
  return { type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(schema) as JsonObject) };
}

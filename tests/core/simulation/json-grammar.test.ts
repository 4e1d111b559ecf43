import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/model/types.ts';
import { jsonGrammarFormat, jsonSchemaGrammar } from '../../../src/core/simulation/json-grammar.ts';
import { JUDGE_OUTPUT_FORMAT, JUDGE_OUTPUT_SCHEMA, parseJudgeReply } from '../../../src/core/scenarios/judge.ts';
import {
  LATENT_FORMAT,
  LATENT_SATISFACTION_FORMAT,
  LATENT_SATISFACTION_SCHEMA,
  LATENT_SCHEMA,
  parseInnerState,
  parseSatisfaction,
  SATISFACTION_FORMAT,
  SATISFACTION_SCHEMA,
} from '../../../src/core/users/llm-user.ts';
import { JUDGE_RESPONSE_FORMAT, JUDGE_RESPONSE_SCHEMA, readJudgeAnswer } from '../../../src/core/personas/profile.ts';
import { TRAIT_NAMES } from '../../../src/core/personas/traits.ts';
import type { LlmResponseFormat } from '../../../src/core/simulation/llm-seat.ts';
import { gbnf } from '../agents/gbnf.ts';

/** The grammar of a format, which must be a whole-reply grammar. */
function grammarOf(f: LlmResponseFormat): string {
  if (f.type !== 'grammar') throw new Error(`expected a grammar format, got ${f.type}`);
  return f.grammar;
}

/** `text` with `pad` put in after the first `after` (a place where whitespace is allowed). */
const padAfter = (text: string, after: string, pad: string) => {
  const at = text.indexOf(after);
  expect(at, `${after} in ${text}`).toBeGreaterThanOrEqual(0);
  return text.slice(0, at + after.length) + pad + text.slice(at + after.length);
};

const FIFTY_SPACES = ' '.repeat(50);
const FIFTY_NEWLINES = '\n'.repeat(50);

describe('jsonSchemaGrammar', () => {
  const schema: JsonObject = {
    type: 'object',
    properties: { kind: { type: 'string', enum: ['a', 'b'] }, n: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } }, note: { type: 'string' } },
    required: ['kind', 'n', 'tags'],
  };
  const g = gbnf(jsonSchemaGrammar(schema));

  it('has one rule per line, the root first, and only names llama.cpp accepts', () => {
    const lines = jsonSchemaGrammar(schema).split('\n');
    expect(lines[0]!.startsWith('root ::= "{" ws ')).toBe(true);
    for (const line of lines) expect(line).toMatch(/^[a-z][a-z0-9-]* ::= \S/);
  });

  it('accepts the object with keys in the schema order, optional ones after, and a little whitespace', () => {
    expect(g.accepts('{"kind": "a", "n": -1.5e3, "tags": ["x", "y"]}')).toBe(true);
    expect(g.accepts('{"kind":"b","n":0,"tags":[],"note":"z"}')).toBe(true);
    expect(g.accepts('{\n  "kind": "a",\n  "n": 2,\n  "tags": [\n  "x"\n  ]\n}')).toBe(true);
    // Indenting deeper than that is more whitespace than the bound allows: the model writes flatter.
    expect(g.accepts('{\n  "kind": "a",\n  "n": 2,\n  "tags": [\n    "x"\n  ]\n}')).toBe(false);
  });

  it('bounds the whitespace between tokens at three characters', () => {
    expect(g.accepts('{"kind":   "a", "n": 1, "tags": []}')).toBe(true);
    expect(g.accepts('{"kind":    "a", "n": 1, "tags": []}')).toBe(false);
    expect(g.accepts(`{"kind": "a", "n": 1, "tags": []${FIFTY_SPACES}}`)).toBe(false);
    expect(g.accepts(`{"kind": "a",${FIFTY_NEWLINES}"n": 1, "tags": []}`)).toBe(false);
    // An empty list, where the whitespace after "[" and before "]" meet, takes up to six.
    expect(g.accepts('{"kind": "a", "n": 1, "tags": [ \n\n\n  ]}')).toBe(true);
    expect(g.accepts('{"kind": "a", "n": 1, "tags": [ \n\n\n   ]}')).toBe(false);
    // Nothing before or after the object.
    expect(g.accepts(' {"kind": "a", "n": 1, "tags": []}')).toBe(false);
    expect(g.accepts('{"kind": "a", "n": 1, "tags": []}\n')).toBe(false);
  });

  it('rejects a value outside the enum, a missing required key, keys out of order and extra keys', () => {
    expect(g.accepts('{"kind": "c", "n": 1, "tags": []}')).toBe(false);
    expect(g.accepts('{"kind": "a", "tags": []}')).toBe(false);
    expect(g.accepts('{"n": 1, "kind": "a", "tags": []}')).toBe(false);
    expect(g.accepts('{"kind": "a", "n": 1, "tags": [], "extra": 1}')).toBe(false);
    expect(g.accepts('{"kind": "a", "n": "1", "tags": []}')).toBe(false);
  });

  it('lets strings hold any character but a bare quote, backslash or control character', () => {
    const withText = (s: string) => `{"kind": "a", "n": 1, "tags": [], "note": ${s}}`;
    expect(g.accepts(withText(JSON.stringify('Grüße, 日本語, emoji 😀, “quotes” and \\ and "q" and\nnewline')))).toBe(true);
    expect(g.accepts(withText('"raw\nnewline"'))).toBe(false);
    expect(g.accepts(withText('"raw\ttab"'))).toBe(false);
    expect(g.accepts(withText('"bare " quote"'))).toBe(false);
    expect(g.accepts(withText('"bad \\q escape"'))).toBe(false);
  });

  it('is what jsonGrammarFormat sends, as a grammar and never json_object', () => {
    expect(jsonGrammarFormat(JSON.stringify(schema))).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(schema) });
  });
});

describe("the judge's reply grammar", () => {
  const g = gbnf(grammarOf(JUDGE_OUTPUT_FORMAT));
  const GOOD = '{"verdicts": [{"assertion": 1, "met": true, "reason": "It asked first."}, {"assertion": 2, "met": false, "reason": "No price — none at all."}]}';

  it('is generated from JUDGE_OUTPUT_SCHEMA', () => {
    expect(JUDGE_OUTPUT_FORMAT).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(JUDGE_OUTPUT_SCHEMA)) });
  });

  it('accepts a well-formed reply, which the parser reads', () => {
    expect(g.accepts(GOOD)).toBe(true);
    expect(parseJudgeReply(GOOD, 2).ok).toBe(true);
  });

  it('rejects padding, a verdict that is not a boolean and a missing reason', () => {
    expect(g.accepts(padAfter(GOOD, '"verdicts":', FIFTY_SPACES))).toBe(false);
    expect(g.accepts(padAfter(GOOD, '"met": true,', FIFTY_NEWLINES))).toBe(false);
    expect(g.accepts(GOOD.replace('"met": true', '"met": "yes"'))).toBe(false);
    expect(g.accepts(GOOD.replace('"met": false', '"met": "not_met"'))).toBe(false);
    expect(g.accepts(GOOD.replace(', "reason": "It asked first."', ''))).toBe(false);
  });
});

describe("the user simulator's inner-state and rating grammars", () => {
  const LATENT = '{"progress": "just started", "emotion": "calm", "beliefAboutAgent": "seems fine"}';
  const RATED = '{"progress": "halfway", "emotion": "hopeful", "beliefAboutAgent": "helpful", "satisfaction": 4, "reason": "It answered."}';
  const RATING = '{"satisfaction": 2, "reason": "asked again"}';

  it('are generated from their schemas', () => {
    expect(LATENT_FORMAT).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(LATENT_SCHEMA)) });
    expect(LATENT_SATISFACTION_FORMAT).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(LATENT_SATISFACTION_SCHEMA)) });
    expect(SATISFACTION_FORMAT).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(SATISFACTION_SCHEMA)) });
  });

  it('accept well-formed replies, which the parsers read without flags', () => {
    expect(gbnf(grammarOf(LATENT_FORMAT)).accepts(LATENT)).toBe(true);
    expect(gbnf(grammarOf(LATENT_SATISFACTION_FORMAT)).accepts(RATED)).toBe(true);
    expect(gbnf(grammarOf(SATISFACTION_FORMAT)).accepts(RATING)).toBe(true);
    expect(parseInnerState(LATENT, false).flags).toEqual([]);
    expect(parseInnerState(RATED, true)).toMatchObject({ satisfaction: 4, flags: [] });
    expect(parseSatisfaction(RATING)).toMatchObject({ satisfaction: 2, flags: [] });
  });

  it('reject padding, a rating outside 1–5 and a missing field', () => {
    const latent = gbnf(grammarOf(LATENT_FORMAT));
    const rated = gbnf(grammarOf(LATENT_SATISFACTION_FORMAT));
    const rating = gbnf(grammarOf(SATISFACTION_FORMAT));
    expect(latent.accepts(padAfter(LATENT, '"emotion":', FIFTY_SPACES))).toBe(false);
    expect(rated.accepts(padAfter(RATED, '"satisfaction": 4', FIFTY_NEWLINES))).toBe(false);
    expect(rating.accepts(padAfter(RATING, '{', FIFTY_SPACES))).toBe(false);
    expect(rating.accepts(RATING.replace('2', '6'))).toBe(false);
    expect(rating.accepts(RATING.replace('2', '"2"'))).toBe(false);
    expect(rated.accepts(RATED.replace('"satisfaction": 4', '"satisfaction": 0'))).toBe(false);
    // The first turn's state has no rating; a rated turn must have one.
    expect(latent.accepts(RATED)).toBe(false);
    expect(rated.accepts(LATENT)).toBe(false);
  });
});

describe("the profile judge's answer grammar", () => {
  const g = gbnf(grammarOf(JUDGE_RESPONSE_FORMAT));
  const conversation = { id: 'c1', messages: [{ role: 'user' as const, content: 'pls hurry i have a meeting' }, { role: 'assistant' as const, content: 'Sure.' }] };
  const answer = (value: unknown = 3) =>
    JSON.stringify({
      traits: Object.fromEntries(TRAIT_NAMES.map((n, i) => [n, { value: i === 0 ? value : 3, evidence: i === 0 ? ['pls hurry i have a meeting'] : [] }])),
      role: 'professional',
      background: 'Someone busy at work.',
      summary: 'Short and hurried.',
    });

  it('is generated from JUDGE_RESPONSE_SCHEMA', () => {
    expect(JUDGE_RESPONSE_FORMAT).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(JUDGE_RESPONSE_SCHEMA)) });
  });

  it('accepts a well-formed answer, which the reader takes', () => {
    expect(g.accepts(answer())).toBe(true);
    expect(readJudgeAnswer(answer(), conversation, 'judge').issues).toEqual([]);
  });

  it('rejects padding, a trait value outside 1–5 and a missing trait', () => {
    expect(g.accepts(padAfter(answer(), '"role":', FIFTY_SPACES))).toBe(false);
    expect(g.accepts(padAfter(answer(), '"evidence":[', FIFTY_NEWLINES))).toBe(false);
    expect(g.accepts(answer(7))).toBe(false);
    expect(g.accepts(answer('3'))).toBe(false);
    expect(g.accepts(answer().replace(`"${TRAIT_NAMES[0]}"`, '"nonsense"'))).toBe(false);
  });
});

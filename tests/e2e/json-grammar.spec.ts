import { expect, test } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';
import type { LlmResponseFormat } from '../../src/core/simulation/llm-seat.ts';
import { JUDGE_OUTPUT_FORMAT } from '../../src/core/scenarios/judge.ts';
import { LATENT_FORMAT, LATENT_SATISFACTION_FORMAT, SATISFACTION_FORMAT } from '../../src/core/users/llm-user.ts';
import { JUDGE_RESPONSE_FORMAT } from '../../src/core/personas/profile.ts';
import { gbnf } from '../core/agents/gbnf.ts';

/*
 * The JSON-reply grammars (src/core/simulation/json-grammar.ts) in llama.cpp itself: the judge's
 * verdicts, the user simulator's inner state and rating, the profile judge's answer. stories260K
 * writes nonsense and loves whitespace; held by the grammar it still writes the object, keys in
 * order, and never more than three whitespace characters between tokens (six in an empty list). (xgrammar was checked
 * by hand against web-llm 0.2.86's bundled copy; there is no GPU here to run web-llm.)
 */

const base = String(config.use?.baseURL);
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;

type HookWindow = Window & {
  __understudy_wllama?: { WllamaEngine: new () => { load(s: { url: string }): Promise<unknown>; complete(r: object): Promise<{ content: string; finishReason: string }> } };
};

const FORMATS: Record<string, LlmResponseFormat> = {
  judge: JUDGE_OUTPUT_FORMAT,
  latent: LATENT_FORMAT,
  rated: LATENT_SATISFACTION_FORMAT,
  rating: SATISFACTION_FORMAT,
  profile: JUDGE_RESPONSE_FORMAT,
};

/** The text between JSON strings (whole ones, and one cut off at the end). */
const outsideStrings = (s: string) => s.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/"(?:[^"\\]|\\.)*$/, '"');

test('the JSON-reply grammars hold stories260K to the object, with bounded whitespace', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(`${base}?engine-test`);
  await page.waitForFunction(() => (window as HookWindow).__understudy_wllama !== undefined, null, { timeout: 30_000 });
  const outputs = await page.evaluate(
    async ({ url, formats }) => {
      const eng = new (window as HookWindow).__understudy_wllama!.WllamaEngine();
      await eng.load({ url });
      const out: { name: string; content: string; finishReason: string }[] = [];
      for (const [name, responseFormat] of Object.entries(formats)) {
        for (const seed of [1, 2]) {
          const r = await eng.complete({
            model: 'stories260K',
            messages: [{ role: 'user', content: 'Once upon a time' }],
            sampling: { temperature: 1, top_p: 1, max_tokens: 300, seed, frequency_penalty: 0, presence_penalty: 0 },
            responseFormat,
          });
          out.push({ name, ...r });
        }
      }
      return out;
    },
    { url: MODEL_URL, formats: FORMATS },
  );
  console.log(`[json-grammar] ${outputs.map((o) => `${o.name} ${o.finishReason}: ${JSON.stringify(o.content.slice(0, 100))}`).join('\n')}`);
  for (const o of outputs) {
    const f = FORMATS[o.name]!;
    if (f.type !== 'grammar') throw new Error(`${o.name} is not a grammar format`);
    expect(o.content, o.content).toMatch(/^\{ {0,3}\n?/);
    // Three whitespace characters at most between two tokens; six inside an empty list, where
    // the two places meet.
    expect(outsideStrings(o.content).replace(/\[[ \t\n]*\]/g, '[]'), o.content).not.toMatch(/[ \t\n]{4,}/);
    expect(outsideStrings(o.content), o.content).not.toMatch(/[ \t\n]{7,}/);
    // A reply that ended by itself is a whole object the grammar accepts (cut-off ones cannot be).
    if (o.finishReason === 'stop') expect(gbnf(f.grammar).accepts(o.content), o.content).toBe(true);
  }
  // At least one reply of each kind but the long profile got to its end.
  for (const name of ['judge', 'latent', 'rated', 'rating']) expect(outputs.some((o) => o.name === name && o.finishReason === 'stop'), name).toBe(true);
});

/**
 * Text understanding for the generic frame-based agent, driven by tool specs alone: which tool
 * the user's words ask for (keyword overlap with names and descriptions, with light stemming
 * and synonyms), and which parameter values a message carries (labelled "my X is Y", typed
 * shapes such as emails and ids learnt from the examples in parameter descriptions, enum
 * values, names). Nothing here knows any particular domain.
 */
import type { Json, ToolSpec } from '../model/types.ts';
import { normalize, slotAliases, slotLabel } from '../users/nlu.ts';

/** One parameter of a tool's JSON Schema, as far as the agent reads it. */
export interface ParamSpec {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  /** Element type of an array parameter. */
  itemType?: string;
  description: string;
  enum?: string[];
  required: boolean;
  /** A regex for the value's shape, from the schema's `pattern` or the description's examples. */
  shape?: RegExp;
  /** Lower-case slugs in the examples ("jira", "aws-console"): user words are slugged to fit. */
  slug: boolean;
}

/** The parameters of a tool, read from its JSON Schema. */
export function paramsOf(tool: ToolSpec): ParamSpec[] {
  const props = (tool.parameters['properties'] ?? {}) as Record<string, Record<string, Json>>;
  const required = new Set((tool.parameters['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => {
    const description = typeof p['description'] === 'string' ? p['description'] : '';
    const items = (p['items'] ?? {}) as Record<string, Json>;
    const en = (p['enum'] ?? items['enum']) as Json[] | undefined;
    const examples = examplesIn(description);
    const pattern = typeof p['pattern'] === 'string' ? p['pattern'] : typeof items['pattern'] === 'string' ? items['pattern'] : undefined;
    return {
      name,
      type: (typeof p['type'] === 'string' ? p['type'] : 'string') as ParamSpec['type'],
      ...(typeof items['type'] === 'string' ? { itemType: items['type'] } : {}),
      description,
      ...(Array.isArray(en) ? { enum: en.map(String) } : {}),
      required: required.has(name),
      ...((): { shape?: RegExp } => {
        const shape = pattern ? fromPattern(pattern) : shapeOfExamples(examples, name);
        return shape ? { shape } : {};
      })(),
      slug: examples.length > 0 && examples.every((e) => /^[a-z][a-z0-9-]*$/.test(e) && !/\d/.test(e)),
    };
  });
}

/** Quoted examples in a description: `e.g. "BK-2041"`, `such as '#W0000000'`. */
export function examplesIn(description: string): string[] {
  const out: string[] = [];
  const m = /(?:e\.g\.|such as|for example|like)\s*(.*)$/is.exec(description);
  if (!m) return out;
  for (const q of m[1]!.matchAll(/["'\u201c]([^"'\u201d]{1,60})["'\u201d]/g)) out.push(q[1]!);
  return out;
}

const ESC = (s: string) => s.replace(/[.*+?^${}()|[\]\\/#-]/g, '\\$&');

function fromPattern(pattern: string): RegExp | undefined {
  try {
    const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
    return new RegExp(`(?<![A-Za-z0-9_])${body}(?![A-Za-z0-9_])`, 'g');
  } catch {
    return undefined;
  }
}

/**
 * A regex for ids shaped like the examples: upper-case letters and punctuation kept, digit
 * runs as digits, lower-case words as any word ("credit_card_0000000" also reads
 * "gift_card_123"). Examples without digits (plain words) give no shape; all-digit
 * examples keep their length, so a 10-digit item id is not a 5-digit zip.
 */
export function shapeOfExamples(examples: readonly string[], name = ''): RegExp | undefined {
  if (/email/.test(name)) return /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  const sources = new Set<string>();
  for (const ex of examples) {
    if (!/\d/.test(ex) || /\s/.test(ex)) continue;
    const allDigits = /^\d+$/.test(ex);
    // A code that mixes letters and digits freely ("KQ4T7B") has no literal part.
    if (/^[A-Z0-9]+$/.test(ex) && (ex.match(/[A-Z]+|\d+/g) ?? []).length > 2) {
      sources.add(`[A-Z0-9]{${ex.length}}`);
      continue;
    }
    let src = '';
    for (const run of ex.match(/[A-Z]+|[a-z]+|\d+|[^A-Za-z\d]/g) ?? []) {
      if (/^\d/.test(run)) src += allDigits ? `\\d{${run.length}}` : '\\d+';
      else if (/^[a-z]/.test(run)) src += '[a-z]+';
      else if (/^[A-Z]/.test(run)) src += run;
      else src += ESC(run);
    }
    // Lower-case words joined by "_" or "-" are one free part: "credit_card_0000000" also reads "paypal_123".
    sources.add(src.replace(/\[a-z\]\+(?:(?:_|\\-)\[a-z\]\+)+/g, '[a-z]+(?:[_-][a-z]+)*'));
  }
  if (sources.size === 0) return undefined;
  return new RegExp(`(?<![A-Za-z0-9_])(?:${[...sources].join('|')})(?![A-Za-z0-9_])`, 'g');
}

/** True for shapes that are only digits: too easy to confuse (zip, item, product ids). */
export function isDigitsOnly(shape: RegExp): boolean {
  return /^\(\?<!\[A-Za-z0-9_\]\)\(\?:(\\d\{\d+\}\|?)+\)/.test(shape.source) || /^\(\?<!\[A-Za-z0-9_\]\)\\d/.test(shape.source);
}

/* ------------------------------------------------------------ words */

const STOP = new Set(
  'a an the my me i i\'d id im to of for on in at by with and or is are was be it its this that these those some any all can could would you your please want need like help get find out know also just one two new still there here do does have has from about up so as what which when where how why tell wanna gonna gotta pls plz'.split(' '),
);

/** Words that mean the same to the matcher; the first of each group is the canonical form. */
const SYNONYMS: string[][] = [
  ['cancel', 'cancellation', 'cancelled', 'canceled', 'cancelling', 'canceling'],
  ['return', 'refund', 'refunded', 'returning', 'returned', 'send back'],
  ['exchange', 'swap', 'exchanged', 'exchanging'],
  ['modify', 'change', 'update', 'edit', 'amend', 'switch', 'upgrade', 'downgrade', 'modified', 'changed', 'updated', 'changing', 'updating'],
  ['unlock', 'unlocked', 'locked', 'lockout', 'locked out'],
  ['reset', 'forgot', 'forgotten'],
  ['book', 'reserve', 'reservation', 'booking', 'schedule', 'scheduled'],
  ['repair', 'fix', 'fixed', 'broken', 'repaired'],
  ['replacement', 'replace', 'replaced'],
  ['order', 'ordered', 'orders', 'purchase', 'purchased', 'bought'],
  ['item', 'items', 'product', 'products', 'book', 'books'],
  ['address', 'addresses', 'shipping address', 'deliver to'],
  ['payment', 'pay', 'paid', 'card'],
  ['access', 'permission', 'permissions', 'rights'],
  ['mfa', 'authenticator', '2fa', 'multi-factor', 'two-factor'],
  ['lost', 'lose', 'missing'],
  ['stolen', 'stole', 'theft'],
  ['escalate', 'escalation', 'escalated'],
  ['resolve', 'resolved', 'close', 'closed', 'solved', 'sort'],
  ['transfer', 'human', 'person', 'supervisor', 'manager', 'representative'],
  ['ship', 'shipping', 'send', 'shipped', 'deliver', 'delivery'],
  ['track', 'tracking', 'where'],
  ['depart', 'departure', 'departs', 'departing', 'leave', 'leaves', 'leaving', 'take off'],
  ['default', 'usual', 'regular', 'normal', 'preferred'],
  ['password', 'passwords', 'sign-in', 'login', 'log'],
];

const CANON = new Map<string, string>();
for (const group of SYNONYMS) for (const w of group) if (!w.includes(' ')) CANON.set(w, CANON.get(w) ?? group[0]!);

/** Light stemming: plural and -ed/-ing endings off, so "orders" meets "order". */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (CANON.has(w)) return CANON.get(w)!;
  let s = w;
  if (s.length > 4 && s.endsWith('ies')) s = `${s.slice(0, -3)}y`;
  else if (s.length > 4 && /(ss|us)$/.test(s)) s = s;
  else if (s.length > 3 && s.endsWith('s')) s = s.slice(0, -1);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  return CANON.get(s) ?? s;
}

/** Content words of a text, stemmed and canonical, stop words out. */
export function contentWords(text: string): string[] {
  let t = normalize(text);
  for (const group of SYNONYMS) for (const w of group) if (w.includes(' ')) t = t.replace(new RegExp(`\\b${ESC(w)}\\b`, 'g'), group[0]!);
  return t
    .split(/[^a-z0-9'-]+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map(stem);
}

/* ------------------------------------------------------------ intent */

/** How well a tool matches the user's words, and why. */
export interface IntentScore {
  tool: string;
  score: number;
  /** Words of the tool's name that the user used. */
  nameHits: string[];
}

/**
 * Scores each tool by the user's words found in its name (weighted by how rare the word is
 * among tool names, so "order" counts less than "cancel") and, more lightly, in the first
 * sentence of its description. Best first; tools with no hit are left out.
 */
export function scoreIntents(text: string, tools: readonly ToolSpec[]): IntentScore[] {
  const list = contentWords(text);
  const words = new Set(list);
  if (words.size === 0) return [];
  // The request's main verb comes first ("refill my medicine at my usual store"): it outweighs
  // words that only qualify it.
  const main = list[0];
  const nameWords = new Map(tools.map((t) => [t.name, new Set(contentWords(t.name.replace(/_/g, ' ')))]));
  const df = new Map<string, number>();
  for (const ws of nameWords.values()) for (const w of ws) df.set(w, (df.get(w) ?? 0) + 1);
  const out: IntentScore[] = [];
  for (const t of tools) {
    const ns = nameWords.get(t.name)!;
    const first = t.description.split(/(?<=\.)\s/)[0] ?? '';
    const ds = new Set(contentWords(first));
    let score = 0;
    const nameHits: string[] = [];
    for (const w of words) {
      if (ns.has(w)) {
        score += 2 / (df.get(w) ?? 1);
        nameHits.push(w);
      } else if (ds.has(w)) {
        score += 0.4;
      }
    }
    if (main !== undefined && ns.has(main)) score += 1.5;
    if (score > 0) out.push({ tool: t.name, score, nameHits });
  }
  return out.sort((a, b) => b.score - a.score || a.tool.localeCompare(b.tool));
}

const INFO_RE = /\b(find out|know|what(?:'s| is| are)?|where|when|which|how (?:many|much|long)|status|check|tell me|see|look up|details?|happening)\b/;
const ACTION_VERB_RE = /\b(cancel|return|exchange|change|modify|update|unlock|reset|book|reserve|repair|fix|replace|report|request|upgrade|escalate|resolve|close|ship|send|set up|order|get (?:read|write|admin)|add|remove|delete)\b/;

/**
 * Does the text only name a thing it is about ("I have a problem with an order", "a question
 * about my account"), with no action verb and nothing to learn: what to do is still unsaid.
 */
export function isVagueRequest(text: string): boolean {
  const s = normalize(text);
  // Nouns after a determiner are things, not verbs ("a problem with my order").
  const verbs = s.replace(/\b(?:my|an?|the|this|that|our|your|some) [a-z]+/g, ' ');
  return /\b(problem|issue|question|trouble|query|something|help with)\b/.test(s) && !ACTION_VERB_RE.test(verbs) && !INFO_RE.test(s);
}

/** Does the text ask to learn something rather than have something done? */
export function isInfoRequest(text: string): boolean {
  const s = normalize(text);
  return INFO_RE.test(s) && !ACTION_VERB_RE.test(s.replace(/\b(find out|know)\b.*$/, '')) ;
}

/* ------------------------------------------------------------ slot values */

/** Words that name a parameter, from its name and its description's head ("Asset tag of the device"). */
export function paramWords(p: Pick<ParamSpec, 'name' | 'description'>): string[] {
  const out = new Set<string>([slotLabel(p.name), ...slotAliases(p.name)]);
  const head = /^(?:the\s+)?(?:user's\s+|customer's\s+|employee's\s+)?([a-z][a-z -]{2,30}?)(?:\s+of\b|,|\.|\s+e\.g\.|\s+such as|\s+to\b|\s+that\b|\s+\(|$)/i.exec(p.description.trim());
  if (head) {
    const h = normalize(head[1]!);
    if (h.split(' ').length <= 3 && !/\b(the|a|an|which|how|where|why)\b/.test(h)) out.add(h);
  }
  return [...out].filter(Boolean);
}

/** Core of a label for matching: "order number" and "order_id" both give "order". */
export function labelCore(label: string): string {
  return normalize(label)
    .replace(/\b(number|id|ids|code|no)\b/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map(stem)
    .join(' ');
}

/** Does a label the user used ("refund method", "items") name this parameter? */
export function labelMatches(label: string, p: Pick<ParamSpec, 'name' | 'description'>): boolean {
  const l = normalize(label);
  if (!l) return false;
  if (paramWords(p).some((w) => normalize(w) === l)) return true;
  const a = labelCore(l);
  return a.length > 0 && a === labelCore(p.name);
}

const LABELLED = [
  /\bmy ([a-z][a-z0-9 '-]{1,40}?) (?:is|are|was|would be|should be)\s*:?\s+(.+)$/i,
  /^(?:the )?([a-z][a-z0-9 '-]{1,40}?)\s*:\s*(.+)$/i,
  /^([a-z][a-z0-9 '-]{1,30}?) (?:is|are) (.+?)(?: btw)?$/i,
];

/** Openers that only say the answer was given before ("told u already: X"): never a label. */
const REPEAT_LEAD = /^(?:as i (?:said|mentioned)|i already (?:told|said)(?: (?:to )?you)?|told u already|i (?:already )?said)\b/i;

/** Sentences of a user message, values with inner dots (emails) kept whole. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.?!])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Trailing punctuation and politeness off a value: "BK-2041." → "BK-2041". */
export function cleanValue(v: string): string {
  return v
    .trim()
    .replace(/\s*,?\s*(please|pls|thanks|thank you)\s*[.!]*$/i, '')
    // "L btw." as well as "L btw": the aside goes before the full stop does.
    .replace(/\s+(btw|is fine)\s*[.!]*$/i, '')
    .replace(/^["'\u201c]|["'\u201d]$/g, '')
    .replace(/[.!?,;]+$/, '')
    .trim();
}

/** "label → value" pairs said as "my X is Y", "X: Y" or "X is Y". */
export function labelledValues(text: string): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const s of sentencesOf(text)) {
    if (s.endsWith('?') || REPEAT_LEAD.test(s.trim())) continue;
    for (const re of LABELLED) {
      const m = re.exec(s);
      if (!m) continue;
      const label = m[1]!.trim().replace(/^(?:in case it helps,?|for reference,?|also,?|and)\s+/i, '');
      const value = cleanValue(m[2]!);
      if (value && !/^(it|that|this)$/i.test(label)) out.push({ label, value });
      break;
    }
  }
  return out;
}

const LEAD_INS = [
  /^(?:sure|certainly|ok|okay|yes|yeah|yep)[,.!]?\s+/i,
  /^(?:as i (?:said|mentioned),?|i already (?:told|said to) you:?|told u already:?|i (?:already )?said,?)\s*/i,
  /^(?:it(?:'s| is)|that(?:'s| is)|i mean|it concerns|they are|they're)\s+/i,
  /^i(?:'d| would) (?:like|prefer) it as\s+/i,
  /^i would prefer\s+/i,
  /^the\s+(.+)\s+one$/i,
];

/** What is left of an answer sentence after the usual lead-ins: "Sure, it is 97205." → "97205". */
export function bareAnswer(sentence: string): string {
  let s = sentence.trim();
  for (let i = 0; i < 4; i++) {
    const before = s;
    for (const re of LEAD_INS) {
      const m = re.exec(s);
      if (m) s = m[1] !== undefined ? m[1] : s.slice(m[0].length);
    }
    if (s === before) break;
  }
  return cleanValue(s);
}

const FILLER = /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|thanks?|thank you|ugh|come on|this is (taking|getting)|i must say|by the way|sorry, my|i'm doing this|my book club|is it always|no,? (that's|thats) (not|wrong)|nope|no,? not quite|no,? i am afraid)/i;

/** The sentences of a message that may carry an answer: not greetings, asides or questions. */
export function answerSentences(text: string): string[] {
  return sentencesOf(text).filter((s) => !s.endsWith('?') && !FILLER.test(s.trim()));
}

export const DONT_KNOW = /\b(?:don'?t|do not|dont|not) (?:know|have|remember|recall)\b|\bno idea\b|\bdunno\b|\bnot .{0,20}to hand\b|\bnot sure what\b/i;
export const DEFLECT = /\bwhy do (?:u|you) need\b|\breally need(?:ed)? that\b|\bis that really needed\b|\bwhy my .{1,40} is required\b/i;
export const AFFIRM = /^(?:yes|yeah|yep|yup|sure|ok|okay|correct|right|absolutely|please do|go ahead|do it|that'?s (?:right|correct))\b|\b(?:yes|go ahead|please proceed|proceed|do it|that is correct)\b/i;
export const NEGATE = /^(?:no|nope|nah|not quite|wrong)\b|\b(?:that'?s|that is) (?:not|wrong)\b|\bnot correct\b|\bdon'?t (?:do|proceed)\b/i;
export const BYE = /\b(?:bye|goodbye|that'?s all|that is all|that will be all|that'?s everything|never mind|forget it)\b/i;
/** Pushing back after a refusal. */
export const INSIST = /\b(?:really need|must insist|nothing you can do|there must be|are you sure|is there (?:truly|really) no|come on|seriously)\b/i;
export const CONFUSED = /\b(?:not sure what you mean|i don'?t follow|what do (?:u|you) mean|huh|beg your pardon|do not quite follow)\b/i;

/** Finds an enum value in text: "store credit" → store_credit, "original payment method" → original_payment. */
export function matchEnum(text: string, values: readonly string[]): string | undefined {
  const said = ` ${normalize(text).replace(/[^a-z0-9 ]/g, ' ')} `;
  const hits = values.filter((v) => {
    const words = normalize(v).replace(/[^a-z0-9 ]/g, ' ').split(/\s+/).filter(Boolean);
    return words.length > 0 && words.every((w) => said.includes(` ${w} `) || said.includes(` ${stem(w)} `));
  });
  if (hits.length === 0) return undefined;
  // The most specific value wins ("out_of_warranty_fault" over "fault").
  return hits.sort((a, b) => b.length - a.length)[0];
}

/** All matches of a parameter's shape in a text. */
export function shapeMatches(text: string, shape: RegExp): string[] {
  return [...text.matchAll(new RegExp(shape.source, shape.flags.includes('g') ? shape.flags : `${shape.flags}g`))].map((m) => m[0]);
}

/** A full name said as "my name is Ana Souza" or "I'm Ana Souza" / "this is Ana Souza". */
export function nameIn(text: string): string | undefined {
  const m = /\b(?:my (?:full )?name is|i am|i'm|this is|name:)\s+([A-Z][A-Za-z'’-]+(?:\s+[A-Z][A-Za-z'’-]+)+)/.exec(text);
  return m?.[1];
}

/* ------------------------------------------------------------ dates and composed ids */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

/**
 * A calendar date in free text as "YYYY-MM-DD": an ISO date as is; "June 18", "18 June",
 * "June 18th, 2026" with `year` when none is said. Undefined when there is none, or no year.
 */
export function isoDateIn(text: string, year?: number): string | undefined {
  const iso = /\b\d{4}-\d{2}-\d{2}\b/.exec(text);
  if (iso) return iso[0];
  const t = text.toLowerCase();
  const md = new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`).exec(t);
  const dm = md ? undefined : new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\b(?:,?\\s+(\\d{4})\\b)?`).exec(t);
  const month = md ? md[1]! : dm?.[2];
  const day = md ? md[2]! : dm?.[1];
  const y = md ? md[3] : dm?.[3];
  if (!month || !day) return undefined;
  const yy = y ? Number(y) : year;
  const d = Number(day);
  if (yy === undefined || d < 1 || d > 31) return undefined;
  const m = MONTHS.indexOf(month.slice(0, 3)) + 1;
  return `${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** One piece of a composed id: another parameter's value, or literal text between them. */
export type IdPart = { param: string } | { text: string };

/**
 * How an id is made of other parameters' values, read from an example of it: "SK201-2026-06-18"
 * is a flight number ("SK101"-shaped), "-", then a date. Each piece must be wholly matched by
 * one parameter's shape (the longest match wins) or be punctuation; at least two parameters,
 * each once. Undefined when the example does not split so.
 */
export function idComposition(example: string, params: readonly Pick<ParamSpec, 'name' | 'shape'>[]): IdPart[] | undefined {
  const parts: IdPart[] = [];
  let i = 0;
  while (i < example.length) {
    const rest = example.slice(i);
    if (/^[^A-Za-z0-9]/.test(rest)) {
      parts.push({ text: rest[0]! });
      i++;
      continue;
    }
    let best: { name: string; len: number } | undefined;
    for (const p of params) {
      if (!p.shape) continue;
      const m = new RegExp(`^(?:${p.shape.source})`).exec(rest);
      if (m && m[0].length > 0 && (!best || m[0].length > best.len)) best = { name: p.name, len: m[0].length };
    }
    if (!best) return undefined;
    parts.push({ param: best.name });
    i += best.len;
  }
  const named = parts.filter((x): x is { param: string } => 'param' in x).map((x) => x.param);
  return named.length >= 2 && new Set(named).size === named.length ? parts : undefined;
}

/** The values of an id's pieces ("SK201-2026-06-17" → flight number SK201, date 2026-06-17), or undefined when it does not fit. */
export function splitId(id: string, parts: readonly IdPart[], shapes: ReadonlyMap<string, RegExp>): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = 0;
  for (const [k, part] of parts.entries()) {
    const rest = id.slice(i);
    if ('text' in part) {
      if (!rest.startsWith(part.text)) return undefined;
      i += part.text.length;
      continue;
    }
    const shape = shapes.get(part.param);
    if (!shape) return undefined;
    // The last piece takes the rest; others their shape's match.
    const m = new RegExp(`^(?:${shape.source})${k === parts.length - 1 ? '$' : ''}`).exec(rest);
    if (!m) return undefined;
    out.set(part.param, m[0]);
    i += m[0].length;
  }
  return i === id.length ? out : undefined;
}

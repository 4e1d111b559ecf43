/**
 * The leak check: after each user turn, the values the user wrote that they could not know.
 *
 * A simulated user may only draw on the user side of the scenario (reason for contact, known
 * information, task instructions, what it must not invent, the phrases of its goal) and its
 * persona, and on what the agent has said to it. A value in a user message that is in neither
 * came from somewhere else: it leaked (from the hidden database, or from a goal built by code
 * out of gold actions) or the simulator invented it. Either way the turn is flagged
 * (`user_unknown_value`), whatever fills the user seat; the check never changes the reward.
 *
 * What counts as a value (`valueLikeTokens`):
 * - an email address;
 * - a date: "2026-06-18", "18/06/2026" or "06/18/2026" (a four-digit year is required; both
 *   readings are kept when day and month could swap), "June 18", "June 18th, 2026", "18 June",
 *   "the 18th of June";
 * - an amount: a number with a currency sign or word ("$12.50", "€40", "40 dollars"), or a bare
 *   decimal number with two decimals ("54.04") or three or more integer digits ("107.5");
 * - a bare whole number of four or more digits ("1151293680", "4821");
 * - an identifier: a word of four or more characters with a digit in it ("W2378156",
 *   "credit_card_9513926", "HP-30118", "SK201-2026-06-18", "mei_kovacs_8020"), except the
 *   shapes of ordinary words: a short number with a unit or ordinal ("10th", "40mg", "1980s",
 *   "5-star", "24-hour"), a word with a one- or two-digit number ("covid-19", "top-10"), a time
 *   ("10:30"), a range or fraction ("10-20", "24/7"), a version ("v2.0"), a percentage.
 * Small numbers ("2", "40", "10 items") and words are never values.
 *
 * Values are returned as written, less surrounding punctuation and a leading "#": "#" means
 * "number" and is not part of an identifier (τ²-bench writes order ids "#W2378156", people and
 * agents often drop the sign), so "#W2378156" and "W2378156" are one value.
 *
 * When a value is present (`unknownValues`): texts are compared in a compact form (lower case,
 * only letters, digits and "@"), so "#W2378156" covers "w2378156", "credit card 9513926" covers
 * "credit_card_9513926", and a value inside a longer one ("2041" in "BK-2041") counts as
 * present. Amounts compare as numbers with every number in the texts ("$107.50" covers "107.5").
 * Dates compare by month and day, and by year where both name one ("June 18" is covered by
 * "2026-06-18"). The check leans towards silence: a value is flagged only when nothing the user
 * could know holds it in any of these forms.
 *
 * What the user can know: `userKnownTexts`, plus the agent's messages the user was shown before
 * the turn (its replies and its ask_user questions, never tool results). The user's own
 * earlier messages do not count: a value invented once and repeated is flagged each time.
 */
import type { Persona, Scenario } from '../model/types.ts';

/** Bump when what counts as a value, or as present, changes; stored with each session checked. */
export const LEAK_CHECK_VERSION = 'leak-1';

/** The flag raised on a user turn holding a value the user could not know. */
export const USER_UNKNOWN_VALUE_FLAG = 'user_unknown_value';

/**
 * The user side a simulated user may draw from: the reason for contact, the known information's
 * values, the task instructions, what it does not know, the goal's own phrases (utterances and
 * the reasons it gives for turning an item down) and the persona's text. Never the goal's
 * argument values, info slots or preference values: the goal can be built by code from gold
 * actions and hold hidden values, which is what the check is there to catch.
 */
export function userKnownTexts(scenario: Scenario, persona?: Persona): string[] {
  const u = scenario.user;
  const texts = [u.reasonForContact, ...Object.values(u.knownInfo), u.taskInstructions, ...u.unknownInfo];
  for (const r of u.goal.requests) {
    texts.push(r.utterance);
    if (r.type === 'action' && r.prefer) texts.push(...r.prefer.rules.map((rule) => rule.reason));
  }
  if (persona) {
    texts.push(persona.name, persona.summary, persona.role, persona.background);
    if (persona.policy) texts.push(persona.policy);
    for (const c of persona.controls ?? []) if (c.note) texts.push(c.note);
  }
  return texts.filter((t) => typeof t === 'string' && t.trim() !== '');
}

/** A value found in a text: as written, where it starts, and how it compares. */
interface Found {
  text: string;
  at: number;
  kind: 'string' | 'amount' | 'date';
  /** string: the compact form; amount: the number; date: each possible reading. */
  compact?: string;
  amount?: number;
  dates?: DateReading[];
}

interface DateReading {
  year?: number;
  month: number;
  day: number;
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
  jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const ORD = '(?:st|nd|rd|th)?';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** Dates; each returns its readings from the match, or none when it is no date after all. */
const DATES: { re: RegExp; read: (m: RegExpExecArray) => DateReading[] }[] = [
  {
    re: /(?<![\p{L}\p{N}_/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\p{L}\p{N}_/-])/gu,
    read: (m) => [{ year: +m[1]!, month: +m[2]!, day: +m[3]! }],
  },
  {
    re: /(?<![\p{L}\p{N}_/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?![\p{L}\p{N}_/-])/gu,
    read: (m) => {
      const a = +m[1]!;
      const b = +m[2]!;
      const year = +m[3]!;
      const out = [{ year, month: a, day: b }];
      if (a !== b) out.push({ year, month: b, day: a });
      return out;
    },
  },
  {
    re: new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})${ORD}\\b(?:,?\\s+(\\d{4})\\b)?`, 'giu'),
    // "you may 2…" is no date: the month May only with its capital.
    read: (m) => (m[1] === 'may' ? [] : [{ month: MONTHS[m[1]!.toLowerCase()]!, day: +m[2]!, ...(m[3] ? { year: +m[3] } : {}) }]),
  },
  {
    re: new RegExp(`\\b(\\d{1,2})${ORD}\\s+(?:of\\s+)?${MONTH}\\b\\.?(?:,?\\s+(\\d{4})\\b)?`, 'giu'),
    read: (m) => (m[2] === 'may' ? [] : [{ month: MONTHS[m[2]!.toLowerCase()]!, day: +m[1]!, ...(m[3] ? { year: +m[3] } : {}) }]),
  },
];
const CURRENCY_AMOUNT =
  /(?<![\p{L}\p{N}_.])(?:[$€£¥]\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?|(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(?:€|(?:dollars?|euros?|usd|eur|gbp)\b))/giu;

/** Surrounding punctuation of a word (markdown emphasis included), and an English possessive. */
const LEADING = /^[^\p{L}\p{N}#$€£¥]+/u;
const TRAILING = /(?:['’]s)?[^\p{L}\p{N}%]+$|['’]s$/u;
const BARE_NUMBER = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
/** Words with a digit that are ordinary words, not identifiers. */
const NOT_IDS: RegExp[] = [
  /^\d{1,4}(?:\.\d+)?-?\p{L}{1,12}$/u, // 10th, 40mg, 1980s, 5-star, 24-hour, 3-day
  /^\p{L}+-?\d{1,2}$/u, // covid-19, top-10
  /^\d{1,2}[:.]\d{2}(?::\d{2})?(?:am|pm)?$/i, // 10:30, 9:15pm
  /^\d{1,3}[-–/]\d{1,3}$/, // 10-20, 24/7, 1/2
  /^v\d+(?:\.\d+)*$/i, // v2.0
];

const compactOf = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}@]+/gu, '');
const numberOf = (whole: string, decimals?: string) => Number(whole.replace(/,/g, '') + (decimals ? `.${decimals}` : ''));
const validDate = (d: DateReading) => d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31;

/** Every value in a text, in order of appearance (see the header for what counts). */
function findValues(text: string): Found[] {
  const found: Found[] = [];
  // Each kind blanks what it took, so a date is not read again as an identifier or an amount.
  let rest = text;
  const take = (start: number, match: string) => {
    rest = rest.slice(0, start) + ' '.repeat(match.length) + rest.slice(start + match.length);
  };
  for (const m of rest.matchAll(EMAIL)) {
    found.push({ text: m[0], at: m.index, kind: 'string', compact: compactOf(m[0]) });
    take(m.index, m[0]);
  }
  for (const { re, read } of DATES) {
    for (const m of [...rest.matchAll(re)]) {
      const dates = read(m).filter(validDate);
      if (dates.length === 0) continue;
      found.push({ text: m[0].trim(), at: m.index, kind: 'date', dates });
      take(m.index, m[0]);
    }
  }
  for (const m of [...rest.matchAll(CURRENCY_AMOUNT)]) {
    const amount = m[1] !== undefined ? numberOf(m[1], m[2]) : numberOf(m[3]!, m[4]);
    found.push({ text: m[0].trim(), at: m.index, kind: 'amount', amount });
    take(m.index, m[0]);
  }
  for (const m of rest.matchAll(/\S+/gu)) {
    const lead = m[0].match(LEADING)?.[0].length ?? 0;
    let word = m[0].slice(lead).replace(TRAILING, '');
    let at = m.index + lead;
    if (word.startsWith('#')) {
      word = word.slice(1);
      at++;
    }
    if (!/\d/.test(word) || word.endsWith('%')) continue;
    const bare = BARE_NUMBER.exec(word);
    if (bare) {
      const [whole = ''] = word.split('.');
      const digits = whole.replace(/,/g, '').length;
      if (bare[1] !== undefined) {
        if (bare[1].length === 2 || digits >= 3) found.push({ text: word, at, kind: 'amount', amount: numberOf(whole, bare[1]) });
      } else if (digits >= 4) {
        found.push({ text: word, at, kind: 'string', compact: compactOf(word) });
      }
      continue;
    }
    if (word.length < 4 || NOT_IDS.some((re) => re.test(word))) continue;
    found.push({ text: word, at, kind: 'string', compact: compactOf(word) });
  }
  found.sort((a, b) => a.at - b.at);
  // One value once, however often it is written.
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = `${f.kind}:${f.compact ?? f.amount ?? JSON.stringify(f.dates)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The values in a text that look like identifiers, emails, amounts or dates, as written (less
 * surrounding punctuation and a leading "#"), each once, in order of appearance.
 */
export function valueLikeTokens(text: string): string[] {
  return findValues(text).map((f) => f.text);
}

/**
 * The identifiers among a text's values (`valueLikeTokens`), as written: words of four or more
 * characters with a digit in them ("HP-30118", "mei_kovacs_8020") and bare whole numbers of
 * five or more digits ("1151293680"). Never emails, dates or amounts, nor four-digit numbers
 * (a year, a card's last digits). What a scenario must say the user has from somewhere
 * (`UserSide.knownFrom`).
 */
export function identifierTokens(text: string): string[] {
  return findValues(text)
    .filter((f) => f.kind === 'string' && !f.text.includes('@') && (!/^[\d,]+$/.test(f.text) || f.text.replace(/,/g, '').length >= 5))
    .map((f) => f.text);
}

/** What a set of texts holds, in the forms values are compared in. */
interface Reference {
  compacts: string[];
  numbers: Set<number>;
  dates: DateReading[];
}

function referenceOf(texts: readonly string[]): Reference {
  const numbers = new Set<number>();
  const dates: DateReading[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g)) numbers.add(Number(m[0].replace(/,/g, '')));
    for (const f of findValues(t)) if (f.dates) dates.push(...f.dates);
  }
  return { compacts: texts.map(compactOf), numbers, dates };
}

function present(v: Found, refs: readonly Reference[]): boolean {
  return refs.some((ref) => {
    switch (v.kind) {
      case 'string':
        return ref.compacts.some((c) => c.includes(v.compact!));
      case 'amount':
        return ref.numbers.has(v.amount!);
      case 'date':
        return v.dates!.some((d) =>
          ref.dates.some((k) => k.month === d.month && k.day === d.day && (k.year === undefined || d.year === undefined || k.year === d.year)),
        );
    }
  });
}

/**
 * The values of `userText` (as `valueLikeTokens` gives them) present in neither the `known`
 * texts nor what the agent had said to the user (`agentSaid`). Deterministic.
 */
export function unknownValues(userText: string, known: readonly string[], agentSaid: readonly string[]): string[] {
  return unknownIn(userText, [referenceOf(known), referenceOf(agentSaid)]);
}

function unknownIn(userText: string, refs: readonly Reference[]): string[] {
  const values = findValues(userText);
  if (values.length === 0) return [];
  return values.filter((v) => !present(v, refs)).map((v) => v.text);
}

/**
 * The check for one session's user turns, for `ConversationOptions.checkUserTurn`: the user
 * side is read once, what the agent said on each call.
 */
export function userTurnCheck(scenario: Scenario, persona?: Persona): (text: string, agentSaid: readonly string[]) => string[] {
  const known = referenceOf(userKnownTexts(scenario, persona));
  return (text, agentSaid) => unknownIn(text, [known, referenceOf(agentSaid)]);
}

/**
 * Keyword and pattern understanding of a bookshop customer's messages, for the rule-based
 * bookshop agent. It reads text only, so the agent can face an LLM user or a person as
 * well as a classical simulator. Deliberately shallow: it finds the facts a customer-service
 * exchange turns on (email, order ids, zip, name, address, intent, yes/no, refund method,
 * item titles) and leaves everything else alone.
 */

export type Intent = 'cancel' | 'return' | 'address' | 'status';
export type RefundChoice = 'original_payment' | 'store_credit';

/** One mention of something the customer wants, with the order id that goes with it. */
export interface IntentMention {
  intent: Intent;
  /** Position in the text, to keep mentions in the order the customer gave them. */
  index: number;
  orderId?: string;
}

/** What one customer message says, as far as patterns can tell. */
export interface Understanding {
  text: string;
  email?: string;
  /** Order ids such as "BK-2041", in order of appearance, normalized to upper case. */
  orderIds: string[];
  /** Item ids such as "BK-2041-2". */
  itemIds: string[];
  /** A 5-digit number that is not part of an address. */
  zip?: string;
  /** A name introduced as such ("my name is…", "I'm…"). */
  name?: string;
  /** A full one-line address, normalized to "street, city, ST 12345". */
  address?: string;
  intents: IntentMention[];
  affirm: boolean;
  negate: boolean;
  refundMethod?: RefundChoice;
  /** "I don't know / remember / have it." */
  dontKnow: boolean;
  /** "That's all", "bye", "no thanks". */
  closing: boolean;
  thanks: boolean;
  wantsHuman: boolean;
  /** A short label of an out-of-scope request ("a price adjustment"), if one was recognised. */
  outOfScope?: string;
  /** Why the customer wants to cancel, when they said so. */
  reason?: string;
  /** "Both", "all of them", "the whole order". */
  everything: boolean;
  /** "My latest / most recent order". */
  latest: boolean;
  /** "Why do you need that?" */
  asksWhy: boolean;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const ITEM_ID = /\bBK-?(\d{3,6})-(\d{1,2})\b/gi;
const ORDER_ID = /\bBK-?\s?(\d{3,6})\b(?!-\d)/gi;
const BARE_ORDER_NUMBER = /\border\s*(?:number|no\.?|#)?\s*#?\s*(\d{4})\b/gi;
const ADDRESS =
  /(?<![\w-])(\d{1,6}[A-Za-z]?(?:\s+[A-Za-z0-9.'#-]+){1,6}(?:,\s*(?:[Aa]pt|[Aa]partment|[Uu]nit|[Ss]uite|[Ss]te|#)\.?\s*[A-Za-z0-9-]+)?),\s*([A-Za-z][A-Za-z .'-]*?),\s*([A-Za-z]{2})\.?,?\s+(\d{5})(?:-\d{4})?\b/;

/** Lower case, typographic apostrophes made plain. */
function lower(text: string): string {
  return text.toLowerCase().replace(/[’‘]/g, "'");
}

/** Replaces matches with spaces of the same length, so positions in the text stay valid. */
function blank(text: string, re: RegExp): string {
  return text.replace(re, (m) => ' '.repeat(m.length));
}

/** Finds a one-line address and returns it normalized, with where it was found. */
export function extractAddress(text: string): { address: string; start: number; end: number } | undefined {
  const m = ADDRESS.exec(text.replace(/[’‘]/g, "'"));
  if (!m) return undefined;
  let street = m[1]!.replace(/\s+/g, ' ').trim();
  let start = m.index;
  // "…order 2041 to 48 Alder Lane, …": the street starts at the last house number.
  const inner = [...street.matchAll(/\s(\d{1,6}[A-Za-z]?\s+[A-Za-z])/g)].pop();
  if (inner && inner.index !== undefined) {
    start += m[1]!.indexOf(inner[1]!);
    street = street.slice(inner.index + 1);
  }
  street = street.split(',').map((s) => s.trim()).join(', ');
  const city = m[2]!.replace(/\s+/g, ' ').trim();
  return {
    address: `${street}, ${city}, ${m[3]!.toUpperCase()} ${m[4]}`,
    start,
    end: m.index + m[0].length,
  };
}

const NAME_STOP = new Set([
  'and', 'from', 'in', 'zip', 'my', 'here', 'i', 'with', 'at', 'the', 'is', 'code', 'postal', 'email',
  'order', 'but', 'so', 'please', 'thanks', 'thank', 'hi', 'hello', 'hey', 'yes', 'no', 'sure', 'ok',
  'okay', 'it', "it's", 'its', 'name', "i'm", 'im', 'am', 'a', 'an', 'to', 'for', 'of', 'on', 'want',
  'would', 'like', 'need', "don't", 'dont', 'know', 'remember', 'not', 'that', 'this', 'account',
  'cancel', 'return', 'address', 'book', 'books', 'just', 'live', 'calling', 'writing', 'looking',
  'trying', 'wondering', 'sorry', 'afraid', 'unable', 'hoping',
]);

function titleCase(words: string[]): string {
  return words
    .map((w) => w.split(/([-'])/).map((p) => (p.length > 1 || /[a-z]/i.test(p) ? p.charAt(0).toUpperCase() + p.slice(1).toLowerCase() : p)).join(''))
    .join(' ');
}

/** Keeps the leading words that can be part of a name, at most four. */
function nameWords(candidate: string): string[] {
  const out: string[] = [];
  for (const w of candidate.trim().split(/\s+/)) {
    const bare = w.replace(/[.,;:!?]+$/, '');
    if (!/^[A-Za-z][A-Za-z'-]*$/.test(bare) || NAME_STOP.has(bare.toLowerCase())) break;
    out.push(bare);
    if (bare !== w || out.length === 4) break;
  }
  return out;
}

/** A name introduced as one: "my name is …", "I'm …", "this is …". */
export function extractName(text: string): string | undefined {
  const plain = text.replace(/[’‘]/g, "'");
  const cue = /\b(?:my name is|my name's|name is|name's|the name is|my full name is|full name is|name:)\s*(.+)/i.exec(plain);
  if (cue) {
    const words = nameWords(cue[1]!);
    if (words.length > 0) return titleCase(words);
  }
  // Without an explicit cue, only capitalised words count: "I'm looking…" is not a name.
  // "my nmae is" (a typo) still introduces a name.
  const soft = /\b(?:I'm|I am|[Tt]his is|[Ii]t's|[Ii]t is|[Mm]y\s+n\w{2,4}\s+is)\s+([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){1,3})/.exec(plain);
  if (soft) {
    const words = nameWords(soft[1]!);
    if (words.length >= 2) return titleCase(words);
  }
  return undefined;
}

/**
 * A bare answer to "what is your full name?": the first short run of words that can be a
 * name, e.g. "Maria Garcia, 60614" → "Maria Garcia".
 */
export function guessName(text: string): string | undefined {
  const explicit = extractName(text);
  if (explicit) return explicit;
  const cleaned = text
    .replace(/[’‘]/g, "'")
    .replace(EMAIL, ' ')
    .replace(/\d+/g, ' ')
    .replace(/^\s*(?:sure|yes|yeah|ok|okay|of course|hi|hello|hey)\b[\s,!.]*/i, '')
    .replace(/^\s*(?:it's|it is|its|i'm|i am|that's|that is)\s+/i, '');
  for (const chunk of cleaned.split(/[,.;:!?\n]|\band\b/i)) {
    const words = chunk.trim().split(/\s+/).filter(Boolean);
    if (words.length < 2 || words.length > 4) continue;
    if (words.every((w) => /^[A-Za-z][A-Za-z'-]*$/.test(w) && !NAME_STOP.has(w.toLowerCase()))) {
      return titleCase(words);
    }
  }
  return undefined;
}

const INTENT_PATTERNS: { intent: Intent; re: RegExp; weak?: boolean }[] = [
  { intent: 'cancel', re: /\bcancel+(?:l?ation|l?ed|l?ing)?\b/g },
  { intent: 'return', re: /\breturn(?:s|ed|ing)?\b|\bsend(?:ing)?\s+(?:\w+\s+){0,3}back\b/g },
  { intent: 'return', re: /\brefund(?:s|ed)?\b|\bmoney back\b/g, weak: true },
  {
    intent: 'address',
    // A bare "address" is not enough: "My emial address is…" (a typo) must not start an address change.
    re: /\b(?:change|changing|update|updating|correct|fix|edit|wrong|new|different|redirect)\b[^.?!]{0,40}?\baddress\b|\baddress\b[^.?!]{0,25}?\b(?:changed|updated|is wrong|was wrong)\b|\b(?:ship(?:ped)?|send|deliver(?:ed)?)\s+(?:it\s+|them\s+|this\s+)?to\s+(?:a\s+|my\s+|the\s+|our\s+)?(?:new|different|another|other)\b|\b(?:i|we)(?:'ve|\s+have)?\s+(?:just\s+|recently\s+)?moved\b|\b(?:i'm|i am|we're|we are)\s+moving\b/g,
  },
  {
    intent: 'status',
    re: /\bwhere\b|\bstatus\b|\btrack(?:ing|ed)?\b|\bwhen\s+will\b|\bhas(?:n't| not)?\s+(?:it\s+|my\s+\w+\s+)?(?:arrived|shipped|come)\b|\bnot\s+(?:yet\s+)?(?:arrived|received|here)\b|\bon\s+its\s+way\b|\bshipped\s+yet\b/g,
    weak: true,
  },
];

const OUT_OF_SCOPE: { re: RegExp; label: string }[] = [
  {
    re: /\bprice\s+(?:adjust\w*|match\w*|difference|drop\w*|protection)|\bdifference\s+(?:back|refunded|in price)|\b(?:now|is|went)\s+(?:on\s+sale|cheaper)|\blower\s+price\b|\bsale\s+price\b/,
    label: 'a price adjustment',
  },
  { re: /\bexchange\b|\bswap\b/, label: 'an exchange' },
  { re: /\bdiscount|\bcoupon|\bpromo(?:tion(?:al)?)?\s+code|\bvoucher/, label: 'discounts or promotion codes' },
  { re: /\brecommend|\bsuggest(?:ion)?s?\b.*\bbooks?\b/, label: 'book recommendations' },
  {
    re: /\b(?:change|update|reset)\s+(?:my\s+)?(?:e-?mail|password|phone|account)|\b(?:delete|close)\s+(?:my\s+)?account/,
    label: 'changes to your account details',
  },
  { re: /\bgift[\s-]?wrap/, label: 'gift wrapping' },
  { re: /\bpre-?order|\bin\s+stock\b|\bout\s+of\s+stock\b|\bback\s*order/, label: 'stock and pre-orders' },
];

function detectAffirmNegate(t: string): { affirm: boolean; negate: boolean } {
  const masked = t
    .replace(/\bnot\s+sure\b/g, ' ')
    .replace(/\bno\s+(?:longer|problem|worries|rush|hurry)\b/g, ' ')
    .replace(/\bnot\s+a\s+problem\b/g, ' ');
  const strongNo = /\b(?:wrong|not quite|that's not|that is not|incorrect|not right|not correct|isn't right|isn't correct)\b/;
  const negWord = /\b(?:no|nope|nah|don't|do not|hold on|wait|stop|never mind|nevermind)\b/;
  const yesWord =
    /\b(?:yes|yeah|yep|yup|ya|sure|correct|go ahead|please do|do it|that's right|that is right|right|ok|okay|confirm(?:ed)?|absolutely|definitely|proceed|sounds good|perfect|exactly|of course|affirmative|please go ahead)\b/;
  const first = /^\W*(\w+(?:'\w+)?)/.exec(masked)?.[1] ?? '';
  const startsYes = /^(?:yes|yeah|yep|yup|ya|sure|correct|ok|okay|absolutely|definitely|perfect|exactly|right)$/.test(first);
  const startsNo = /^(?:no|nope|nah|wrong|incorrect|wait|stop)$/.test(first);
  if (strongNo.test(masked)) return { affirm: false, negate: true };
  if (startsNo) return { affirm: false, negate: true };
  if (startsYes) return { affirm: true, negate: false };
  if (negWord.test(masked)) return { affirm: false, negate: true };
  return { affirm: yesWord.test(masked), negate: false };
}

function detectRefund(t: string): RefundChoice | undefined {
  const masked = t.replace(/\b(?:not|no|rather than|instead of|don't want|do not want|not as)\s+(?:the\s+|a\s+)?store[\s-]*credit\b/g, ' ');
  if (/\bstore[\s-]*credit\b|\baccount\s+credit\b|\bcredit\s+(?:it\s+)?(?:to|on)\s+my\s+account\b|\bas\s+(?:a\s+)?credit\b/.test(masked)) {
    return 'store_credit';
  }
  if (
    /\boriginal\b|\bsame\s+(?:card|method|way|account)\b|\bback\s+(?:on|to)\s+(?:my|the)\b|\bpayment\s+method\b|\b(?:credit|debit|gift)\s+card\b|\bcard\b|\bvisa\b|\bmastercard\b|\bamex\b|\bamerican express\b|\bpaypal\b|\bbank\b|\bmoney\s+back\b/.test(
      masked,
    )
  ) {
    return 'original_payment';
  }
  return undefined;
}

function detectReason(text: string): string | undefined {
  const t = lower(text);
  const phrase =
    /\b(by mistake|no longer need(?:ed)?|don't need (?:it|them)(?: anymore)?|changed my mind|found (?:it|them) (?:cheaper|elsewhere)|already (?:own|have) (?:it|them)|bought (?:it|them) (?:in a shop|elsewhere|locally))\b/.exec(t);
  if (phrase) return phrase[1]!;
  const because = /\b(?:because|since|as)\s+(?:i\s+|we\s+)?([^.!?;]{3,60})/.exec(t);
  return because ? because[1]!.trim() : undefined;
}

/** Reads one customer message. */
export function understand(text: string): Understanding {
  const raw = text.replace(/[’‘]/g, "'");
  const emailMatch = EMAIL.exec(raw);
  const email = emailMatch?.[0].replace(/\.$/, '');
  const addr = extractAddress(raw);

  const itemIds = [...raw.matchAll(ITEM_ID)].map((m) => `BK-${m[1]}-${Number(m[2])}`);
  const withoutItems = blank(raw, ITEM_ID);
  const idHits: { id: string; index: number }[] = [];
  for (const m of withoutItems.matchAll(ORDER_ID)) idHits.push({ id: `BK-${m[1]}`, index: m.index ?? 0 });
  for (const m of withoutItems.matchAll(BARE_ORDER_NUMBER)) {
    if (!idHits.some((h) => h.id === `BK-${m[1]}`)) idHits.push({ id: `BK-${m[1]}`, index: m.index ?? 0 });
  }
  idHits.sort((a, b) => a.index - b.index);
  const orderIds = [...new Set(idHits.map((h) => h.id))];

  let rest = withoutItems.replace(EMAIL, ' ');
  if (addr) rest = rest.slice(0, addr.start) + ' '.repeat(addr.end - addr.start) + rest.slice(addr.end);
  rest = blank(rest, ORDER_ID);
  const zip = /\b(\d{5})\b/.exec(rest)?.[1];

  // Positions are kept: "email address" is blanked, not removed.
  const t = blank(lower(raw), /\be-?mail\s+address\b/g);
  const outOfScope = OUT_OF_SCOPE.find((o) => o.re.test(t))?.label;

  const found: (IntentMention & { weak: boolean })[] = [];
  for (const p of INTENT_PATTERNS) {
    for (const m of t.matchAll(p.re)) found.push({ intent: p.intent, index: m.index ?? 0, weak: p.weak ?? false });
  }
  const strong = found.filter((f) => !f.weak);
  let mentions: (IntentMention & { weak: boolean })[];
  if (strong.length > 0) {
    // "Cancel it and refund me" is one cancellation; "it arrived but I want to return it" is a return.
    mentions = strong;
  } else if (outOfScope) {
    mentions = [];
  } else {
    const weakReturn = found.filter((f) => f.intent === 'return');
    mentions = weakReturn.length > 0 ? weakReturn : found;
  }
  mentions.sort((a, b) => a.index - b.index);
  // Merge repeated mentions of the same intent that have no order id between them.
  const merged: (IntentMention & { weak: boolean })[] = [];
  for (const m of mentions) {
    const prev = merged[merged.length - 1];
    const idBetween = prev ? idHits.some((h) => h.index > prev.index && h.index < m.index) : true;
    if (prev && prev.intent === m.intent && !idBetween) continue;
    merged.push({ ...m });
  }
  const intents = assignOrderIds(merged, idHits);

  const { affirm, negate } = detectAffirmNegate(t);
  const unsure = t.replace(/\bnot sure (?:what|how|why) you mean\b|\bnot sure i follow\b/g, ' ');
  const dontKnow =
    /\b(?:don't|do not|dont|can't|cannot|can not|couldn't|no longer)\s+(?:\w+\s+)?(?:know|remember|recall|have|find|see|access)\b|\bdunno\b|\bno idea\b|\bnot sure\b|\bforg[eo]t\b|\bunsure\b|\bno clue\b/.test(unsure);
  const closing =
    /\b(?:bye|goodbye|good-bye|that's all|that is all|that's it|that's everything|nothing else|no,? thanks?|no thank you|all set|all good|i'm good|have a (?:good|nice|great|lovely) (?:day|one|evening|weekend))\b/.test(t);
  const thanks = /\bthank(?:s| you)\b|\bcheers\b|\bappreciate/.test(t);
  const wantsHuman =
    /\b(?:human|real person|a person|someone else|somebody else|representative|manager|supervisor|live agent|speak to (?:a|an|someone|somebody)|talk to (?:a|an|someone|somebody)|escalate)\b/.test(t);
  const everything =
    /\b(?:both(?: of them| books)?|all of them|all the (?:books|items)|everything|the whole order|the entire order|all (?:three|two|four) (?:books|items)?|all items|all books)\b/.test(t);
  const latest = /\b(?:latest|most recent|newest|last|recent)\s+(?:order|purchase|one)\b/.test(t);
  const asksWhy = /\bwhy\b[^.?!]*\b(?:need|want|require|ask)|\b(?:is|are) (?:that|those|these|this) (?:really )?(?:needed|necessary|required)\b|\bwhat for\b/.test(t);

  const u: Understanding = {
    text: raw,
    orderIds,
    itemIds,
    intents,
    affirm,
    negate,
    dontKnow,
    closing,
    thanks,
    wantsHuman,
    everything,
    latest,
    asksWhy,
  };
  if (email) u.email = email;
  if (zip) u.zip = zip;
  const name = extractName(raw);
  if (name) u.name = name;
  if (addr) u.address = addr.address;
  const refund = detectRefund(t);
  if (refund) u.refundMethod = refund;
  if (outOfScope && strong.length === 0) u.outOfScope = outOfScope;
  const reason = detectReason(raw);
  if (reason) u.reason = reason;
  return u;
}

/**
 * Gives each intent mention the order id written after it (before the next mention), or
 * failing that the nearest unclaimed id before it. Several ids after one mention
 * ("cancel BK-2041 and BK-2045") become one mention each.
 */
function assignOrderIds(
  mentions: (IntentMention & { weak: boolean })[],
  ids: { id: string; index: number }[],
): IntentMention[] {
  const out: IntentMention[] = [];
  const claimed = new Set<number>();
  mentions.forEach((m, i) => {
    const end = mentions[i + 1]?.index ?? Number.POSITIVE_INFINITY;
    const after = ids.filter((h) => h.index > m.index && h.index < end);
    if (after.length === 0) {
      out.push({ intent: m.intent, index: m.index });
      return;
    }
    for (const h of after) {
      claimed.add(h.index);
      out.push({ intent: m.intent, index: m.index, orderId: h.id });
    }
  });
  for (const m of out) {
    if (m.orderId) continue;
    const before = ids.filter((h) => h.index < m.index && !claimed.has(h.index)).pop();
    if (before) {
      claimed.add(before.index);
      m.orderId = before.id;
    }
  }
  return out;
}

/* ------------------------------------------------------------ item titles */

/** An order line as the matcher needs it. */
export interface NamedItem {
  item_id: string;
  title: string;
  format?: string;
}

export type ItemMatch =
  | { kind: 'match'; ids: string[] }
  | { kind: 'ambiguous'; ids: string[] }
  | { kind: 'none' };

/** Words too common to pick a title by themselves ("let me know" is not Never Let Me Go). */
const TITLE_STOP = new Set(
  (
    'the a an of and or to my for in on at by it is be me we you your our this that these those them they ' +
    'with from about just only also please thanks thank yes sure okay right correct great good nice well ' +
    'want need have like know would could should will shall can may might must think make made get got ' +
    'book books copy copies item items title titles edition paperback hardcover board one two both all ' +
    'other another some any more most much many very never ever still really actually sorry time day days ' +
    'today week first last latest recent order orders return returning returned cancel refund credit store ' +
    'card original payment method email address back send keep gift present bought ordered purchase ' +
    'purchased money account name help ahead arrived delivered shipped received where what which when ' +
    'there their then than were was are has had did does not dont don let go going'
  ).split(' '),
);
function norm(text: string): string {
  return ` ${lower(text).replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

function stem(word: string): string {
  return word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
}

function tokens(text: string): string[] {
  return norm(text)
    .trim()
    .split(' ')
    .filter((w) => w.length >= 4 && !TITLE_STOP.has(w))
    .map(stem);
}

/** Parts of the text that name books to keep, not to return: "…, not Dune", "keep Dune". */
function includedText(text: string): string {
  const EXCLUDE =
    /(?:^\s*(?:and\s+|but\s+)?not\b|\bnot\s+the\b|\bbut\s+not\b|\bkeep(?:ing)?\b|\bexcept\b|\bwithout\b|\brather\s+than\b|\binstead\s+of\b|\bother\s+than\b|\bhold(?:ing)?\s+on\s+to\b)/i;
  return text
    .split(/[.;!?,\n]|\bbut\b/i)
    .map((chunk) => {
      const m = EXCLUDE.exec(chunk);
      return m ? chunk.slice(0, m.index) : chunk;
    })
    .join(' . ');
}

/**
 * Which of the order's items the text names. Whole titles (or the part before a colon)
 * win, and a title found only inside a longer matched title does not count: "Dune Messiah"
 * names Dune Messiah, not Dune. Otherwise words that only one title has decide; words
 * several titles share make the answer ambiguous.
 */
export function matchItems(text: string, items: readonly NamedItem[]): ItemMatch {
  const ids = [...text.matchAll(ITEM_ID)].map((m) => `BK-${m[1]}-${Number(m[2])}`);
  const byId = items.filter((i) => ids.includes(i.item_id.toUpperCase()));
  if (byId.length > 0) return { kind: 'match', ids: byId.map((i) => i.item_id) };

  const hay = norm(includedText(text));
  type Span = { item: NamedItem; start: number; end: number };
  const spans: Span[] = [];
  for (const item of items) {
    const phrases = new Set([norm(item.title).trim(), norm(item.title.split(':')[0]!).trim()]);
    for (const p of phrases) {
      if (!p) continue;
      let from = 0;
      for (;;) {
        const at = hay.indexOf(` ${p} `, from);
        if (at < 0) break;
        spans.push({ item, start: at + 1, end: at + 1 + p.length });
        from = at + 1;
      }
    }
  }
  const standalone = spans.filter(
    (s) => !spans.some((o) => o.item !== s.item && o.start <= s.start && o.end >= s.end && o.end - o.start > s.end - s.start),
  );
  const titleWords = items.map((i) => new Set(tokens(i.title)));
  // Words only one title has ("caterpillar"), looked for outside the whole titles already found.
  const byWords = (text: string, skip: readonly NamedItem[]): NamedItem[] => {
    const words = new Set(tokens(text));
    return items.filter(
      (item, k) =>
        !skip.includes(item) &&
        [...titleWords[k]!].some((w) => words.has(w) && titleWords.every((other, j) => j === k || !other.has(w))),
    );
  };

  let phraseHits = items.filter((i) => standalone.some((s) => s.item === i));
  if (phraseHits.length > 0) {
    let rest = hay;
    for (const s of standalone) rest = rest.slice(0, s.start) + ' '.repeat(s.end - s.start) + rest.slice(s.end);
    const extra = byWords(rest, phraseHits);
    phraseHits = preferFormat(hay, items.filter((i) => phraseHits.includes(i) || extra.includes(i)));
    const titles = new Set(phraseHits.map((i) => lower(i.title)));
    if (titles.size < phraseHits.length) return { kind: 'ambiguous', ids: phraseHits.map((i) => i.item_id) };
    return { kind: 'match', ids: phraseHits.map((i) => i.item_id) };
  }

  const included = includedText(text);
  const distinctive = byWords(included, []);
  if (distinctive.length > 0) return { kind: 'match', ids: preferFormat(hay, distinctive).map((i) => i.item_id) };
  const words = new Set(tokens(included));
  const shared = preferFormat(hay, items.filter((_, k) => [...titleWords[k]!].some((w) => words.has(w))));
  if (shared.length === 1) return { kind: 'match', ids: [shared[0]!.item_id] };
  if (shared.length > 1) return { kind: 'ambiguous', ids: shared.map((i) => i.item_id) };
  return { kind: 'none' };
}

/** Same title in two formats: "the paperback" picks one copy. Other titles are left alone. */
function preferFormat(hay: string, items: NamedItem[]): NamedItem[] {
  return items.filter((item) => {
    const twins = items.filter((o) => lower(o.title) === lower(item.title));
    if (twins.length < 2) return true;
    const said = twins.filter((o) => o.format && hay.includes(` ${norm(o.format).trim()} `));
    return said.length === 0 || said.length === twins.length || said.includes(item);
  });
}

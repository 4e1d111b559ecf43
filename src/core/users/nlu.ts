import type { DialogueAct } from '../model/types.ts';

/*
 * A small rule-based reader of agent messages for the agenda-based simulator, used when
 * the agent attaches no dialogue acts (LLM agents, people). It finds what a user must react
 * to: questions for slots (those the simulator knows by name, and any other "what is your X?"),
 * choices among listed options, confirmation requests, completed actions, refusals and closings.
 */

/** Ways people name each slot. Unknown slots fall back to their name with spaces. */
const SLOT_ALIASES: Record<string, string[]> = {
  email: ['email address', 'e-mail address', 'email', 'e-mail'],
  name: ['full name', 'your name', 'name'],
  zip: ['zip code', 'postal code', 'postcode', 'zip'],
  order_id: ['order number', 'order id', 'order #', 'which order'],
  items: ['which items', 'which item', 'which books', 'which book', 'which title', 'items', 'item'],
  refund_method: ['refund method', 'store credit', 'original payment', 'refund'],
  address: ['new address', 'shipping address', 'address'],
  reason: ['reason', 'why'],
  tracking_number: ['tracking number', 'tracking'],
  status: ['status', 'shipped', 'delivered', 'processing', 'on its way', 'in transit'],
};

/** The words used to talk about a slot, most specific first. */
export function slotAliases(slot: string): string[] {
  const own = SLOT_ALIASES[slot] ?? [];
  const plain = slot.replace(/_/g, ' ');
  return [...own, ...(own.includes(plain) ? [] : [plain])].sort((a, b) => b.length - a.length);
}

/** A slot's name as a person says it, e.g. order_id → "order number". */
export function slotLabel(slot: string): string {
  const labels: Record<string, string> = {
    order_id: 'order number',
    zip: 'zip code',
    email: 'email address',
    refund_method: 'refund method',
    items: 'items',
  };
  return labels[slot] ?? slot.replace(/_/g, ' ');
}

/** Lower case, underscores as spaces, single spaces: for loose "does it say X" checks. */
export function normalize(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[_]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * A value with a digit said without its spaces or dashes, as codes write it: "40 L" in
 * "P120-OLIVE-40L", "size 10 W" in "10W". Not inside a longer number ("40 L" is not "140L").
 */
export function statedCompact(said: string, value: string): boolean {
  if (!/\d/.test(value)) return false;
  const squash = (t: string) => normalize(t).replace(/[\s\-_/.]+/g, '');
  const v = squash(value);
  if (v.length < 2) return false;
  const esc = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<!\\d)${esc}(?!\\d)`).test(squash(said));
}

/**
 * Is a value said in a (normalised) text? As a substring, except a value of one or two
 * letters and digits ("L", "M", "10"), which must stand as a word: "L" is not said in "forest".
 */
export function statedPart(said: string, part: string): boolean {
  if (!/^[a-z0-9]{1,2}$/.test(part)) return said.includes(part);
  return new RegExp(`(?<![a-z0-9])${part}(?![a-z0-9])`).test(said);
}

/** Words a description of a record carries that its record never holds ("ending in 2478"). */
const DESCRIPTION_FILLER = new Set(['my', 'the', 'a', 'an', 'in', 'on', 'with', 'ending', 'ends', 'of', 'account', 'one']);

/**
 * Is a record the user describes in words ("Mastercard credit card ending in 2478", "T-Shirt
 * (blue size M)") the one a text names? Each word of the description, less its filler, must
 * appear in the text as a word of its own, "_" read as a space ("credit_card_9513926 (mastercard,
 * ending in 2478)" names it). A description of one word is not enough: that is a mere mention.
 */
export function describedIn(said: string, description: string): boolean {
  const words = (t: string) => normalize(t).replace(/_/g, ' ').split(/[^a-z0-9%.-]+/).map((w) => w.replace(/^[.-]+|[.-]+$/g, '')).filter(Boolean);
  const wanted = words(description).filter((w) => !DESCRIPTION_FILLER.has(w));
  if (wanted.length < 2) return false;
  const have = new Set(words(said));
  return wanted.every((w) => have.has(w));
}

/** A label said in a question as a slot name: "rx id" → "rx_id". */
export function slotKey(label: string): string {
  return normalize(label).replace(/[^a-z0-9 ]/g, ' ').trim().replace(/\s+/g, '_');
}

/**
 * Joins the options of a `choose` act in its value: `{ act: 'choose', slot?, value: 'A | B' }`
 * is an agent asking the user to pick one of A and B (the slot, when known, names what they are).
 */
export const OPTION_SEPARATOR = ' | ';

/** The options of a `choose` act. */
export function optionsOf(act: DialogueAct): string[] {
  return (act.value ?? '').split(OPTION_SEPARATOR).map((o) => o.trim()).filter(Boolean);
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.?!])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const CONFIRM = /\b(confirm|shall i|should i|do you want me to|would you like me to|want me to|ok to proceed|proceed|go ahead)\b/;
const DONE = /\b(has been|have been|is now|successfully|i've (cancelled|canceled|updated|processed|submitted|changed)|i have (cancelled|canceled|updated|processed|submitted|changed)|all done|is done)\b/;
const REFUSE = /\b(unable|can't|cannot|can not|not able|not eligible|isn't eligible|ineligible|not possible|not allowed|unfortunately|i'm afraid)\b/;
/** "No longer" refuses only where nothing was done: "it has been cancelled, so you will no longer be charged" is no refusal. */
const NO_LONGER = /\bno longer\b/;
const REQMORE = /\b(anything else|something else|any other)\b/;
const BYE = /\b(goodbye|good bye|have a (great|nice|good) day|take care)\b/;
const INTENT_QUESTION = /\b(how (can|may) i help|what can i (do|help)|what would you like|how can i assist|what do you need|what brings you)\b/;
/** Labels that ask what the user wants rather than a fact about them. */
const INTENT_LABEL = /^(issue|problem|question|request|concern|matter|query|trouble|reason for (?:contacting|calling|reaching out)|reason for your (?:call|message|visit))$/;
/** "What is your X", "could you give me the X": X is the label asked for. */
const LABEL_QUESTION =
  /\b(?:what(?:'s| is| are| was)|confirm|verify|provide|share|tell me|give me|send me|i need|i'll need|may i have|can i have|could i have)\s+(?:me\s+)?(?:your|the)\s+([a-z][a-z0-9' -]{1,40}?)\s*(?=\(|\?|,|:|$|\s(?:so|for|please|that|on|of|to|again|you|associated|linked|used|with)\b)/;
/** "What does the charging light show?": an observation asked for by what it is about. */
const SHOW_QUESTION = /\bwhat (?:does|do|did) (?:the|your) ([a-z][a-z0-9' -]{1,40}?) (?:show|say|read|display|look like|indicate)\b/;
/** "Which new size and color would you like", "which new color, brightness and power source do you want": the details of a new thing. */
const NEW_DETAILS_QUESTION = /\bwhich new ([a-z][a-z -]{0,30}(?:,\s*[a-z][a-z -]{0,30})*(?:,?\s+and\s+[a-z][a-z -]{0,30})?)\s+(?:would|do|did|should|are)\b/;

/** "Which X do you mean", "which X would you like". */
const WHICH_QUESTION = /\bwhich\s+([a-z][a-z0-9' -]{0,30}?)\s*(?:\(([^()]{2,40})\))?\s+(?:do|would|did|is|are|should|you|of)\b/;
/** A statement offering options: "The options are A and B", "you can choose between A or B". */
const OPTION_STATEMENT =
  /\b(?:(?:the |your |available )?options (?:are|include)|options:|you can (?:choose|pick|select) (?:between|from|either)?|choose between|choose from|you can (?:either|have)|i can offer(?: you)?|either)\s*:?\s*(.+)$/i;
/** Words that make a question ask to choose among what it lists. */
const CHOICE_CUE = /\b(which|what|do you mean|did you mean|prefer|either|choose|pick|select|options?)\b/i;
/** A bare question asking to pick, once the options were stated before it. */
const PICK_QUESTION = /\b(which (?:one|would you|do you|of (?:these|them|those))|would you prefer|do you prefer|which is it|what would you prefer|would you like)\b/;
const STOP = new Set(['the', 'a', 'an', 'your', 'my', 'one', 'it', 'this', 'that', 'these', 'those', 'to', 'of']);

/**
 * Reads an agent message into acts. `slots` are the slots the simulator cares about: those
 * it can be asked for and those it wants to learn.
 */
export function parseAgentText(text: string, slots: readonly string[]): DialogueAct[] {
  const acts: DialogueAct[] = [];
  const all = sentences(text);
  /** Options stated in a sentence of this message, for a bare "which would you prefer?" after it. */
  let offered: { slot?: string; options: string[] } | undefined;
  all.forEach((raw, index) => {
    const s = normalize(raw);
    const question = raw.includes('?');
    const found = slotsIn(s, slots);
    // "Could you confirm your email?" / "Before I proceed, what's your name?" ask for a slot.
    const asksForSlot =
      question &&
      slots.some((slot) =>
        slotAliases(slot).some((alias) =>
          new RegExp(`\\b(what(?:'s| is| are)|confirm|verify|provide|share|tell me|give me)\\s+(?:me\\s+)?your\\s+${escapeRe(alias)}([^a-z]|$)`).test(s),
        ),
      );
    const options = question ? optionsIn(raw) : undefined;
    if (question && CONFIRM.test(s) && !asksForSlot && !(options && /\bwhich\b/.test(s))) {
      // "Shall I proceed?" after the details: the confirmation covers the sentences before it.
      acts.push({ act: 'confirm', value: isBare(raw) && index > 0 ? all.slice(0, index + 1).join(' ') : raw });
      return;
    }
    // A refusal is read first: "it has been shipped and can't be cancelled" is no completion.
    const refused = REFUSE.test(s) || (NO_LONGER.test(s) && !DONE.test(s));
    if (!question && DONE.test(s) && !refused) acts.push({ act: 'done', value: raw });
    if (refused) acts.push({ act: 'refuse', value: raw });
    if (question && REQMORE.test(s)) {
      acts.push({ act: 'reqmore' });
      return;
    }
    if (BYE.test(s)) acts.push({ act: 'bye' });
    if (question && INTENT_QUESTION.test(s)) acts.push({ act: 'request', slot: 'intent' });

    if (!question) {
      const stated = OPTION_STATEMENT.exec(raw.replace(/[\u2018\u2019\u02bc]/g, "'"));
      const listed = stated ? splitOptions(stated[1]!.replace(/[.!]+$/, '')) : [];
      if (listed.length >= 2) {
        // Options offered are no assertion of the user's facts: nothing to correct here.
        offered = { ...(found[0] ? { slot: found[0].slot } : {}), options: listed };
        return;
      }
    }
    // A question listing options to pick from: "Which prescription do you mean: RX-1 (…) or RX-2 (…)?"
    if (options) {
      const label = labelIn(s);
      const slot = found[0]?.slot ?? (label && !INTENT_LABEL.test(label.label) ? slotKey(label.label) : undefined);
      // Asked by a slot name the simulator knows, it is a request too (answered from what the user knows).
      if (found[0]) acts.push({ act: 'request', slot: found[0].slot });
      acts.push({ act: 'choose', ...(slot ? { slot } : {}), value: options.join(OPTION_SEPARATOR) });
      return;
    }
    if (question && offered && PICK_QUESTION.test(s) && !CONFIRM.test(s)) {
      const slot = found[0]?.slot ?? offered.slot;
      acts.push({ act: 'choose', ...(slot ? { slot } : {}), value: offered.options.join(OPTION_SEPARATOR) });
      offered = undefined;
      return;
    }
    const asks = question || /\b(please (provide|give|tell|share|confirm)|could you|can you|may i have|i need your|i'll need)\b/.test(s);
    for (const f of found) {
      acts.push(asks ? { act: 'request', slot: f.slot } : { act: 'inform', slot: f.slot, value: raw });
    }
    // "Which new color, brightness and power source would you like?": one request per detail named.
    const several = question ? NEW_DETAILS_QUESTION.exec(s) : null;
    if (several) {
      for (const label of several[1]!.split(/\s*,\s*|\s+and\s+/).map((l) => l.trim()).filter(Boolean)) {
        const slot = `new_${slotKey(label)}`;
        if (!acts.some((a) => a.act === 'request' && a.slot === slot)) acts.push({ act: 'request', slot });
      }
    }
    // A question for something the simulator has no slot name for: "What is your rx id (prescription number)?"
    if (question && found.length === 0 && !several && !INTENT_QUESTION.test(s)) {
      const label = labelIn(s);
      if (label && INTENT_LABEL.test(label.label)) acts.push({ act: 'request', slot: 'intent' });
      else if (label) acts.push({ act: 'request', slot: slotKey(label.label), ...(label.alt ? { value: label.alt } : {}) });
    }
  });
  return acts;
}

/** The slots named in a (normalized) sentence, in order; each match blanked so "email address" is not also "address". */
function slotsIn(s: string, slots: readonly string[]): { slot: string; at: number }[] {
  let rest = ` ${s} `;
  const found: { slot: string; at: number }[] = [];
  const candidates = slots.flatMap((slot) => slotAliases(slot).map((alias) => ({ slot, alias })));
  candidates.sort((a, b) => b.alias.length - a.alias.length);
  for (const { slot, alias } of candidates) {
    // Every occurrence is blanked: "your email address (work email address)" names no address.
    const re = new RegExp(`(^|[^a-z])${escapeRe(alias)}(?=[^a-z]|$)`, 'g');
    let m: RegExpExecArray | null;
    let first: number | undefined;
    const spans: [number, number][] = [];
    while ((m = re.exec(rest))) {
      first ??= m.index;
      spans.push([m.index, m.index + m[0].length]);
    }
    if (first === undefined) continue;
    if (!found.some((f) => f.slot === slot)) found.push({ slot, at: first });
    for (const [a, b] of spans) rest = rest.slice(0, a) + ' '.repeat(b - a) + rest.slice(b);
  }
  return found.sort((a, b) => a.at - b.at);
}

/** The label a question asks for, and a second name for it in parentheses: "rx id (prescription number)". */
function labelIn(s: string): { label: string; alt?: string } | undefined {
  const what = LABEL_QUESTION.exec(s) ?? SHOW_QUESTION.exec(s);
  const which = what ? null : WHICH_QUESTION.exec(s);
  const m = what ?? which;
  if (!m) return undefined;
  const label = m[1]!.trim();
  if (!label || STOP.has(label) || label.split(' ').length > 5 || /^(of|one|ones|these|those|this|that|them|it|is|are)\b/.test(label)) return undefined;
  const inner = which ? which[2] : /^\s*\(([^()]{2,40})\)/.exec(s.slice(m.index + m[0].length))?.[1];
  const alt = inner && !/,|\bor\b/.test(inner) ? inner.trim() : undefined;
  return alt ? { label, alt } : { label };
}

/**
 * The options a question lists: after its colon ("which do you mean: A, B or C?"), in a
 * parenthesis of alternatives ("what is your team (network, security or facilities)?"), or
 * "do you mean A or B?" / "would you prefer A or B?". Undefined when it lists none.
 */
export function optionsIn(sentence: string): string[] | undefined {
  const q = sentence.replace(/\?+\s*$/, '').trim();
  const candidates: string[] = [];
  // After a colon only when what comes before asks to choose ("To be sure: I will report lost or stolen…" does not).
  // The last colon before the options: "Sorry, I still need this: Which order do you mean: A or B?"
  for (const colon of [/^(.*?):\s*(.+)$/.exec(q), /^(.*):\s*(.+)$/.exec(q)]) {
    if (colon && CHOICE_CUE.test(colon[1]!) && /\bor\b/i.test(colon[2]!) && !candidates.includes(colon[2]!)) candidates.push(colon[2]!);
  }
  // A parenthesis of alternatives closing a question for a value: "What is your team (network or security)?"
  const paren = /\(([^()]+)\)\s*$/.exec(q);
  if (paren && /,|\bor\b/i.test(paren[1]!) && (CHOICE_CUE.test(q) || LABEL_QUESTION.test(normalize(q)))) candidates.push(paren[1]!);
  const mean = /\b(?:do you mean|did you mean|is it|would you prefer|do you prefer|would you like|do you want)\s+(?!me\b|to\b|us\b|for me\b)(.+\bor\b.+)$/i.exec(q);
  if (mean) candidates.push(mean[1]!);
  for (const c of candidates) {
    const opts = splitOptions(c);
    if (opts.length >= 2) return opts;
  }
  return undefined;
}

/** "A (x, y), B or C" → ["A (x, y)", "B", "C"]: commas and "or"/"and" outside parentheses. */
function splitOptions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  const flush = () => {
    const p = cur.trim().replace(/^(?:or|and|either)\s+/i, '').replace(/[.;]+$/, '').trim();
    if (p) parts.push(p);
    cur = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === ',' || ch === ';')) {
      flush();
      continue;
    }
    if (depth === 0) {
      const m = /^\s+(?:or|and)\s+/i.exec(text.slice(i));
      if (m) {
        flush();
        i += m[0].length - 1;
        continue;
      }
    }
    cur += ch;
  }
  flush();
  return parts.filter((p) => p.split(/\s+/).length <= 12);
}

/** A confirmation question that names nothing itself ("Shall I proceed?"), so it refers to what came before. */
function isBare(sentence: string): boolean {
  const words = sentence.replace(/[?.!]/g, '').split(/\s+/).filter(Boolean);
  return words.length <= 10 && !/\d/.test(sentence) && !words.slice(1).some((w) => /^[A-Z]/.test(w) && w !== 'I');
}

/**
 * The value a sentence states for a slot, when it says it plainly: "your email is x@y.org",
 * "level: write", "I have your zip as 97205". Undefined when the slot is only mentioned.
 */
export function statedValue(sentence: string, slot: string): string | undefined {
  const s = normalize(sentence);
  // Only the slot's names: "store credit" or "refund" (aliases of refund_method) are values or loose words.
  const names = slotAliases(slot).filter((a) => a === slotLabel(slot) || a === slot.replace(/_/g, ' ') || NAME_WORD.test(a));
  for (const alias of names) {
    const m = new RegExp(`(?:^|[^a-z])${escapeRe(alias)}\\s*(?::|=|\\bis\\b|\\bwas\\b|\\bas\\b|\\bset to\\b|\\blisted as\\b|\\bon file as\\b|\\breads\\b|\\bwill be\\b)\\s*(.+)$`).exec(s);
    if (!m) continue;
    const value = m[1]!
      .split(/[;!?]|\.(?:\s|$)|,\s|\s(?:and|but|so|which|for)\s/)[0]!
      .trim()
      .replace(/[.]+$/, '')
      .replace(/^(?:now|currently|still|set to)\s+/, '');
    // "your email is required", "the address is on file": no value stated.
    if (value && !NOT_A_VALUE.test(value)) return value;
  }
  return undefined;
}

/** Words that make an alias a name for the slot rather than one of its values. */
const NAME_WORD = /\b(address|number|id|code|name|email|e-mail|method|zip|postcode)\b/;
const NOT_A_VALUE = /^(required|needed|missing|not|being|correct|right|wrong|invalid|the same|on file|verified|confirmed|updated|changed|correct|incorrect|empty|unknown|blank|different|a match|matched|valid)\b/;

/** An id-like token: has a digit ("HP-29940", "4983901480", "credit_card_95"). */
const ID_TOKEN = /^[#a-z0-9_.\-/]*\d[#a-z0-9_.\-/]*$/;

/**
 * The ids a sentence lists right after a slot's name: "item ids 49839, 77474, new item ids …"
 * gives ["49839", "77474"] for item_ids (the longer "new item ids" is another slot's, as `slots` tell).
 */
export function statedIds(text: string, slot: string, slots: readonly string[]): string[] {
  const s = ` ${normalize(text)} `;
  // Blank the other slots' longer names that contain this one's.
  let rest = s;
  const own = slotAliases(slot);
  for (const other of slots) {
    if (other === slot) continue;
    for (const alias of slotAliases(other)) {
      if (!own.some((a) => alias.length > a.length && alias.includes(a))) continue;
      // Blanked with a word that is no id, so the list before it ends there.
      rest = rest.replace(new RegExp(`(^|[^a-z])${escapeRe(alias)}(?=[^a-z]|$)`, 'g'), (m) => ` ${'~'.repeat(Math.max(1, m.length - 1))}`);
    }
  }
  const out: string[] = [];
  for (const alias of own) {
    const re = new RegExp(`(?:^|[^a-z])${escapeRe(alias)}\\s*(?::|=|\\bis\\b|\\bare\\b)?\\s+`, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(rest))) {
      const tail = rest.slice(m.index + m[0].length).split(/\s+/);
      for (const raw of tail) {
        if (/^(and|or|&)$/.test(raw)) continue;
        const tok = raw.replace(/[,;:()]+$/g, '').replace(/\.$/, '');
        if (!ID_TOKEN.test(tok)) break;
        out.push(tok);
        if (/[;:()]$/.test(raw) || /\.$/.test(raw)) break;
      }
    }
  }
  return [...new Set(out)];
}

/* ------------------------------------------------------------ refusals */

/**
 * What a refusal gives the user to accept: `reason` (why the request cannot be done),
 * `no_reason` (a bare "I can't help with that", or not the reason the task names) or
 * `inability` (the agent could not find, identify or get something: no answer to the request).
 */
export type RefusalGrounds = 'reason' | 'no_reason' | 'inability';

/**
 * The agent could not find or identify something: "I could not find an account with those
 * details", "I couldn't get your user id", "I can't locate that order", "I need the new flight
 * id and I could not get it". It says nothing about the request itself.
 */
const INABILITY = new RegExp(
  [
    String.raw`\b(?:could ?n[o']?t|can'?t|can ?not|unable to|not able to|failed to|did ?n[o']?t manage to|have ?n[o']?t been able to|was ?n[o']?t able to)\s+(?:[a-z]+\s+){0,2}?` +
      String.raw`(?:find|identify|locate|verify|authenticate|look (?:you |it |that |them )?up|retrieve|pull up|match|recogni[sz]e|` +
      String.raw`get (?:hold of|(?:your|the) (?:[a-z]+ ){0,2}(?:id|number|details|information|name|email|address|account|record)s?\b|(?:it|them|that|this)(?=\s*(?:[.,;:!?)]|$))))`,
    String.raw`\bno (?:account|record|customer|user|member|employee|patient|order|reservation|profile|match)(?:e?s)? (?:was |were )?(?:found|matching|matches|on file)\b`,
  ].join('|'),
);

/**
 * Refusal and apology phrases that give no reason, taken out before a reason is looked for:
 * "I'm sorry, I can't help with that request under our policy" says nothing once they are gone.
 */
const BARE_REFUSAL = new RegExp(
  [
    String.raw`\b(?:i'm|i am|we're|we are) (?:so |very |really )?(?:sorry|afraid)\b`,
    String.raw`\b(?:sorry|unfortunately|regrettably|apologies|i apologi[sz]e)\b`,
    String.raw`\b(?:i|we) (?:really |simply |just )?(?:can't|cannot|can not|won't|will not|am unable to|are unable to|'m unable to|am not able to|'m not able to|won't be able to|will not be able to|am not allowed to|'m not allowed to|am not permitted to)(?: really)? ` +
      String.raw`(?:help|assist|do|process|handle|complete|fulfil|fulfill|accommodate|support|proceed|go ahead|go on|make an exception|approve|grant|allow)(?: you)?(?: further)?(?: with)?(?: (?:that|this|it|your request|that request|this request|the request|them))?`,
    String.raw`\b(?:under|per|as per|according to|against|by|because of|due to) (?:our|the|company|store|shop|airline) (?:policy|policies|rules|guidelines)\b`,
    String.raw`\b(?:our|the) (?:policy|policies|rules) (?:does ?n[o']t|do ?n[o']t|do not|does not|won't|will not) (?:allow|permit|let me do) (?:it|that|this|me to)\b`,
    String.raw`\b(?:that|this|it)(?:'s| is) (?:not (?:possible|allowed|permitted|something (?:i|we) can (?:do|help with))|(?:outside|beyond|not within) (?:what (?:i|we) can do|my [a-z]+|our [a-z]+))(?: here)?`,
    String.raw`\b(?:outside|beyond) what (?:i|we) can do(?: here)?`,
    String.raw`\bnot something (?:i|we) can (?:do|help with)\b`,
    String.raw`\b(?:anything|something) else\b.*$`,
  ].join('|'),
  'g',
);

/**
 * Words that give a reason: a cause ("because", "since", "due to"), a rule ("only within 30
 * days", "must", "needs a Security review", "at least"), or a state of the thing asked about
 * ("has already shipped", "was delivered 31 days ago", "is a final-sale item", "more than 24
 * hours ago", "no longer").
 */
const REASON_CUE =
  /\b(?:because|since|due to|owing to|given that|as (?:it|its|it's|the|your|this|that|they|these|those)|so (?:it|the|your|this|that|they)|only|already|no longer|more than|less than|fewer than|at least|at most|outside|beyond|past|expired|exceed(?:s|ed)?|within|requires?|required|must|needs|needed|has been|have been|had been|was|were|is (?:a|an|the|already|not|still|over|under|past|on|in|marked|listed|set|currently|no|more|less|outside|beyond|final|non|[a-z]+ed)|are (?:not|already|no|only|past|final|non|[a-z]+ed)|isn't|aren't|wasn't|weren't|hasn't|haven't)\b/;

/**
 * What an agent's refusal gives the user. `message` is everything the agent said since the
 * user last spoke; `says`, when the task names its reason, the phrases any of which gives it.
 * With a named reason only that reason counts. Without one, the refusal must give some reason
 * once its refusal and apology phrases are taken out. Either way, an agent that only says it
 * could not find or identify something has refused nothing.
 */
export function refusalGrounds(message: string, says?: readonly string[]): RefusalGrounds {
  const said = normalize(message);
  if (says && says.length > 0) {
    const flat = (t: string) => normalize(t).replace(/[^a-z0-9]+/g, ' ').trim();
    const text = ` ${flat(message)} `;
    // From the start of a word, to any ending: "contractor" is said in "contractors".
    if (says.some((p) => flat(p) !== '' && text.includes(` ${flat(p)}`))) return 'reason';
    return INABILITY.test(said) ? 'inability' : 'no_reason';
  }
  if (INABILITY.test(said)) return 'inability';
  return REASON_CUE.test(said.replace(BARE_REFUSAL, ' ')) ? 'reason' : 'no_reason';
}

/* ------------------------------------------------------------ numbers */

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** A value that is a plain number as τ²-bench writes them: "10", "54.04", "1,204.5". */
export function isNumberValue(value: string): boolean {
  return /^-?\$?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\$?\d+(?:\.\d+)?$/.test(value.trim());
}

function numberOf(token: string): number {
  return Number(token.replace(/[$,\s]/g, ''));
}

/** The number's word form for small whole numbers ("ten", "twenty-one"), else undefined. */
function numberWord(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n >= 100) return undefined;
  if (n < 20) return UNITS[n];
  return `${TENS[Math.floor(n / 10)]}${n % 10 ? `-${UNITS[n % 10]}` : ''}`;
}

/**
 * Whether a text says the number `value`, however formatted: "$54.04", "54.040", "1,054.04",
 * and small whole numbers as words ("ten"). Digits inside ids, dates and times do not count,
 * and neither does a different number that starts the same ("100" is not "10").
 */
export function mentionsNumber(text: string, value: string): boolean {
  const want = numberOf(value);
  if (!Number.isFinite(want)) return false;
  const re = /(?<![\w.\-/:#$])(?:\$\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w\-/:%]|[.,]\d)/g;
  // A "$" before the number is part of it, not a boundary.
  const plain = text.replace(/\$\s?(?=\d)/g, ' ');
  for (const m of plain.matchAll(re)) {
    if (Math.abs(numberOf(m[1]! + (m[2] ?? '')) - want) < 1e-9) return true;
  }
  const word = numberWord(want);
  return word !== undefined && new RegExp(`\\b${word}\\b`, 'i').test(text);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import type { DialogueAct } from '../model/types.ts';

/*
 * A small rule-based reader of agent messages for the agenda-based simulator, used when
 * the agent attaches no dialogue acts (LLM agents, people). It finds what a user must react
 * to: questions for slots, confirmation requests, completed actions, refusals and closings.
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

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.?!])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const CONFIRM = /\b(confirm|shall i|should i|do you want me to|would you like me to|want me to|ok to proceed|proceed|go ahead)\b/;
const DONE = /\b(has been|have been|is now|successfully|i've (cancelled|canceled|updated|processed|submitted|changed)|i have (cancelled|canceled|updated|processed|submitted|changed)|all done|is done)\b/;
const REFUSE = /\b(unable|can't|cannot|can not|not able|not eligible|isn't eligible|ineligible|not possible|not allowed|no longer|unfortunately|i'm afraid)\b/;
const REQMORE = /\b(anything else|something else|any other)\b/;
const BYE = /\b(goodbye|good bye|have a (great|nice|good) day|take care)\b/;
const INTENT_QUESTION = /\b(how (can|may) i help|what can i (do|help)|what would you like|how can i assist|what do you need|what brings you)\b/;

/**
 * Reads an agent message into acts. `slots` are the slots the simulator cares about: those
 * it can be asked for and those it wants to learn.
 */
export function parseAgentText(text: string, slots: readonly string[]): DialogueAct[] {
  const acts: DialogueAct[] = [];
  for (const raw of sentences(text)) {
    const s = normalize(raw);
    const question = raw.includes('?');
    // "Could you confirm your email?" / "Before I proceed, what's your name?" ask for a slot.
    const asksForSlot =
      question &&
      slots.some((slot) =>
        slotAliases(slot).some((alias) =>
          new RegExp(`\\b(what(?:'s| is| are)|confirm|verify|provide|share|tell me|give me)\\s+(?:me\\s+)?your\\s+${escapeRe(alias)}([^a-z]|$)`).test(s),
        ),
      );
    if (question && CONFIRM.test(s) && !asksForSlot) {
      acts.push({ act: 'confirm', value: raw });
      continue;
    }
    if (!question && DONE.test(s)) acts.push({ act: 'done', value: raw });
    if (REFUSE.test(s)) acts.push({ act: 'refuse', value: raw });
    if (question && REQMORE.test(s)) {
      acts.push({ act: 'reqmore' });
      continue;
    }
    if (BYE.test(s)) acts.push({ act: 'bye' });
    if (question && INTENT_QUESTION.test(s)) acts.push({ act: 'request', slot: 'intent' });

    // Longest aliases first, and each match is blanked out so "email address" is not
    // also read as "address".
    let rest = ` ${s} `;
    const found: { slot: string; at: number }[] = [];
    const candidates = slots.flatMap((slot) => slotAliases(slot).map((alias) => ({ slot, alias })));
    candidates.sort((a, b) => b.alias.length - a.alias.length);
    for (const { slot, alias } of candidates) {
      const re = new RegExp(`(^|[^a-z])${escapeRe(alias)}([^a-z]|$)`);
      const m = re.exec(rest);
      if (!m) continue;
      if (!found.some((f) => f.slot === slot)) found.push({ slot, at: m.index });
      rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
    }
    found.sort((a, b) => a.at - b.at);
    const asks = question || /\b(please (provide|give|tell|share|confirm)|could you|can you|may i have|i need your|i'll need)\b/.test(s);
    for (const f of found) {
      acts.push(asks ? { act: 'request', slot: f.slot } : { act: 'inform', slot: f.slot, value: raw });
    }
  }
  return acts;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

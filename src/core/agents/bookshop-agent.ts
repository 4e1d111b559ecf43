/**
 * A rule-based customer-service agent for the bookshop domain: the classical baseline an
 * LLM agent is compared with. It reads the user's text only (never the user's dialogue
 * acts), so it can face an LLM user or a person as well as the agenda-based simulator.
 *
 * It follows the pack's policy: identify the customer (email, or full name + zip), look the
 * order up, check the request against the rules before offering anything, state the exact
 * change and wait for an explicit yes, make the write, report the outcome with figures.
 * Out-of-scope requests are declined, and handed to a person only when the user insists.
 *
 * Tool calls go out in a reply with empty content; the orchestrator runs them and asks the
 * agent again, and the results come back on the agent's own message in the view.
 */
import type { DialogueAct, Json, JsonObject, ToolCall } from '../model/types.ts';
import type {
  AgentSeatContext,
  Participant,
  ParticipantReply,
  ToolCallRequest,
  TurnContext,
  ViewMessage,
} from '../simulation/participant.ts';
import { pick, type Rng } from '../stats/rng.ts';
import { RETURN_WINDOW_DAYS } from '../scenarios/domains/bookshop.ts';
import { daysBetween, todayFromPolicy } from '../scenarios/domains/helpers.ts';
import {
  guessName,
  matchItems,
  understand,
  type Intent,
  type NamedItem,
  type RefundChoice,
  type Understanding,
} from './bookshop-nlu.ts';

export const BOOKSHOP_AGENT_ID = 'rule-based-bookshop';
/** Bump when behaviour changes, so stored results stay comparable. */
export const BOOKSHOP_AGENT_VERSION = '1.0.0';

/** Tool rounds allowed between two user messages; more means the agent is going in circles. */
const MAX_TOOL_ROUNDS = 6;
/** Questions asked about one request before the agent stops asking and lets it go. */
const MAX_ASKS = 5;
/** Orders fetched at once when looking through an account for the one the user means. */
const MAX_ORDER_FETCH = 10;

/* ------------------------------------------------------------ data shapes */

interface Customer {
  id: string;
  name: string;
  email: string;
  zip: string;
  orderIds: string[];
  storeCredit: number;
}

interface Item {
  itemId: string;
  title: string;
  format: string;
  price: number;
  status: string;
}

interface Refund {
  itemIds: string[];
  amount: number;
  method: string;
  issuedOn: string;
}

interface Order {
  id: string;
  status: string;
  placedOn: string;
  deliveredOn?: string;
  cancelledOn?: string;
  items: Item[];
  total: number;
  shippingAddress: string;
  payment: string;
  carrier?: string;
  tracking?: string;
  refunds: Refund[];
}

/** One thing the user wants done or learnt, with what is known of it so far. */
interface Task {
  kind: Intent;
  orderId?: string;
  /** User texts that may name the items to return, newest first. */
  itemTexts: string[];
  itemIds?: string[];
  everything: boolean;
  refundMethod?: RefundChoice;
  address?: string;
  reason?: string;
  /** Look through the customer's orders for the one meant (the user lacks the number). */
  search: boolean;
  /** "My latest order". */
  latest: boolean;
  /** The user pushes back on an earlier refusal of the same request. */
  pushback: boolean;
  /** Questions asked per slot for this request, to rephrase and, in the end, to stop asking. */
  asks: Record<string, number>;
  badIds: number;
}

type Pending =
  | { kind: 'none' }
  | { kind: 'intent' }
  | { kind: 'email' }
  | { kind: 'name_zip' }
  | { kind: 'order_id' }
  | { kind: 'items' }
  | { kind: 'refund_method' }
  | { kind: 'address' }
  | { kind: 'confirm'; call: ToolCallRequest; summary: string; unclear: number }
  | { kind: 'correction' }
  | { kind: 'anything_else' };

/* --------------------------------------------------------------- helpers */

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}
function num(v: Json | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function parseCustomer(v: Json): Customer | null {
  if (!isObject(v) || typeof v['id'] !== 'string') return null;
  const ids = Array.isArray(v['order_ids']) ? v['order_ids'].filter((x): x is string => typeof x === 'string') : [];
  return {
    id: v['id'],
    name: str(v['name']),
    email: str(v['email']),
    zip: str(v['zip']),
    orderIds: ids.map((x) => x.toUpperCase()),
    storeCredit: num(v['store_credit']),
  };
}

function parseOrder(v: Json | undefined): Order | null {
  if (!isObject(v) || typeof v['id'] !== 'string') return null;
  const items = (Array.isArray(v['items']) ? v['items'] : []).filter(isObject).map((i) => ({
    itemId: str(i['item_id']),
    title: str(i['title']),
    format: str(i['format']),
    price: num(i['price']),
    status: str(i['status']) || 'ok',
  }));
  const refunds = (Array.isArray(v['refunds']) ? v['refunds'] : []).filter(isObject).map((r) => ({
    itemIds: (Array.isArray(r['item_ids']) ? r['item_ids'] : []).filter((x): x is string => typeof x === 'string'),
    amount: num(r['amount']),
    method: str(r['method']),
    issuedOn: str(r['issued_on']),
  }));
  const payment = isObject(v['payment']) ? str(v['payment']['detail']) : '';
  const order: Order = {
    id: v['id'].toUpperCase(),
    status: str(v['status']),
    placedOn: str(v['placed_on']),
    items,
    total: num(v['total']) || round2(items.reduce((s, i) => s + i.price, 0)),
    shippingAddress: str(v['shipping_address']),
    payment: payment || 'the card you paid with',
    refunds,
  };
  if (typeof v['delivered_on'] === 'string') order.deliveredOn = v['delivered_on'];
  if (typeof v['cancelled_on'] === 'string') order.cancelledOn = v['cancelled_on'];
  if (typeof v['carrier'] === 'string') order.carrier = v['carrier'];
  if (typeof v['tracking_number'] === 'string') order.tracking = v['tracking_number'];
  return order;
}

function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}
function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

/** "A", "A and B", "A, B and C". */
function joinList(parts: readonly string[], last = 'and'): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} ${last} ${parts[parts.length - 1]}`;
}
function titles(items: readonly Item[]): string {
  return joinList(items.map((i) => i.title));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "2026-11-08" → "November 8, 2026", without locale-dependent Date formatting. */
function day(iso: string | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!m) return iso ?? 'an unknown date';
  return `${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}, ${m[1]}`;
}

function firstName(name: string): string {
  return name.split(/\s+/)[0] ?? name;
}

function sameAddress(a: string, b: string): boolean {
  const n = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return n(a) === n(b);
}

function callKey(call: ToolCallRequest): string {
  return `${call.name}:${JSON.stringify(call.arguments)}`;
}

function toolFor(kind: Intent): string {
  switch (kind) {
    case 'cancel':
      return 'cancel_order';
    case 'return':
      return 'return_items';
    case 'address':
      return 'update_shipping_address';
    case 'status':
      return 'get_order';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

const INSIST = /\b(?:please|really|insist|need|must|have to|come on|seriously|want|why not|unfair|ridiculous|anyway)\b/i;

/* ----------------------------------------------------------------- agent */

class BookshopAgent implements Participant {
  readonly id = BOOKSHOP_AGENT_ID;
  readonly role = 'agent' as const;

  private rng: Rng = () => 0;
  private readonly today: string | undefined;

  // Who the customer is.
  private customer: Customer | null = null;
  private email: string | undefined;
  private name: string | undefined;
  private zip: string | undefined;
  private emailUnknown = false;
  private emailFailures = 0;
  private emailAsks = 0;
  private readonly triedLookups = new Set<string>();

  // What has been looked up.
  private readonly orders = new Map<string, Order>();
  private readonly missingOrders = new Set<string>();

  // What the user wants.
  private current: Task | null = null;
  private queue: Task[] = [];
  private tasksSeen = 0;
  private lastRefusal: { kind: Intent; orderId?: string; text: string; repeats: number; turn: number } | null = null;
  private outOfScope: { label: string; count: number; orderId?: string; turn: number } | null = null;
  /** User messages read so far: a push-back only counts right after the refusal it answers. */
  private userTurns = 0;

  // Conversation control.
  private pending: Pending = { kind: 'none' };
  private hold: { text: string; acts: DialogueAct[] } | null = null;
  private approvedWrite: ToolCallRequest | null = null;
  private writing: Task | null = null;
  private transferWanted = false;
  private transferred = false;
  private byeNext = false;
  private askWhatElse = false;
  private misunderstood = 0;
  /** The last message asked for help without saying with what ("I have a problem with an order"). */
  private vagueHelp = false;
  private greeted = false;
  private thanked = false;

  // Loop guards.
  private readonly processedTurns = new Set<number>();
  private toolRounds = 0;
  private readonly calledThisTurn = new Set<string>();

  // Text gathered across tool rounds, sent with the next message to the user.
  private out: string[] = [];
  private outActs: DialogueAct[] = [];

  constructor(ctx: AgentSeatContext) {
    // Without a date in the policy, the tools judge the return window.
    this.today = todayFromPolicy(ctx.policy);
  }

  async nextMessage(view: readonly ViewMessage[], ctx: TurnContext): Promise<ParticipantReply> {
    this.rng = ctx.rng;
    const last = view[view.length - 1];
    if (!last) return this.greet();
    if (last.from === 'other') {
      const texts: string[] = [];
      for (let i = view.length - 1; i >= 0 && view[i]!.from === 'other'; i--) texts.unshift(view[i]!.content);
      this.toolRounds = 0;
      this.calledThisTurn.clear();
      if (!this.greeted) {
        this.greeted = true;
        this.note(this.v(['Hi, thanks for contacting Folio & Quill Books.', 'Hello, and welcome to Folio & Quill Books.']), [{ act: 'greet' }]);
      }
      this.onUser(texts.join('\n'));
    } else if (last.toolCalls && last.toolCalls.length > 0 && !this.processedTurns.has(last.turnIndex)) {
      this.processedTurns.add(last.turnIndex);
      this.toolRounds++;
      for (const call of last.toolCalls) this.onResult(call);
    }
    return this.advance();
  }

  /* ------------------------------------------------------------- output */

  private v(options: readonly string[]): string {
    return pick(this.rng, options);
  }

  /** Queues text for the next message to the user. */
  private note(text: string, acts: DialogueAct[] = []): void {
    this.out.push(text);
    this.outActs.push(...acts);
  }

  private say(text: string, acts: DialogueAct[]): ParticipantReply {
    const content = [...this.out, text].filter(Boolean).join(' ');
    const allActs = [...this.outActs, ...acts];
    this.out = [];
    this.outActs = [];
    this.greeted = true;
    return { content, acts: allActs };
  }

  private greet(): ParticipantReply {
    this.pending = { kind: 'intent' };
    return this.say(
      this.v([
        'Hello, thank you for contacting Folio & Quill Books! How can I help you today?',
        'Hi there, welcome to Folio & Quill Books. What can I do for you today?',
        'Hello! This is Folio & Quill Books customer service. How may I help you?',
      ]),
      [{ act: 'greet' }, { act: 'request', slot: 'intent' }],
    );
  }

  /** Tool calls to run, or null when they would repeat a call or exceed the round limit. */
  private callTools(calls: ToolCallRequest[]): ParticipantReply | null {
    const fresh = calls.filter((c) => !this.calledThisTurn.has(callKey(c)));
    if (fresh.length === 0 || this.toolRounds >= MAX_TOOL_ROUNDS) return null;
    for (const c of fresh) {
      this.calledThisTurn.add(callKey(c));
      if (c.name === 'find_customer') this.triedLookups.add(callKey(c));
    }
    return { content: '', toolCalls: fresh };
  }

  /* --------------------------------------------------------- user input */

  private onUser(text: string): void {
    const u = understand(text);
    this.userTurns++;
    this.thanked = u.thanks;
    const p = this.pending;
    this.pending = { kind: 'none' };
    this.askWhatElse = false;
    const knewCustomer = this.customer !== null;
    this.absorbIdentity(u, p);

    if (p.kind === 'confirm' && this.onConfirmAnswer(p, u)) return;
    if (p.kind === 'correction' && this.onCorrection(u)) return;

    const created = this.tasksFrom(u, p);
    const filled = this.fillSlots(u, p);
    const gaveIdentity = !knewCustomer && Boolean(u.email || u.name || u.zip || (p.kind === 'name_zip' && this.name));
    const understood = created.length > 0 || filled || gaveIdentity || u.dontKnow;

    const noSlots = !filled && !u.email && !u.orderIds.length && !u.address && !u.refundMethod;
    const atRest = p.kind === 'anything_else' || p.kind === 'intent' || p.kind === 'none';
    if (created.length === 0 && u.closing && (atRest || noSlots)) {
      this.byeNext = true;
      return;
    }
    const insists = !u.closing && (u.wantsHuman || INSIST.test(u.text) || u.text.includes('?'));
    const idle = p.kind === 'anything_else' && created.length === 0 && !this.current && this.queue.length === 0;

    // Push-back right after a refusal: explain again, once or twice, and never transfer
    // what the policy covers.
    const refusal = this.lastRefusal;
    if (idle && refusal && this.userTurns - refusal.turn === 1 && refusal.repeats < 2 && insists && !u.affirm) {
      refusal.repeats++;
      refusal.turn = this.userTurns;
      this.hold = {
        text: `I'm sorry, but I can't make an exception. ${refusal.text} Is there anything else I can help you with?`,
        acts: [{ act: 'refuse', slot: toolFor(refusal.kind), value: refusal.text }, { act: 'reqmore' }],
      };
      this.pending = { kind: 'anything_else' };
      return;
    }

    // Requests this agent does not handle: decline once, transfer when the user insists. An
    // aside next to an answer ("my email is …, by the way any recommendations?") gets a word,
    // not a refusal.
    const answered = filled || (gaveIdentity && (p.kind === 'email' || p.kind === 'name_zip')) || u.dontKnow;
    const mainlyOutOfScope = created.length === 0 && !answered && !u.affirm;
    if (u.outOfScope && mainlyOutOfScope) {
      this.onOutOfScope(u.outOfScope, u);
      return;
    }
    if (u.outOfScope) this.note(`(I'm afraid I can't help with ${u.outOfScope} here.)`);
    if (mainlyOutOfScope && !gaveIdentity && this.outOfScope && this.userTurns - this.outOfScope.turn <= 2 && insists) {
      this.onOutOfScope(this.outOfScope.label, u);
      return;
    }
    if (u.asksWhy && !understood) {
      const why: Partial<Record<Pending['kind'], string>> = {
        email: 'I need it to find your account and make sure I only discuss your own orders.',
        name_zip: 'I need them to find your account, since several customers can share a name.',
        order_id: 'It tells me exactly which order you mean.',
        items: 'I need to know exactly which books to return, so the refund is right.',
        refund_method: 'The refund can go back to your original payment method or become store credit — it is your choice.',
        address: 'I need the complete new address so the parcel reaches you.',
      };
      const text = why[p.kind];
      if (text) this.note(text);
      this.pending = p;
    }
    if (u.wantsHuman && created.length === 0 && !filled) {
      const reason = refusal
        ? `A colleague would have to apply the same policy, so I can't hand this over: ${refusal.text}`
        : 'I can take care of orders, returns and address changes for you right here.';
      this.hold = { text: `I understand. ${reason} Is there anything else I can help you with?`, acts: [{ act: 'reqmore' }] };
      this.pending = { kind: 'anything_else' };
      return;
    }

    if (idle) {
      const plainYes = /^\W*(?:yes|yeah|yep|yup|sure|actually)\b/i.test(u.text);
      if (u.negate || (u.thanks && !plainYes)) {
        this.byeNext = true;
        return;
      }
      if (u.affirm) {
        this.askWhatElse = true;
        return;
      }
    }
    this.misunderstood = understood ? 0 : this.misunderstood + 1;
    this.vagueHelp = !understood && /\b(?:help|problem|issue|question|order|trouble|wrong)\b/i.test(u.text);
  }

  private absorbIdentity(u: Understanding, p: Pending): void {
    if (u.email) {
      if (!this.customer) this.email = u.email;
      else if (u.email.toLowerCase() !== this.customer.email.toLowerCase()) {
        this.note(
          `I can only help with one account per conversation, so I'll carry on with the account for ${this.customer.email}.`,
          [{ act: 'refuse', value: 'one customer per conversation' }],
        );
      }
    }
    if (this.customer) return;
    const askedNameZip = p.kind === 'name_zip';
    const name = u.name ?? (askedNameZip && !u.email ? guessName(u.text) : undefined);
    if (name) this.name = name;
    // Order ids carry a BK- prefix and addresses are parsed apart, so a bare 5-digit number
    // from a customer not yet identified is their zip code.
    if (u.zip) this.zip = u.zip;
    if (u.dontKnow && !u.email && (p.kind === 'email' || /\be-?mail\b/i.test(u.text))) this.emailUnknown = true;
  }

  /** The answer to "shall I go ahead?". True when nothing else in the message needs handling. */
  private onConfirmAnswer(p: Extract<Pending, { kind: 'confirm' }>, u: Understanding): boolean {
    const t = this.current;
    const changed = t ? this.applyCorrections(t, u) : false;
    if (changed) return true; // the details changed: propose again
    if (u.affirm && !u.negate) {
      this.approvedWrite = p.call;
      this.writing = t;
      return true;
    }
    if (u.negate) {
      if (u.intents.some((m) => m.intent !== t?.kind) || u.outOfScope) {
        if (t) this.finishTask(t);
        return false;
      }
      if (u.closing) {
        if (t) this.finishTask(t);
        this.note("No problem, I haven't changed anything.");
        this.byeNext = true;
        return true;
      }
      this.pending = { kind: 'correction' };
      this.hold = {
        text: this.v([
          "No problem, I haven't changed anything. What would you like me to change — or shall I leave it as it is?",
          "Okay, nothing has been changed. What should be different — or would you rather leave it as it is?",
        ]),
        acts: [{ act: 'request', slot: 'correction' }],
      };
      return true;
    }
    p.unclear++;
    if (p.unclear >= 3) {
      if (t) this.finishTask(t);
      this.note("As I haven't had a clear yes, I'll leave everything as it is for now.");
      return true;
    }
    this.pending = p;
    this.hold = {
      text: `Sorry, I need a clear yes or no before I change anything: shall I ${p.summary}?`,
      acts: [{ act: 'confirm', slot: p.call.name, value: p.summary }],
    };
    return true;
  }

  private onCorrection(u: Understanding): boolean {
    const t = this.current;
    if (!t) return false;
    if (this.applyCorrections(t, u)) return true;
    if (u.intents.length > 0 && !u.intents.every((m) => m.intent === t.kind && !m.orderId)) {
      this.finishTask(t);
      return false;
    }
    if (u.affirm && !u.negate) return true; // "actually it was fine": propose the same again
    this.finishTask(t);
    this.note("Alright, I'll leave everything as it is.");
    if (u.closing) this.byeNext = true;
    return true;
  }

  /** Applies changed details from a correction. True when something changed. */
  private applyCorrections(t: Task, u: Understanding): boolean {
    let changed = false;
    const newId = u.orderIds.find((id) => id !== t.orderId);
    if (newId) {
      t.orderId = newId;
      t.itemIds = undefined;
      changed = true;
    }
    if (t.kind === 'return') {
      if (u.refundMethod && u.refundMethod !== t.refundMethod) {
        t.refundMethod = u.refundMethod;
        changed = true;
      }
      const order = t.orderId ? this.orders.get(t.orderId) : undefined;
      if (order && !newId) {
        const m = u.everything
          ? { kind: 'match' as const, ids: order.items.filter((i) => i.status !== 'returned').map((i) => i.itemId) }
          : matchItems(u.text, this.named(order));
        if (m.kind !== 'none' && !sameSet(m.ids, t.itemIds ?? [])) {
          t.itemTexts.unshift(u.text);
          t.everything = u.everything;
          t.itemIds = m.kind === 'match' ? m.ids : undefined;
          changed = true;
        }
      }
    }
    if (t.kind === 'address' && u.address && u.address !== t.address) {
      t.address = u.address;
      changed = true;
    }
    return changed;
  }

  /** New requests from intent mentions; mentions of the request in hand are merged into it. */
  private tasksFrom(u: Understanding, p: Pending): Task[] {
    const created: Task[] = [];
    // "I don't know where the order number is" answers a question; it is not a status request.
    const answering = !['none', 'intent', 'anything_else', 'correction'].includes(p.kind);
    for (const m of u.intents) {
      if (m.intent === 'status' && answering && !m.orderId) continue;
      const open = [this.current, ...this.queue].filter((t): t is Task => t !== null);
      const same = open.find(
        (t) => t.kind === m.intent && (!m.orderId || !t.orderId || t.orderId === m.orderId),
      );
      if (same) {
        if (m.orderId && !same.orderId) same.orderId = m.orderId;
        continue;
      }
      const t: Task = {
        kind: m.intent,
        itemTexts: [],
        everything: false,
        search: false,
        latest: false,
        pushback: false,
        asks: {},
        badIds: 0,
      };
      if (m.orderId) t.orderId = m.orderId;
      else if (this.lastRefusal && this.lastRefusal.kind === m.intent && this.lastRefusal.orderId) {
        t.orderId = this.lastRefusal.orderId;
        t.pushback = true;
      }
      created.push(t);
      this.queue.push(t);
      this.tasksSeen++;
    }
    // Details said in the same message go to the request they belong to.
    for (const t of created) {
      if (t.kind === 'return') {
        t.itemTexts.unshift(u.text);
        t.everything = u.everything;
        if (u.itemIds.length) t.itemIds = u.itemIds;
        if (u.refundMethod) t.refundMethod = u.refundMethod;
      }
      if (t.kind === 'address' && u.address) t.address = u.address;
      if (t.kind === 'cancel' && u.reason) t.reason = u.reason;
      if (u.latest && !t.orderId) {
        t.latest = true;
        t.search = true;
      }
      if (!t.orderId && t.kind !== 'return' && u.text) t.itemTexts.unshift(u.text);
    }
    return created;
  }

  /** Answers to the question in hand. True when the message filled something. */
  private fillSlots(u: Understanding, p: Pending): boolean {
    const t = this.current ?? this.queue[0];
    if (!t) return false;
    let filled = false;
    const idFromMention = u.intents.some((m) => m.orderId);
    if (!t.orderId && u.orderIds.length && !idFromMention) {
      t.orderId = u.orderIds[0];
      filled = true;
    }
    if (p.kind === 'order_id' && !t.orderId && !u.closing) {
      if (u.dontKnow || u.latest || u.negate) {
        t.search = true;
        t.latest = t.latest || u.latest;
        filled = true;
      } else if (u.text.trim() && !u.asksWhy && !u.text.includes('?')) {
        // "The one with The Hobbit in it."
        t.itemTexts.unshift(u.text);
        t.search = true;
        filled = true;
      }
    }
    if (t.kind === 'return') {
      const asked = ['order_id', 'items', 'intent', 'none', 'anything_else'].includes(p.kind);
      if (u.itemIds.length) {
        t.itemIds = u.itemIds;
        filled = true;
      } else if (asked && !t.itemTexts.includes(u.text)) {
        t.itemTexts.unshift(u.text);
        if (p.kind === 'items') filled = true;
      }
      if (u.everything && asked) {
        t.everything = true;
        filled = true;
      }
      if (u.refundMethod) {
        t.refundMethod = u.refundMethod;
        filled = true;
      }
    }
    if (t.kind === 'address' && u.address) {
      t.address = u.address;
      filled = true;
    }
    if (t.kind === 'cancel' && u.reason && !t.reason) t.reason = u.reason;
    return filled;
  }

  private onOutOfScope(label: string, u: Understanding): void {
    if (!this.outOfScope) this.outOfScope = { label, count: 0, turn: this.userTurns };
    const oos = this.outOfScope;
    oos.turn = this.userTurns;
    if (u.orderIds[0]) oos.orderId = u.orderIds[0];
    oos.count++;
    if (oos.count >= 2) {
      this.transferWanted = true;
      return;
    }
    const why: Record<string, string> = {
      'a price adjustment': "we don't offer price adjustments or refunds of price differences after a purchase",
      'an exchange': "we don't do exchanges; a delivered book can be returned within 30 days and a new one ordered",
    };
    this.hold = {
      text: `I'm sorry, but I can't help with ${label}: ${why[label] ?? "that's outside what I can do here"}. I can help with order status and tracking, cancellations, shipping-address changes and returns. Is there anything else I can help you with?`,
      acts: [{ act: 'refuse', value: label }, { act: 'reqmore' }],
    };
    this.pending = { kind: 'anything_else' };
  }

  /* -------------------------------------------------------- tool results */

  private onResult(call: ToolCall): void {
    const r = call.result;
    const args = call.arguments;
    switch (call.name) {
      case 'find_customer': {
        const customer = r.ok ? parseCustomer(r.value) : null;
        if (customer) {
          this.customer = customer;
          this.note(
            this.v([
              `Thank you, ${firstName(customer.name)} — I've found your account.`,
              `Thanks, ${firstName(customer.name)}, I have your account here.`,
            ]),
          );
          return;
        }
        if (typeof args['email'] === 'string') {
          this.emailFailures++;
          this.email = undefined;
          this.note(`I couldn't find an account with the email ${args['email']}.`);
          if (this.emailFailures >= 2) this.emailUnknown = true;
        } else {
          this.note(`I couldn't find an account for ${str(args['name'])} with zip code ${str(args['zip'])}.`);
          this.name = undefined;
          this.zip = undefined;
        }
        return;
      }
      case 'get_order': {
        const id = str(args['order_id']).toUpperCase();
        const order = r.ok ? parseOrder(r.value) : null;
        if (order) {
          this.orders.set(order.id, order);
          return;
        }
        this.missingOrders.add(id);
        return;
      }
      case 'cancel_order':
      case 'return_items':
      case 'update_shipping_address':
        this.onWriteResult(call);
        return;
      case 'transfer_to_human':
        if (r.ok) this.transferred = true;
        else this.note("I'm sorry, I wasn't able to reach a colleague just now.");
        return;
      default:
        return;
    }
  }

  private onWriteResult(call: ToolCall): void {
    const t = this.writing;
    this.writing = null;
    const r = call.result;
    if (t) this.finishTask(t);
    if (!r.ok) {
      this.note(`I'm sorry — that didn't go through: ${r.error.message}`, [
        { act: 'refuse', slot: call.name, value: r.error.message },
      ]);
      return;
    }
    const value = isObject(r.value) ? r.value : {};
    const order = parseOrder(value['order']);
    if (order) this.orders.set(order.id, order);
    const id = order?.id ?? str(call.arguments['order_id']);
    const refund = isObject(value['refund']) ? value['refund'] : {};
    const amount = num(refund['amount']);
    const to = str(refund['refunded_to']);
    switch (call.name) {
      case 'cancel_order': {
        const text = `Done — order ${id} is now cancelled. A refund of ${money(amount)} will go back to your original payment method (${to}), usually within 5–7 business days.`;
        this.note(text, [
          { act: 'done', slot: 'cancel_order', value: `order ${id} cancelled` },
          { act: 'inform', slot: 'refund_amount', value: money(amount) },
        ]);
        return;
      }
      case 'return_items': {
        const returned = (Array.isArray(value['returned_items']) ? value['returned_items'] : [])
          .filter(isObject)
          .map((i) => str(i['title']));
        const what = returned.length ? joinList(returned) : 'the items';
        let text = `Done — I've processed the return of ${what} from order ${id}.`;
        if (refund['method'] === 'store_credit') {
          const balance = num(value['store_credit_balance']);
          if (this.customer) this.customer.storeCredit = balance;
          text += ` ${money(amount)} has been added to your store credit; your balance is now ${money(balance)}.`;
        } else {
          text += ` A refund of ${money(amount)} will go back to your original payment method (${to}), usually within 5–7 business days.`;
        }
        this.note(text, [
          { act: 'done', slot: 'return_items', value: `${what} returned from ${id}` },
          { act: 'inform', slot: 'refund_amount', value: money(amount) },
        ]);
        return;
      }
      case 'update_shipping_address': {
        const address = str(value['shipping_address']) || str(call.arguments['address']);
        this.note(`Done — order ${id} will now be shipped to ${address}.`, [
          { act: 'done', slot: 'update_shipping_address', value: `${id} → ${address}` },
        ]);
        return;
      }
      default:
        return;
    }
  }

  /* --------------------------------------------------------- the policy */

  private advance(): ParticipantReply {
    for (let i = 0; i < 16; i++) {
      const reply = this.step();
      if (reply) return reply;
    }
    this.pending = { kind: 'intent' };
    return this.say(this.clarifyText(), [{ act: 'request', slot: 'intent' }]);
  }

  /** One decision: a reply to send, or null when the state moved on and the next decision is due. */
  private step(): ParticipantReply | null {
    if (this.hold) {
      const h = this.hold;
      this.hold = null;
      return this.say(h.text, h.acts);
    }
    if (this.transferred) {
      return this.say(
        "I've passed your request to a colleague on our customer team, who will pick it up from here. Thank you for your patience.",
        [{ act: 'transfer' }],
      );
    }
    if (this.approvedWrite) {
      const call = this.approvedWrite;
      this.approvedWrite = null;
      return this.callTools([call]) ?? this.stuck();
    }
    if (this.transferWanted) {
      this.transferWanted = false;
      return this.callTools([{ name: 'transfer_to_human', arguments: { summary: this.transferSummary() } }]) ?? this.stuck();
    }
    if (this.byeNext) {
      this.byeNext = false;
      this.current = null;
      this.queue = [];
      this.pending = { kind: 'none' };
      return this.say(
        this.thanked
          ? this.v(["You're welcome! Take care, and happy reading.", "You're very welcome. Have a lovely day!"])
          : this.v(['Thank you for contacting Folio & Quill Books. Have a lovely day!', 'Thanks for getting in touch, and happy reading! Goodbye.']),
        [{ act: 'bye' }],
      );
    }
    if (!this.customer) return this.identify();
    if (!this.current) this.current = this.queue.shift() ?? null;
    const t = this.current;
    if (!t) return this.wrapUp();
    return this.work(t);
  }

  private identify(): ParticipantReply | null {
    const hasTask = this.current !== null || this.queue.length > 0;
    if (this.email) {
      const call = { name: 'find_customer', arguments: { email: this.email } };
      if (!this.triedLookups.has(callKey(call))) return this.callTools([call]) ?? this.stuck();
      this.email = undefined;
    }
    if (this.name && this.zip) {
      const call = { name: 'find_customer', arguments: { name: this.name, zip: this.zip } };
      if (!this.triedLookups.has(callKey(call))) return this.callTools([call]) ?? this.stuck();
      this.note(`I still can't find an account for ${this.name} with zip code ${this.zip}.`);
      this.name = undefined;
      this.zip = undefined;
    }
    if (!hasTask && !this.name && !this.zip && !this.emailUnknown && this.emailFailures === 0) {
      return this.askIntent();
    }
    if (this.emailUnknown || this.name || this.zip) {
      this.pending = { kind: 'name_zip' };
      if (this.name && !this.zip) {
        return this.say(`Thanks. And what is the zip code on your account, ${firstName(this.name)}?`, [{ act: 'request', slot: 'zip' }]);
      }
      if (this.zip && !this.name) {
        return this.say('Thanks. And what is your full name, as it appears on the account?', [{ act: 'request', slot: 'name' }]);
      }
      return this.say(
        this.v([
          "No problem — I can look you up another way. What's your full name and the zip code on your account?",
          'That\'s fine. Could you give me your full name and the zip code of your account address instead?',
        ]),
        [{ act: 'request', slot: 'name' }, { act: 'request', slot: 'zip' }],
      );
    }
    this.pending = { kind: 'email' };
    this.emailAsks++;
    const text =
      this.emailFailures > 0
        ? "Could you double-check the email address? If you don't have it to hand, I can also find your account with your full name and zip code."
        : this.emailAsks > 1
          ? "Could you tell me the email address on your account? If you don't know it, your full name and zip code work too."
          : this.v([
            'I can help with that. First, could you tell me the email address on your account?',
            'Happy to help. To look you up, may I have the email address on your account?',
            'Sure. Could you give me the email address you used for your account, so I can find it?',
          ]);
    return this.say(text, [{ act: 'request', slot: 'email' }]);
  }

  private askIntent(): ParticipantReply {
    this.pending = { kind: 'intent' };
    if (this.misunderstood > 0 && this.vagueHelp) {
      return this.say(
        "Of course, I'm happy to help. What would you like to do — check where an order is, cancel it, change its shipping address, or return something?",
        [{ act: 'request', slot: 'intent' }],
      );
    }
    if (this.misunderstood > 0) {
      return this.say(this.clarifyText(), [{ act: 'request', slot: 'intent' }]);
    }
    return this.say(
      this.v(['How can I help you today?', 'What can I do for you today?', 'How may I help you?']),
      [{ act: 'request', slot: 'intent' }],
    );
  }

  private clarifyText(): string {
    return "I'm sorry, I didn't quite catch that. I can help with order status and tracking, cancelling an order, changing a shipping address, or returning items — what would you like to do?";
  }

  private wrapUp(): ParticipantReply {
    this.pending = { kind: 'anything_else' };
    if (this.askWhatElse) {
      return this.say(this.v(['Of course — what else can I help you with?', 'Sure, what else can I do for you?']), [
        { act: 'request', slot: 'intent' },
      ]);
    }
    if (this.tasksSeen === 0) return this.askIntent();
    return this.say(
      this.v([
        'Is there anything else I can help you with?',
        'Is there anything else I can do for you today?',
        'Can I help you with anything else?',
      ]),
      [{ act: 'reqmore' }],
    );
  }

  /** When a needed lookup cannot be made: ask the user rather than call the tool again. */
  private stuck(): ParticipantReply {
    const t = this.current;
    if (t) {
      t.orderId = undefined;
      t.search = false;
      this.pending = { kind: 'order_id' };
      return this.say(
        "I'm sorry, I'm having trouble pulling that up. Could you give me the order number again (it starts with BK-)?",
        [{ act: 'request', slot: 'order_id' }],
      );
    }
    this.pending = { kind: 'intent' };
    return this.say(
      "I'm sorry, something went wrong on my side. Could you tell me again what you'd like me to do?",
      [{ act: 'reqmore' }],
    );
  }

  private finishTask(t: Task): void {
    if (this.current === t) this.current = null;
    this.queue = this.queue.filter((q) => q !== t);
  }

  private refuse(t: Task, text: string): void {
    const full = t.pushback ? `I'm sorry, but I can't make an exception. ${text}` : text;
    this.note(full, [{ act: 'refuse', slot: toolFor(t.kind), value: text }]);
    this.lastRefusal = { kind: t.kind, text, repeats: t.pushback ? 1 : 0, turn: this.userTurns };
    if (t.orderId) this.lastRefusal.orderId = t.orderId;
    this.finishTask(t);
  }

  private giveUp(t: Task): null {
    this.note("I'm sorry, I wasn't able to work out the details for that request, so I've left everything as it is.");
    this.finishTask(t);
    return null;
  }

  private work(t: Task): ParticipantReply | null {
    const customer = this.customer!;
    if (!t.orderId) {
      const reply = this.resolveOrder(t, customer);
      if (reply || !t.orderId) return reply;
    }
    const id = t.orderId!;
    if (!customer.orderIds.includes(id)) {
      this.note(`I don't see an order ${id} on your account.`);
      t.orderId = undefined;
      t.badIds++;
      if (t.badIds >= 2) t.search = true;
      return null;
    }
    const order = this.orders.get(id);
    if (!order) {
      if (this.missingOrders.has(id)) {
        this.note(`I'm sorry, I couldn't pull up order ${id}.`);
        t.orderId = undefined;
        t.badIds++;
        if (t.badIds >= 2) return this.giveUp(t);
        return null;
      }
      return this.callTools([{ name: 'get_order', arguments: { order_id: id } }]) ?? this.stuck();
    }
    switch (t.kind) {
      case 'status':
        return this.reportStatus(t, order);
      case 'cancel':
        return this.workCancel(t, order);
      case 'address':
        return this.workAddress(t, order);
      case 'return':
        return this.workReturn(t, order);
      default: {
        const never: never = t.kind;
        return never;
      }
    }
  }

  /** Finds the order a request is about: asks for its number, or looks through the account. */
  private resolveOrder(t: Task, customer: Customer): ParticipantReply | null {
    if (customer.orderIds.length === 0) {
      this.refuse(t, "I don't see any orders on your account.");
      return null;
    }
    if (customer.orderIds.length === 1) {
      t.orderId = customer.orderIds[0]!;
      return null;
    }
    if (!t.search && asked(t, 'order_id') >= 2) t.search = true;
    if (!t.search) {
      const n = ask(t, 'order_id');
      this.pending = { kind: 'order_id' };
      const what = { cancel: 'cancel', return: 'return items from', address: 'update', status: 'check on' }[t.kind];
      return this.say(
        n > 1
          ? "Sorry, I still need the order number — it starts with BK-. If you don't have it, just say so and I'll look through your orders."
          : this.v([
              `Which order would you like to ${what}? Could you give me the order number (it starts with BK-)?`,
              `Could you tell me the order number of the order you'd like to ${what}? You'll find it in your confirmation email; it starts with BK-.`,
            ]),
        [{ act: 'request', slot: 'order_id' }],
      );
    }
    if (asked(t, 'order_id') > MAX_ASKS) return this.giveUp(t);
    const unloaded = customer.orderIds.filter((id) => !this.orders.has(id) && !this.missingOrders.has(id));
    if (unloaded.length > 0) {
      return (
        this.callTools(unloaded.slice(0, MAX_ORDER_FETCH).map((id) => ({ name: 'get_order', arguments: { order_id: id } }))) ??
        this.stuck()
      );
    }
    const mine = customer.orderIds.map((id) => this.orders.get(id)).filter((o): o is Order => o !== undefined);
    const byItems = mine.filter((o) => t.itemTexts.some((text) => matchItems(text, this.named(o)).kind !== 'none'));
    let pool = byItems.length > 0 ? byItems : mine;
    if (t.latest) pool = [latestOf(pool)!];
    const eligible = pool.filter((o) => this.eligible(t.kind, o));
    // Nothing in transit: the status of the most recent order is still an answer.
    const newest = t.kind === 'status' && eligible.length === 0 ? latestOf(pool) : undefined;
    const chosen = eligible.length === 1 ? eligible[0] : pool.length === 1 ? pool[0] : newest;
    if (chosen) {
      t.orderId = chosen.id;
      this.note(
        `I found your order ${chosen.id} (${titles(chosen.items)}), placed on ${day(chosen.placedOn)}.`,
        [{ act: 'inform', slot: 'order_id', value: chosen.id }],
      );
      return null;
    }
    if (eligible.length > 1) {
      t.search = false;
      ask(t, 'order_id');
      this.pending = { kind: 'order_id' };
      const list = eligible.map((o) => `${o.id} (${titles(o.items)}, ${o.status})`);
      return this.say(`I see several orders that could be the one: ${joinList(list)}. Which one do you mean?`, [
        { act: 'request', slot: 'order_id' },
      ]);
    }
    const list = joinList(mine.map((o) => `${o.id} (${o.status})`));
    const rule = {
      cancel: 'orders can only be cancelled while they are still processing',
      address: 'the shipping address can only be changed while an order is still processing',
      return: `only delivered orders can be returned, within ${RETURN_WINDOW_DAYS} days of delivery`,
      status: 'none of them is still on its way',
    }[t.kind];
    this.refuse(t, `I've looked through your orders — ${list} — and none of them qualifies: ${rule}.`);
    return null;
  }

  private eligible(kind: Intent, o: Order): boolean {
    switch (kind) {
      case 'cancel':
      case 'address':
        return o.status === 'processing';
      case 'status':
        return o.status === 'processing' || o.status === 'shipped';
      case 'return':
        return (
          o.status === 'delivered' &&
          o.items.some((i) => i.status !== 'returned') &&
          (!this.today || !o.deliveredOn || daysBetween(o.deliveredOn, this.today) <= RETURN_WINDOW_DAYS)
        );
      default:
        return false;
    }
  }

  private named(o: Order): NamedItem[] {
    return o.items.map((i) => ({ item_id: i.itemId, title: i.title, format: i.format }));
  }

  private reportStatus(t: Task, o: Order): null {
    const what = `Order ${o.id} (${titles(o.items)})`;
    const acts: DialogueAct[] = [{ act: 'inform', slot: 'status', value: o.status }];
    let text: string;
    switch (o.status) {
      case 'processing':
        text = `${what} was placed on ${day(o.placedOn)} and is still being prepared; it hasn't shipped yet, so there is no tracking number so far.`;
        break;
      case 'shipped':
        text = `${what} has shipped${o.carrier ? ` with ${o.carrier}` : ''} and is on its way. The tracking number is ${o.tracking ?? 'not available yet'}.`;
        break;
      case 'delivered':
        text = `${what} was delivered on ${day(o.deliveredOn)}${o.tracking ? ` (tracking number ${o.tracking})` : ''}.`;
        break;
      case 'cancelled':
        text = `${what} was cancelled on ${day(o.cancelledOn)}, and its refund has been issued.`;
        break;
      default:
        text = `${what} has the status "${o.status}".`;
    }
    if (o.tracking) acts.push({ act: 'inform', slot: 'tracking_number', value: o.tracking });
    this.note(text, acts);
    this.finishTask(t);
    return null;
  }

  private workCancel(t: Task, o: Order): ParticipantReply | null {
    if (o.status !== 'processing') {
      const text =
        o.status === 'shipped'
          ? `Order ${o.id} has already shipped, so it can no longer be cancelled — shipped orders can't be cancelled. Once it's delivered, you can return it within ${RETURN_WINDOW_DAYS} days of delivery.`
          : o.status === 'delivered'
            ? `Order ${o.id} was delivered on ${day(o.deliveredOn)}, so it can't be cancelled; delivered orders can be returned within ${RETURN_WINDOW_DAYS} days of delivery instead.`
            : o.status === 'cancelled'
              ? `Order ${o.id} is already cancelled, and its refund has been issued.`
              : `Order ${o.id} is ${o.status}, so it can't be cancelled.`;
      this.refuse(t, text);
      return null;
    }
    const summary = `cancel order ${o.id} (${titles(o.items)}) and refund the full total of ${money(o.total)} to your original payment method (${o.payment})`;
    return this.propose('cancel_order', { order_id: o.id, reason: t.reason ?? 'customer request' }, summary);
  }

  private workAddress(t: Task, o: Order): ParticipantReply | null {
    if (o.status !== 'processing') {
      const text =
        o.status === 'cancelled'
          ? `Order ${o.id} is cancelled, so there is no shipment to redirect.`
          : `Order ${o.id} has already ${o.status === 'delivered' ? 'been delivered' : 'shipped'}, so its shipping address can no longer be changed — addresses can only be changed while an order is still processing.`;
      this.refuse(t, text);
      return null;
    }
    if (!t.address) {
      const n = ask(t, 'address');
      if (n > MAX_ASKS) return this.giveUp(t);
      this.pending = { kind: 'address' };
      const text =
        n > 1
          ? 'Sorry, I couldn\'t read that as a complete address. Could you write it on one line as street, city, state and zip code — for example "48 Alder Lane, Portland, OR 97205"?'
          : `Order ${o.id} is currently going to ${o.shippingAddress}. What is the new shipping address? Please give the street, city, two-letter state and zip code on one line.`;
      return this.say(text, [{ act: 'request', slot: 'address' }]);
    }
    if (sameAddress(t.address, o.shippingAddress)) {
      this.note(`Order ${o.id} is already set to ship to ${o.shippingAddress}, so there's nothing to change.`, [
        { act: 'inform', slot: 'address', value: o.shippingAddress },
      ]);
      this.finishTask(t);
      return null;
    }
    const summary = `change the shipping address of order ${o.id} to ${t.address}`;
    return this.propose('update_shipping_address', { order_id: o.id, address: t.address }, summary);
  }

  private workReturn(t: Task, o: Order): ParticipantReply | null {
    if (o.status !== 'delivered') {
      const text =
        o.status === 'processing'
          ? `Order ${o.id} hasn't shipped yet, so there's nothing to return — I can cancel it instead if you like.`
          : o.status === 'shipped'
            ? `Order ${o.id} is still on its way; items can be returned once the order has been delivered.`
            : `Order ${o.id} was cancelled, so there is nothing to return.`;
      this.refuse(t, text);
      return null;
    }
    if (this.today && o.deliveredOn) {
      const age = daysBetween(o.deliveredOn, this.today);
      if (age > RETURN_WINDOW_DAYS) {
        this.refuse(
          t,
          `Order ${o.id} was delivered on ${day(o.deliveredOn)}, ${age} days ago, and returns are only accepted within ${RETURN_WINDOW_DAYS} days of delivery, so I can't process this return.`,
        );
        return null;
      }
    }
    const returnable = o.items.filter((i) => i.status !== 'returned');
    if (returnable.length === 0) {
      this.refuse(t, `All the items in order ${o.id} have already been returned.`);
      return null;
    }
    if (!t.itemIds) {
      if (t.everything) t.itemIds = returnable.map((i) => i.itemId);
      let ambiguous: string[] | undefined;
      for (const text of t.itemIds ? [] : t.itemTexts) {
        const m = matchItems(text, this.named(o));
        if (m.kind === 'match') {
          t.itemIds = m.ids;
          break;
        }
        if (m.kind === 'ambiguous' && !ambiguous) ambiguous = m.ids;
      }
      if (!t.itemIds && o.items.length === 1) t.itemIds = [o.items[0]!.itemId];
      if (!t.itemIds) {
        if (ask(t, 'items') > MAX_ASKS) return this.giveUp(t);
        this.pending = { kind: 'items' };
        if (ambiguous) {
          const options = o.items.filter((i) => ambiguous.includes(i.itemId)).map((i) => `${i.title} (${i.format}, ${money(i.price)})`);
          return this.say(`Just to be sure I return the right book: do you mean ${joinList(options, 'or')}?`, [
            { act: 'request', slot: 'items' },
          ]);
        }
        const list = o.items.map((i) => `${i.title} (${money(i.price)}${i.status === 'returned' ? ', already returned' : ''})`);
        return this.say(`Order ${o.id} contains ${joinList(list)}. Which of them would you like to return?`, [
          { act: 'request', slot: 'items' },
        ]);
      }
    }
    const chosen = o.items.filter((i) => t.itemIds!.includes(i.itemId));
    if (chosen.length === 0) {
      this.note(`I couldn't find those items in order ${o.id}.`);
      t.itemIds = undefined;
      t.itemTexts = [];
      t.everything = false;
      return null;
    }
    const already = chosen.filter((i) => i.status === 'returned');
    if (already.length > 0) {
      const refund = o.refunds.find((r) => r.itemIds.includes(already[0]!.itemId));
      const refundText = refund
        ? ` — a refund of ${money(refund.amount)} went to ${refund.method === 'store_credit' ? 'store credit' : `your original payment method (${o.payment})`} on ${day(refund.issuedOn)}`
        : '';
      const verb = already.length > 1 ? 'were' : 'was';
      if (already.length === chosen.length) {
        this.refuse(t, `${titles(already)} from order ${o.id} ${verb} already returned${refundText}, so ${already.length > 1 ? 'they' : 'it'} can't be returned again.`);
        return null;
      }
      this.note(`${titles(already)} ${verb} already returned, so I'll leave ${already.length > 1 ? 'them' : 'it'} out.`);
      t.itemIds = chosen.filter((i) => i.status !== 'returned').map((i) => i.itemId);
    }
    const items = chosen.filter((i) => i.status !== 'returned');
    const amount = round2(items.reduce((s, i) => s + i.price, 0));
    if (!t.refundMethod) {
      if (ask(t, 'refund_method') > MAX_ASKS) return this.giveUp(t);
      this.pending = { kind: 'refund_method' };
      return this.say(
        `The refund for ${titles(items)} would be ${money(amount)}. Would you like it back to your original payment method (${o.payment}), or as store credit on your account?`,
        [{ act: 'request', slot: 'refund_method' }],
      );
    }
    const ids = items.map((i) => i.itemId);
    const where =
      t.refundMethod === 'store_credit'
        ? 'as store credit to your account'
        : `to your original payment method (${o.payment})`;
    const summary = `return ${titles(items)} (item${ids.length > 1 ? 's' : ''} ${joinList(ids)}) from order ${o.id} and refund ${money(amount)} ${where}`;
    return this.propose('return_items', { order_id: o.id, item_ids: ids, refund_method: t.refundMethod }, summary);
  }

  private propose(tool: string, args: JsonObject, summary: string): ParticipantReply {
    this.pending = { kind: 'confirm', call: { name: tool, arguments: args }, summary, unclear: 0 };
    const lead = this.v(['To confirm', 'Just to confirm', 'Before I go ahead']);
    const ask = this.v(['Shall I go ahead?', 'Would you like me to proceed? (yes/no)', 'Is that right, and shall I go ahead?']);
    return this.say(`${lead}: I'll ${summary}. ${ask}`, [{ act: 'confirm', slot: tool, value: summary }]);
  }

  private transferSummary(): string {
    const given = [this.name, this.email].filter(Boolean).join(', ');
    const who = this.customer
      ? `${this.customer.name} (${this.customer.email})`
      : given
        ? `A customer not yet looked up (${given})`
        : 'An unidentified customer';
    const what = this.outOfScope?.label ?? 'help outside the policy';
    const order = this.outOfScope?.orderId ? ` on order ${this.outOfScope.orderId}` : '';
    return `${who} asks for ${what}${order}, which is outside policy; explained that we cannot do it, and the customer insisted on speaking to a person.`;
  }
}

function latestOf(orders: readonly Order[]): Order | undefined {
  return [...orders].sort((a, b) => b.placedOn.localeCompare(a.placedOn))[0];
}

/** Counts one more question for a slot; returns how many have been asked. */
function ask(t: Task, slot: string): number {
  t.asks[slot] = (t.asks[slot] ?? 0) + 1;
  return t.asks[slot];
}
function asked(t: Task, slot: string): number {
  return t.asks[slot] ?? 0;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The rule-based bookshop agent for one session. */
export function createBookshopAgent(ctx: AgentSeatContext): Participant {
  return new BookshopAgent(ctx);
}

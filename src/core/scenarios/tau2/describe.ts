/**
 * How a τ²-bench user says the records a task is about. A τ²-bench user is given a name, a zip
 * code, sometimes an order number, and a story in words ("exchange the mechanical keyboard for
 * the same one with clicky switches"); they never see item, variant or payment-method ids. The
 * gold actions, which the agenda simulator's goal is built from, hold exactly those ids. So a
 * goal value the user's own texts do not contain is said the way a person would: an item by its
 * product name (and its options where their orders hold two of that product), a new variant by
 * the options that change, a payment method by its kind and last digits. The ids stay in the
 * gold actions, for the checker only.
 *
 * Records are found by shape, not by table names, so the same reading serves any τ²-style
 * database: a catalog entry with `options` under a parent with a `name`, a payment method with
 * a `source`, an address with `address1`.
 */
import type { Json, JsonObject } from '../../model/types.ts';
import { sayValue, type ArgumentSayer, type UnsayableValue } from './user-side.ts';

/** What a user can say about one gold argument: slots with their values, or nothing. */
export type Said = Record<string, string>;

/** A record found by its id, with the record that holds it (a product holds its variants). */
interface Found {
  record: JsonObject;
  parent?: JsonObject;
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An index of every record kept under its own id as a key, found once per database. */
const indexes = new WeakMap<object, Map<string, Found>>();

function indexOf(db: JsonObject): Map<string, Found> {
  let index = indexes.get(db);
  if (index) return index;
  index = new Map();
  const walk = (value: Json, parent: JsonObject | undefined, depth: number) => {
    if (depth > 4) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, parent, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (isObject(v)) {
        if (!index!.has(key)) index!.set(key, { record: v, ...(parent ? { parent } : {}) });
        walk(v, v, depth + 1);
      } else if (Array.isArray(v)) walk(v, value, depth + 1);
    }
  };
  walk(db, undefined, 0);
  indexes.set(db, index);
  return index;
}

/** The record kept under `id`, anywhere in the database. */
export function findRecord(db: JsonObject, id: string): Found | undefined {
  return indexOf(db).get(id);
}

/** Normalised for "does the user's text say this": lower case, one space. */
function norm(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Whether `value` is written in one of the user's texts (an order number, a reason, an address line). */
export function userCanSay(value: string, userTexts: readonly string[]): boolean {
  const v = norm(value).replace(/^#/, '');
  if (!v) return true;
  return userTexts.some((t) => norm(t).includes(v));
}

/** "T-Shirt", or "T-Shirt in blue, size M" style: options as the words a person uses. */
export function optionWords(options: JsonObject, keys: readonly string[] = Object.keys(options)): string {
  return keys
    .map((k) => {
      const v = options[k];
      if (typeof v !== 'string' && typeof v !== 'number') return '';
      // "size M", "color blue": the option's name helps where the value alone is bare.
      return /^(size|capacity|length|storage)$/i.test(k) || String(v).length <= 2 ? `${k} ${v}` : String(v);
    })
    .filter(Boolean)
    .join(' ');
}

/** An item as its owner names it: the product's name, with its options when `withOptions`. */
export function describeItem(item: JsonObject, productName: string, withOptions: boolean): string {
  const options = isObject(item['options']) ? item['options'] : {};
  return withOptions && Object.keys(options).length ? `${productName} (${optionWords(options)})` : productName;
}

/** A payment method as its owner says it: "PayPal", "gift card", "Mastercard credit card ending in 2478". */
export function describePayment(method: JsonObject): string | undefined {
  const source = typeof method['source'] === 'string' ? method['source'] : undefined;
  if (!source) return undefined;
  const kind = source === 'paypal' ? 'PayPal' : source.replace(/_/g, ' ');
  const brand = typeof method['brand'] === 'string' ? method['brand'] : undefined;
  const last = typeof method['last_four'] === 'string' || typeof method['last_four'] === 'number' ? String(method['last_four']) : undefined;
  const brandWord = brand ? brand.charAt(0).toUpperCase() + brand.slice(1) : undefined;
  return [brandWord, kind, last ? `ending in ${last}` : undefined].filter(Boolean).join(' ');
}

/** The items of the order a gold action works on, by item id. */
function orderItems(db: JsonObject, args: Record<string, Json>): { items: JsonObject[]; byId: Map<string, JsonObject>; owned: JsonObject[] } {
  const orderId = typeof args['order_id'] === 'string' ? args['order_id'] : undefined;
  const order = orderId ? findRecord(db, orderId)?.record : undefined;
  const linesOf = (o: JsonObject | undefined) => (Array.isArray(o?.['items']) ? o['items'].filter(isObject) : []);
  const items = linesOf(order);
  const byId = new Map<string, JsonObject>();
  for (const it of items) if (typeof it['item_id'] === 'string') byId.set(it['item_id'], it);
  // Every line of every order of the same person: what else they could mean by "the T-Shirt".
  const userId = typeof order?.['user_id'] === 'string' ? order['user_id'] : undefined;
  const user = userId ? findRecord(db, userId)?.record : undefined;
  const orderIds = Array.isArray(user?.['orders']) ? user['orders'].filter((o): o is string => typeof o === 'string') : [];
  const owned = orderIds.length > 0 ? orderIds.flatMap((id) => linesOf(findRecord(db, id)?.record)) : items;
  return { items, byId, owned };
}

/** The product name of an item id: from the order line, else from the catalog entry's parent. */
function itemName(db: JsonObject, id: string, line: JsonObject | undefined): string | undefined {
  if (line && typeof line['name'] === 'string') return line['name'];
  const found = findRecord(db, id);
  const name = found?.parent?.['name'];
  return typeof name === 'string' ? name : undefined;
}

function strings(v: Json | undefined): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  return undefined;
}

/** Slot names as the agenda user keeps them: "switch type" → "switch_type". */
function slotName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/**
 * What the user says for the items a write is about (`item_ids`) and the ones they want instead
 * (`new_item_ids`), read from the database: the items by product name, with their options when
 * the person's orders hold two of that product; each new variant by the options that differ from the
 * item it replaces, as `new_<option>` slots. Undefined when the ids are not items of this
 * database (the caller reports them).
 */
export function describeItems(db: JsonObject, args: Record<string, Json>): { said: Said; described: Set<string> } | undefined {
  const ids = strings(args['item_ids']);
  if (!ids) return undefined;
  const { byId, owned } = orderItems(db, args);
  const names = ids.map((id) => itemName(db, id, byId.get(id)));
  if (names.some((n) => n === undefined)) return undefined;
  const said: Said = {};
  const described = new Set<string>(['item_ids']);
  const sameName = (n: string) => owned.filter((it) => it['name'] === n).length;
  said['items'] = ids
    .map((id, i) => {
      const line = byId.get(id) ?? findRecord(db, id)?.record;
      return line && sameName(names[i]!) > 1 ? describeItem(line, names[i]!, true) : names[i]!;
    })
    .join(', ');
  const newIds = strings(args['new_item_ids']);
  if (newIds) {
    const wanted = new Map<string, Set<string>>();
    for (let i = 0; i < newIds.length; i++) {
      const fresh = findRecord(db, newIds[i]!)?.record;
      const old = byId.get(ids[i] ?? '') ?? findRecord(db, ids[i] ?? '')?.record;
      const to = isObject(fresh?.['options']) ? fresh['options'] : undefined;
      if (!to) return undefined;
      const from = isObject(old?.['options']) ? old['options'] : {};
      for (const [k, v] of Object.entries(to)) {
        if (from[k] === v || (typeof v !== 'string' && typeof v !== 'number')) continue;
        const slot = `new_${slotName(k)}`;
        if (!wanted.has(slot)) wanted.set(slot, new Set());
        wanted.get(slot)!.add(String(v));
      }
    }
    for (const [slot, values] of wanted) said[slot] = [...values].join(', ');
    described.add('new_item_ids');
  }
  return { said, described };
}

/** The payment method a write names, as the user says it; undefined when it is not one of the database's. */
export function describePaymentArg(db: JsonObject, id: string): string | undefined {
  const found = findRecord(db, id);
  return found ? describePayment(found.record) : undefined;
}

/** Whether `v` is a value the user may simply not care to say (empty, a boolean, a number). */
export function isBareValue(v: Json | undefined): boolean {
  return v === undefined || v === null || v === '' || typeof v === 'boolean';
}

/**
 * The lines of the addresses a person has: their own record's, and those their orders went to.
 * A person knows where they live and where they had things sent ("deliver it to Suite 641
 * instead" keeps the rest of the address they know).
 */
function ownAddressValues(db: JsonObject, args: Record<string, Json>): Set<string> {
  const out = new Set<string>();
  const orderId = typeof args['order_id'] === 'string' ? args['order_id'] : undefined;
  const order = orderId ? findRecord(db, orderId)?.record : undefined;
  const userId = typeof args['user_id'] === 'string' ? args['user_id'] : typeof order?.['user_id'] === 'string' ? order['user_id'] : undefined;
  const user = userId ? findRecord(db, userId)?.record : undefined;
  if (!user) return out;
  const addresses: Json[] = [user['address'] ?? null];
  const orders = Array.isArray(user['orders']) ? user['orders'] : [];
  for (const id of orders) if (typeof id === 'string') addresses.push(findRecord(db, id)?.record['address'] ?? null);
  for (const a of addresses) if (isObject(a)) for (const v of Object.values(a)) if (typeof v === 'string' && v.trim()) out.add(v);
  return out;
}

/**
 * The arguments of a gold write as this user says them (see the module comment): a value their
 * own texts hold, or one of a closed list of words ("ordered by mistake"), or a line of an address
 * they have (their own, or one an order of theirs went to), is said as it is; an order
 * they do not know the number of, by the items in it; item ids are said as items and the options wanted instead; a
 * payment method by its kind; an id of a record the agent reaches from the user's account (an
 * order, the user) is left for the agent to find; anything else is unsayable, and reported.
 */
export function userSayer(
  db: JsonObject | undefined,
  userTexts: readonly string[],
  /** Whether a value is one of a closed list of words the argument takes (an enum): the user picks it by meaning. */
  isChoice: (tool: string, arg: string, value: string) => boolean = () => false,
): ArgumentSayer {
  return (action, compared) => {
    const expect: Record<string, string> = {};
    const unsayable: UnsayableValue[] = [];
    const own = db ? ownAddressValues(db, action.arguments) : new Set<string>();
    const items = db && compared.includes('item_ids') ? describeItems(db, action.arguments) : undefined;
    if (items) Object.assign(expect, items.said);
    for (const arg of compared) {
      const v = action.arguments[arg];
      if (isBareValue(v) || items?.described.has(arg)) continue;
      const value = sayValue(v!);
      const parts = strings(v) ?? [value];
      if (isChoice(action.name, arg, value) || parts.every((p) => userCanSay(p, userTexts) || own.has(p))) {
        expect[arg] = value;
        continue;
      }
      const found = db && typeof v === 'string' ? findRecord(db, v) : undefined;
      const payment = found && typeof found.record['source'] === 'string' ? describePayment(found.record) : undefined;
      if (payment) {
        expect[arg.replace(/_id$/, '')] = payment;
        continue;
      }
      // A record the agent finds from the user's account (their order, their user id): the user
      // need not say its id; an order they name by what is in it ("the one with the kettle and
      // the boots"), unless the request's items already say which. Anything else the user cannot know.
      if (found && /(^|_)(order|user|customer|account)_id$/.test(arg)) {
        const lines = Array.isArray(found.record['items']) ? found.record['items'].filter(isObject) : [];
        const names = [...new Set(lines.map((l) => l['name']).filter((n): n is string => typeof n === 'string'))];
        if (names.length > 0 && expect['items'] === undefined && !compared.includes('item_ids')) expect['items'] = names.join(', ');
        continue;
      }
      unsayable.push({ tool: action.name, arg, value });
    }
    return { expect, unsayable };
  };
}

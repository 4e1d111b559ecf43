/**
 * The "tau2-retail" domain: a toolset compatible with τ²-bench's retail domain (Sierra
 * Research, MIT), written from its tool descriptions, its policy and the outcomes its own
 * environment gives (../shared/data/tau2-bench/retail/gold-replay-expected.json). Same tool
 * names, arguments, effects and error messages, so that replaying a task's gold actions here
 * gives the database τ²-bench's environment gives, down to the last float digit.
 *
 * Faithful on purpose, including τ²-bench's quirks, because the DB reward compares final
 * states with the gold replay of τ²-bench's own code:
 * - `modify_pending_order_items` gives every modified item the price and options of the
 *   *last* new item in the list, and records the price difference unrounded;
 * - `cancel_pending_order` refunds every entry of the payment history, refunds included;
 * - look-ups are exact (no case folding of ids; names and emails compare case-insensitively).
 * Money follows Python: sums in the same order, `round(x, 2)` with ties to even.
 *
 * The database is τ²-bench's db.json as is: { products, users, orders }, each keyed by id.
 */
import type { Json, JsonObject, ToolSpec } from '../../model/types.ts';
import { ToolError, type DomainImpl, type ToolImpl } from '../domain.ts';
import { compareCodePoints, evalPythonArithmetic, pyFloatRepr, pyJsonDumpsSortedStringMap, pyRound, PyEvalError } from '../tau2/python.ts';

export const TAU2_RETAIL_DOMAIN_ID = 'tau2-retail';

/* ---------------------------------------------------------------- helpers */

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A top-level table; a malformed database is a crash, not the agent's fault. */
function table(db: JsonObject, name: 'products' | 'users' | 'orders'): JsonObject {
  const t = db[name];
  if (!isObject(t)) throw new Error(`retail database has no "${name}" table`);
  return t;
}

function lookup(db: JsonObject, name: 'products' | 'users' | 'orders', id: Json | undefined, notFound: string): JsonObject {
  const t = table(db, name);
  if (typeof id !== 'string' || !Object.hasOwn(t, id)) throw new ToolError(notFound);
  const record = t[id];
  if (!isObject(record)) throw new Error(`retail database: ${name}["${id}"] is not a record`);
  return record;
}

const getOrder = (db: JsonObject, id: Json | undefined) => lookup(db, 'orders', id, 'Order not found');
const getUser = (db: JsonObject, id: Json | undefined) => lookup(db, 'users', id, 'User not found');
const getProduct = (db: JsonObject, id: Json | undefined) => lookup(db, 'products', id, 'Product not found');

function variantsOf(product: JsonObject): JsonObject {
  const v = product['variants'];
  return isObject(v) ? v : {};
}

function getVariant(db: JsonObject, productId: Json | undefined, itemId: Json | undefined): JsonObject {
  const variants = variantsOf(getProduct(db, productId));
  if (typeof itemId !== 'string' || !Object.hasOwn(variants, itemId) || !isObject(variants[itemId])) {
    throw new ToolError('Variant not found');
  }
  return variants[itemId] as JsonObject;
}

function getPaymentMethod(db: JsonObject, userId: Json | undefined, paymentMethodId: Json | undefined): JsonObject {
  const user = getUser(db, userId);
  const methods = isObject(user['payment_methods']) ? user['payment_methods'] : {};
  if (typeof paymentMethodId !== 'string' || !Object.hasOwn(methods, paymentMethodId) || !isObject(methods[paymentMethodId])) {
    throw new ToolError('Payment method not found');
  }
  return methods[paymentMethodId] as JsonObject;
}

const isGiftCard = (method: JsonObject) => method['source'] === 'gift_card';

function num(value: Json | undefined, what: string): number {
  if (typeof value !== 'number') throw new Error(`retail database: ${what} is not a number`);
  return value;
}

function items(order: JsonObject): JsonObject[] {
  return Array.isArray(order['items']) ? order['items'].filter(isObject) : [];
}

function payments(order: JsonObject): JsonObject[] {
  if (!Array.isArray(order['payment_history'])) order['payment_history'] = [];
  return order['payment_history'] as JsonObject[];
}

function list(args: JsonObject, name: string): Json[] {
  const v = args[name];
  return Array.isArray(v) ? v : [];
}

/** Python's str() of a JSON value inside an error message. */
function pyStr(v: Json | undefined): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  return JSON.stringify(v ?? null);
}

function count(values: readonly Json[], value: Json): number {
  return values.filter((v) => v === value).length;
}

/** Python's sorted() for the lists of ids the write tools store. */
function sortedIds(values: readonly Json[]): Json[] {
  return [...values].sort((a, b) => compareCodePoints(pyStr(a), pyStr(b)));
}

function addressFrom(args: JsonObject): JsonObject {
  return {
    address1: args['address1'] ?? null,
    address2: args['address2'] ?? null,
    city: args['city'] ?? null,
    country: args['country'] ?? null,
    state: args['state'] ?? null,
    zip: args['zip'] ?? null,
  };
}

/** Looser than `status === 'pending'`: "pending (item modified)" counts too, as in τ²-bench. */
const isPendingLike = (order: JsonObject) => typeof order['status'] === 'string' && order['status'].includes('pending');

/* ------------------------------------------------------------------ tools */

const calculate: ToolImpl = (_db, args) => {
  const expression = typeof args['expression'] === 'string' ? args['expression'] : '';
  if (![...expression].every((c) => '0123456789+-*/(). '.includes(c))) {
    throw new ToolError('Invalid characters in expression');
  }
  try {
    return pyFloatRepr(pyRound(evalPythonArithmetic(expression), 2));
  } catch (err) {
    if (err instanceof PyEvalError) throw new ToolError(err.message);
    throw err;
  }
};

const cancelPendingOrder: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (order['status'] !== 'pending') throw new ToolError('Non-pending order cannot be cancelled');
  const reason = args['reason'];
  if (reason !== 'no longer needed' && reason !== 'ordered by mistake') throw new ToolError('Invalid reason');

  const history = payments(order);
  const refunds: JsonObject[] = [];
  // Every entry is refunded, whatever its type: what τ²-bench's environment does.
  for (const payment of history) {
    const amount = num(payment['amount'], 'payment amount');
    refunds.push({ transaction_type: 'refund', amount, payment_method_id: payment['payment_method_id'] ?? null });
    const user = getUser(db, order['user_id']);
    const method = getPaymentMethod(db, user['user_id'], payment['payment_method_id']);
    if (isGiftCard(method)) method['balance'] = pyRound(num(method['balance'], 'gift card balance') + amount, 2);
  }
  order['status'] = 'cancelled';
  order['cancel_reason'] = reason;
  history.push(...refunds);
  return order;
};

/** Checks that each listed item id occurs in the order at least as often as in the list. */
function checkItemsPresent(order: JsonObject, itemIds: readonly Json[], message: (id: Json) => string): void {
  const inOrder = items(order).map((i) => i['item_id'] ?? null);
  for (const id of itemIds) {
    if (count(itemIds, id) > count(inOrder, id)) throw new ToolError(message(id));
  }
}

const exchangeDeliveredOrderItems: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (order['status'] !== 'delivered') throw new ToolError('Non-delivered order cannot be exchanged');
  const itemIds = list(args, 'item_ids');
  const newItemIds = list(args, 'new_item_ids');
  checkItemsPresent(order, itemIds, (id) => `Number of ${pyStr(id)} not found.`);
  if (itemIds.length !== newItemIds.length) throw new ToolError('The number of items to be exchanged should match.');

  let diff = 0;
  itemIds.forEach((itemId, i) => {
    const newItemId = newItemIds[i]!;
    const item = items(order).find((it) => it['item_id'] === itemId);
    if (!item) throw new ToolError(`Item ${pyStr(itemId)} not found`);
    const variant = getVariant(db, item['product_id'], newItemId);
    if (variant['available'] !== true) throw new ToolError(`New item ${pyStr(newItemId)} not found or available`);
    diff += num(variant['price'], 'variant price') - num(item['price'], 'item price');
  });
  diff = pyRound(diff, 2);

  const method = getPaymentMethod(db, order['user_id'], args['payment_method_id']);
  if (isGiftCard(method) && num(method['balance'], 'gift card balance') < diff) {
    throw new ToolError('Insufficient gift card balance to pay for the price difference');
  }
  order['status'] = 'exchange requested';
  order['exchange_items'] = sortedIds(itemIds);
  order['exchange_new_items'] = sortedIds(newItemIds);
  order['exchange_payment_method_id'] = args['payment_method_id'] ?? null;
  order['exchange_price_difference'] = diff;
  return order;
};

const findUserIdByNameZip: ToolImpl = (db, args) => {
  const first = String(args['first_name'] ?? '').toLowerCase();
  const last = String(args['last_name'] ?? '').toLowerCase();
  for (const [userId, user] of Object.entries(table(db, 'users'))) {
    if (!isObject(user)) continue;
    const name = isObject(user['name']) ? user['name'] : {};
    const address = isObject(user['address']) ? user['address'] : {};
    if (
      String(name['first_name'] ?? '').toLowerCase() === first &&
      String(name['last_name'] ?? '').toLowerCase() === last &&
      address['zip'] === args['zip']
    ) {
      return userId;
    }
  }
  throw new ToolError('User not found');
};

const findUserIdByEmail: ToolImpl = (db, args) => {
  const email = String(args['email'] ?? '').toLowerCase();
  for (const [userId, user] of Object.entries(table(db, 'users'))) {
    if (isObject(user) && typeof user['email'] === 'string' && user['email'].toLowerCase() === email) return userId;
  }
  throw new ToolError('User not found');
};

const getOrderDetails: ToolImpl = (db, args) => getOrder(db, args['order_id']);

const getProductDetails: ToolImpl = (db, args) => getProduct(db, args['product_id']);

const getItemDetails: ToolImpl = (db, args) => {
  const itemId = args['item_id'];
  for (const product of Object.values(table(db, 'products'))) {
    if (!isObject(product)) continue;
    const variants = variantsOf(product);
    if (typeof itemId === 'string' && Object.hasOwn(variants, itemId)) return variants[itemId]!;
  }
  throw new ToolError('Item not found');
};

const getUserDetails: ToolImpl = (db, args) => getUser(db, args['user_id']);

const listAllProductTypes: ToolImpl = (db) => {
  const byName: Record<string, string> = {};
  for (const product of Object.values(table(db, 'products'))) {
    if (isObject(product) && typeof product['name'] === 'string') byName[product['name']] = String(product['product_id'] ?? '');
  }
  // τ²-bench answers with the JSON text itself, sorted by name.
  return pyJsonDumpsSortedStringMap(byName);
};

const modifyPendingOrderAddress: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (!isPendingLike(order)) throw new ToolError('Non-pending order cannot be modified');
  order['address'] = addressFrom(args);
  return order;
};

const modifyPendingOrderItems: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (order['status'] !== 'pending') throw new ToolError('Non-pending order cannot be modified');
  const itemIds = list(args, 'item_ids');
  const newItemIds = list(args, 'new_item_ids');
  checkItemsPresent(order, itemIds, (id) => `${pyStr(id)} not found`);
  if (itemIds.length !== newItemIds.length) throw new ToolError('The number of items to be exchanged should match');

  let diff = 0;
  let variant: JsonObject | undefined;
  for (let i = 0; i < itemIds.length; i++) {
    const itemId = itemIds[i]!;
    const newItemId = newItemIds[i]!;
    if (itemId === newItemId) throw new ToolError('The new item id should be different from the old item id');
    const item = items(order).find((it) => it['item_id'] === itemId);
    if (!item) throw new ToolError(`Item ${pyStr(itemId)} not found`);
    variant = getVariant(db, item['product_id'], newItemId);
    if (variant['available'] !== true) throw new ToolError(`New item ${pyStr(newItemId)} not found or available`);
    diff += num(variant['price'], 'variant price') - num(item['price'], 'item price');
  }

  const paymentMethodId = args['payment_method_id'];
  const method = getPaymentMethod(db, order['user_id'], paymentMethodId);
  if (isGiftCard(method) && num(method['balance'], 'gift card balance') < diff) {
    throw new ToolError('Insufficient gift card balance to pay for the new item');
  }
  // The difference is stored unrounded, as τ²-bench does (e.g. 71.96000000000001).
  payments(order).push({
    transaction_type: diff > 0 ? 'payment' : 'refund',
    amount: Math.abs(diff),
    payment_method_id: paymentMethodId ?? null,
  });
  if (isGiftCard(method)) method['balance'] = pyRound(num(method['balance'], 'gift card balance') - diff, 2);

  itemIds.forEach((itemId, i) => {
    // Found again after the earlier ones changed, so duplicates are taken one by one.
    const item = items(order).find((it) => it['item_id'] === itemId);
    if (!item) throw new ToolError(`Item ${pyStr(itemId)} not found`);
    item['item_id'] = newItemIds[i]!;
    // τ²-bench's quirk: price and options come from the last variant checked above.
    item['price'] = variant!['price'] ?? null;
    item['options'] = structuredClone(variant!['options'] ?? null);
  });
  order['status'] = 'pending (item modified)';
  return order;
};

const modifyPendingOrderPayment: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (!isPendingLike(order)) throw new ToolError('Non-pending order cannot be modified');
  const paymentMethodId = args['payment_method_id'];
  const method = getPaymentMethod(db, order['user_id'], paymentMethodId);
  const history = payments(order);
  const first = history[0];
  if (history.length !== 1 || !first || first['transaction_type'] !== 'payment') {
    throw new ToolError('There should be exactly one payment for a pending order');
  }
  if (first['payment_method_id'] === paymentMethodId) {
    throw new ToolError('The new payment method should be different from the current one');
  }
  const amount = num(first['amount'], 'payment amount');
  if (isGiftCard(method) && num(method['balance'], 'gift card balance') < amount) {
    throw new ToolError('Insufficient gift card balance to pay for the order');
  }
  history.push(
    { transaction_type: 'payment', amount, payment_method_id: paymentMethodId ?? null },
    { transaction_type: 'refund', amount, payment_method_id: first['payment_method_id'] ?? null },
  );
  if (isGiftCard(method)) method['balance'] = pyRound(num(method['balance'], 'gift card balance') - amount, 2);
  const old = getPaymentMethod(db, order['user_id'], first['payment_method_id']);
  if (isGiftCard(old)) old['balance'] = pyRound(num(old['balance'], 'gift card balance') + amount, 2);
  return order;
};

const modifyUserAddress: ToolImpl = (db, args) => {
  const user = getUser(db, args['user_id']);
  user['address'] = addressFrom(args);
  return user;
};

const returnDeliveredOrderItems: ToolImpl = (db, args) => {
  const order = getOrder(db, args['order_id']);
  if (order['status'] !== 'delivered') throw new ToolError('Non-delivered order cannot be returned');
  const user = getUser(db, order['user_id']);
  const paymentMethodId = args['payment_method_id'];
  const method = getPaymentMethod(db, user['user_id'], paymentMethodId);
  if (!isGiftCard(method) && paymentMethodId !== payments(order)[0]?.['payment_method_id']) {
    throw new ToolError('Payment method should be the original payment method');
  }
  const itemIds = list(args, 'item_ids');
  checkItemsPresent(order, itemIds, () => 'Some item not found');
  order['status'] = 'return requested';
  order['return_items'] = sortedIds(itemIds);
  order['return_payment_method_id'] = paymentMethodId ?? null;
  return order;
};

const transferToHumanAgents: ToolImpl = () => 'Transfer successful';

/* ------------------------------------------------------------- tool specs */

const str = (description: string): JsonObject => ({ type: 'string', description });
const ids = (description: string): JsonObject => ({ type: 'array', items: { type: 'string' }, description });

function params(properties: Record<string, JsonObject>, required = Object.keys(properties)): JsonObject {
  return { type: 'object', properties, required, additionalProperties: false };
}

const ORDER_ID = str("The order id, such as '#W0000000'. Mind the '#' at the start of the id.");
const PAYMENT_ID = str(
  "The payment method id used to pay or receive the price difference, such as 'gift_card_0000000' or 'credit_card_0000000'; it can be looked up in the user's or the order's details.",
);
const ADDRESS = {
  address1: str("First line of the address, such as '123 Main St'."),
  address2: str("Second line of the address, such as 'Apt 1', or ''."),
  city: str("City, such as 'San Francisco'."),
  state: str("State, such as 'CA'."),
  country: str("Country, such as 'USA'."),
  zip: str("Zip code, such as '12345'."),
};

/**
 * The tools as the agent sees them: τ²-bench's retail tools with the same names and
 * arguments, described in our words.
 */
export const TAU2_RETAIL_TOOL_SPECS: ToolSpec[] = [
  {
    name: 'calculate',
    kind: 'read',
    description:
      'Work out a mathematical expression and return the result rounded to 2 decimals. The expression may only contain numbers, the operators + - * /, parentheses and spaces.',
    parameters: params({ expression: str("The expression to work out, such as '2 + 2'.") }),
  },
  {
    name: 'cancel_pending_order',
    kind: 'write',
    description:
      "Cancel a pending order. Orders that are processed or delivered cannot be cancelled. Explain the cancellation and get the user's explicit confirmation (yes) first. The order's status becomes 'cancelled' and its payments are refunded: at once to a gift card, otherwise within 5 to 7 business days. Returns the order after the cancellation.",
    parameters: params({
      order_id: ORDER_ID,
      reason: str("Why the order is cancelled: either 'no longer needed' or 'ordered by mistake'."),
    }),
  },
  {
    name: 'exchange_delivered_order_items',
    kind: 'write',
    description:
      "Exchange items of a delivered order for other items of the same product. A delivered order can be returned or exchanged only once. Explain the exchange and get the user's explicit confirmation (yes) first. The order's status becomes 'exchange requested'. Returns the order after the change.",
    parameters: params({
      order_id: ORDER_ID,
      item_ids: ids("The item ids to exchange, each such as '1008292230'. The same id may appear more than once."),
      new_item_ids: ids(
        "The item ids to exchange them for, each such as '1008292230', in the same order as item_ids; each must be of the same product as the item at its position. The same id may appear more than once.",
      ),
      payment_method_id: PAYMENT_ID,
    }),
  },
  {
    name: 'find_user_id_by_name_zip',
    kind: 'read',
    description:
      "Find a user's id from their first name, last name and zip code. Look users up by email first; use this only when the email is unknown or finds nobody.",
    parameters: params({
      first_name: str("The user's first name, such as 'John'."),
      last_name: str("The user's last name, such as 'Doe'."),
      zip: str("The user's zip code, such as '12345'."),
    }),
  },
  {
    name: 'find_user_id_by_email',
    kind: 'read',
    description: "Find a user's id from their email address.",
    parameters: params({ email: str("The user's email, such as 'something@example.com'.") }),
  },
  {
    name: 'get_order_details',
    kind: 'read',
    description: 'Get the status and details of an order.',
    parameters: params({ order_id: ORDER_ID }),
  },
  {
    name: 'get_product_details',
    kind: 'read',
    description: 'Get the inventory details of a product: its variants, their options, availability and prices.',
    parameters: params({ product_id: str("The product id, such as '6086499569'. A product id is not an item id.") }),
  },
  {
    name: 'get_item_details',
    kind: 'read',
    description: 'Get the inventory details of one item (a variant of a product).',
    parameters: params({ item_id: str("The item id, such as '6086499569'. An item id is not a product id.") }),
  },
  {
    name: 'get_user_details',
    kind: 'read',
    description: "Get a user's details, including their orders and payment methods.",
    parameters: params({ user_id: str("The user id, such as 'sara_doe_496'.") }),
  },
  {
    name: 'list_all_product_types',
    kind: 'read',
    description:
      'List the name and product id of every product type (there are 50), as a JSON object from name to product id, sorted by name. Each product type has several items with their own item ids and options.',
    parameters: params({}),
  },
  {
    name: 'modify_pending_order_address',
    kind: 'write',
    description:
      "Change the shipping address of a pending order. Explain the change and get the user's explicit confirmation (yes) first. Returns the order after the change.",
    parameters: params({ order_id: ORDER_ID, ...ADDRESS }),
  },
  {
    name: 'modify_pending_order_items',
    kind: 'write',
    description:
      "Change items of a pending order into other items of the same product. This can be done only once per pending order. Explain the change and get the user's explicit confirmation (yes) first. Returns the order after the change.",
    parameters: params({
      order_id: ORDER_ID,
      item_ids: ids("The item ids to change, each such as '1008292230'. The same id may appear more than once."),
      new_item_ids: ids(
        "The item ids to change them into, each such as '1008292230', in the same order as item_ids; each must be of the same product as the item at its position. The same id may appear more than once.",
      ),
      payment_method_id: PAYMENT_ID,
    }),
  },
  {
    name: 'modify_pending_order_payment',
    kind: 'write',
    description:
      "Change the payment method of a pending order. Explain the change and get the user's explicit confirmation (yes) first. Returns the order after the change.",
    parameters: params({ order_id: ORDER_ID, payment_method_id: PAYMENT_ID }),
  },
  {
    name: 'modify_user_address',
    kind: 'write',
    description:
      "Change a user's default address. Explain the change and get the user's explicit confirmation (yes) first. Returns the user's details after the change.",
    parameters: params({ user_id: str("The user id, such as 'sara_doe_496'."), ...ADDRESS }),
  },
  {
    name: 'return_delivered_order_items',
    kind: 'write',
    description:
      "Return some items of a delivered order. The order's status becomes 'return requested' and the user gets an email on how and where to return the items. Explain the return and get the user's explicit confirmation (yes) first. Returns the order after the request.",
    parameters: params({
      order_id: ORDER_ID,
      item_ids: ids("The item ids to return, each such as '1008292230'. The same id may appear more than once."),
      payment_method_id: str(
        "The payment method id that receives the refund, such as 'gift_card_0000000' or 'credit_card_0000000': the original payment method or a gift card. It can be looked up in the user's or the order's details.",
      ),
    }),
  },
  {
    name: 'transfer_to_human_agents',
    kind: 'read',
    description:
      'Transfer the user to a human agent, with a summary of their issue. Transfer only if the user explicitly asks for a human agent, or if their issue cannot be solved with the policy and the tools available.',
    parameters: params({ summary: str("A summary of the user's issue.") }),
  },
];

/** The tools by name, for the importer. */
export const TAU2_RETAIL_TOOL_NAMES: readonly string[] = TAU2_RETAIL_TOOL_SPECS.map((t) => t.name);

export const tau2RetailDomain: DomainImpl = {
  id: TAU2_RETAIL_DOMAIN_ID,
  tools: {
    calculate,
    cancel_pending_order: cancelPendingOrder,
    exchange_delivered_order_items: exchangeDeliveredOrderItems,
    find_user_id_by_name_zip: findUserIdByNameZip,
    find_user_id_by_email: findUserIdByEmail,
    get_order_details: getOrderDetails,
    get_product_details: getProductDetails,
    get_item_details: getItemDetails,
    get_user_details: getUserDetails,
    list_all_product_types: listAllProductTypes,
    modify_pending_order_address: modifyPendingOrderAddress,
    modify_pending_order_items: modifyPendingOrderItems,
    modify_pending_order_payment: modifyPendingOrderPayment,
    modify_user_address: modifyUserAddress,
    return_delivered_order_items: returnDeliveredOrderItems,
    transfer_to_human_agents: transferToHumanAgents,
  },
  transferTools: ['transfer_to_human_agents'],
};

/** Short verb phrases a user says to ask for each write, for the agenda simulator's goals. */
export const TAU2_RETAIL_REQUEST_UTTERANCES: Record<string, string> = {
  cancel_pending_order: 'cancel an order',
  exchange_delivered_order_items: 'exchange some items I received',
  modify_pending_order_address: 'change the shipping address of an order',
  modify_pending_order_items: 'change some items in a pending order',
  modify_pending_order_payment: 'change the payment method of an order',
  modify_user_address: 'update my default address',
  return_delivered_order_items: 'return some items I received',
};

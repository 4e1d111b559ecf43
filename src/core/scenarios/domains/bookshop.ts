/**
 * The built-in "bookshop" domain: a small bookshop's customers, orders and returns
 * (public/packs/bookshop.json). Tools read and change the scenario database in place.
 *
 * Everything a write stores is derived from the database and from arguments the gold
 * actions compare, never from free text such as a cancellation reason, so the final state
 * of a correct session equals the state the gold actions produce.
 */
import type { Json, JsonObject } from '../../model/types.ts';
import { ToolError, type DomainImpl, type ToolImpl } from '../domain.ts';
import { daysBetween, isObject, metaString, requiredString, roundMoney, tableOf } from './helpers.ts';

const table = (db: JsonObject, name: string) => tableOf(db, name, 'bookshop');
const today = (db: JsonObject) => metaString(db, 'today', 'bookshop');

/** Returns are accepted up to this many days after `delivered_on`, inclusive. */
export const RETURN_WINDOW_DAYS = 30;

export const REFUND_METHODS = ['original_payment', 'store_credit'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

/* ---------------------------------------------------------------- helpers */

function optionalString(args: JsonObject, name: string, tool: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ToolError(`${tool}: "${name}" must be a string.`, 'InvalidArguments');
  }
  return value.trim() === '' ? undefined : value.trim();
}

function normalizeOrderId(id: string): string {
  return id.trim().toUpperCase();
}

function findOrder(db: JsonObject, orderId: string): JsonObject {
  const order = table(db, 'orders')[normalizeOrderId(orderId)];
  if (!isObject(order)) throw new ToolError(`Order not found: ${orderId}`);
  return order;
}

function orderItems(order: JsonObject): JsonObject[] {
  const items = order['items'];
  return Array.isArray(items) ? items.filter(isObject) : [];
}

function orderRefunds(order: JsonObject): Json[] {
  if (!Array.isArray(order['refunds'])) order['refunds'] = [];
  return order['refunds'] as Json[];
}

function paymentDetail(order: JsonObject): string {
  const payment = order['payment'];
  const detail = isObject(payment) ? payment['detail'] : undefined;
  return typeof detail === 'string' ? detail : 'the original payment method';
}

/** Names compare without case, accents, punctuation or extra spaces ("Grace O'Neill" = "grace oneill"). */
function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s-]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Brings an address to the one-line form the shop stores, "street, city, ST 12345", so
 * that harmless differences in spacing, case of the state or a comma before the zip do not
 * count as a different address. Throws InvalidArguments when it is not a full address.
 */
export function normalizeAddress(address: string): string {
  const flat = address.replace(/\s+/g, ' ').trim();
  const m = /^(.+?),\s*([^,]+?),\s*([A-Za-z]{2})\.?\s*,?\s*(\d{5}(?:-\d{4})?)$/.exec(flat);
  if (!m) {
    throw new ToolError(
      `address must be one complete line: street, city, two-letter state and 5-digit zip, e.g. "48 Alder Lane, Portland, OR 97205"; got "${address}".`,
      'InvalidArguments',
    );
  }
  const street = m[1]!.split(',').map((s) => s.trim()).filter(Boolean).join(', ');
  return `${street}, ${m[2]!.trim()}, ${m[3]!.toUpperCase()} ${m[4]}`;
}

/* ------------------------------------------------------------------ tools */

const findCustomer: ToolImpl = (db, args) => {
  const customers = Object.values(table(db, 'customers')).filter(isObject);
  const email = optionalString(args, 'email', 'find_customer');
  if (email) {
    const match = customers.find(
      (c) => typeof c['email'] === 'string' && c['email'].toLowerCase() === email.toLowerCase(),
    );
    if (!match) throw new ToolError(`No customer found with email ${email}.`);
    return match;
  }
  const name = optionalString(args, 'name', 'find_customer');
  const zip = optionalString(args, 'zip', 'find_customer');
  if (!name || !zip) {
    throw new ToolError(
      'find_customer needs either "email", or both "name" and "zip".',
      'InvalidArguments',
    );
  }
  const matches = customers.filter(
    (c) =>
      typeof c['name'] === 'string' &&
      normalizeName(c['name']) === normalizeName(name) &&
      c['zip'] === zip,
  );
  if (matches.length === 0) throw new ToolError(`No customer found with name "${name}" and zip ${zip}.`);
  if (matches.length > 1) {
    throw new ToolError(`Several customers are named "${name}" in zip ${zip}; ask for the email address instead.`);
  }
  return matches[0]!;
};

const getOrder: ToolImpl = (db, args) => findOrder(db, requiredString(args, 'order_id', 'get_order'));

const cancelOrder: ToolImpl = (db, args) => {
  const orderId = requiredString(args, 'order_id', 'cancel_order');
  const reason = requiredString(args, 'reason', 'cancel_order');
  const order = findOrder(db, orderId);
  const status = order['status'];
  if (status === 'cancelled') throw new ToolError(`Order ${order['id']} is already cancelled.`);
  if (status !== 'processing') {
    throw new ToolError(
      `Order ${order['id']} is ${String(status)}; only orders that are still processing can be cancelled.`,
    );
  }
  const date = today(db);
  const amount = roundMoney(Number(order['total']));
  order['status'] = 'cancelled';
  order['cancelled_on'] = date;
  const refund: JsonObject = {
    item_ids: orderItems(order).map((i) => i['item_id'] ?? null),
    amount,
    method: 'original_payment',
    issued_on: date,
  };
  orderRefunds(order).push(refund);
  return {
    order_id: order['id'] ?? orderId,
    status: 'cancelled',
    reason,
    refund: { amount, method: 'original_payment', refunded_to: paymentDetail(order) },
    order,
  };
};

const returnItems: ToolImpl = (db, args) => {
  const tool = 'return_items';
  const orderId = requiredString(args, 'order_id', tool);
  const rawIds = args['item_ids'];
  if (!Array.isArray(rawIds) || rawIds.length === 0 || !rawIds.every((i) => typeof i === 'string')) {
    throw new ToolError(`${tool}: "item_ids" must be a non-empty list of item ids such as "BK-2026-1".`, 'InvalidArguments');
  }
  const ids = (rawIds as string[]).map((i) => i.trim().toUpperCase());
  if (new Set(ids).size !== ids.length) {
    throw new ToolError(`${tool}: "item_ids" lists the same item twice.`, 'InvalidArguments');
  }
  const method = args['refund_method'];
  if (typeof method !== 'string' || !(REFUND_METHODS as readonly string[]).includes(method)) {
    throw new ToolError(`${tool}: "refund_method" must be "original_payment" or "store_credit".`, 'InvalidArguments');
  }
  const order = findOrder(db, orderId);
  const id = String(order['id']);
  const status = order['status'];
  if (status !== 'delivered') {
    throw new ToolError(`Order ${id} is ${String(status)}; only delivered orders can be returned.`);
  }
  const deliveredOn = String(order['delivered_on']);
  const now = today(db);
  const age = daysBetween(deliveredOn, now);
  if (age > RETURN_WINDOW_DAYS) {
    throw new ToolError(
      `Order ${id} was delivered on ${deliveredOn}, ${age} days ago; returns are accepted only within ${RETURN_WINDOW_DAYS} days of delivery.`,
    );
  }
  const items = orderItems(order);
  for (const itemId of ids) {
    const item = items.find((i) => i['item_id'] === itemId);
    if (!item) throw new ToolError(`Item ${itemId} is not part of order ${id}.`);
    if (item['status'] === 'returned') {
      throw new ToolError(`Item ${itemId} (${String(item['title'])}) has already been returned.`);
    }
  }
  // Keep the order's own item order so the stored refund does not depend on argument order.
  const chosen = items.filter((i) => ids.includes(String(i['item_id'])));
  const amount = roundMoney(chosen.reduce((sum, i) => sum + Number(i['price']), 0));
  for (const item of chosen) item['status'] = 'returned';
  orderRefunds(order).push({
    item_ids: chosen.map((i) => i['item_id'] ?? null),
    amount,
    method,
    issued_on: now,
  });
  const result: JsonObject = {
    order_id: id,
    returned_items: chosen.map((i) => ({ item_id: i['item_id'] ?? null, title: i['title'] ?? null, price: i['price'] ?? null })),
    refund: {
      amount,
      method,
      refunded_to: method === 'store_credit' ? 'store credit' : paymentDetail(order),
    },
    order,
  };
  if (method === 'store_credit') {
    const customer = table(db, 'customers')[String(order['customer_id'])];
    if (!isObject(customer)) throw new Error(`order ${id} names an unknown customer`);
    const balance = roundMoney(Number(customer['store_credit'] ?? 0) + amount);
    customer['store_credit'] = balance;
    result['store_credit_balance'] = balance;
  }
  return result;
};

const updateShippingAddress: ToolImpl = (db, args) => {
  const tool = 'update_shipping_address';
  const orderId = requiredString(args, 'order_id', tool);
  const address = normalizeAddress(requiredString(args, 'address', tool));
  const order = findOrder(db, orderId);
  const status = order['status'];
  if (status !== 'processing') {
    throw new ToolError(
      `Order ${String(order['id'])} is ${String(status)}; the shipping address can only be changed while the order is processing.`,
    );
  }
  order['shipping_address'] = address;
  return { order_id: order['id'] ?? orderId, shipping_address: address, order };
};

const transferToHuman: ToolImpl = (_db, args) => {
  const summary = requiredString(args, 'summary', 'transfer_to_human');
  return {
    transferred: true,
    summary,
    message: 'The conversation has been handed to a human agent, who will reply shortly.',
  };
};

/** The bookshop's tools over its JSON database. */
export const bookshopDomain: DomainImpl = {
  id: 'bookshop',
  tools: {
    find_customer: findCustomer,
    get_order: getOrder,
    cancel_order: cancelOrder,
    return_items: returnItems,
    update_shipping_address: updateShippingAddress,
    transfer_to_human: transferToHuman,
  },
  transferTools: ['transfer_to_human'],
};

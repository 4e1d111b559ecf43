/**
 * The built-in "retail" domain: Harbor & Pine, an online store for clothing, shoes,
 * electronics and home goods (public/packs/retail.json).
 *
 * Most of the pack's tools are declarative and live in the pack itself (look-ups,
 * cancellation, address change, transfer). The two that need dates and arithmetic are here:
 * returns (a 30-day window, final-sale items, a restocking fee on opened electronics,
 * gift-card orders refunded as store credit) and exchanges (same product, another variant in
 * stock, the price difference charged or refunded).
 *
 * Everything a write stores is derived from the database and from arguments the gold actions
 * compare, so the final state of a correct session equals the state the gold actions produce.
 */
import type { Json, JsonObject } from '../../model/types.ts';
import { ToolError, type DomainImpl, type ToolImpl } from '../domain.ts';
import { daysBetween, isObject, metaString, requiredString, roundMoney, tableOf } from './helpers.ts';

const table = (db: JsonObject, name: string) => tableOf(db, name, 'retail');
const today = (db: JsonObject) => metaString(db, 'today', 'retail');

/** Returns and exchanges are accepted up to this many days after `delivered_on`, inclusive. */
export const RETURN_WINDOW_DAYS = 30;

/** Share of the price kept when an opened electronics item is returned (not when damaged). */
export const RESTOCKING_FEE_RATE = 0.15;

/** The condition a returned item is in, as the customer describes it. */
export const RETURN_CONDITIONS = ['unused', 'opened', 'damaged'] as const;
export type ReturnCondition = (typeof RETURN_CONDITIONS)[number];

export const RETAIL_REFUND_METHODS = ['original_payment', 'store_credit'] as const;
export type RetailRefundMethod = (typeof RETAIL_REFUND_METHODS)[number];

/* ---------------------------------------------------------------- helpers */

function oneOf<T extends string>(args: JsonObject, name: string, allowed: readonly T[], tool: string): T {
  const value = args[name];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ToolError(`${tool}: "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}.`, 'InvalidArguments');
  }
  return value as T;
}

/** A record of an object table by key, exact first, then without case ("hp-20417"). */
function byKey(t: JsonObject, key: string): JsonObject | undefined {
  const hit = Object.hasOwn(t, key) ? t[key] : t[Object.keys(t).find((k) => k.toLowerCase() === key.toLowerCase()) ?? ''];
  return isObject(hit) ? hit : undefined;
}

function findOrder(db: JsonObject, orderId: string): JsonObject {
  const order = byKey(table(db, 'orders'), orderId);
  if (!order) throw new ToolError(`Order not found: ${orderId}`);
  return order;
}

function orderItems(order: JsonObject): JsonObject[] {
  const items = order['items'];
  return Array.isArray(items) ? items.filter(isObject) : [];
}

function listOf(record: JsonObject, field: string): Json[] {
  if (!Array.isArray(record[field])) record[field] = [];
  return record[field] as Json[];
}

function paymentOf(order: JsonObject): { method: string; detail: string } {
  const p = order['payment'];
  const method = isObject(p) && typeof p['method'] === 'string' ? p['method'] : 'card';
  const detail = isObject(p) && typeof p['detail'] === 'string' ? p['detail'] : 'the original payment method';
  return { method, detail };
}

/**
 * Whether a delivered order is still inside the return window today: the number of days
 * since delivery, and whether it is at most RETURN_WINDOW_DAYS (day 30 is in, day 31 out).
 */
export function returnWindow(deliveredOn: string, on: string): { days: number; open: boolean } {
  const days = daysBetween(deliveredOn, on);
  return { days, open: days >= 0 && days <= RETURN_WINDOW_DAYS };
}

/** The restocking fee for one item: 15% of the price for opened electronics, else nothing. */
export function restockingFee(item: { category?: Json; price?: Json }, condition: ReturnCondition): number {
  if (condition !== 'opened' || item.category !== 'electronics') return 0;
  return roundMoney(Number(item.price) * RESTOCKING_FEE_RATE);
}

/** Fails unless the order is delivered and inside the window; the message says which rule. */
function requireReturnable(order: JsonObject, now: string, what: 'returned' | 'exchanged'): void {
  const id = String(order['id']);
  const status = order['status'];
  if (status !== 'delivered') {
    throw new ToolError(`Order ${id} is ${String(status)}; only delivered orders can be ${what}.`);
  }
  const deliveredOn = String(order['delivered_on']);
  const { days, open } = returnWindow(deliveredOn, now);
  if (!open) {
    throw new ToolError(
      `Order ${id} was delivered on ${deliveredOn}, ${days} days ago; items can be ${what} only within ${RETURN_WINDOW_DAYS} days of delivery.`,
    );
  }
}

function itemLabel(item: JsonObject): string {
  return `${String(item['item_id'])} (${String(item['name'])})`;
}

/* ------------------------------------------------------------------ tools */

const returnItems: ToolImpl = (db, args) => {
  const tool = 'return_items';
  const orderId = requiredString(args, 'order_id', tool);
  const rawIds = args['item_ids'];
  if (!Array.isArray(rawIds) || rawIds.length === 0 || !rawIds.every((i) => typeof i === 'string' && i.trim() !== '')) {
    throw new ToolError(`${tool}: "item_ids" must be a non-empty list of item ids such as "HP-20417-1".`, 'InvalidArguments');
  }
  const ids = (rawIds as string[]).map((i) => i.trim().toUpperCase());
  if (new Set(ids).size !== ids.length) throw new ToolError(`${tool}: "item_ids" lists the same item twice.`, 'InvalidArguments');
  const condition = oneOf(args, 'condition', RETURN_CONDITIONS, tool);
  const method = oneOf(args, 'refund_method', RETAIL_REFUND_METHODS, tool);

  const order = findOrder(db, orderId);
  const id = String(order['id']);
  const now = today(db);
  requireReturnable(order, now, 'returned');
  const payment = paymentOf(order);
  if (payment.method === 'gift_card' && method !== 'store_credit') {
    throw new ToolError(`Order ${id} was paid with a gift card; its refunds can only be issued as store credit.`);
  }
  const items = orderItems(order);
  for (const itemId of ids) {
    const item = items.find((i) => String(i['item_id']).toUpperCase() === itemId);
    if (!item) throw new ToolError(`Item ${itemId} is not part of order ${id}.`);
    if (item['status'] !== 'ok') throw new ToolError(`Item ${itemLabel(item)} has already been ${String(item['status'])}.`);
    if (item['final_sale'] === true && condition !== 'damaged') {
      throw new ToolError(`Item ${itemLabel(item)} was a final-sale item; it can be returned only if it arrived damaged or defective.`);
    }
  }
  // The order's own item order, so the stored refund does not depend on the argument order.
  const chosen = items.filter((i) => ids.includes(String(i['item_id']).toUpperCase()));
  const lines = chosen.map((i) => {
    const fee = restockingFee(i, condition);
    return { item: i, fee, refund: roundMoney(Number(i['price']) - fee) };
  });
  const fees = roundMoney(lines.reduce((s, l) => s + l.fee, 0));
  const amount = roundMoney(lines.reduce((s, l) => s + l.refund, 0));
  for (const { item } of lines) {
    item['status'] = 'returned';
    item['return_condition'] = condition;
  }
  listOf(order, 'refunds').push({
    type: 'return',
    item_ids: chosen.map((i) => i['item_id'] ?? null),
    condition,
    restocking_fee: fees,
    amount,
    method,
    issued_on: now,
  });
  const result: JsonObject = {
    order_id: id,
    returned_items: lines.map((l) => ({
      item_id: l.item['item_id'] ?? null,
      name: l.item['name'] ?? null,
      price: l.item['price'] ?? null,
      restocking_fee: l.fee,
      refund: l.refund,
    })),
    restocking_fee: fees,
    refund: { amount, method, refunded_to: method === 'store_credit' ? 'store credit' : payment.detail },
  };
  if (method === 'store_credit') {
    const customer = byKey(table(db, 'customers'), String(order['customer_id']));
    if (!customer) throw new Error(`order ${id} names an unknown customer`);
    const balance = roundMoney(Number(customer['store_credit'] ?? 0) + amount);
    customer['store_credit'] = balance;
    result['store_credit_balance'] = balance;
  }
  return result;
};

const exchangeItem: ToolImpl = (db, args) => {
  const tool = 'exchange_item';
  const orderId = requiredString(args, 'order_id', tool);
  const itemId = requiredString(args, 'item_id', tool).toUpperCase();
  const variantId = requiredString(args, 'new_variant_id', tool).toUpperCase();

  const order = findOrder(db, orderId);
  const id = String(order['id']);
  const now = today(db);
  requireReturnable(order, now, 'exchanged');
  const item = orderItems(order).find((i) => String(i['item_id']).toUpperCase() === itemId);
  if (!item) throw new ToolError(`Item ${itemId} is not part of order ${id}.`);
  if (item['status'] !== 'ok') throw new ToolError(`Item ${itemLabel(item)} has already been ${String(item['status'])}.`);
  if (item['final_sale'] === true) throw new ToolError(`Item ${itemLabel(item)} was a final-sale item; final-sale items cannot be exchanged.`);

  const product = byKey(table(db, 'products'), String(item['product_id']));
  if (!product) throw new Error(`item ${itemId} names an unknown product`);
  const variants = Array.isArray(product['variants']) ? product['variants'].filter(isObject) : [];
  const target = variants.find((v) => String(v['variant_id']).toUpperCase() === variantId);
  if (!target) {
    throw new ToolError(
      `Variant ${variantId} is not a variant of ${String(product['name'])} (${String(product['id'])}); an exchange must be for another size or color of the same product.`,
    );
  }
  if (String(target['variant_id']) === String(item['variant_id'])) {
    throw new ToolError(`Item ${itemLabel(item)} already is variant ${variantId}.`);
  }
  if (!(Number(target['stock']) > 0)) throw new ToolError(`Variant ${variantId} of ${String(product['name'])} is out of stock.`);

  const difference = roundMoney(Number(target['price']) - Number(item['price']));
  const payment = paymentOf(order);
  target['stock'] = Number(target['stock']) - 1;
  item['status'] = 'exchanged';
  item['exchanged_for'] = target['variant_id'] ?? null;
  listOf(order, 'exchanges').push({
    item_id: item['item_id'] ?? null,
    from_variant_id: item['variant_id'] ?? null,
    to_variant_id: target['variant_id'] ?? null,
    options: target['options'] ?? null,
    price_difference: difference,
    settled_with: payment.detail,
    issued_on: now,
  });
  return {
    order_id: id,
    item_id: item['item_id'] ?? null,
    name: item['name'] ?? null,
    from: { variant_id: item['variant_id'] ?? null, options: item['options'] ?? null, price: item['price'] ?? null },
    to: { variant_id: target['variant_id'] ?? null, options: target['options'] ?? null, price: target['price'] ?? null },
    price_difference: difference,
    settlement:
      difference > 0
        ? `${difference.toFixed(2)} charged to ${payment.detail}`
        : difference < 0
          ? `${(-difference).toFixed(2)} refunded to ${payment.detail}`
          : 'no price difference',
    message: 'A prepaid return label has been emailed; the new item ships once the original is scanned by the carrier.',
  };
};

/** Harbor & Pine's tools written in code; the rest are declarative, in the pack. */
export const retailDomain: DomainImpl = {
  id: 'retail',
  tools: {
    return_items: returnItems,
    exchange_item: exchangeItem,
  },
  transferTools: [],
};

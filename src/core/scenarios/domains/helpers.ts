/**
 * Small helpers the built-in domains share: reading tables and meta fields of a scenario
 * database (a malformed database is a crash, not a domain error), required string arguments
 * (a missing one is the caller's InvalidArguments), money and dates.
 */
import type { Json, JsonObject } from '../../model/types.ts';
import { ToolError } from '../domain.ts';

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A top-level table ("orders", "customers") of `domain`'s database, or a crash when absent. */
export function tableOf(db: JsonObject, name: string, domain: string): JsonObject {
  const t = db[name];
  if (!isObject(t)) throw new Error(`${domain} database has no "${name}" table`);
  return t;
}

/** A string field of the database's `meta` record (today's date, the clock), or a crash. */
export function metaString(db: JsonObject, field: string, domain: string): string {
  const meta = db['meta'];
  const value = isObject(meta) ? meta[field] : undefined;
  if (typeof value !== 'string') throw new Error(`${domain} database has no meta.${field}`);
  return value;
}

/** A required, non-empty string argument, trimmed. */
export function requiredString(args: JsonObject, name: string, tool: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ToolError(`${tool}: "${name}" is required and must be a non-empty string.`, 'InvalidArguments');
  }
  return value.trim();
}

/** Rounds money to cents, away from binary noise (0.1 + 0.2 → 0.3). */
export function roundMoney(amount: number): number {
  return Math.round((amount + Number.EPSILON) * 100) / 100;
}

/** The date a policy states as today ("Today's date is 2026-11-20"), "YYYY-MM-DD"; undefined without one. */
export function todayFromPolicy(policy: string): string | undefined {
  return /\btoday(?:'s date)?\s+is\s+(\d{4}-\d{2}-\d{2})/i.exec(policy)?.[1];
}

/** Whole days from `from` to `to`, both "YYYY-MM-DD". */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayNumber(to) - dayNumber(from)) / 86_400_000);
}

function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

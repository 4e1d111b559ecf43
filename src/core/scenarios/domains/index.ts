/**
 * The built-in domains: the code behind each scenario pack's tools, by domain id.
 * A scenario names its domain; the environment runs its tools with the matching DomainImpl.
 */
import type { DomainImpl } from '../domain.ts';
import { airlineDomain } from './airline.ts';
import { bookshopDomain } from './bookshop.ts';
import { retailDomain } from './retail.ts';
import { tau2RetailDomain } from './tau2-retail.ts';

/** Every built-in domain, keyed by its id. */
export const DOMAINS: Record<string, DomainImpl> = {
  [airlineDomain.id]: airlineDomain,
  [bookshopDomain.id]: bookshopDomain,
  [retailDomain.id]: retailDomain,
  [tau2RetailDomain.id]: tau2RetailDomain,
};

/** The domain with this id, or undefined when there is none. */
export function getDomain(id: string): DomainImpl | undefined {
  return Object.hasOwn(DOMAINS, id) ? DOMAINS[id] : undefined;
}

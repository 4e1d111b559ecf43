import type { SeatConfig } from './model/types.ts';
import type { AgentSeatContext, Participant, UserSeatContext } from './simulation/participant.ts';
import { AGENDA_VERSION, createAgendaUser } from './users/agenda.ts';
import { createBookshopAgent } from './agents/bookshop-agent.ts';
import type { DomainImpl } from './scenarios/domain.ts';
import { DOMAINS, getDomain } from './scenarios/domains/index.ts';

/** A way to fill the user seat. */
export interface UserSeatOption {
  kind: string;
  label: string;
  description: string;
  version: string;
  create(ctx: UserSeatContext): Participant;
}

/** A way to fill the agent seat; `domains` lists where it can work (undefined: anywhere). */
export interface AgentSeatOption {
  kind: string;
  label: string;
  description: string;
  version: string;
  domains?: readonly string[];
  create(ctx: AgentSeatContext): Participant;
}

export const USER_SEATS: readonly UserSeatOption[] = [
  {
    kind: 'agenda',
    label: 'Agenda-based simulator',
    description: 'Classical user simulator: a stack of dialogue acts driven by the hidden goal and the persona. Instant, no model needed.',
    version: AGENDA_VERSION,
    create: (ctx) => createAgendaUser(ctx),
  },
];

/** Rule-based reference agents, one per built-in domain. */
const RULE_BASED: Record<string, (ctx: AgentSeatContext) => Participant> = {
  bookshop: createBookshopAgent,
};

export const AGENT_SEATS: readonly AgentSeatOption[] = [
  {
    kind: 'rule-based',
    label: 'Rule-based agent',
    description: 'Follows the domain policy step by step: identify, look up, confirm, act, report. A reference baseline.',
    version: 'rule-based-1.0',
    domains: Object.keys(RULE_BASED),
    create: (ctx) => {
      const make = RULE_BASED[ctx.domain];
      if (!make) throw new Error(`No rule-based agent exists for domain "${ctx.domain}".`);
      return make(ctx);
    },
  },
];

export function userSeat(kind: string): UserSeatOption {
  const o = USER_SEATS.find((s) => s.kind === kind);
  if (!o) throw new Error(`Unknown user seat "${kind}". Known: ${USER_SEATS.map((s) => s.kind).join(', ')}.`);
  return o;
}

export function agentSeat(kind: string): AgentSeatOption {
  const o = AGENT_SEATS.find((s) => s.kind === kind);
  if (!o) throw new Error(`Unknown agent seat "${kind}". Known: ${AGENT_SEATS.map((s) => s.kind).join(', ')}.`);
  return o;
}

/** The stored description of a seat choice. */
export function seatConfig(option: UserSeatOption | AgentSeatOption): SeatConfig {
  return { kind: option.kind, label: option.label, version: option.version, settings: {} };
}

/** The code behind a domain; throws a clear error when the page has none for it. */
export function requireDomain(id: string): DomainImpl {
  const d = getDomain(id);
  if (!d) throw new Error(`No tool implementations exist for domain "${id}". Known: ${Object.keys(DOMAINS).join(', ')}.`);
  return d;
}

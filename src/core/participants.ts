import type { AgentEntry, JsonObject, SeatConfig } from './model/types.ts';
import type { AgentSeatContext, Participant, UserSeatContext } from './simulation/participant.ts';
import type { SeatFactory } from './simulation/llm-seat.ts';
import { AGENDA_VERSION, createAgendaUser } from './users/agenda.ts';
import { createLlmUser, LLM_USER_PROMPT_VERSION } from './users/llm-user.ts';
import { createBookshopAgent } from './agents/bookshop-agent.ts';
import { createFrameAgent, FRAME_AGENT_VERSION } from './agents/frame-agent.ts';
import { createLlmAgent, LLM_AGENT_PROMPT_VERSION, llmAgentPromptVersion } from './agents/llm-agent.ts';
import type { DomainImpl } from './scenarios/domain.ts';
import { DOMAINS, getDomain } from './scenarios/domains/index.ts';

/** What a seat may need from outside the core: a model for a role, in one session. */
export interface SeatDeps {
  /** The model seat for `role` in the session with this seed. */
  makeSeat(role: 'user' | 'agent', sessionSeed: number): SeatFactory;
}

/**
 * An on/off setting of a seat, offered on New run. The value chosen is stored in the run spec's
 * seat settings (and so with every session) under `key`, and passed to `create`.
 */
export interface SeatToggle {
  key: string;
  label: string;
  description: string;
  default: boolean;
}

/** A way to fill the user seat. `needsModel`: it runs on the model chosen for that role. */
export interface UserSeatOption {
  kind: string;
  label: string;
  description: string;
  version: string;
  needsModel?: 'user';
  /** Settings the person may change on New run. */
  toggles?: readonly SeatToggle[];
  /** `settings`: the seat's stored settings (SeatConfig.settings); a toggle missing there takes its default. */
  create(ctx: UserSeatContext, deps?: SeatDeps, settings?: JsonObject): Participant;
}

/** A way to fill the agent seat; `domains` lists where it can work (undefined: anywhere). */
export interface AgentSeatOption {
  kind: string;
  label: string;
  description: string;
  version: string;
  domains?: readonly string[];
  needsModel?: 'agent';
  /**
   * Whether the seat takes AgentOverrides (a run comparing one model under other settings).
   * `settings`: the seat's stored settings (SeatConfig.settings), whose `overrides` it reads.
   */
  overridable?: boolean;
  create(ctx: AgentSeatContext, deps?: SeatDeps, settings?: JsonObject): Participant;
}

/** The seat's toggle `key`; an unknown key is an error naming the known ones. */
function toggleOf(option: UserSeatOption | AgentSeatOption, key: string): SeatToggle {
  const toggles = ('toggles' in option ? option.toggles : undefined) ?? [];
  const toggle = toggles.find((t) => t.key === key);
  if (!toggle) throw new Error(`The ${option.label} has no setting "${key}"${toggles.length ? `. Known: ${toggles.map((t) => t.key).join(', ')}` : ''}.`);
  return toggle;
}

/** A toggle's value, which must be a boolean. */
function checkedToggle(option: UserSeatOption | AgentSeatOption, key: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`The ${option.label}'s setting "${key}" must be true or false, not ${JSON.stringify(v)}.`);
  return v;
}

/** The value of toggle `key` in stored `settings`, or its default; anything but a boolean is an error. */
export function toggleValue(option: UserSeatOption | AgentSeatOption, key: string, settings: JsonObject | undefined): boolean {
  const toggle = toggleOf(option, key);
  const v = settings?.[key];
  return v === undefined ? toggle.default : checkedToggle(option, key, v);
}

function modelSeat(deps: SeatDeps | undefined, role: 'user' | 'agent', seed: number | undefined): SeatFactory {
  if (!deps) throw new Error(`The LLM ${role === 'user' ? 'user simulator' : 'agent'} needs a model, and none was given.`);
  return deps.makeSeat(role, seed ?? 0);
}

const LLM_USER: UserSeatOption = {
  kind: 'llm',
  label: 'LLM user simulator',
  description: 'A local model plays the customer from the hidden goal and the persona, on the model chosen for the User simulator role (Models page).',
  version: LLM_USER_PROMPT_VERSION,
  needsModel: 'user',
  toggles: [
    {
      key: 'latentState',
      label: 'Simulator writes its inner state before each reply',
      description: 'Progress, emotion and what it thinks of the agent, stored on each user turn and never shown to the agent: one more request per turn. The 1–5 satisfaction is recorded either way.',
      default: true,
    },
  ],
  create: (ctx, deps, settings) =>
    createLlmUser(ctx, modelSeat(deps, 'user', ctx.seed), { latentState: toggleValue(LLM_USER, 'latentState', settings) }),
};

export const USER_SEATS: readonly UserSeatOption[] = [
  {
    kind: 'agenda',
    label: 'Agenda-based simulator',
    description: 'Classical user simulator: a stack of dialogue acts driven by the hidden goal and the persona. Instant, no model needed.',
    version: AGENDA_VERSION,
    create: (ctx) => createAgendaUser(ctx),
  },
  LLM_USER,
];

/** Rule-based reference agents, one per built-in domain. */
const RULE_BASED: Record<string, (ctx: AgentSeatContext) => Participant> = {
  bookshop: createBookshopAgent,
};

export const AGENT_SEATS: readonly AgentSeatOption[] = [
  {
    kind: 'rule-based',
    label: 'Rule-based bookshop agent',
    description: "Written for the bookshop's policy: identify, look up, confirm, act, report, step by step. A reference baseline for that domain; other packs use the generic one.",
    version: 'rule-based-1.0',
    domains: Object.keys(RULE_BASED),
    create: (ctx) => {
      const make = RULE_BASED[ctx.domain];
      if (!make) throw new Error(`No rule-based agent exists for domain "${ctx.domain}".`);
      return make(ctx);
    },
  },
  {
    kind: 'frame',
    label: 'Generic rule-based agent',
    description: 'Works in every domain from the tool specs and the policy alone: picks the tool by keywords, fills its arguments from what the user says and from lookups, confirms before any change, reports the result. A classical baseline.',
    version: FRAME_AGENT_VERSION,
    create: (ctx) => createFrameAgent(ctx),
  },
  {
    kind: 'llm',
    label: 'LLM agent',
    description: 'A local model follows the domain policy and calls tools through a prompted protocol, on the model chosen for the Agent role (Models page).',
    version: LLM_AGENT_PROMPT_VERSION,
    needsModel: 'agent',
    overridable: true,
    create: (ctx, deps, settings) => createLlmAgent(ctx, modelSeat(deps, 'agent', ctx.seed), { promptNote: overridesOf(settings).promptNote }),
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

/**
 * The stored description of a seat choice. `chosen`: values for the seat's toggles (New run);
 * every toggle is stored, a missing one with its default, so a stored run says what was used.
 * An unknown key or a value that is not a boolean is an error.
 */
export function seatConfig(option: UserSeatOption | AgentSeatOption, chosen: Readonly<Record<string, boolean>> = {}): SeatConfig {
  for (const [key, v] of Object.entries(chosen)) checkedToggle(option, toggleOf(option, key).key, v);
  const toggles = ('toggles' in option ? option.toggles : undefined) ?? [];
  const settings: JsonObject = Object.fromEntries(toggles.map((t) => [t.key, chosen[t.key] ?? t.default]));
  return { kind: option.kind, label: option.label, version: option.version, settings };
}

/**
 * What an LLM agent entry changes from the Agent role's defaults (issue 14: the same model under
 * another setting). Stored as is under the seat's settings' `overrides`, so a stored session says
 * exactly what differed; the seat's `sampling` holds the values actually sent.
 */
export interface AgentOverrides {
  /** Sampling temperature instead of the Agent role's default (0 to 2). */
  temperature?: number;
  /** Extra instructions after the policy in the agent's system prompt; its hash joins the prompt version. */
  promptNote?: string;
}

/** One agent as chosen on New run: a seat kind and, for an LLM agent, what differs. */
export interface AgentEntryChoice {
  kind: string;
  overrides?: AgentOverrides;
}

/** The overrides stored in a seat's settings; anything malformed reads as none. */
export function overridesOf(settings: JsonObject | undefined): AgentOverrides {
  const o = settings?.overrides;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return {};
  return {
    ...(typeof o.temperature === 'number' ? { temperature: o.temperature } : {}),
    ...(typeof o.promptNote === 'string' ? { promptNote: o.promptNote } : {}),
  };
}

/** The overrides with empty parts left out (a blank note, no temperature); null when none is left. */
export function cleanOverrides(o: AgentOverrides | undefined): AgentOverrides | null {
  const note = o?.promptNote?.trim();
  const out: AgentOverrides = {
    ...(o?.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(note ? { promptNote: note } : {}),
  };
  return Object.keys(out).length ? out : null;
}

/** Why overrides cannot be used with a seat, in words, or null. */
export function overridesProblem(option: AgentSeatOption, o: AgentOverrides | undefined): string | null {
  const clean = cleanOverrides(o);
  if (!clean) return null;
  if (!option.overridable) return `The ${option.label} has no sampling or prompt to change.`;
  const t = clean.temperature;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0 && t <= 2)) return `A temperature must be a number from 0 to 2, not ${String(t)}.`;
  return null;
}

/**
 * The stored seat of an agent choice. Without overrides it is `seatConfig(option)`, so a
 * single-agent run stores what it always did; with them, the settings hold `overrides` and a
 * prompt note changes the version (llmAgentPromptVersion).
 */
export function agentEntrySeat(option: AgentSeatOption, overrides?: AgentOverrides): SeatConfig {
  const problem = overridesProblem(option, overrides);
  if (problem) throw new Error(problem);
  const base = seatConfig(option);
  const clean = cleanOverrides(overrides);
  if (!clean) return base;
  return {
    ...base,
    ...(clean.promptNote ? { version: llmAgentPromptVersion(clean.promptNote) } : {}),
    settings: { ...base.settings, overrides: { ...clean } },
  };
}

/** A short name for what overrides change, for labels: "t=0.7 · note “Be brief…”". */
export function describeOverrides(o: AgentOverrides | undefined): string {
  const clean = cleanOverrides(o);
  if (!clean) return '';
  const note = clean.promptNote;
  return [
    clean.temperature !== undefined ? `t=${clean.temperature}` : '',
    note ? `note “${note.length > 24 ? `${note.slice(0, 23).trimEnd()}…` : note}”` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The entries of a run that compares several agents (RunSpec.agents): ids a1, a2… in the order
 * chosen, and labels that tell them apart. A label is the seat's, then the model (`modelLabel`,
 * for seats on the Agent role's model) and what the overrides change; entries that would still
 * share a label are numbered (2), (3)….
 */
export function agentEntries(choices: readonly AgentEntryChoice[], opts: { modelLabel?: string } = {}): AgentEntry[] {
  const drafts = choices.map((c, i) => {
    const option = agentSeat(c.kind);
    const parts = [option.label, option.needsModel && opts.modelLabel ? opts.modelLabel : '', describeOverrides(c.overrides)];
    return { id: `a${i + 1}`, label: parts.filter(Boolean).join(' · '), seat: agentEntrySeat(option, c.overrides) };
  });
  const total = new Map<string, number>();
  for (const d of drafts) total.set(d.label, (total.get(d.label) ?? 0) + 1);
  const seen = new Map<string, number>();
  return drafts.map((d) => {
    if (total.get(d.label) === 1) return d;
    const n = (seen.get(d.label) ?? 0) + 1;
    seen.set(d.label, n);
    return { ...d, label: `${d.label} (${n})` };
  });
}

/** The code behind a domain; throws a clear error when the page has none for it. */
export function requireDomain(id: string): DomainImpl {
  const d = getDomain(id);
  if (!d) throw new Error(`No tool implementations exist for domain "${id}". Known: ${Object.keys(DOMAINS).join(', ')}.`);
  return d;
}

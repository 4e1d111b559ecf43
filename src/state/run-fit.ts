/**
 * Before a run starts: will each LLM seat's first turn fit its model's context window, and do
 * the models fit in memory together? The first is a refusal (the run is not created), the second
 * a warning stored with the run. See src/core/simulation/context-fit.ts for the estimate.
 */
import { firstTurnProblem, largestFirstTurn, type SeatFit } from '../core/simulation/context-fit.ts';
import type { Persona, Scenario, JsonObject } from '../core/model/types.ts';
import type { AgentSeatOption, UserSeatOption } from '../core/participants.ts';
import type { SeatFactory } from '../core/simulation/llm-seat.ts';
import { formatMB } from '../engine/device.ts';
import type { EngineRole } from '../engine/seat.ts';
import { DEFAULT_SAMPLING, type LoadableModel, type ModelDescription } from './engines.svelte.ts';

/** Each role's model described, one description per model (roles on one model share it). */
export async function describeRoles(models: Partial<Record<EngineRole, LoadableModel>>): Promise<Partial<Record<EngineRole, ModelDescription>>> {
  const out: Partial<Record<EngineRole, ModelDescription>> = {};
  for (const [role, model] of Object.entries(models) as [EngineRole, LoadableModel][]) out[role] = await model.describe();
  return out;
}

/**
 * Why the run cannot start, or null: each model seat's largest first turn over the run's tasks
 * (and personas, for the user seat) against its model's window, less the role's reply budget.
 */
export async function firstTurnRefusal(opts: {
  described: Partial<Record<EngineRole, ModelDescription>>;
  user: UserSeatOption;
  userSettings?: JsonObject;
  agent: AgentSeatOption;
  /** The agent seat's stored settings (an LLM entry's prompt note makes its first turn longer). */
  agentSettings?: JsonObject;
  scenarios: readonly Scenario[];
  personas: readonly Persona[];
}): Promise<string | null> {
  const { described, user, agent, scenarios, personas } = opts;
  const deps = (seat: SeatFactory) => ({ makeSeat: () => seat });
  const create = {
    user: (ctx: Parameters<UserSeatOption['create']>[0], seat: SeatFactory) => user.create(ctx, deps(seat), opts.userSettings),
    agent: (ctx: Parameters<AgentSeatOption['create']>[0], seat: SeatFactory) => agent.create(ctx, deps(seat), opts.agentSettings),
  };
  const fits: SeatFit[] = [];
  for (const role of ['user', 'agent'] as const) {
    const seat = role === 'user' ? user : agent;
    const d = described[role];
    if (!seat.needsModel || !d) continue;
    const largest = await largestFirstTurn(role, scenarios, personas, create);
    if (!largest) continue;
    fits.push({
      role,
      model: d.label,
      ...largest,
      replyTokens: DEFAULT_SAMPLING[role].max_tokens,
      contextTokens: d.context.tokens,
      contextSource: d.context.source,
      ...(d.context.maxTokens !== undefined ? { maxContextTokens: d.context.maxTokens } : {}),
    });
  }
  return firstTurnProblem(fits);
}

/**
 * A warning when the models the run loads need more memory together than this device is
 * estimated to have, or null. Roles on one engine count once: the judge joins a role on its
 * model, and in shared mode every role uses one engine.
 */
export function memoryWarning(
  models: Partial<Record<EngineRole, LoadableModel>>,
  described: Partial<Record<EngineRole, ModelDescription>>,
  opts: { shared: boolean; deviceMB: number | undefined },
): string | null {
  if (opts.deviceMB === undefined) return null;
  const engines: { role: EngineRole; label: string; mb: number }[] = [];
  const loaded = new Map<string, EngineRole>();
  for (const role of ['user', 'agent', 'judge'] as const) {
    const m = models[role];
    const d = described[role];
    if (!m || !d) continue;
    if (loaded.has(m.modelId) && (opts.shared || role === 'judge')) continue;
    loaded.set(m.modelId, role);
    engines.push({ role, label: d.label, mb: d.memoryMB ?? 0 });
  }
  const total = engines.reduce((s, e) => s + e.mb, 0);
  if (total <= opts.deviceMB) return null;
  const parts = engines.map((e) => `${e.label} for the ${e.role} (${formatMB(e.mb)})`).join(', ');
  return (
    `The models this run loads need about ${formatMB(total)} together (${parts}), more than the ${formatMB(opts.deviceMB)} this device is estimated to have. ` +
    'Loading may fail or the GPU may be lost mid-run. Use one model for several roles in shared mode, smaller models, or smaller context windows (Models page).'
  );
}

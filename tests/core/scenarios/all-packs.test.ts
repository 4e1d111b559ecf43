/**
 * Generic checks for every built-in scenario pack listed in public/builtin.json, generated
 * per task rather than hand-picked (issue 6):
 * - the pack passes the import validation the page applies, and has at least 12 tasks;
 * - replaying a task's gold actions fails nowhere, and scores reward 1 when the agent said
 *   what it had to say (and 0 when it did not, where saying it counts);
 * - dropping any gold write action scores 0;
 * - changing any compared argument of a gold write action scores 0 (every other enum value,
 *   or an altered string, number, boolean or list element);
 * - dropping any gold read action scores 0 where the look-ups count (ACTION in the basis);
 * - the agenda user simulator can open every task with its first request;
 * - every identifier a task's user holds says where the user has it from (user.knownFrom), and
 *   every goal value is a known slot or in the user's own texts (issue 12).
 *
 * The session scored makes the gold calls (or the altered ones) and says what must be said.
 * Compared arguments of read actions are not mutated: reads never change the database, and a
 * dropped read is the check that the look-ups count.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GoldAction, Json, JsonObject, Scenario, ScenarioPack, ToolSpec } from '../../../src/core/model/types.ts';
import { expandPack, validateScenarioPack, type DomainCatalog } from '../../../src/core/model/schema.ts';
import { canonicalJson } from '../../../src/core/scenarios/canonical.ts';
import { DOMAINS } from '../../../src/core/scenarios/domains/index.ts';
import { checkArguments, type EnvironmentOptions } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession, replayGoldAsync, type GoldReplay } from '../../../src/core/scenarios/evaluator.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { identifierTokens } from '../../../src/core/simulation/leak-check.ts';
import { isPersonalDetailSlot } from '../../../src/core/scenarios/user-knowledge.ts';
import { makePersona } from '../fixtures.ts';
import { nodeCodeRunner } from './node-code-runner.ts';

const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${PUBLIC}builtin.json`, 'utf8')) as { packs: string[] };

/** The catalog the page validates built-in packs with: the tools of each built-in domain. */
const catalog: DomainCatalog = {
  toolsOf: (domain) => (Object.hasOwn(DOMAINS, domain) ? Object.keys(DOMAINS[domain]!.tools) : undefined),
};

const options: EnvironmentOptions = { codeRunner: nodeCodeRunner() };

function isWrite(scenario: Scenario, name: string): boolean {
  return scenario.agent.tools.find((t) => t.name === name)?.kind === 'write';
}

/** An agent turn that makes these calls (the gold ones by default) and, when `said`, says everything the task requires the agent to convey. */
function sayingAll(scenario: Scenario, golds: readonly GoldAction[] = scenario.evaluation.goldActions, said = true) {
  const toolCalls = golds.map((a, i) => ({ id: `t0-${i}`, name: a.name, arguments: a.arguments, result: { ok: true as const, value: null } }));
  return [{ role: 'agent' as const, content: said ? `Done. ${scenario.evaluation.communicateInfo.join('; ')}` : 'Done.', toolCalls }];
}

async function rewardFor(scenario: Scenario, golds: GoldAction[], expected: GoldReplay, said = true): Promise<0 | 1> {
  const replay = await replayGoldAsync({ ...scenario, evaluation: { ...scenario.evaluation, goldActions: golds } }, options);
  return evaluateSession(scenario, options, { termination: 'user_stop', finalDb: replay.db, turns: sayingAll(scenario, golds, said) }, expected).reward;
}

/** Other values for an argument: every other enum value, or an altered value of its type. */
function alternatives(spec: ToolSpec | undefined, arg: string, value: Json | undefined): Json[] {
  const prop = ((spec?.parameters['properties'] ?? {}) as Record<string, { enum?: Json[] }>)[arg];
  if (prop?.enum) return prop.enum.filter((v) => canonicalJson(v) !== canonicalJson(value ?? null));
  return altered(value ?? null);
}

function altered(value: Json): Json[] {
  if (typeof value === 'string') return [`${value}-X`];
  if (typeof value === 'number') return [value + 1];
  if (typeof value === 'boolean') return [!value];
  if (value === null) return ['X'];
  if (Array.isArray(value)) {
    const out: Json[] = value.flatMap((v, i) => altered(v).map((alt) => value.map((w, j) => (j === i ? alt : w))));
    if (value.length > 1) out.push(value.slice(0, -1));
    if (value.length === 0) out.push(['X']);
    return out;
  }
  return Object.entries(value).flatMap(([k, v]) => altered(v).map((alt) => ({ ...value, [k]: alt })));
}

for (const path of manifest.packs) {
  const raw = JSON.parse(readFileSync(`${PUBLIC}${path}`, 'utf8')) as unknown;

  describe(`built-in pack ${path}`, () => {
    const pack = validateScenarioPack(structuredClone(raw), catalog, path) as ScenarioPack;
    const scenarios = expandPack(pack);

    it('passes import validation and has at least 12 tasks of mixed difficulty', () => {
      expect(() => validateScenarioPack(structuredClone(raw), catalog, path)).not.toThrow();
      expect(pack.tasks.length).toBeGreaterThanOrEqual(12);
      expect(new Set(pack.tasks.map((t) => t.difficulty)).size).toBeGreaterThanOrEqual(2);
      expect(pack.policy).toMatch(/today's date is \d{4}-\d{2}-\d{2}/i);
    });

    for (const scenario of scenarios) {
      describe(scenario.id, () => {
        const gold = scenario.evaluation.goldActions;
        const writes = gold.map((a, i) => ({ a, i })).filter(({ a }) => isWrite(scenario, a.name));

        it('has gold actions that fit the tool schemas, compared arguments that exist', () => {
          for (const a of gold) {
            const spec = scenario.agent.tools.find((t) => t.name === a.name);
            expect(spec, a.name).toBeDefined();
            expect(checkArguments(spec!, a.arguments), `${a.name} ${JSON.stringify(a.arguments)}`).toBeNull();
            for (const k of a.compareArgs ?? []) expect(a.arguments, `${a.name} compares ${k}`).toHaveProperty(k);
          }
        });

        it('replays its gold actions without a failure and scores 1', async () => {
          const expected = await replayGoldAsync(scenario, options);
          expected.results.forEach((r, i) => expect(r, `${gold[i]!.name} ${JSON.stringify(gold[i]!.arguments)}`).toEqual({ ok: true }));
          const score = evaluateSession(scenario, options, { termination: 'user_stop', finalDb: expected.db, turns: sayingAll(scenario) }, expected);
          expect(score.reward, JSON.stringify(score)).toBe(1);
          if (scenario.evaluation.rewardBasis.includes('COMMUNICATE') && scenario.evaluation.communicateInfo.length > 0) {
            expect(await rewardFor(scenario, gold, expected, false)).toBe(0);
          }
        });

        it('scores 0 when any gold write action is dropped', async () => {
          const expected = await replayGoldAsync(scenario, options);
          for (const { i, a } of writes) {
            const reward = await rewardFor(scenario, gold.filter((_, j) => j !== i), expected);
            expect(reward, `without ${a.name} ${JSON.stringify(a.arguments)}`).toBe(0);
          }
        });

        it('scores 0 when any gold read action is dropped, where the look-ups count', async () => {
          if (!scenario.evaluation.rewardBasis.includes('ACTION')) return;
          const expected = await replayGoldAsync(scenario, options);
          for (const [i, a] of gold.entries()) {
            if (isWrite(scenario, a.name)) continue;
            expect(await rewardFor(scenario, gold.filter((_, j) => j !== i), expected), `without ${a.name} ${JSON.stringify(a.arguments)}`).toBe(0);
          }
        });

        it('scores 0 when any compared argument of a gold write action changes', async () => {
          const expected = await replayGoldAsync(scenario, options);
          let tried = 0;
          for (const { i, a } of writes) {
            const spec = scenario.agent.tools.find((t) => t.name === a.name);
            for (const arg of a.compareArgs ?? Object.keys(a.arguments)) {
              for (const alt of alternatives(spec, arg, a.arguments[arg])) {
                const changed: GoldAction = { ...a, arguments: { ...a.arguments, [arg]: alt } as JsonObject };
                const reward = await rewardFor(scenario, gold.map((b, j) => (j === i ? changed : b)), expected);
                expect(reward, `${a.name} with ${arg} = ${JSON.stringify(alt)}`).toBe(0);
                tried++;
              }
            }
          }
          // A task with writes must compare something of them, or this check proves nothing.
          if (writes.length > 0) expect(tried).toBeGreaterThan(0);
        });

        it('says where its user has each identifier from, and asks only for what the user can say', () => {
          const u = scenario.user;
          const sources = u.knownFrom ?? {};
          for (const slot of Object.keys(sources)) expect(u.knownInfo, `knownFrom.${slot}`).toHaveProperty(slot);
          const held = new Set<string>();
          for (const [slot, value] of Object.entries(u.knownInfo)) {
            const ids = identifierTokens(value);
            ids.forEach((id) => held.add(id.toLowerCase()));
            if (ids.length === 0 || isPersonalDetailSlot(slot)) continue;
            expect(sources[slot]?.trim(), `knownInfo.${slot} = ${JSON.stringify(value)} has no source`).toBeTruthy();
          }
          const own = [...Object.values(u.knownInfo), u.reasonForContact, u.taskInstructions].map((t) => t.toLowerCase());
          for (const r of u.goal.requests) {
            if (r.type !== 'action') continue;
            for (const [arg, v] of Object.entries(r.expect)) {
              if (Object.hasOwn(u.knownInfo, v)) continue;
              expect(own.some((t) => t.includes(v.toLowerCase())), `${r.tool} expects ${arg} = ${JSON.stringify(v)}`).toBe(true);
              if (isPersonalDetailSlot(arg)) continue;
              for (const id of identifierTokens(v)) expect(held.has(id.toLowerCase()), `${r.tool} expects ${arg} = ${JSON.stringify(v)}, held by no known slot`).toBe(true);
            }
          }
        });

        it('can be started by the agenda user simulator', async () => {
          const user = createAgendaUser({ role: 'user', scenario, persona: makePersona('baseline') });
          const reply = await user.nextMessage([], { turnIndex: 0, rng: mulberry32(7) });
          expect(reply.content.trim().length).toBeGreaterThan(0);
          expect(reply.control).toBeUndefined();
          const first = scenario.user.goal.requests[0]!;
          expect(reply.acts?.some((act) => act.act === 'want' && act.value === first.utterance), reply.content).toBe(true);
        });
      });
    }
  });
}

describe('built-in packs: sources of what users hold', () => {
  it('the packs hold identifiers with sources, so the per-task check above checks something', () => {
    let sourced = 0;
    for (const path of manifest.packs) {
      const pack = JSON.parse(readFileSync(`${PUBLIC}${path}`, 'utf8')) as ScenarioPack;
      for (const t of pack.tasks) {
        for (const [slot, value] of Object.entries(t.user.knownInfo)) {
          if (identifierTokens(value).length > 0 && !isPersonalDetailSlot(slot) && t.user.knownFrom?.[slot]) sourced++;
        }
      }
    }
    expect(sourced).toBeGreaterThanOrEqual(50);
  });
});

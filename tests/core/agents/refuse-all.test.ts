/**
 * The do-nothing agent (it answers every message with "I'm sorry, I can't help with that request
 * under our policy" and never calls a tool) against the agenda user, through runSession: every
 * task of every built-in pack (whatever public/builtin.json lists when this runs), with every
 * persona of public/personas/core.json, one trial. A pass here is a score had for nothing: the
 * packs' refusal tasks must ask for the reason found by a look-up, and the agenda user must not
 * take a bare refusal for the one it waits for (issue 12).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRefuseAllAgent, REFUSE_ALL_ID, REFUSE_ALL_VERSION } from '../../../src/core/agents/refuse-all.ts';
import { expandPack } from '../../../src/core/model/schema.ts';
import type { Persona, RunSpec, ScenarioPack } from '../../../src/core/model/types.ts';
import { planSessions, runSession } from '../../../src/core/simulation/session.ts';
import { AGENDA_VERSION, createAgendaUser } from '../../../src/core/users/agenda.ts';
import { nodeCodeRunner } from '../scenarios/node-code-runner.ts';

const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const personas = (JSON.parse(readFileSync(`${PUBLIC}personas/core.json`, 'utf8')) as { personas: Persona[] }).personas;
const packs = (JSON.parse(readFileSync(`${PUBLIC}builtin.json`, 'utf8')) as { packs: string[] }).packs;

const SPEC: RunSpec = {
  name: 'do-nothing floor',
  scenarioIds: [],
  personaIds: personas.map((p) => p.id),
  user: { kind: 'agenda', label: 'Agenda', version: AGENDA_VERSION, settings: {} },
  agent: { kind: REFUSE_ALL_ID, label: 'Do-nothing agent', version: REFUSE_ALL_VERSION, settings: {} },
  trials: 1,
  seed: 2027,
  maxTurns: 60,
  maxErrors: 4,
};

describe('the do-nothing agent scores 0 on every built-in pack, against every persona', () => {
  it('finds the packs and the personas', () => {
    expect(packs.length).toBeGreaterThan(0);
    expect(personas.length).toBeGreaterThan(1);
  });

  for (const file of packs) {
    it(`${file}: no (task, persona) pair passes`, { timeout: 120_000 }, async () => {
      const scenarios = expandPack(JSON.parse(readFileSync(`${PUBLIC}${file}`, 'utf8')) as ScenarioPack);
      const passed: string[] = [];
      const goldCache = new Map();
      for (const plan of planSessions('floor', SPEC, scenarios, personas)) {
        const s = await runSession(plan, {
          runId: 'floor',
          spec: SPEC,
          codeRunner: nodeCodeRunner(),
          goldCache,
          createUser: (ctx) => createAgendaUser(ctx),
          createAgent: () => createRefuseAllAgent(),
        });
        expect(s.error, `${s.scenarioId} × ${s.personaId}: ${s.error?.message}`).toBeUndefined();
        if (s.outcome === 'pass') passed.push(`${s.scenarioId} × ${s.personaId}`);
      }
      expect(passed, `the do-nothing agent passed ${passed.length} of ${scenarios.length * personas.length} sessions`).toEqual([]);
    });
  }
});

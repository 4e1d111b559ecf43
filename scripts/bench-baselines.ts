/**
 * npm run bench:baselines — what the classical participants score, pack by pack. Not a test:
 * nothing here asserts; it prints and saves figures (bench-baselines.json).
 *
 * For each built-in pack (public/builtin.json) and, when ../shared holds it, τ²-bench retail
 * (the first 20 tasks and all 114): the agenda user against the generic rule-based agent
 * (frame), over the baseline persona and over all six core personas, one trial each, seed 2027;
 * and the pack's floor, the do-nothing agent against the agenda user (every persona).
 *
 * BASELINE_PACKS=retail,airline limits the packs; BASELINE_TAU2=0 leaves τ²-bench out.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AGENDA_VERSION,
  computeFloor,
  createAgendaUser,
  createFrameAgent,
  expandPack,
  FRAME_AGENT_VERSION,
  importTau2Domain,
  planSessions,
  runSession,
  validatePersonaSet,
  type GoldReplay,
  type Persona,
  type RunSpec,
  type Scenario,
} from '../src/core/index.ts';

const personas = validatePersonaSet(JSON.parse(readFileSync('public/personas/core.json', 'utf8'))).personas;
const baseline = personas.filter((p) => p.id === 'baseline');
const only = process.env.BASELINE_PACKS?.split(',').map((s) => s.trim());

const sets: { name: string; scenarios: Scenario[] }[] = [];
for (const file of (JSON.parse(readFileSync('public/builtin.json', 'utf8')) as { packs: string[] }).packs) {
  const name = path.basename(file, '.json');
  if (only && !only.includes(name)) continue;
  sets.push({ name, scenarios: expandPack(JSON.parse(readFileSync(path.join('public', file), 'utf8'))) });
}
const TAU2 = path.resolve('../shared/data/tau2-bench/retail');
if (process.env.BASELINE_TAU2 !== '0' && existsSync(TAU2)) {
  const read = (f: string) => readFileSync(path.join(TAU2, f), 'utf8');
  const all = importTau2Domain({ domain: 'retail', db: JSON.parse(read('db.json')), tasks: JSON.parse(read('tasks.json')), policy: read('policy.md') });
  sets.push({ name: 'tau2-retail (first 20)', scenarios: all.slice(0, 20) });
  sets.push({ name: 'tau2-retail (all 114)', scenarios: all });
}

async function passes(scenarios: Scenario[], who: Persona[]): Promise<{ passed: number; total: number; seconds: number }> {
  const spec: RunSpec = {
    name: 'baselines',
    scenarioIds: scenarios.map((s) => s.id),
    personaIds: who.map((p) => p.id),
    user: { kind: 'agenda', label: 'Agenda', version: AGENDA_VERSION, settings: {} },
    agent: { kind: 'frame', label: 'Generic rule-based agent', version: FRAME_AGENT_VERSION, settings: {} },
    trials: 1,
    seed: 2027,
    maxTurns: 60,
    maxErrors: 4,
  };
  const goldCache = new Map<string, GoldReplay>();
  let passed = 0;
  const t0 = performance.now();
  const plans = planSessions('baselines', spec, scenarios, who);
  for (const plan of plans) {
    const s = await runSession(plan, {
      runId: 'baselines',
      spec,
      goldCache,
      createUser: (ctx) => createAgendaUser(ctx),
      createAgent: (ctx) => createFrameAgent(ctx),
    });
    if (s.score?.reward === 1) passed++;
  }
  return { passed, total: plans.length, seconds: (performance.now() - t0) / 1000 };
}

const rows: Record<string, unknown>[] = [];
console.log(`Agenda user (${AGENDA_VERSION}) vs generic rule-based agent (${FRAME_AGENT_VERSION}), seed 2027, one trial`);
for (const set of sets) {
  const base = await passes(set.scenarios, baseline);
  const six = await passes(set.scenarios, personas);
  const floor = await computeFloor(set.scenarios, personas, { personaIds: personas.map((p) => p.id) });
  const row = {
    pack: set.name,
    tasks: set.scenarios.length,
    baselinePersona: `${base.passed}/${base.total}`,
    sixPersonas: `${six.passed}/${six.total}`,
    floorTasks: `${floor.passed}/${floor.total}`,
    seconds: Number((base.seconds + six.seconds).toFixed(1)),
  };
  rows.push(row);
  console.log(
    `${set.name.padEnd(24)} baseline persona ${row.baselinePersona.padStart(7)}   six personas ${row.sixPersonas.padStart(7)}   do-nothing floor ${row.floorTasks.padStart(7)} tasks   (${row.seconds} s)`,
  );
}
writeFileSync('bench-baselines.json', JSON.stringify({ measuredAt: new Date().toISOString(), user: AGENDA_VERSION, agent: FRAME_AGENT_VERSION, rows }, null, 2));
console.log('Saved to bench-baselines.json');

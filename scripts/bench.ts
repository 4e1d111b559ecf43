/**
 * npm run bench: measures, prints and saves figures. Not a test: nothing here asserts.
 * Core throughput of the classical participants on the built-in pack: how many sessions
 * and turns per second the orchestrator, environment, evaluator and simulators sustain.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  BASELINE_TRAITS,
  agentSeat,
  expandPack,
  planSessions,
  requireDomain,
  runSession,
  seatConfig,
  userSeat,
  validatePersonaSet,
  validateScenarioPack,
  DOMAINS,
  type GoldReplay,
  type RunSpec,
} from '../src/core/index.ts';

const catalog = { toolsOf: (d: string) => (DOMAINS[d] ? Object.keys(DOMAINS[d]!.tools) : undefined) };
const pack = validateScenarioPack(JSON.parse(readFileSync('public/packs/bookshop.json', 'utf8')), catalog);
const personas = validatePersonaSet(JSON.parse(readFileSync('public/personas/core.json', 'utf8'))).personas;
const scenarios = expandPack(pack);
void BASELINE_TRAITS;

const user = userSeat('agenda');
const agent = agentSeat('rule-based');
const trials = Number(process.env.BENCH_TRIALS ?? 10);
const spec: RunSpec = {
  name: 'bench',
  scenarioIds: scenarios.map((s) => s.id),
  personaIds: personas.map((p) => p.id),
  user: seatConfig(user),
  agent: seatConfig(agent),
  trials,
  seed: 7,
  maxTurns: 40,
  maxErrors: 5,
};
const plans = planSessions('bench', spec, scenarios, personas);
const goldCache = new Map<string, GoldReplay>();
let turns = 0;
let passed = 0;
const t0 = performance.now();
for (const plan of plans) {
  const s = await runSession(plan, {
    runId: 'bench',
    spec,
    domain: requireDomain(plan.scenario.domain),
    createUser: user.create,
    createAgent: (ctx) => agent.create(ctx),
    goldCache,
    onTurn: () => {
      turns++;
    },
  });
  if (s.outcome === 'pass') passed++;
}
const seconds = (performance.now() - t0) / 1000;
const figures = {
  date: new Date().toISOString(),
  node: process.version,
  sessions: plans.length,
  turns,
  seconds: Number(seconds.toFixed(3)),
  sessionsPerSecond: Math.round(plans.length / seconds),
  turnsPerSecond: Math.round(turns / seconds),
  meanTurnsPerSession: Number((turns / plans.length).toFixed(1)),
  successRate: Number((passed / plans.length).toFixed(3)),
};
console.log('Core throughput, agenda user vs rule-based agent, built-in bookshop pack');
console.table(figures);
writeFileSync('bench-results.json', JSON.stringify({ core: figures }, null, 2) + '\n');
console.log('Saved to bench-results.json');

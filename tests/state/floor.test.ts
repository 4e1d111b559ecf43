import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFUSE_ALL_VERSION } from '../../src/core/agents/refuse-all.ts';
import { floorIsCurrent, type PackFloor } from '../../src/core/metrics/floor.ts';
import { AGENDA_VERSION } from '../../src/core/users/agenda.ts';
import { expandPack } from '../../src/core/model/schema.ts';
import type { Persona, Scenario } from '../../src/core/model/types.ts';
import { AppState } from '../../src/state/app.svelte.ts';
import { inlineFloorRunner, type FloorRunner } from '../../src/state/floor.ts';
import { dropTestStorage, makePersona, makeScenario, openTestStorage } from '../storage/fixtures.ts';

/*
 * Measuring packs' floors below the UI: after a pack is stored, in the background, without
 * ever losing or half-writing the pack; a failure leaves the pack as it is and says why.
 */

let app: AppState;
beforeEach(async () => {
  app = new AppState();
  app.storage = openTestStorage();
  await app.storage.putPersonas([makePersona('baseline')], { builtin: false });
  await app.refresh();
});
afterEach(async () => {
  await app.measureFloors();
  await dropTestStorage(app.storage);
});

const record = (id: string) => ({ id, title: `Pack ${id}`, description: 'test', domain: 'bookshop', origin: 'json' as const });
const tasks = (packId: string, n: number): Scenario[] => Array.from({ length: n }, (_, i) => makeScenario(`${packId}-${i}`, { packId }));

/** A runner that reports each task and passes the first, without running anything. */
function fakeRunner(calls: string[][]): FloorRunner {
  return async (scenarios, personas, onProgress) => {
    calls.push(scenarios.map((s) => s.id));
    scenarios.forEach((_, i) => onProgress(i + 1, scenarios.length));
    return {
      agent: REFUSE_ALL_VERSION,
      user: AGENDA_VERSION,
      personas: personas.slice(0, 1).map((p: Persona) => p.id),
      seed: 1,
      maxTurns: 40,
      passed: 1,
      total: scenarios.length,
      tasksPassed: scenarios.slice(0, 1).map((s) => s.id),
      errors: 0,
    } satisfies PackFloor;
  };
}

describe('measuring packs’ floors', () => {
  it('measures nothing without a runner (tests that do not ask for it)', async () => {
    await app.storePack(record('p'), tasks('p', 2), 'p.json');
    await app.measureFloors();
    expect(app.packRecords[0]!.floor).toBeUndefined();
  });

  it('measures a stored pack after it is stored, keeps the floor on its record, and measures it once', async () => {
    const calls: string[][] = [];
    app.floorRunner = fakeRunner(calls);
    await app.storePack(record('p'), tasks('p', 3), 'p.json');
    // The pack is stored before its floor: the page never waits for it.
    expect(app.scenarios).toHaveLength(3);
    await app.measureFloors();
    expect(calls).toEqual([['p-0', 'p-1', 'p-2']]);
    expect(app.floorProgress).toEqual({});
    expect(app.packRecords[0]!.floor).toMatchObject({ passed: 1, total: 3, tasksPassed: ['p-0'], personas: ['baseline'] });
    expect((await app.storage.getPack('p'))!.floor).toEqual(app.packRecords[0]!.floor);
    await app.measureFloors();
    expect(calls).toHaveLength(1);
  });

  it('measures again a floor measured with another version of the user simulator or agent', async () => {
    await app.storePack(record('p'), tasks('p', 2), 'p.json');
    const stored = (await app.storage.getPack('p'))!;
    const calls: string[][] = [];
    const old = await fakeRunner([])(tasks('p', 2), [makePersona('baseline')], () => {});
    await app.storage.setPackFloor('p', stored.importedAt, { ...old, user: 'agenda-0.9' });
    app.floorRunner = fakeRunner(calls);
    await app.measureFloors();
    expect(calls).toHaveLength(1);
    expect(app.packRecords[0]!.floor).toMatchObject({ user: AGENDA_VERSION });
  });

  it('keeps the pack whole when measuring fails, says why, and does not retry the same import', async () => {
    let tries = 0;
    app.floorRunner = async () => {
      tries++;
      throw new Error('no worker today');
    };
    await app.storePack(record('p'), tasks('p', 2), 'p.json');
    await app.measureFloors();
    expect(app.floorErrors['p']).toMatchObject({ message: 'no worker today' });
    expect(app.scenarios.map((s) => s.id)).toEqual(['p-0', 'p-1']);
    expect(app.packRecords).toMatchObject([{ id: 'p', taskCount: 2 }]);
    expect(app.packRecords[0]!.floor).toBeUndefined();
    await app.measureFloors();
    expect(tries).toBe(1);
  });

  it('drops a floor measured for a pack replaced meanwhile, and measures the new one', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fake = fakeRunner(calls);
    app.floorRunner = async (scenarios, personas, onProgress) => {
      if (calls.length === 0) await gate;
      return fake(scenarios, personas, onProgress);
    };
    await app.storePack(record('p'), tasks('p', 3), 'p.json');
    await new Promise((r) => setTimeout(r, 5));
    expect(app.floorProgress['p']).toEqual({ done: 0, total: 3 });
    await app.storePack(record('p'), tasks('p', 2), 'p.json');
    release();
    await app.measureFloors();
    expect(calls).toEqual([['p-0', 'p-1', 'p-2'], ['p-0', 'p-1']]);
    expect(app.packRecords[0]!.floor).toMatchObject({ total: 2 });
  });

  it('measures a built-in pack for real, on this thread, with the do-nothing agent', async () => {
    const pack = JSON.parse(readFileSync(new URL('../../public/packs/helpdesk.json', import.meta.url), 'utf8'));
    const scenarios = expandPack(pack);
    app.floorRunner = inlineFloorRunner;
    await app.storePack({ ...record(pack.id), domain: pack.domain }, scenarios, 'helpdesk.json');
    await app.measureFloors();
    const floor = app.packRecords[0]!.floor;
    expect(floorIsCurrent(floor)).toBe(true);
    expect(floor).toMatchObject({ total: scenarios.length, personas: ['baseline'], errors: 0 });
    expect(floor!.tasksPassed.every((id) => scenarios.some((s) => s.id === id))).toBe(true);
  }, 60_000);
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PackFloor } from '../../src/core/metrics/floor.ts';
import type { Scenario } from '../../src/core/model/types.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeScenario, openTestStorage } from './fixtures.ts';

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await dropTestStorage(storage);
});

const scenarios = (packId: string, n: number): Scenario[] => Array.from({ length: n }, (_, i) => makeScenario(`${packId}-${i}`, { packId }));
const record = (id: string) => ({ id, title: `Pack ${id}`, description: 'test', domain: 'retail', origin: 'json' as const });
const FLOOR: PackFloor = {
  agent: 'refuse-all-1',
  user: 'agenda-1.2',
  personas: ['baseline'],
  seed: 7,
  maxTurns: 40,
  passed: 1,
  total: 3,
  tasksPassed: ['p-1'],
  errors: 0,
};

/** Date.now advancing a second per call, so two writes never share an importedAt. */
function ticking(): void {
  let t = 1_700_000_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => (t += 1000));
}

describe('a pack record with its floor', () => {
  it('stores the floor on the record it was measured for and reads it back whole', async () => {
    await storage.putPack(record('p'), scenarios('p', 3));
    const before = (await storage.getPack('p'))!;
    expect(before.floor).toBeUndefined();
    expect(await storage.setPackFloor('p', before.importedAt, FLOOR)).toBe(true);
    expect(await storage.getPack('p')).toEqual({ ...before, floor: FLOOR });
    expect((await storage.listPacks())[0]!.floor).toEqual(FLOOR);
    // The scenarios are untouched.
    expect((await storage.listScenarios()).map((s) => s.id)).toEqual(['p-0', 'p-1', 'p-2']);
  });

  it('refuses a floor measured on an earlier import, or for a pack since deleted', async () => {
    ticking();
    await storage.putPack(record('p'), scenarios('p', 3));
    const first = (await storage.getPack('p'))!;
    await storage.putPack({ ...record('p'), title: 'Again' }, scenarios('p', 2));
    const second = (await storage.getPack('p'))!;
    expect(await storage.setPackFloor('p', first.importedAt, FLOOR)).toBe(false);
    expect(await storage.getPack('p')).toEqual(second);
    await storage.deletePack('p');
    expect(await storage.setPackFloor('p', second.importedAt, FLOOR)).toBe(false);
    expect(await storage.listPacks()).toEqual([]);
  });

  it('loses the floor when the pack is written again, keeps it when a task is deleted', async () => {
    ticking();
    await storage.putPack(record('p'), scenarios('p', 3));
    await storage.setPackFloor('p', (await storage.getPack('p'))!.importedAt, FLOOR);
    await storage.deleteScenario('p-2');
    expect(await storage.getPack('p')).toMatchObject({ taskCount: 2, floor: FLOOR });
    await storage.putPack(record('p'), scenarios('p', 3));
    expect((await storage.getPack('p'))!.floor).toBeUndefined();
  });

  it('seeding changed built-in packs drops their floors, and leaves a user pack of the same id alone', async () => {
    ticking();
    await storage.seedBuiltins(scenarios('shop', 2), [], [{ ...record('shop'), origin: 'builtin', taskCount: 2 }]);
    await storage.setPackFloor('shop', (await storage.getPack('shop'))!.importedAt, FLOOR);
    await storage.putPack(record('mine'), scenarios('mine', 2));
    await storage.setPackFloor('mine', (await storage.getPack('mine'))!.importedAt, FLOOR);
    await storage.seedBuiltins(scenarios('shop', 2), [], [
      { ...record('shop'), origin: 'builtin', taskCount: 2 },
      { ...record('mine'), origin: 'builtin', taskCount: 2 },
    ]);
    expect((await storage.getPack('shop'))!.floor).toBeUndefined();
    expect(await storage.getPack('mine')).toMatchObject({ origin: 'json', floor: FLOOR });
  });
});

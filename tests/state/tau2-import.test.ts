import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/model/validation.ts';
import { importTau2DomainReport, parseTau2Files } from '../../src/core/scenarios/tau2/import.ts';
import { AppState } from '../../src/state/app.svelte.ts';
import { dropTestStorage, makeScenario, openTestStorage } from '../storage/fixtures.ts';

/*
 * The page's τ²-bench import path below the UI: the real retail files through the importer into
 * AppState.storePack, the library holding light rows, runs hydrating whole scenarios.
 */

const RETAIL = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail');
const read = (name: string) => readFileSync(path.join(RETAIL, name), 'utf8');

function retailReport() {
  const input = parseTau2Files({ 'retail/db.json': read('db.json'), 'retail/policy.md': read('policy.md'), 'retail/tasks.json': read('tasks.json') });
  return importTau2DomainReport(input);
}

let app: AppState;
beforeEach(() => {
  app = new AppState();
  app.storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(app.storage);
});

const record = (id: string) => ({ id, title: 'τ²-bench retail', description: 'test', domain: 'tau2-retail', origin: 'tau2-bench' as const });

describe('storing an imported τ²-bench domain', () => {
  it('keeps light rows in the library and hydrates whole scenarios for a run', async () => {
    const report = retailReport();
    await app.storePack(record(report.pack.id), report.scenarios, 'retail');

    expect(app.scenarios).toHaveLength(114);
    expect(app.scenarios.every((s) => !('initialDb' in s) && !('agent' in s))).toBe(true);
    expect(app.packs.get('tau2-retail')?.slice(0, 4).map((s) => s.id)).toEqual(['tau2-retail-0', 'tau2-retail-1', 'tau2-retail-2', 'tau2-retail-3']);
    expect(app.packRecords).toMatchObject([{ id: 'tau2-retail', taskCount: 114, origin: 'tau2-bench' }]);
    expect(await app.storage.db.scenarioDbs.count()).toBe(1);

    const five = await app.getScenarios(['tau2-retail-4', 'gone', 'tau2-retail-0']);
    expect(five.map((s) => s.id)).toEqual(['tau2-retail-4', 'tau2-retail-0']);
    expect(five[0]!.initialDb).toEqual(report.scenarios[0]!.initialDb);
    expect(five[0]!.agent).toEqual(report.scenarios[4]!.agent);
    expect(five[1]!.evaluation).toEqual(report.scenarios[0]!.evaluation);

    // Importing it again replaces it: same rows, still one database.
    await app.storePack(record(report.pack.id), retailReport().scenarios, 'retail');
    expect(app.scenarios).toHaveLength(114);
    expect(await app.storage.db.scenarioDbs.count()).toBe(1);

    await app.deletePack('tau2-retail');
    expect(app.scenarios).toEqual([]);
    expect(app.packRecords).toEqual([]);
    expect(await app.storage.db.scenarioDbs.count()).toBe(0);
  }, 60_000);

  it('refuses to replace a built-in pack or scenario, writing nothing', async () => {
    const builtin = [makeScenario('b1', { packId: 'bookshop' }), makeScenario('b2', { packId: 'bookshop' })];
    await app.storage.seedBuiltins(builtin, [], [{ id: 'bookshop', title: 'Shop', description: '', domain: 'bookshop', origin: 'builtin', taskCount: 2 }]);
    await app.refresh();

    const mine = [makeScenario('mine-1', { packId: 'bookshop' })];
    await expect(app.storePack({ ...record('bookshop'), domain: 'bookshop' }, mine, 'mine.json')).rejects.toThrow(ValidationError);
    const clash = [makeScenario('b1', { packId: 'other' })];
    await expect(app.storePack({ ...record('other'), domain: 'bookshop' }, clash, 'clash.json')).rejects.toThrow(/"b1" is a built-in scenario/);
    expect(app.scenarios.map((s) => s.id).sort()).toEqual(['b1', 'b2']);
    expect(await app.storage.listPacks()).toMatchObject([{ id: 'bookshop', origin: 'builtin' }]);
  });
});

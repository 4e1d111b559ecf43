import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/model/validation.ts';
import { AppState } from '../../src/state/app.svelte.ts';
import { dropTestStorage, openTestStorage } from '../storage/fixtures.ts';
import { makePersona, makePersonaSet } from '../core/fixtures.ts';

/*
 * Persona files go through AppState.importJson (and the Personas page's save methods) into
 * storage: a refused file writes nothing, a good set is stored whole with its title.
 */

let app: AppState;
beforeEach(() => {
  app = new AppState();
  app.storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(app.storage);
});

const badCases: [string, (p: Record<string, any>) => void, string][] = [
  ['an unknown trait', (p) => (p.personas[1].traits.charm = 3), 'personas[1].traits: unknown field "charm"'],
  ['a value out of range', (p) => (p.personas[1].traits.patience = 9), 'personas[1].traits.patience: must be at most 5 (got 9)'],
  ['a missing name', (p) => delete p.personas[2].name, 'personas[2].name: is required but missing'],
  ['a schedule past the maximum turns', (p) => (p.personas[0].controls = [{ when: { type: 'turn', turn: 500 }, set: { patience: 1 } }]), 'personas[0].controls[0].when.turn: the schedule points past the maximum turn'],
  ['a policy over the limit', (p) => (p.personas[2].policy = 'z'.repeat(5000)), 'personas[2].policy: is too long: at most 4000 characters (got 5000)'],
];

describe('importing persona files', () => {
  for (const [what, edit, message] of badCases) {
    it(`refuses a set with ${what} and writes nothing`, async () => {
      const set = structuredClone(makePersonaSet()) as Record<string, any>;
      edit(set);
      const err = await app.importJson(JSON.stringify(set), 'bad.json').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain(message);
      expect(await app.storage.listPersonas()).toEqual([]);
      expect(await app.storage.listPersonaSets()).toEqual([]);
    });
  }

  it('stores a good set whole, with its title, and replaces members a new version drops', async () => {
    const set = makePersonaSet();
    await app.importJson(JSON.stringify(set), 'good.json');
    expect(app.personas.map((p) => p.id).sort()).toEqual(['baseline', 'impatient', 'reluctant']);
    expect(app.personas.every((p) => p.setId === 'test-set' && !p.builtin)).toBe(true);
    expect(app.personaSets).toEqual([{ id: 'test-set', title: 'Test personas', description: 'Baseline and variants.' }]);
    await app.savePersonaSet({ ...set, title: 'Renamed', personas: set.personas.slice(0, 2) });
    expect(app.personas.map((p) => p.id).sort()).toEqual(['baseline', 'impatient']);
    expect(app.personaSets[0]!.title).toBe('Renamed');
    await app.deletePersonaSet('test-set');
    expect(app.personas).toEqual([]);
    expect(app.personaSets).toEqual([]);
  });

  it('saves an edited persona, and refuses one that would overwrite a built-in persona', async () => {
    await app.storage.seedBuiltins([], [makePersona('baseline')], []);
    await app.refresh();
    await expect(app.savePersona(makePersona('baseline', { patience: 1 }), 'editor')).rejects.toThrow('editor: id: "baseline" is a built-in persona');
    expect((await app.storage.getPersona('baseline'))!.traits.patience).toBe(5);
    const saved = await app.savePersona({ ...makePersona('mine', { patience: 2 }), controls: [{ when: { type: 'turn', turn: 3 }, set: { patience: 1 } }] });
    expect(saved.controls).toHaveLength(1);
    expect((await app.storage.getPersona('mine'))!.traits.patience).toBe(2);
    await expect(app.savePersona({ ...makePersona('mine'), traits: { ...makePersona().traits, patience: 0 } }, 'editor')).rejects.toThrow('traits.patience: must be at least 1');
    expect((await app.storage.getPersona('mine'))!.traits.patience).toBe(2);
  });
});

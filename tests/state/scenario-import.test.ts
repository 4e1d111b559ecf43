import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioPack } from '../../src/core/model/types.ts';
import { ValidationError } from '../../src/core/model/validation.ts';
import { expandPack } from '../../src/core/model/schema.ts';
import { AppState } from '../../src/state/app.svelte.ts';
import { dropTestStorage, openTestStorage } from '../storage/fixtures.ts';

/*
 * Scenario files through AppState.importJson into storage (fake-indexeddb): every kind of bad
 * input from issue 6 is refused whole, with the file, the path and the problem named, and not
 * one row of the database changes.
 */

let app: AppState;
beforeEach(() => {
  app = new AppState();
  app.storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(app.storage);
});

/** A pack in a domain with no built-in code: its tools are declarative. */
function notesPack(id = 'notes', taskIds = ['add-note', 'close-ticket']): ScenarioPack {
  const task = (taskId: string, goldActions: ScenarioPack['tasks'][number]['evaluation']['goldActions']) => ({
    id: taskId,
    title: taskId,
    purpose: 'Test task.',
    difficulty: 'easy' as const,
    user: {
      reasonForContact: 'A ticket.',
      knownInfo: { ticket_id: 'T-1' },
      unknownInfo: [],
      taskInstructions: 'Handle ticket T-1.',
      goal: { requests: [{ type: 'action' as const, utterance: 'close it', tool: 'close_ticket', expect: { ticket_id: 'ticket_id' } }] },
    },
    evaluation: { goldActions, envAssertions: [], communicateInfo: [], nlAssertions: [], rewardBasis: ['DB' as const] },
  });
  return {
    formatVersion: 1,
    id,
    title: 'Tickets',
    description: 'Tickets with notes.',
    domain: 'tickets-test',
    policy: 'Close open tickets.',
    tools: [
      {
        name: 'close_ticket',
        description: 'Close an open ticket.',
        kind: 'write',
        parameters: { type: 'object', properties: { ticket_id: { type: 'string' } }, required: ['ticket_id'], additionalProperties: false },
        impl: {
          type: 'declarative',
          steps: [
            { get: 'tickets', key: '{args.ticket_id}', as: 't' },
            { check: '{t.status}', equals: 'open', message: 'Ticket {t.id} is {t.status}.' },
            { set: 't.status', value: 'closed' },
          ],
        },
      },
      {
        name: 'add_note',
        description: 'Add a note to a ticket.',
        kind: 'write',
        parameters: { type: 'object', properties: { ticket_id: { type: 'string' }, text: { type: 'string' } }, required: ['ticket_id', 'text'] },
        impl: { type: 'declarative', steps: [{ append: 'notes', value: { ticket: '{args.ticket_id}', text: '{args.text}' } }] },
      },
    ],
    db: { tickets: { 'T-1': { id: 'T-1', status: 'open' }, 'T-2': { id: 'T-2', status: 'closed' } }, notes: [] },
    tasks: [
      task(taskIds[0]!, [{ name: 'add_note', arguments: { ticket_id: 'T-1', text: 'hello' } }]),
      task(taskIds[1]!, [{ name: 'close_ticket', arguments: { ticket_id: 'T-1' } }]),
    ],
  };
}

/** Every row of every table, to compare before and after. */
async function dump(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of app.storage.db.tables) out[table.name] = await table.toArray();
  return out;
}

async function refused(text: string, source: string): Promise<ValidationError> {
  const err = await app.importJson(text, source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (p: any) => void;
const BAD: { what: string; text: () => string; message: string }[] = [
  { what: 'malformed JSON', text: () => JSON.stringify(notesPack()).slice(0, -40), message: 'bad.json: not valid JSON at line 1, column' },
  {
    what: 'a schema break',
    text: () => edited((p) => (p.tasks[1].difficulty = 'brutal')),
    message: 'bad.json: tasks[1].difficulty: must be one of "easy", "medium", "hard" (got "brutal")',
  },
  {
    what: 'a gold action calling an unknown tool',
    text: () => edited((p) => (p.tasks[0].evaluation.goldActions[0].name = 'delete_ticket')),
    message: 'bad.json: tasks[0].evaluation.goldActions[0].name: references tool "delete_ticket"',
  },
  {
    what: 'a gold action whose replay fails on the initial database',
    text: () => edited((p) => (p.tasks[1].evaluation.goldActions[0].arguments.ticket_id = 'T-2')),
    message: 'bad.json: tasks[1].evaluation.goldActions[0]: close_ticket fails when the gold actions are replayed on the initial database: Ticket T-2 is closed.',
  },
  {
    what: 'duplicate ids within the file',
    text: () => edited((p) => (p.tasks[1].id = 'add-note')),
    message: 'bad.json: tasks[1].id: duplicate id "add-note"',
  },
  {
    what: 'an id another pack in the library holds',
    text: () => JSON.stringify(notesPack('other-notes', ['close-ticket', 'fresh-task'])),
    message: 'bad.json: tasks[0].id: id "close-ticket" is already in the library, in pack "notes"',
  },
  {
    what: 'a file over 20 MB',
    text: () => JSON.stringify({ ...notesPack(), padding: 'x'.repeat(21 * 1024 * 1024) }),
    message: 'bad.json: the file is 21.0 MB, over the 20.0 MB limit for imports; nothing was imported',
  },
];

function edited(edit: Edit): string {
  const p = structuredClone(notesPack());
  edit(p);
  return JSON.stringify(p);
}

describe('importing scenario files', () => {
  it('stores a good pack, and importing it again replaces it', async () => {
    expect(await app.importJson(JSON.stringify(notesPack()), 'notes.json')).toEqual({
      kind: 'scenario pack',
      count: 2,
      ids: ['add-note', 'close-ticket'],
    });
    expect(app.scenarios.map((s) => [s.id, s.packId])).toEqual([
      ['add-note', 'notes'],
      ['close-ticket', 'notes'],
    ]);
    await app.importJson(JSON.stringify(notesPack()), 'notes.json');
    expect(app.scenarios).toHaveLength(2);
  });

  it('stores a pack written before knownFrom existed, listing what its users could not know as warnings', async () => {
    const p = notesPack();
    p.tasks[1]!.user.knownInfo = { ticket_id: 'T-1', badge: 'EMP-20931' };
    const result = await app.importJson(JSON.stringify(p), 'notes.json');
    expect(result.count).toBe(2);
    expect(result.warnings).toEqual([{ path: 'tasks[1].user.knownInfo.badge', message: expect.stringMatching(/^"EMP-20931" is an identifier: say where/) }]);
    expect(app.scenarios.map((s) => s.id)).toEqual(['add-note', 'close-ticket']);
  });

  for (const bad of BAD) {
    it(`refuses ${bad.what} as a whole, and writes nothing`, async () => {
      await app.importJson(JSON.stringify(notesPack()), 'notes.json');
      const before = await dump();
      const err = await refused(bad.text(), 'bad.json');
      expect(err.message).toContain(bad.message);
      expect(await dump()).toEqual(before);
    });
  }

  it('refuses a single scenario that takes a pack scenario\'s id, and writes nothing', async () => {
    await app.importJson(JSON.stringify(notesPack()), 'notes.json');
    const before = await dump();
    const { packId: _p, ...single } = expandPack(notesPack())[1]!;
    const err = await refused(JSON.stringify(single), 'one.json');
    expect(err.issues).toEqual([
      { path: 'id', message: 'id "close-ticket" is already in the library, in pack "notes"; scenario ids must be unique across packs: rename it, or delete that pack first' },
    ]);
    expect(await dump()).toEqual(before);
  });

  it('storePack (the τ²-bench import) refuses ids another pack holds, and writes nothing', async () => {
    await app.importJson(JSON.stringify(notesPack()), 'notes.json');
    const before = await dump();
    const other = notesPack('tau-like', ['add-note', 'x-2']);
    const err = await app
      .storePack({ id: other.id, title: other.title, description: other.description, domain: other.domain, origin: 'json' }, expandPack(other), 'tasks.json')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('tasks.json: tasks[0].id: id "add-note" is already in the library, in pack "notes"');
    expect(await dump()).toEqual(before);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunBundleError,
  exportRunJsonl,
  importRunJsonl,
  parseRunJsonl,
} from '../../src/storage/export.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeRun, makeSession, makeTurn, openTestStorage, seedGridRun } from './fixtures.ts';

const NOW = new Date('2025-01-02T03:04:05.000Z');

let storage: Storage;
beforeEach(() => {
  storage = openTestStorage();
});
afterEach(async () => {
  await dropTestStorage(storage);
});

/** Parses every line of a bundle as plain JSON. */
function lines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('exportRunJsonl', () => {
  it('writes the run first, then one session per line with its turns, in a stable order', async () => {
    const { run } = await seedGridRun(storage, 'A', 3);
    await seedGridRun(storage, 'B', 1); // must not leak in
    const text = await exportRunJsonl(storage, 'A', { now: NOW });

    expect(text.startsWith('{"type":"run","formatVersion":1,"exportedAt":"2025-01-02T03:04:05.000Z","run":{')).toBe(true);
    const [header, ...rest] = lines(text);
    expect(header).toEqual({ type: 'run', formatVersion: 1, exportedAt: NOW.toISOString(), run });
    expect(rest).toHaveLength(8);
    for (const l of rest) {
      expect(Object.keys(l)).toEqual(['type', 'session', 'turns']);
      expect(l['type']).toBe('session');
      const session = l['session'] as { id: string; runId: string };
      expect(session.runId).toBe('A');
      expect(l['turns']).toEqual([0, 1, 2].map((i) => makeTurn(session.id, i)));
    }
    const order = rest.map((l) => {
      const s = l['session'] as { scenarioId: string; personaId: string; trial: number };
      return `${s.scenarioId}/${s.personaId}/${s.trial}`;
    });
    expect(order).toEqual([
      's1/p1/0', 's1/p1/1', 's1/p2/0', 's1/p2/1',
      's2/p1/0', 's2/p1/1', 's2/p2/0', 's2/p2/1',
    ]);
    // Sessions carry their stored fields, including score details.
    expect(rest[0]?.['session']).toEqual(await storage.getSession((rest[0]?.['session'] as { id: string }).id));
  });

  it('exports a run with no sessions as its header alone, and refuses an unknown run', async () => {
    await storage.createRun(makeRun('empty'));
    const text = await exportRunJsonl(storage, 'empty', { now: NOW });
    expect(text.split('\n')).toHaveLength(2);
    expect(lines(text)[0]?.['type']).toBe('run');
    await expect(exportRunJsonl(storage, 'nope')).rejects.toThrow('no run with id "nope"');
  });

  it('round-trips: export → delete → import → export gives the same bytes', async () => {
    await seedGridRun(storage, 'A', 3);
    await seedGridRun(storage, 'B', 2);
    // A session written with its fields in another order exports the same way.
    const s = makeSession('A', 's9', 'p1', 0, 'pass');
    const reordered = Object.fromEntries(Object.entries(s).reverse()) as typeof s;
    await storage.putSession(reordered);

    const before = await exportRunJsonl(storage, 'A', { now: NOW });
    expect(await storage.deleteRun('A')).toBe(true);
    expect(await importRunJsonl(storage, before)).toEqual({ runId: 'A', sessions: 9, turns: 24 });
    const after = await exportRunJsonl(storage, 'A', { now: NOW });
    expect(after).toBe(before);
    expect(await storage.listTurns('A/s1/p1/0')).toEqual([0, 1, 2].map((i) => makeTurn('A/s1/p1/0', i)));
    expect(await storage.countSessions('B')).toBe(8);
  });

  it('import refuses, writing nothing, when the run exists or a line is bad', async () => {
    await seedGridRun(storage, 'A', 2);
    const text = await exportRunJsonl(storage, 'A', { now: NOW });

    await expect(importRunJsonl(storage, text)).rejects.toThrow(/line 1: a run with id "A" already exists/);
    expect(await storage.db.turns.count()).toBe(16);

    await storage.deleteRun('A');
    const rows = text.split('\n');
    rows[5] = rows[5]!.replace('"role":"agent"', '"role":"robot"');
    await expect(importRunJsonl(storage, rows.join('\n'))).rejects.toThrow(/^line 6: "turns\[1\]\.role" should be one of "user", "agent", got "robot"/);
    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.db.sessions.count()).toBe(0);
    expect(await storage.db.turns.count()).toBe(0);
  });

  it('import refuses a bundle whose session id already exists in another run', async () => {
    await seedGridRun(storage, 'A', 1);
    const text = await exportRunJsonl(storage, 'A', { now: NOW });
    await storage.deleteRun('A');
    // Another run already holds the id of the bundle's third session.
    const third = lines(text)[3]?.['session'] as { id: string };
    await storage.putSession(makeSession('other', 'x', 'y', 0, 'pass', { id: third.id }));

    await expect(importRunJsonl(storage, text)).rejects.toThrow(
      `line 4: a session with id "${third.id}" already exists (in run "other")`,
    );
    expect(await storage.getRun('A')).toBeUndefined();
    expect(await storage.db.sessions.count()).toBe(1);
    expect(await storage.db.turns.count()).toBe(0);
  });
});

describe('parseRunJsonl', () => {
  async function bundle(): Promise<string[]> {
    await seedGridRun(storage, 'A', 2);
    return (await exportRunJsonl(storage, 'A', { now: NOW })).split('\n');
  }
  function edit(rows: string[], n: number, f: (o: Record<string, any>) => void): string {
    const copy = [...rows];
    const o = JSON.parse(copy[n - 1]!);
    f(o);
    copy[n - 1] = JSON.stringify(o);
    return copy.join('\n');
  }
  function errorOf(text: string): string {
    try {
      parseRunJsonl(text);
    } catch (e) {
      expect(e).toBeInstanceOf(RunBundleError);
      expect((e as Error).name).toBe('RunBundleError');
      return (e as Error).message;
    }
    throw new Error('parsed without error');
  }

  it('reads a bundle back, tolerating CRLF and blank lines', async () => {
    const rows = await bundle();
    const parsed = parseRunJsonl(rows.join('\r\n') + '\n\n');
    expect(parsed.formatVersion).toBe(1);
    expect(parsed.exportedAt).toBe(NOW.toISOString());
    expect(parsed.run.id).toBe('A');
    expect(parsed.sessions).toHaveLength(8);
    expect(parsed.sessions[0]?.turns.map((t) => t.index)).toEqual([0, 1]);
  });

  it('names the line and the field at fault', async () => {
    const rows = await bundle();
    expect(errorOf(edit(rows, 3, (o) => delete o.session.runId))).toBe('line 3: "session.runId" is missing');
    expect(errorOf(edit(rows, 1, (o) => (o.formatVersion = 2)))).toBe('line 1: "formatVersion" should be 1, got 2');
    expect(errorOf(edit(rows, 1, (o) => (o.run.totalSessions = 'eight')))).toBe(
      'line 1: "run.totalSessions" should be a number, got a string',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.session.trial = 1.5)))).toBe(
      'line 2: "session.trial" should be an integer, got 1.5',
    );
    expect(errorOf(edit(rows, 4, (o) => (o.turns[1].toolCalls[0].result = { ok: 'yes' })))).toMatch(
      /^line 4: "turns\[1\]\.toolCalls\[0\]\.result\.ok"/,
    );
    expect(errorOf(edit(rows, 5, (o) => (o.extra = 1)))).toBe('line 5: "extra" is not a known field');
    expect(errorOf(edit(rows, 2, (o) => (o.session.runId = 'B')))).toBe(
      'line 2: "session.runId" is "B" but the run\'s id is "A"',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.turns[1].sessionId = 'zzz')))).toBe(
      'line 2: "turns[1].sessionId" is "zzz" but the session\'s id is "A/s1/p1/0"',
    );
    expect(errorOf(edit(rows, 2, (o) => (o.turns[1].index = 0)))).toBe(
      'line 2: "turns[1].index" 0 repeats "turns[0].index"',
    );
    expect(errorOf([rows[0], rows[1], rows[1]].join('\n'))).toBe(
      'line 3: "session.id" "A/s1/p1/0" already appeared on line 2',
    );
    expect(
      errorOf(
        edit(rows, 3, (o) => {
          delete o.session.seed;
          delete o.session.user.label;
        }),
      ),
    ).toBe('line 3: "session.seed" is missing (and 1 more problem)');
  });

  it('names structural problems', async () => {
    const rows = await bundle();
    expect(errorOf('')).toBe('line 1: the file is empty; expected a "run" line');
    expect(errorOf(rows.slice(1).join('\n'))).toBe('line 1: the first line must be the run: {"type":"run",…}');
    expect(errorOf([rows[0], rows[0]].join('\n'))).toBe('line 2: a second "run" line; a bundle holds one run');
    expect(errorOf([rows[0], rows[1], '{"type":"session",'].join('\n'))).toMatch(/^line 3: not valid JSON \(/);
    expect(errorOf([rows[0], '[1,2]'].join('\n'))).toBe('line 2: the line should be an object, got an array');
    expect(errorOf([rows[0], '{"type":"sesion"}'].join('\n'))).toBe('line 2: "type" should be "session", got "sesion"');
  });
});

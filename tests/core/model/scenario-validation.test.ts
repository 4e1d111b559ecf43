import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenario, validateScenarioPack, type DomainCatalog } from '../../../src/core/model/schema.ts';
import type { ScenarioPack } from '../../../src/core/model/types.ts';
import { parseJsonText, ValidationError, type ValidationIssue } from '../../../src/core/model/validation.ts';
import { DOMAINS } from '../../../src/core/scenarios/domains/index.ts';
import { replayGoldAsync } from '../../../src/core/scenarios/evaluator.ts';
import {
  checkImportSize,
  checkScenarioImport,
  checkScenarioPackImport,
  idClashIssues,
  MAX_IMPORT_BYTES,
  utf8Length,
} from '../../../src/core/scenarios/import-checks.ts';
import { isPersonalDetailSlot } from '../../../src/core/scenarios/user-knowledge.ts';
import { schemaFiles, SCHEMA_DIR } from '../../../scripts/gen-schemas.ts';
import { nodeCodeRunner } from '../scenarios/node-code-runner.ts';

/*
 * Scenario files that must be refused, each with the path and a precise reason: the schema,
 * the cross-checks, the lint of declarative and code tools, and the import checks (gold replay,
 * ids against the library, size). Plus the published JSON Schemas and the documented example.
 */

const ROOT = process.cwd();
const SOURCE = 'rentals.json';
/** The built-in domains, as the page's catalog sees them. */
const CATALOG: DomainCatalog = { toolsOf: (d) => (Object.hasOwn(DOMAINS, d) ? Object.keys(DOMAINS[d]!.tools) : undefined) };

/** A small valid pack whose tools are all written in the file: two declarative, one code. */
function rentalPack(): ScenarioPack {
  const params = (props: string[], required = props) => ({
    type: 'object',
    properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
    required,
    additionalProperties: false,
  });
  return {
    formatVersion: 1,
    id: 'rentals',
    title: 'Rentals',
    description: 'Bike rentals.',
    domain: 'bike-rental-test',
    policy: 'End active rentals after confirmation.',
    tools: [
      {
        name: 'get_rental',
        description: 'Get a rental.',
        kind: 'read',
        parameters: params(['rental_id']),
        impl: { type: 'declarative', steps: [{ get: 'rentals', key: '{args.rental_id}', as: 'rental' }], returns: '{rental}' },
      },
      {
        name: 'end_rental',
        description: 'End a rental.',
        kind: 'write',
        parameters: params(['rental_id', 'note'], ['rental_id']),
        impl: {
          type: 'declarative',
          steps: [
            { get: 'rentals', key: '{args.rental_id}', as: 'rental' },
            { check: '{rental.status}', in: ['active'], message: 'Rental {rental.id} is {rental.status}.' },
            { set: 'rental.status', value: 'ended' },
          ],
          returns: '{rental.status}',
        },
      },
      {
        name: 'quote',
        description: 'Price of a rental.',
        kind: 'read',
        parameters: params(['rental_id']),
        impl: { type: 'code', source: 'const r = db.rentals.find((x) => x.id === args.rental_id); if (!r) fail("no such rental"); return r.days * 10;' },
      },
    ],
    db: {
      rentals: [
        { id: 'R-1', status: 'active', days: 2 },
        { id: 'R-2', status: 'ended', days: 1 },
      ],
    },
    tasks: [
      {
        id: 'end-r1',
        title: 'End R-1',
        purpose: 'Baseline write.',
        difficulty: 'easy',
        user: {
          reasonForContact: 'Bike is back.',
          knownInfo: { rental_id: 'R-1' },
          unknownInfo: [],
          taskInstructions: 'End rental R-1.',
          goal: { requests: [{ type: 'action', utterance: 'end my rental', tool: 'end_rental', expect: { rental_id: 'rental_id' } }] },
        },
        evaluation: {
          goldActions: [
            { name: 'quote', arguments: { rental_id: 'R-1' } },
            { name: 'end_rental', arguments: { rental_id: 'R-1', note: 'returned' }, compareArgs: ['rental_id'] },
          ],
          envAssertions: [{ path: 'rentals[0].status', equals: 'ended' }],
          communicateInfo: ['20'],
          nlAssertions: [],
          rewardBasis: ['DB'],
        },
      },
    ],
  };
}

/** Expects `fn` to refuse; returns the error. */
async function refusal(fn: () => unknown): Promise<ValidationError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected the input to be refused, but it was accepted');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (p: any) => void;

/** Malformed specs: an edit of the valid pack, and the one issue it must produce. */
const MALFORMED: { name: string; edit: Edit; issue: ValidationIssue }[] = [
  {
    name: 'a wrong format version',
    edit: (p) => (p.formatVersion = 2),
    issue: { path: 'formatVersion', message: 'must be 1 (got 2)' },
  },
  {
    name: 'a missing title',
    edit: (p) => delete p.title,
    issue: { path: 'title', message: 'is required but missing (expected string)' },
  },
  {
    name: 'a pack id with a space',
    edit: (p) => (p.id = 'my rentals'),
    issue: { path: 'id', message: 'must be 1–80 letters, digits, "_", ".", ":" or "-", starting with a letter or digit' },
  },
  {
    name: 'an unknown top-level field',
    edit: (p) => (p.owner = 'me'),
    issue: { path: '', message: 'unknown field "owner"' },
  },
  {
    name: 'a database that is an array',
    edit: (p) => (p.db = []),
    issue: { path: 'db', message: 'must be a JSON object, got []' },
  },
  {
    name: 'a tool name with a space',
    edit: (p) => (p.tools[0].name = 'get rental'),
    issue: { path: 'tools[0].name', message: 'must be a function-style name (letters, digits, "_")' },
  },
  {
    name: 'a tool kind that is neither read nor write',
    edit: (p) => (p.tools[1].kind = 'delete'),
    issue: { path: 'tools[1].kind', message: 'must be one of "read", "write" (got "delete")' },
  },
  {
    name: 'parameters that are not an object schema',
    edit: (p) => (p.tools[0].parameters = { type: 'array' }),
    issue: { path: 'tools[0].parameters.type', message: 'must be "object" (got "array")' },
  },
  {
    name: 'required naming an undeclared parameter',
    edit: (p) => p.tools[0].parameters.required.push('customer_id'),
    issue: { path: 'tools[0].parameters.required[1]', message: 'names "customer_id", which is not among the properties (rental_id)' },
  },
  {
    name: 'two tools of one name',
    edit: (p) => (p.tools[2].name = 'get_rental'),
    issue: { path: 'tools[2].name', message: 'duplicate tool "get_rental"' },
  },
  {
    name: 'an impl type that does not exist',
    edit: (p) => (p.tools[2].impl = { type: 'python', source: 'return 1' }),
    issue: { path: 'tools[2].impl.type', message: 'must be one of "declarative", "code" (got "python")' },
  },
  {
    name: 'a step with no verb',
    edit: (p) => (p.tools[0].impl.steps[0] = { key: '{args.rental_id}', as: 'rental' }),
    issue: { path: 'tools[0].impl.steps[0]', message: 'a step needs exactly one verb (get, find, check, set, append, delete); it has none' },
  },
  {
    name: 'a check step without its message',
    edit: (p) => delete p.tools[1].impl.steps[1].message,
    issue: { path: 'tools[1].impl.steps[1].message', message: 'is required but missing (expected string)' },
  },
  {
    name: 'a get step without "as"',
    edit: (p) => delete p.tools[0].impl.steps[0].as,
    issue: { path: 'tools[0].impl.steps[0].as', message: 'is required but missing (expected string)' },
  },
  {
    name: 'a field another verb uses',
    edit: (p) => (p.tools[0].impl.steps[0].where = { id: 'x' }),
    issue: { path: 'tools[0].impl.steps[0]', message: 'unknown field "where"' },
  },
  {
    name: 'a check that tests nothing',
    edit: (p) => delete p.tools[1].impl.steps[1].in,
    issue: { path: 'tools[1].impl.steps[1]', message: 'a check step needs at least one test: in, notIn, equals or exists' },
  },
  {
    name: 'a reference to a name no step binds',
    edit: (p) => (p.tools[1].impl.steps[1].check = '{rentl.status}'),
    issue: {
      path: 'tools[1].impl.steps[1].check',
      message: '"{rentl.status}" refers to "rentl", which is not args, db or a name bound by an earlier step (rental)',
    },
  },
  {
    name: 'a table the database lacks',
    edit: (p) => (p.tools[0].impl.steps[0].get = 'rental'),
    issue: { path: 'tools[0].impl.steps[0].get', message: '"rental" is not a table in the initial database (tables: rentals)' },
  },
  {
    name: 'binding a reserved name',
    edit: (p) => (p.tools[0].impl = { type: 'declarative', steps: [{ get: 'rentals', key: '{args.rental_id}', as: 'db' }] }),
    issue: { path: 'tools[0].impl.steps[0].as', message: '"db" is reserved: binding it would hide the database' },
  },
  {
    name: 'a set without a field',
    edit: (p) => (p.tools[1].impl.steps[2] = { set: 'rental', value: 'ended' }),
    issue: { path: 'tools[1].impl.steps[2].set', message: '"rental" names no record: set a field of a bound record or table, e.g. "order.status"' },
  },
  {
    name: 'a code tool that imports',
    edit: (p) => (p.tools[2].impl.source = 'return import("https://example.org/x.js")'),
    issue: {
      path: 'tools[2].impl.source',
      message: 'may not use "import": code tools run without network or module access (the word is refused even in strings and comments)',
    },
  },
  {
    name: 'a code tool that does not compile',
    edit: (p) => (p.tools[2].impl.source = 'return {'),
    issue: { path: 'tools[2].impl.source', message: expect.stringMatching(/^does not compile: /) as unknown as string },
  },
  {
    name: 'a code tool time limit over 30 s',
    edit: (p) => (p.tools[2].impl.timeoutMs = 60_000),
    issue: { path: 'tools[2].impl.timeoutMs', message: 'must be at most 30000 (got 60000)' },
  },
  {
    name: 'a tool without impl in a domain with no built-in code',
    edit: (p) => delete p.tools[0].impl,
    issue: { path: 'domain', message: 'unknown domain "bike-rental-test": it has no built-in tools, so every tool needs an "impl" (declarative or code)' },
  },
  {
    name: 'a tool the built-in domain lacks, without impl',
    edit: (p) => {
      p.domain = 'bookshop';
      delete p.tools[0].impl;
    },
    issue: { path: 'tools[0].name', message: expect.stringMatching(/^tool "get_rental" does not exist in domain "bookshop" and has no "impl" \(built-in tools: .*get_order/) as unknown as string },
  },
  {
    name: 'a task difficulty outside the scale',
    edit: (p) => (p.tasks[0].difficulty = 'trivial'),
    issue: { path: 'tasks[0].difficulty', message: 'must be one of "easy", "medium", "hard" (got "trivial")' },
  },
  {
    name: 'known info that is not text',
    edit: (p) => (p.tasks[0].user.knownInfo.days = 2),
    issue: { path: 'tasks[0].user.knownInfo.days', message: 'must be a string, got 2' },
  },
  {
    name: 'a goal request of an unknown type',
    edit: (p) => (p.tasks[0].user.goal.requests[0].type = 'wish'),
    issue: { path: 'tasks[0].user.goal.requests[0].type', message: 'must be one of "action", "info" (got "wish")' },
  },
  {
    name: 'a goal request for an undeclared tool',
    edit: (p) => (p.tasks[0].user.goal.requests[0].tool = 'close_rental'),
    issue: { path: 'tasks[0].user.goal.requests[0].tool', message: 'references tool "close_rental", which is not among the scenario\'s tools' },
  },
  {
    name: 'a gold action calling an unknown tool',
    edit: (p) => (p.tasks[0].evaluation.goldActions[1].name = 'close_rental'),
    issue: {
      path: 'tasks[0].evaluation.goldActions[1].name',
      message: 'references tool "close_rental", which is not among the scenario\'s tools (get_rental, end_rental, quote)',
    },
  },
  {
    name: 'gold arguments the tool refuses',
    edit: (p) => (p.tasks[0].evaluation.goldActions[1].arguments = { rental: 'R-1' }),
    issue: { path: 'tasks[0].evaluation.goldActions[1].arguments', message: 'end_rental: missing required argument "rental_id".' },
  },
  {
    name: 'gold arguments of the wrong type',
    edit: (p) => (p.tasks[0].evaluation.goldActions[0].arguments = { rental_id: 1 }),
    issue: { path: 'tasks[0].evaluation.goldActions[0].arguments', message: 'quote: argument "rental_id" must be string, got a number (1).' },
  },
  {
    name: 'compareArgs naming an argument the action lacks',
    edit: (p) => (p.tasks[0].evaluation.goldActions[1].compareArgs = ['rental_id', 'reason']),
    issue: { path: 'tasks[0].evaluation.goldActions[1].compareArgs[1]', message: 'names "reason", which is not among this action\'s arguments (rental_id, note)' },
  },
  {
    name: 'gold arguments that are not an object',
    edit: (p) => (p.tasks[0].evaluation.goldActions[0].arguments = 'R-1'),
    issue: { path: 'tasks[0].evaluation.goldActions[0].arguments', message: 'must be a JSON object, got "R-1"' },
  },
  {
    name: 'an env assertion without a value',
    edit: (p) => delete p.tasks[0].evaluation.envAssertions[0].equals,
    issue: { path: 'tasks[0].evaluation.envAssertions[0].equals', message: 'is required but missing (any JSON value)' },
  },
  {
    name: 'information to convey given as a number',
    edit: (p) => (p.tasks[0].evaluation.communicateInfo = [20]),
    issue: { path: 'tasks[0].evaluation.communicateInfo[0]', message: 'must be a string, got 20' },
  },
  {
    name: 'an unknown reward criterion',
    edit: (p) => (p.tasks[0].evaluation.rewardBasis = ['DB', 'VIBES']),
    issue: {
      path: 'tasks[0].evaluation.rewardBasis[1]',
      message: 'must be one of "DB", "ACTION", "ENV_ASSERTION", "COMMUNICATE", "NL_ASSERTION" (got "VIBES")',
    },
  },
  {
    name: 'a refusal reason on a goal that does not accept a refusal',
    edit: (p) => (p.tasks[0].user.goal.refusalReason = { says: ['already ended'] }),
    issue: {
      path: 'tasks[0].user.goal.refusalReason',
      message: 'names the reason a refusal must give, but the goal does not accept a refusal: set "acceptsRefusal": true, or leave refusalReason out',
    },
  },
  {
    name: 'a refusal reason with no phrase',
    edit: (p) => Object.assign(p.tasks[0].user.goal, { acceptsRefusal: true, refusalReason: { says: [] } }),
    issue: { path: 'tasks[0].user.goal.refusalReason.says', message: 'needs at least 1 items (got 0)' },
  },
  {
    name: 'duplicate task ids in one file',
    edit: (p) => p.tasks.push(structuredClone(p.tasks[0])),
    issue: { path: 'tasks[1].id', message: 'duplicate id "end-r1"' },
  },
];

describe('validateScenarioPack refuses malformed specs, naming the path and the problem', () => {
  it('accepts the unchanged pack (so each refusal below is caused by its edit)', () => {
    expect(validateScenarioPack(rentalPack(), CATALOG, SOURCE).tasks).toHaveLength(1);
  });

  it('has at least 20 distinct cases, each with its own message', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(20);
    const keys = MALFORMED.map((c) => `${c.issue.path}|${String(c.issue.message)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  for (const c of MALFORMED) {
    it(`refuses ${c.name}`, async () => {
      const pack = structuredClone(rentalPack());
      c.edit(pack);
      const err = await refusal(() => validateScenarioPack(pack, CATALOG, SOURCE));
      expect(err.source).toBe(SOURCE);
      expect(err.issues).toContainEqual(c.issue);
      // The message names the file, then the path, then the problem.
      expect(err.message.startsWith(`${SOURCE}: `)).toBe(true);
      expect(err.message).toContain(c.issue.path ? `${c.issue.path}: ` : '');
    });
  }

  it('refuses text that is not JSON, with the line and column', async () => {
    const err = await refusal(() => parseJsonText('{\n  "id": "x",\n  "tasks": [}\n', SOURCE));
    expect(err.message).toMatch(/^rentals\.json: not valid JSON at line 3, column 13/);
  });

  it('refuses input that is not an object', async () => {
    const err = await refusal(() => validateScenarioPack([rentalPack()], CATALOG, SOURCE));
    expect(err.issues).toEqual([{ path: '', message: expect.stringMatching(/^must be an object, got \[\{"formatVersion":1,/) }]);
  });

  it('allows a "$schema" field for editors, and drops it', () => {
    const pack = { $schema: './scenario-pack.schema.json', ...rentalPack() };
    expect(validateScenarioPack(pack, CATALOG, SOURCE)).not.toHaveProperty('$schema');
  });

  it('single scenarios get the same checks, with paths from the scenario', async () => {
    const p = rentalPack();
    const scenario = { ...p.tasks[0]!, domain: p.domain, agent: { policy: p.policy, tools: p.tools }, initialDb: p.db };
    expect(validateScenario(scenario, CATALOG, 's.json').id).toBe('end-r1');
    const bad = structuredClone(scenario);
    bad.evaluation.goldActions[1]!.compareArgs = ['reason'];
    (bad.agent.tools[1]!.impl as { steps: { check?: string }[] }).steps[1]!.check = '{x.status}';
    const err = await refusal(() => validateScenario(bad, CATALOG, 's.json'));
    expect(err.issues.map((i) => i.path)).toEqual(['agent.tools[1].impl.steps[1].check', 'evaluation.goldActions[1].compareArgs[0]']);
  });
});

describe('what the user can know: user.knownFrom and the goal (issue 12)', () => {
  /** The rental pack whose user holds a real identifier, their membership number, with its source. */
  function memberPack(edit?: Edit) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = structuredClone(rentalPack()) as any;
    p.tasks[0].user.knownInfo.member_id = 'SC-40117';
    p.tasks[0].user.knownFrom = { member_id: 'their Spoke & Chain membership card' };
    edit?.(p);
    return p;
  }
  const opts = () => ({ source: SOURCE, catalog: CATALOG, codeRunner: nodeCodeRunner() });

  it('accepts an identifier with its source', () => {
    expect(validateScenarioPack(memberPack(), CATALOG, SOURCE).tasks[0]!.user.knownFrom).toEqual({ member_id: 'their Spoke & Chain membership card' });
  });

  it('refuses an identifier in knownInfo without a source, naming its slot', async () => {
    const err = await refusal(() => validateScenarioPack(memberPack((p) => delete p.tasks[0].user.knownFrom), CATALOG, SOURCE));
    expect(err.issues).toEqual([
      {
        path: 'tasks[0].user.knownInfo.member_id',
        message: expect.stringMatching(/^"SC-40117" is an identifier: say where the user has it from in user\.knownFrom\.member_id \(e\.g\. "/),
      },
    ]);
    // An empty source is no source.
    const blank = await refusal(() => validateScenarioPack(memberPack((p) => (p.tasks[0].user.knownFrom.member_id = '')), CATALOG, SOURCE));
    expect(blank.issues.map((i) => i.path)).toEqual(['tasks[0].user.knownFrom.member_id']);
  });

  it('needs no source for personal details, whatever digits they hold, but does for the same value under another slot', async () => {
    const personal = {
      name: 'Ana Lima',
      email_2: 'ana.lima77@example.org',
      zip: '94105',
      new_zip: '10001',
      phoneNumber: '555-010-1234',
      work_address: '200 Berkeley St, Boston, MA 02116',
      date_of_birth: '1975-02-11',
    };
    expect(() => validateScenarioPack(memberPack((p) => Object.assign(p.tasks[0].user.knownInfo, personal)), CATALOG, SOURCE)).not.toThrow();
    for (const [slot, personalSlot] of [['zip', true], ['new_zip', true], ['phone_number_2', true], ['home_address', true], ['address_id', false], ['user_id', false], ['ticket', false]] as const) {
      expect(isPersonalDetailSlot(slot), slot).toBe(personalSlot);
    }
    const err = await refusal(() => validateScenarioPack(memberPack((p) => (p.tasks[0].user.knownInfo.ticket = '94105')), CATALOG, SOURCE));
    expect(err.issues.map((i) => i.path)).toEqual(['tasks[0].user.knownInfo.ticket']);
  });

  it('refuses a goal value the user cannot know, naming the request and argument', async () => {
    const err = await refusal(() => validateScenarioPack(memberPack((p) => (p.tasks[0].user.goal.requests[0].expect = { rental_id: 'R-2' })), CATALOG, SOURCE));
    expect(err.issues).toEqual([
      {
        path: 'tasks[0].user.goal.requests[0].expect.rental_id',
        message: expect.stringMatching(/^"R-2" is nothing the user can know: .*Add it to user\.knownInfo \(with its source in user\.knownFrom if it is an identifier\)/),
      },
    ]);
    // A slot's name, a known value, or words of the user's own texts (any case, "#" aside) are things the user can say.
    for (const expectValue of ['rental_id', 'R-1', 'r-1', 'SC-40117', '#SC-40117', 'Bike is back']) {
      expect(() => validateScenarioPack(memberPack((p) => (p.tasks[0].user.goal.requests[0].expect = { rental_id: expectValue })), CATALOG, SOURCE), expectValue).not.toThrow();
    }
  });

  it('refuses an identifier in a goal that only the instructions hold: it needs a known slot and a source', async () => {
    const edit: Edit = (p) => {
      p.tasks[0].user.taskInstructions = 'End rental R-1. Your old member number was SC-39999.';
      p.tasks[0].user.goal.requests[0].expect = { rental_id: 'rental_id', note: 'SC-39999' };
    };
    const err = await refusal(() => validateScenarioPack(memberPack(edit), CATALOG, SOURCE));
    expect(err.issues).toEqual([
      { path: 'tasks[0].user.goal.requests[0].expect.note', message: expect.stringMatching(/^"SC-39999" is an identifier no knownInfo value holds: put it in user\.knownInfo/) },
    ]);
  });

  it('refuses a knownFrom key that names no slot, also on the Library page', async () => {
    const p = memberPack((x) => (x.tasks[0].user.knownFrom.order_id = 'order confirmation email'));
    const expected = { path: 'tasks[0].user.knownFrom.order_id', message: expect.stringMatching(/^names no knownInfo slot \(slots: rental_id, member_id\)/) };
    expect((await refusal(() => validateScenarioPack(p, CATALOG, SOURCE))).issues).toEqual([expected]);
    expect((await refusal(() => checkScenarioPackImport(p, opts()))).issues).toEqual([expected]);
  });

  it('a file imported on the Library page is stored with warnings for what the user cannot know, not refused', async () => {
    const p = memberPack((x) => {
      delete x.tasks[0].user.knownFrom;
      x.tasks[0].user.goal.requests[0].expect = { rental_id: 'R-2' };
    });
    const { pack, warnings } = await checkScenarioPackImport(p, opts());
    expect(pack.tasks).toHaveLength(1);
    expect(warnings.map((w) => w.path)).toEqual(['tasks[0].user.knownInfo.member_id', 'tasks[0].user.goal.requests[0].expect.rental_id']);
    expect((await checkScenarioPackImport(memberPack(), opts())).warnings).toEqual([]);
    // A single scenario: the same, with paths from the scenario.
    const scenario = { ...p.tasks[0], domain: p.domain, agent: { policy: p.policy, tools: p.tools }, initialDb: p.db };
    expect((await checkScenarioImport(scenario, opts())).warnings.map((w) => w.path)).toEqual(['user.knownInfo.member_id', 'user.goal.requests[0].expect.rental_id']);
    expect((await refusal(() => validateScenario(scenario, CATALOG, 's.json'))).issues.map((i) => i.path)).toEqual([
      'user.knownInfo.member_id',
      'user.goal.requests[0].expect.rental_id',
    ]);
  });
});

describe('import checks beyond the schema', () => {
  const opts = () => ({ source: SOURCE, catalog: CATALOG, codeRunner: nodeCodeRunner() });

  it('a valid pack passes, its gold actions replayed (code tools in the sandbox)', async () => {
    const runner = nodeCodeRunner();
    const { pack, scenarios } = await checkScenarioPackImport(rentalPack(), { ...opts(), codeRunner: runner });
    expect(pack.id).toBe('rentals');
    expect(scenarios.map((s) => [s.id, s.packId])).toEqual([['end-r1', 'rentals']]);
    expect(runner.calls).toBe(1);
  });

  it('refuses gold actions whose replay fails on the initial database', async () => {
    const p = rentalPack();
    p.tasks[0]!.evaluation.goldActions[1]!.arguments = { rental_id: 'R-2' };
    p.tasks[0]!.evaluation.envAssertions = [];
    const err = await refusal(() => checkScenarioPackImport(p, opts()));
    expect(err.issues).toEqual([
      {
        path: 'tasks[0].evaluation.goldActions[1]',
        message: 'end_rental fails when the gold actions are replayed on the initial database: Rental R-2 is ended.',
      },
    ]);
  });

  it('refuses a gold code tool that times out or throws', async () => {
    const p = rentalPack();
    p.tools[2]!.impl = { type: 'code', source: 'while (true) {}', timeoutMs: 30 };
    const err = await refusal(() => checkScenarioPackImport(p, opts()));
    expect(err.issues).toEqual([
      { path: 'tasks[0].evaluation.goldActions[0]', message: 'quote fails when the gold actions are replayed on the initial database: quote timed out after 30 ms' },
    ]);
    p.tools[2]!.impl = { type: 'code', source: 'return fetch("https://example.org/")' };
    const err2 = await refusal(() => checkScenarioPackImport(p, opts()));
    expect(err2.issues[0]!.message).toBe('quote fails when the gold actions are replayed on the initial database: quote failed: fetch is not defined');
  });

  it('refuses an env assertion that the replayed gold actions do not meet', async () => {
    const p = rentalPack();
    p.tasks[0]!.evaluation.envAssertions.push({ path: 'rentals[1].status', equals: 'active' });
    const err = await refusal(() => checkScenarioPackImport(p, opts()));
    expect(err.issues).toEqual([
      { path: 'tasks[0].evaluation.envAssertions[1]', message: 'expects "active" at "rentals[1].status", but replaying the gold actions leaves "ended" there' },
    ]);
  });

  it('refuses ids that belong to another pack or to a single scenario, and allows replacing its own', async () => {
    const library = [
      { id: 'end-r1', packId: 'other-pack' },
      { id: 'solo', builtin: false },
      { id: 'bookshop-cancel-processing', packId: 'bookshop', builtin: true },
    ];
    const err = await refusal(() => checkScenarioPackImport(rentalPack(), { ...opts(), library }));
    expect(err.issues).toEqual([
      {
        path: 'tasks[0].id',
        message: 'id "end-r1" is already in the library, in pack "other-pack"; scenario ids must be unique across packs: rename it, or delete that pack first',
      },
    ]);
    // The same pack again replaces itself.
    await expect(checkScenarioPackImport(rentalPack(), { ...opts(), library: [{ id: 'end-r1', packId: 'rentals' }] })).resolves.toBeDefined();
    // A single scenario may not take a pack's id, nor a pack a single scenario's.
    expect(idClashIssues([{ id: 'bookshop-cancel-processing' }], library, () => 'id')[0]!.message).toMatch(/in built-in pack "bookshop"/);
    expect(idClashIssues([{ id: 'solo', packId: 'rentals' }], library, (i) => `tasks[${i}].id`)).toEqual([
      { path: 'tasks[0].id', message: expect.stringMatching(/^id "solo" is already in the library, in a single scenario; .* delete that scenario first$/) },
    ]);
    expect(idClashIssues([{ id: 'solo' }], library, () => 'id')).toEqual([]);
  });

  it('single scenario files get the replay and id checks too', async () => {
    const p = rentalPack();
    const scenario = { ...p.tasks[0]!, domain: p.domain, agent: { policy: p.policy, tools: p.tools }, initialDb: p.db };
    expect((await checkScenarioImport(scenario, opts())).scenario.id).toBe('end-r1');
    scenario.evaluation = { ...scenario.evaluation, envAssertions: [{ path: 'rentals[0].status', equals: 'lost' }] };
    const err = await refusal(() => checkScenarioImport(scenario, opts()));
    expect(err.issues[0]!.path).toBe('evaluation.envAssertions[0]');
  });

  it('refuses files over 20 MB by size or by text, naming the file', async () => {
    expect(MAX_IMPORT_BYTES).toBe(20 * 1024 * 1024);
    expect(() => checkImportSize(MAX_IMPORT_BYTES, 'big.json')).not.toThrow();
    const err = await refusal(() => checkImportSize(MAX_IMPORT_BYTES + 1, 'big.json'));
    expect(err.message).toBe('big.json: the file is 20.0 MB, over the 20.0 MB limit for imports; nothing was imported');
    // Text is measured in UTF-8 bytes: 8 million "é" are 16 MB, 11 million are 22 MB.
    expect(() => checkImportSize('é'.repeat(8_000_000), 'e.json')).not.toThrow();
    await refusal(() => checkImportSize('é'.repeat(11_000_000), 'e.json'));
  });

  it('counts UTF-8 bytes as TextEncoder does', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€\u0000', '\ud800x']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('the built-in packs pass every import check', () => {
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'public/builtin.json'), 'utf8')) as { packs: string[] };
  for (const path of manifest.packs) {
    it(path, async () => {
      const input = JSON.parse(readFileSync(resolve(ROOT, 'public', path), 'utf8'));
      const { scenarios } = await checkScenarioPackImport(input, { source: path, catalog: CATALOG, codeRunner: nodeCodeRunner() });
      expect(scenarios.length).toBeGreaterThan(0);
    });
  }
});

describe('docs/scenario-format.md', () => {
  const doc = readFileSync(resolve(ROOT, 'docs/scenario-format.md'), 'utf8');

  it('its complete example validates, replays and runs', async () => {
    const section = doc.slice(doc.indexOf('## A complete example'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section);
    expect(block).not.toBeNull();
    const input = parseJsonText(block![1]!, 'example');
    const runner = nodeCodeRunner();
    const { pack, scenarios } = await checkScenarioPackImport(input, { source: 'example', catalog: CATALOG, codeRunner: runner });
    expect(pack.tools.every((t) => t.impl)).toBe(true);
    expect(new Set(pack.tools.map((t) => t.impl!.type))).toEqual(new Set(['declarative', 'code']));
    expect(runner.calls).toBeGreaterThan(0);
    for (const s of scenarios) {
      const replay = await replayGoldAsync(s, { codeRunner: runner });
      expect(replay.results.every((r) => r.ok)).toBe(true);
      expect(replay.db).not.toEqual(s.initialDb);
    }
  });

  it('every declarative example step in the reference is valid', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!).filter((b) => b.includes('"type": "declarative"') && b.trim().startsWith('{\n  "type"'));
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      const pack = rentalPack();
      pack.tools[1]!.impl = JSON.parse(b);
      (pack.db as { log?: unknown[] }).log = [];
      expect(() => validateScenarioPack(pack, CATALOG, 'doc')).not.toThrow();
    }
  });
});

describe('published JSON Schemas', () => {
  it('are up to date with the zod schemas (run npm run gen:schemas)', () => {
    for (const { file, text } of schemaFiles()) {
      const path = resolve(ROOT, SCHEMA_DIR, file);
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        // A missing file fails the comparison below, with its name.
      }
      expect(committed, `${SCHEMA_DIR}/${file} is stale: run npm run gen:schemas`).toBe(text);
    }
  });

  it('describe the same fields as the validator', () => {
    const pack = JSON.parse(readFileSync(resolve(ROOT, SCHEMA_DIR, 'scenario-pack.schema.json'), 'utf8'));
    expect(pack.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(pack.additionalProperties).toBe(false);
    expect([...pack.required].sort()).toEqual(['db', 'description', 'domain', 'formatVersion', 'id', 'policy', 'tasks', 'title', 'tools']);
    const impl = pack.properties.tools.items.properties.impl;
    expect(impl.oneOf.map((o: { properties: { type: { const: string } } }) => o.properties.type.const)).toEqual(['declarative', 'code']);
    const scenario = JSON.parse(readFileSync(resolve(ROOT, SCHEMA_DIR, 'scenario.schema.json'), 'utf8'));
    expect([...scenario.required].sort()).toEqual(['agent', 'difficulty', 'domain', 'evaluation', 'id', 'initialDb', 'purpose', 'title', 'user']);
  });
});

import { describe, expect, it } from 'vitest';
import type { JsonObject, ToolSpec } from '../../../src/core/model/types.ts';
import { ToolError, type DomainImpl } from '../../../src/core/scenarios/domain.ts';
import { checkArguments, createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { ACME_DOMAIN, ACME_TOOLS, acmeDb, makeScenario, scenarioWith } from '../fixtures.ts';

const env = () => createEnvironment(makeScenario(), ACME_DOMAIN);
const spec = (name: string): ToolSpec => ACME_TOOLS.find((t) => t.name === name)!;

describe('createEnvironment: calls', () => {
  it('runs a read tool and returns its value', () => {
    expect(env().call('get_account', { account_id: 'B2' })).toEqual({
      ok: true,
      value: { name: 'Ben Ode', email: 'ben@example.org', plan: 'premium' },
    });
  });

  it('runs a write tool, and the change shows in the snapshot', () => {
    const e = env();
    expect(e.call('set_plan', { account_id: 'A1', plan: 'family' })).toEqual({
      ok: true,
      value: { account_id: 'A1', plan: 'family' },
    });
    expect(e.snapshot()).toMatchObject({ accounts: { A1: { plan: 'family' } } });
  });

  it('turns a ToolError into a DomainError result', () => {
    expect(env().call('set_plan', { account_id: 'ZZ9', plan: 'basic' })).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Account not found' },
    });
  });

  it('keeps the error name a ToolError chose', () => {
    const domain: DomainImpl = {
      ...ACME_DOMAIN,
      tools: {
        ...ACME_DOMAIN.tools,
        get_account: () => {
          throw new ToolError('account_id looks malformed', 'InvalidArguments');
        },
      },
    };
    expect(createEnvironment(makeScenario(), domain).call('get_account', { account_id: '?' })).toEqual({
      ok: false,
      error: { name: 'InvalidArguments', message: 'account_id looks malformed' },
    });
  });

  it('turns any other exception into a ToolCrashed result', () => {
    expect(env().call('crash', {})).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'crash failed: boom' } });
  });

  it('refuses tools the scenario does not grant, and tools the domain lacks', () => {
    const scenario = scenarioWith((s) => {
      s.agent.tools = s.agent.tools.filter((t) => t.name !== 'set_plan');
      s.agent.tools.push({ ...spec('get_account'), name: 'get_bill' });
    });
    const e = createEnvironment(scenario, ACME_DOMAIN);
    const notGranted = e.call('set_plan', { account_id: 'A1', plan: 'premium' });
    expect(notGranted).toMatchObject({ ok: false, error: { name: 'UnknownTool' } });
    const message = notGranted.ok ? '' : notGranted.error.message;
    expect(message).toMatch(/^Unknown tool "set_plan"\. Available tools: .*get_account/);
    expect(message).not.toMatch(/Available tools:.*set_plan/);
    expect(e.call('get_bill', { account_id: 'A1' })).toMatchObject({ ok: false, error: { name: 'UnknownTool' } });
    expect(e.snapshot()).toEqual(acmeDb());
  });

  it('refuses bad arguments before running the tool', () => {
    const e = env();
    expect(e.call('set_plan', { account_id: 'A1' })).toEqual({
      ok: false,
      error: { name: 'InvalidArguments', message: 'set_plan: missing required argument "plan".' },
    });
    expect(e.call('set_plan', { account_id: 'A1', plan: 'gold' })).toMatchObject({
      ok: false,
      error: { name: 'InvalidArguments' },
    });
    expect(e.snapshot()).toEqual(acmeDb());
  });

  it('reports whether a tool is a transfer', () => {
    const e = env();
    expect(e.isTransfer('transfer_to_human')).toBe(true);
    expect(e.isTransfer('set_plan')).toBe(false);
  });
});

describe('createEnvironment: isolation', () => {
  it('never changes the scenario initial database', () => {
    const scenario = makeScenario();
    const e = createEnvironment(scenario, ACME_DOMAIN);
    e.call('set_plan', { account_id: 'A1', plan: 'family' });
    expect(scenario.initialDb).toEqual(acmeDb());
    // A second session starts from the initial state again.
    expect(createEnvironment(scenario, ACME_DOMAIN).snapshot()).toEqual(acmeDb());
  });

  it('runs reads on the frozen state, so a read that writes crashes and changes nothing', () => {
    const domain: DomainImpl = {
      ...ACME_DOMAIN,
      tools: {
        ...ACME_DOMAIN.tools,
        get_account: (db) => {
          (db.accounts as Record<string, JsonObject>).A1!.plan = 'hacked';
          return 'ok';
        },
      },
    };
    const e = createEnvironment(makeScenario(), domain);
    const r = e.call('get_account', { account_id: 'A1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.name).toBe('ToolCrashed');
    expect(e.snapshot()).toEqual(acmeDb());
  });

  it('hands out copies: changing a result or a snapshot does not reach the database', () => {
    const e = env();
    const r = e.call('get_account', { account_id: 'A1' });
    if (r.ok) (r.value as JsonObject).plan = 'mutated';
    const snap = e.snapshot();
    (snap.accounts as Record<string, JsonObject>).A1!.plan = 'mutated too';
    expect(e.snapshot()).toEqual(acmeDb());
  });

  it('turns an undefined tool result into null', () => {
    const domain: DomainImpl = { ...ACME_DOMAIN, tools: { ...ACME_DOMAIN.tools, crash: () => undefined as never } };
    expect(createEnvironment(makeScenario(), domain).call('crash', {})).toEqual({ ok: true, value: null });
  });
});

describe('checkArguments', () => {
  const strict: ToolSpec = {
    name: 'f',
    description: 'd',
    kind: 'read',
    parameters: {
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        i: { type: 'integer' },
        b: { type: 'boolean' },
        l: { type: 'array' },
        o: { type: ['object', 'null'] },
        e: { enum: ['x', 'y'] },
      },
      required: ['s'],
      additionalProperties: false,
    },
  };

  it('accepts well-typed arguments', () => {
    expect(checkArguments(strict, { s: 'a', n: 1.5, i: 2, b: false, l: [], o: null, e: 'y' })).toBeNull();
  });

  it.each([
    [{}, 'missing required argument "s"'],
    [{ s: null }, 'missing required argument "s"'],
    [{ s: 1 }, 'argument "s" must be string, got a number (1)'],
    [{ s: 'a', n: 'NaN' }, 'argument "n" must be number'],
    [{ s: 'a', i: 1.5 }, 'argument "i" must be integer'],
    [{ s: 'a', b: 'yes' }, 'argument "b" must be boolean'],
    [{ s: 'a', l: {} }, 'argument "l" must be array'],
    [{ s: 'a', o: [] }, 'argument "o" must be object or null, got an array'],
    [{ s: 'a', e: 'z' }, 'argument "e" must be one of "x", "y"'],
    [{ s: 'a', extra: 1 }, 'unknown argument "extra"'],
  ] as [JsonObject, string][])('refuses %j: %s', (args, message) => {
    expect(checkArguments(strict, args)).toContain(message);
  });

  it('allows unknown arguments unless additionalProperties is false', () => {
    expect(checkArguments(spec('crash'), { anything: 1 })).toBeNull();
  });

  it('refuses arguments that are not an object', () => {
    expect(checkArguments(strict, [] as unknown as JsonObject)).toContain('must be a JSON object');
  });
});

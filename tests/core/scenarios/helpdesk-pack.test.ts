/**
 * The IT service desk pack (public/packs/helpdesk.json): a fully declarative pack, so these
 * tests drive its tools through the same environment a session uses. The generic per-task
 * checks (gold replay, dropped writes, changed arguments, agenda start) are in
 * all-packs.test.ts; here: the file is what its generator writes, the database hangs
 * together, the tools enforce the policy with clear domain errors, the tasks hide what only
 * the employee can see, and one task runs end to end against the agenda user.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject, Scenario } from '../../../src/core/model/types.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession, readPath, replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { buildHelpdeskPack } from '../../../scripts/gen-packs/helpdesk.ts';
import { error, expectDeclarativePack, loadPack, userWaitsFor, value, waitedFor, type Obj } from './pack-fixture.ts';
import { converse, makePersona, say, scripted, type ScriptStep } from '../fixtures.ts';

const { pack, scenarios, scenario, table, env } = loadPack('helpdesk');



describe('helpdesk pack: file', () => {
  it('is exactly what scripts/gen-packs/helpdesk.ts generates', () => {
    expect(pack).toEqual(JSON.parse(JSON.stringify(buildHelpdeskPack())));
  });

  it('is fully declarative: no built-in domain, every tool has declarative steps', () => {
    expectDeclarativePack(pack, 'helpdesk');
  });

  it('has read and write tools and one transfer tool', () => {
    const kinds = new Set(pack.tools.map((t) => t.kind));
    expect(kinds).toEqual(new Set(['read', 'write']));
    const transfers = pack.tools.filter((t) => t.impl?.type === 'declarative' && t.impl.transfer);
    expect(transfers.map((t) => t.name)).toEqual(['transfer_to_human']);
    const e = env();
    expect(e.isTransfer('transfer_to_human')).toBe(true);
    expect(value(e.call('transfer_to_human', { summary: 'Needs a desk move.' }))).toMatch(/Transfer successful/);
  });

  it("states today's date, the same as the database's", () => {
    expect(pack.policy).toContain(`Today's date is ${(pack.db['meta'] as Obj)['today']}`);
  });
});

describe('helpdesk pack: database', () => {
  const employees = table('employees');
  const assets = table('assets');

  it('is the size of a small company', () => {
    expect(Object.keys(employees).length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(assets).length).toBeGreaterThanOrEqual(100);
    expect(Object.keys(table('tickets')).length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(table('access')).length).toBeGreaterThanOrEqual(150);
  });

  it('has consistent references', () => {
    const emails = new Set<string>();
    for (const [id, e] of Object.entries(employees)) {
      expect(e['id']).toBe(id);
      expect(employees[String(e['manager_id'])], `${id} manager`).toBeDefined();
      expect(String(e['phone_last4'])).toMatch(/^\d{4}$/);
      expect(emails.has(String(e['email'])), String(e['email'])).toBe(false);
      emails.add(String(e['email']));
    }
    for (const [id, a] of Object.entries(assets)) {
      expect(a['id']).toBe(id);
      if (a['assigned_to'] !== null) expect(employees[String(a['assigned_to'])], id).toBeDefined();
      expect(a['warranty']).toBe(String(a['warranty_until']) >= '2027-03-09' ? 'active' : 'expired');
    }
    for (const [key, g] of Object.entries(table('access'))) {
      expect(key).toBe(`${g['employee_id']}:${g['system_id']}`);
      expect(table('systems')[String(g['system_id'])], key).toBeDefined();
    }
    for (const [id, t] of Object.entries(table('tickets'))) {
      expect(t['id']).toBe(id);
      expect(employees[String(t['employee_id'])], id).toBeDefined();
    }
  });

  it('has two employees per shared name, told apart by email', () => {
    const named = (n: string) => Object.values(employees).filter((e) => e['name'] === n);
    expect(named('Daniel Cho')).toHaveLength(2);
    expect(named('Priya Raman')).toHaveLength(2);
  });
});

describe('helpdesk pack: tools', () => {
  it('never shows the mobile digits used for verification', () => {
    const e = env();
    const found = value(e.call('find_employee_by_email', { email: 'PRIYA.RAMAN@larkspurlabs.com' }));
    expect(found['id']).toBe('E1021');
    expect(found['manager_name']).toBe('Tomás Lindqvist');
    expect(JSON.stringify(found)).not.toContain('4821');
    expect(JSON.stringify(value(e.call('get_employee', { employee_id: 'E1021' })))).not.toContain('phone_last4');
  });

  it('answers look-ups of missing records with domain errors', () => {
    const e = env();
    expect(error(e.call('get_ticket', { ticket_id: 'INC-1' }))).toBe('Ticket not found: INC-1.');
    expect(error(e.call('get_employee', { employee_id: 'E9999' }))).toBe('Employee not found: E9999.');
    expect(error(e.call('find_employee_by_email', { email: 'nobody@larkspurlabs.com' }))).toBe('No employee with email nobody@larkspurlabs.com.');
    expect(error(e.call('get_device', { asset_id: 'LT-0000' }))).toMatch(/^Device not found: LT-0000\./);
    expect(error(e.call('get_guide', { guide_id: 'coffee-machine' }))).toMatch(/^No guide coffee-machine\. Guides: laptop-no-power/);
  });

  it('checks the mobile digits before an account change, and changes nothing when they are wrong', () => {
    const e = env();
    const before = e.snapshot();
    expect(error(e.call('unlock_account', { employee_id: 'E1021', last_four_digits: '1234' }))).toMatch(/^Identity check failed/);
    expect(e.snapshot()).toEqual(before);
    expect(value(e.call('verify_identity', { employee_id: 'E1021', last_four_digits: '4821' }))).toEqual({ verified: true, employee_id: 'E1021', name: 'Priya Raman' });
    value(e.call('unlock_account', { employee_id: 'e1021', last_four_digits: '4821' }));
    expect(readPath(e.snapshot(), 'employees.E1021.account')).toMatchObject({ status: 'active', lock_reason: null, failed_logins: 0 });
    expect(error(e.call('unlock_account', { employee_id: 'E1021', last_four_digits: '4821' }))).toBe('The account of Priya Raman is not locked (status: active).');
  });

  it('refuses to unlock a security hold, naming the case', () => {
    expect(error(env().call('unlock_account', { employee_id: 'E1022', last_four_digits: '3307' }))).toBe(
      'The account of Kevin Marsh is on a security hold (case INC-50877): only the Security team can release it.',
    );
  });

  it('sends a reset or resets MFA only on an unlocked account', () => {
    const e = env();
    expect(error(e.call('reset_mfa', { employee_id: 'E1036', last_four_digits: '2648' }))).toMatch(/is locked: unlock it before resetting MFA/);
    expect(error(e.call('send_password_reset', { employee_id: 'E1036', last_four_digits: '2648' }))).toMatch(/must be unlocked/);
    value(e.call('unlock_account', { employee_id: 'E1036', last_four_digits: '2648' }));
    expect(value(e.call('reset_mfa', { employee_id: 'E1036', last_four_digits: '2648' }))['mfa_status']).toBe('re_enrollment_pending');
    expect(value(e.call('send_password_reset', { employee_id: 'E1023', last_four_digits: '5190' }))['sent_to']).toBe('the mobile number ending in 5190');
  });

  it('books repairs only in warranty and with a fault code that fits the device', () => {
    const e = env();
    expect(error(e.call('schedule_repair', { asset_id: 'LT-1874', fault_code: 'battery' }))).toMatch(/^LT-1874 is out of warranty \(it ended 2026-11-30\)/);
    expect(error(e.call('schedule_repair', { asset_id: 'LT-2231', fault_code: 'fuser' }))).toBe('Fault code fuser does not apply to a laptop.');
    const booked = value(e.call('schedule_repair', { asset_id: 'lt-2231', fault_code: 'battery' }));
    expect(booked).toMatchObject({ asset_id: 'LT-2231', fault: 'Battery failure', vendor: 'Dell ProSupport' });
    expect(readPath(e.snapshot(), 'assets.LT-2231.repair')).toEqual({ fault_code: 'battery', vendor: 'Dell ProSupport', booked_on: '2027-03-09' });
    expect(error(e.call('schedule_repair', { asset_id: 'LT-2231', fault_code: 'battery' }))).toMatch(/is in_repair: only devices in service/);
  });

  it('replaces only lost, stolen or out-of-warranty devices, once', () => {
    const e = env();
    expect(error(e.call('order_replacement', { asset_id: 'LT-2231', reason: 'out_of_warranty_fault' }))).toMatch(/faulty devices under warranty are repaired instead/);
    expect(error(e.call('order_replacement', { asset_id: 'LT-2290', reason: 'stolen' }))).toMatch(/must be reported first/);
    expect(error(e.call('report_lost_or_stolen', { asset_id: 'PRN-0312', circumstance: 'stolen', last_four_digits: '7712' }))).toMatch(/is a printer/);
    value(e.call('report_lost_or_stolen', { asset_id: 'LT-2290', circumstance: 'stolen', last_four_digits: '7712' }));
    expect(value(e.call('order_replacement', { asset_id: 'LT-2290', reason: 'stolen' }))).toMatchObject({ replacement: 'laptop', ship_to: 'HQ Denver, floor 3' });
    expect(error(e.call('order_replacement', { asset_id: 'LT-2290', reason: 'stolen' }))).toBe('A replacement for LT-2290 was already ordered on 2027-03-09.');
    const shipments = e.snapshot()['shipments'] as Obj[];
    expect(shipments.at(-1)).toEqual({ employee_id: 'E1035', item: 'laptop', replaces: 'LT-2290', ship_to: 'HQ Denver, floor 3', ordered_on: '2027-03-09' });
  });

  it('routes access requests by the approval each level needs', () => {
    const e = env();
    expect(value(e.call('request_access', { employee_id: 'E1030', system_id: 'jira', level: 'write' }))).toMatchObject({ status: 'active', approval_needed: 'none' });
    expect(value(e.call('request_access', { employee_id: 'E1031', system_id: 'SALESFORCE', level: 'read' }))).toMatchObject({
      status: 'pending_manager_approval',
      manager: 'Olivia Brandt',
    });
    expect(readPath(e.snapshot(), 'access["E1031:salesforce"]')).toMatchObject({ system_id: 'salesforce', manager_id: 'E1009' });
    expect(error(e.call('request_access', { employee_id: 'E1032', system_id: 'aws-console', level: 'admin' }))).toMatch(/needs a Security review/);
    expect(error(e.call('request_access', { employee_id: 'E1033', system_id: 'workday', level: 'read' }))).toBe('Workday is not available to contractors.');
    expect(error(e.call('request_access', { employee_id: 'E1033', system_id: 'workday-x', level: 'read' }))).toBe('System not found: workday-x.');
    expect(error(e.call('request_access', { employee_id: 'E1034', system_id: 'tableau', level: 'write' }))).toMatch(/already has read access to Tableau .*use update_access_level/);
    expect(error(e.call('update_access_level', { employee_id: 'E1030', system_id: 'figma', level: 'write' }))).toMatch(/has no access to Figma yet/);
    expect(error(e.call('request_access', { employee_id: 'E1030', system_id: 'workday', level: 'write' }))).toBe('Workday has no write access level.');
  });

  it('escalates and resolves only open tickets', () => {
    const e = env();
    expect(error(e.call('escalate_ticket', { ticket_id: 'INC-50901', team: 'network' }))).toBe('Ticket INC-50901 is resolved: only open tickets can be escalated.');
    expect(value(e.call('escalate_ticket', { ticket_id: 'INC-50912', team: 'network' }))).toMatchObject({ team: 'Network team' });
    expect(error(e.call('resolve_ticket', { ticket_id: 'INC-50912', resolution_code: 'user_resolved' }))).toMatch(/is escalated/);
    expect(error(e.call('escalate_ticket', { ticket_id: 'INC-50930', team: 'legal' }))).toMatch(/must be one of/);
  });
});

describe('helpdesk pack: tasks', () => {
  it('has at least twelve tasks at every difficulty', () => {
    expect(pack.tasks.length).toBeGreaterThanOrEqual(12);
    for (const d of ['easy', 'medium', 'hard']) expect(pack.tasks.some((t) => t.difficulty === d), d).toBe(true);
  });

  it('makes the right action depend on what the employee reports', () => {
    // Same symptom, different reading, different write: the agent has to ask.
    const pairs: [string, string, string][] = [
      ['laptop-battery-repair', 'laptop-charger', 'charging_light'],
      ['vpn-expired-password', 'vpn-blocked-network', 'error_code'],
      ['printer-fuser', 'printer-jam-resolved', 'error_code'],
    ];
    const lastWrite = (s: Scenario) => s.evaluation.goldActions.filter((a) => s.agent.tools.find((t) => t.name === a.name)?.kind === 'write').at(-1)!;
    for (const [a, b, slot] of pairs) {
      const [sa, sb] = [scenario(a), scenario(b)];
      expect(sa.user.knownInfo[slot], a).toBeDefined();
      expect(sa.user.knownInfo[slot]).not.toBe(sb.user.knownInfo[slot]);
      expect(lastWrite(sa)).not.toEqual(lastWrite(sb));
    }
  });

  it('keeps the readings and the mobile digits out of what the agent can read', () => {
    for (const s of scenarios) {
      const { results } = replayGold(s);
      expect(results.every((r) => r.ok)).toBe(true);
      const env2 = createEnvironment(s);
      const seen = s.evaluation.goldActions
        .filter((a) => s.agent.tools.find((t) => t.name === a.name)?.kind === 'read' && a.name !== 'get_guide')
        .map((a) => JSON.stringify(env2.call(a.name, a.arguments)))
        .join('\n');
      for (const slot of ['charging_light', 'after_clearing_jam', 'last_four_digits']) {
        const v = s.user.knownInfo[slot];
        if (v) expect(seen, `${s.id} ${slot}`).not.toContain(v);
      }
      // Where the digits are needed, the gold uses the ones only the employee holds.
      for (const a of s.evaluation.goldActions) {
        if ('last_four_digits' in a.arguments) expect(a.arguments['last_four_digits'], s.id).toBe(s.user.knownInfo['last_four_digits']);
      }
    }
  });

  it('runs the battery task end to end with the agenda user and a scripted agent', async () => {
    const s = scenario('laptop-battery-repair');
    const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });
    const agent: ScriptStep[] = [
      say('Happy to help. What is your email address?'),
      call('find_employee_by_email', { email: 'lars.jensen@larkspurlabs.com' }),
      call('list_devices', { employee_id: 'E1025' }),
      say('Please plug in the charger, hold the power button for 30 seconds, then tell me: what does the charging light show?'),
      say('That is a battery failure. Shall I book a battery repair for laptop LT-2231?'),
      call('schedule_repair', { asset_id: 'LT-2231', fault_code: 'battery' }),
      say('Your repair has been booked with Dell ProSupport.'),
    ];
    const r = await converse(
      createAgendaUser({ role: 'user', scenario: s, persona: makePersona('baseline') }),
      scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }),
      { scenario: s, environment: createEnvironment(s), seed: 3 },
    );
    const userText = r.turns.filter((t) => t.role === 'user').map((t) => t.content).join('\n');
    expect(userText).toContain('lars.jensen@larkspurlabs.com');
    expect(userText).toContain('blinking amber');
    expect(r.termination).toBe('user_stop');
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
  });
});

describe('helpdesk pack: what the user wants to learn', () => {
  it('every value the agent must convey is one the user asks for (a goal info request on that value) or the reason of the refusal it waits for', () => {
    let checked = 0;
    for (const t of pack.tasks) {
      for (const info of t.evaluation.communicateInfo) {
        expect(userWaitsFor(t, info), `${t.id}: ${info} is not among ${JSON.stringify(waitedFor(t))}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

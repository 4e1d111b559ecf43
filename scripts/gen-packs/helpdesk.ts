/**
 * Generates public/packs/helpdesk.json: the Larkspur Labs IT service desk, a fully
 * declarative pack (every tool carries its `impl`; no TypeScript domain code).
 *
 * The people, devices, tickets and access records the tasks use are written out by hand;
 * the rest of the company is filled in from a seeded generator, so the file is the same on
 * every run. Run: npx tsx scripts/gen-packs/helpdesk.ts
 */
import type { Json, JsonObject, PackTask, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { g, learn, packTask, toolSpec, type Prop, type TaskDef, withSources, writePackWhenRun } from './lib.ts';
import { mulberry32, pick, randInt } from '../../src/core/stats/rng.ts';

const TODAY = '2027-03-09';
const DOMAIN = 'helpdesk';
const MAIL = 'larkspurlabs.com';

/* ------------------------------------------------------------------ tools */

/** A declarative tool (every tool here is). */
function tool(name: string, kind: 'read' | 'write', description: string, props: Record<string, Prop>, steps: ToolStep[], returns: Json | undefined, transfer = false): ToolSpec {
  return toolSpec(name, kind, description, props, { steps, returns, transfer });
}

const P = {
  employeeId: { type: 'string', description: 'Employee id, e.g. "E1021".' } as Prop,
  email: { type: 'string', description: 'Work email address, e.g. "priya.raman@larkspurlabs.com".' } as Prop,
  lastFour: {
    type: 'string',
    description: 'The last four digits of the mobile number on file, as the employee tells them, e.g. "4821".',
  } as Prop,
  assetId: { type: 'string', description: 'Asset tag of the device, e.g. "LT-2231" or "PRN-0312".' } as Prop,
  ticketId: { type: 'string', description: 'Ticket id, e.g. "INC-50912".' } as Prop,
  systemId: { type: 'string', description: 'System id, e.g. "jira", "salesforce", "aws-console".' } as Prop,
  level: { type: 'string', description: 'Access level.', enum: ['read', 'write', 'admin'] } as Prop,
};

const FAULT_CODES = ['battery', 'display', 'keyboard', 'fuser', 'paper_feed', 'network_card', 'panel', 'screen'];
const ACCESSORIES = ['charger', 'dock', 'headset', 'display_cable', 'keyboard', 'mouse'];
const TEAMS = ['network', 'security', 'endpoint', 'facilities'];
const RESOLUTIONS = ['user_resolved', 'duplicate', 'no_response'];

const getEmployee = (key: string, as = 'employee'): ToolStep => ({
  get: 'employees',
  key,
  as,
  notFound: 'Employee not found: {key}.',
});
const getManager: ToolStep = { get: 'employees', key: '{employee.manager_id}', as: 'manager' };
/** Fails unless the digits match the employee's mobile on file: a find over both fields. */
const checkDigits = (who = 'employee'): ToolStep => ({
  find: 'employees',
  where: { id: `{${who}.id}`, phone_last4: '{args.last_four_digits}' },
  first: true,
  as: 'verified',
  notFound: `Identity check failed: the digits do not match the mobile number on file for {${who}.id}. Do not make the change; send the employee to the walk-up IT desk with their badge.`,
});
/** What the agent may see of an employee: never the mobile digits used for verification. */
const employeeView = {
  id: '{employee.id}',
  name: '{employee.name}',
  email: '{employee.email}',
  type: '{employee.type}',
  status: '{employee.status}',
  department: '{employee.department}',
  title: '{employee.title}',
  location: '{employee.location}',
  manager_id: '{employee.manager_id}',
  manager_name: '{manager.name}',
  account: '{employee.account}',
};
const getAsset: ToolStep = { get: 'assets', key: '{args.asset_id}', as: 'asset', notFound: 'Device not found: {key}. Ask the employee to read the asset tag again.' };
const getTicket: ToolStep = { get: 'tickets', key: '{args.ticket_id}', as: 'ticket', notFound: 'Ticket not found: {key}.' };
const getSystem: ToolStep = { get: 'systems', key: '{args.system_id}', as: 'system', notFound: 'System not found: {key}.' };

function tools(): ToolSpec[] {
  return [
    tool('find_employee_by_email', 'read',
      "Find an employee by work email. Returns id, name, type (employee or contractor), status, department, title, location, manager and the account's state (status, lock_reason, hold_case, failed_logins, password_status, mfa_method, mfa_status).",
      { email: P.email },
      [
        { find: 'employees', where: { email: '{args.email}' }, first: true, as: 'employee', notFound: 'No employee with email {args.email}.' },
        getManager,
      ],
      employeeView),
    tool('get_employee', 'read', 'Get an employee by employee id. Returns the same fields as find_employee_by_email.',
      { employee_id: P.employeeId },
      [getEmployee('{args.employee_id}'), getManager],
      employeeView),
    tool('verify_identity', 'read',
      "Check the last four digits of the mobile number on file that the employee gives you. Needed before account and security actions. Never reveals the number.",
      { employee_id: P.employeeId, last_four_digits: P.lastFour },
      [getEmployee('{args.employee_id}'), checkDigits()],
      { verified: true, employee_id: '{employee.id}', name: '{employee.name}' }),
    tool('unlock_account', 'write',
      'Unlock an account locked after failed sign-ins. Needs the mobile digits. Refused for accounts on a security hold. Only after the employee has confirmed.',
      { employee_id: P.employeeId, last_four_digits: P.lastFour },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: the account cannot be unlocked." },
        { check: '{employee.account.status}', equals: 'locked', message: 'The account of {employee.name} is not locked (status: {employee.account.status}).' },
        {
          check: '{employee.account.lock_reason}',
          notIn: ['security_hold'],
          message: 'The account of {employee.name} is on a security hold (case {employee.account.hold_case}): only the Security team can release it.',
        },
        checkDigits(),
        { set: 'employee.account.status', value: 'active' },
        { set: 'employee.account.lock_reason', value: null },
        { set: 'employee.account.failed_logins', value: 0 },
      ],
      { employee_id: '{employee.id}', account_status: 'active' }),
    tool('send_password_reset', 'write',
      "Send a password-reset link to the employee's mobile number on file. Needs the mobile digits; the account must not be locked. Only after the employee has confirmed.",
      { employee_id: P.employeeId, last_four_digits: P.lastFour },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: no reset can be sent." },
        { check: '{employee.account.status}', equals: 'active', message: 'The account of {employee.name} is {employee.account.status}: it must be unlocked before a reset link can be sent.' },
        checkDigits(),
        { set: 'employee.account.password_status', value: 'reset_link_sent' },
      ],
      { employee_id: '{employee.id}', sent_to: 'the mobile number ending in {employee.phone_last4}', valid_for: '30 minutes' }),
    tool('reset_mfa', 'write',
      'Reset multi-factor authentication so the employee can enrol a new phone at their next sign-in. Needs the mobile digits; the account must be active (unlocked). Only after the employee has confirmed.',
      { employee_id: P.employeeId, last_four_digits: P.lastFour },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: MFA cannot be reset." },
        { check: '{employee.account.status}', equals: 'active', message: 'The account of {employee.name} is {employee.account.status}: unlock it before resetting MFA.' },
        checkDigits(),
        { set: 'employee.account.mfa_status', value: 're_enrollment_pending' },
      ],
      { employee_id: '{employee.id}', mfa_status: 're_enrollment_pending', next_step: 'Sign in at sso.larkspurlabs.com and follow the enrolment prompt.' }),
    tool('list_devices', 'read', 'List the devices assigned to an employee: asset tag, type, model, status, warranty and location.',
      { employee_id: P.employeeId },
      [getEmployee('{args.employee_id}'), { find: 'assets', where: { assigned_to: '{employee.id}' }, as: 'devices' }],
      '{devices}'),
    tool('get_device', 'read', 'Get a device by asset tag: type, model, assigned employee (none for shared devices such as printers), location, status and warranty.',
      { asset_id: P.assetId },
      [getAsset],
      '{asset}'),
    tool('get_guide', 'read',
      'Open a troubleshooting guide: the steps to ask the employee to perform and what to do for each result they report. Guides: laptop-no-power, vpn-cannot-connect, printer-error, monitor-no-signal, lost-or-stolen-device.',
      { guide_id: { type: 'string', description: 'Guide id, e.g. "laptop-no-power".' } },
      [{ get: 'guides', key: '{args.guide_id}', as: 'guide', notFound: 'No guide {key}. Guides: laptop-no-power, vpn-cannot-connect, printer-error, monitor-no-signal, lost-or-stolen-device.' }],
      '{guide}'),
    tool('schedule_repair', 'write',
      'Book a repair for a device in service and under warranty, with the fault code the guide gives. The vendor collects it. Only after the employee has confirmed.',
      { asset_id: P.assetId, fault_code: { type: 'string', description: 'Fault code from the guide.', enum: FAULT_CODES } },
      [
        getAsset,
        { get: 'fault_codes', key: '{asset.type}:{args.fault_code}', as: 'fault', notFound: 'Fault code {args.fault_code} does not apply to a {asset.type}.' },
        { check: '{asset.status}', equals: 'in_service', message: '{asset.id} is {asset.status}: only devices in service can be sent for repair.' },
        {
          check: '{asset.warranty}',
          equals: 'active',
          message: '{asset.id} is out of warranty (it ended {asset.warranty_until}): a repair cannot be booked. Faulty devices out of warranty are replaced instead.',
        },
        { set: 'asset.status', value: 'in_repair' },
        { set: 'asset.repair', value: { fault_code: '{fault.code}', vendor: '{asset.vendor}', booked_on: '{db.meta.today}' } },
      ],
      { asset_id: '{asset.id}', fault: '{fault.label}', vendor: '{asset.vendor}', turnaround: '{fault.turnaround}' }),
    tool('ship_accessory', 'write',
      "Ship an accessory (charger, dock, headset, display cable, keyboard, mouse) to the employee's location on file. Only after the employee has confirmed.",
      { employee_id: P.employeeId, item: { type: 'string', description: 'The accessory.', enum: ACCESSORIES } },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: nothing can be shipped." },
        { get: 'accessories', key: '{args.item}', as: 'accessory' },
        {
          append: 'shipments',
          value: { employee_id: '{employee.id}', item: '{accessory.id}', ship_to: '{employee.location}', ordered_on: '{db.meta.today}' },
        },
      ],
      { employee_id: '{employee.id}', item: '{accessory.name}', ship_to: '{employee.location}', arrives: '{accessory.delivery}' }),
    tool('report_lost_or_stolen', 'write',
      "Report a laptop, phone or tablet lost or stolen: marks it and queues a remote wipe. Needs the mobile digits of the device's owner. Only after the employee has confirmed.",
      {
        asset_id: P.assetId,
        circumstance: { type: 'string', description: 'What happened to the device.', enum: ['lost', 'stolen'] },
        last_four_digits: P.lastFour,
      },
      [
        getAsset,
        { check: '{asset.type}', in: ['laptop', 'phone', 'tablet'], message: 'Only laptops, phones and tablets can be reported lost or stolen; {asset.id} is a {asset.type}.' },
        { check: '{asset.status}', in: ['in_service', 'in_repair'], message: '{asset.id} is already {asset.status}.' },
        getEmployee('{asset.assigned_to}'),
        checkDigits(),
        { set: 'asset.status', value: '{args.circumstance}' },
        { set: 'asset.remote_wipe', value: 'queued' },
        { set: 'asset.reported_on', value: '{db.meta.today}' },
      ],
      { asset_id: '{asset.id}', status: '{asset.status}', remote_wipe: 'queued' }),
    tool('order_replacement', 'write',
      "Order a replacement device, shipped to the owner's location: for a device reported lost or stolen (reason lost or stolen), or for a faulty device out of warranty (reason out_of_warranty_fault). Only after the employee has confirmed.",
      {
        asset_id: P.assetId,
        reason: { type: 'string', description: 'Why the device is replaced.', enum: ['lost', 'stolen', 'out_of_warranty_fault'] },
      },
      [
        getAsset,
        {
          get: 'replacement_rules',
          key: '{args.reason}:{asset.status}:{asset.warranty}',
          as: 'rule',
          notFound:
            'A replacement for {asset.id} cannot be ordered as "{args.reason}": it is {asset.status} with warranty {asset.warranty}. Lost or stolen devices must be reported first; faulty devices under warranty are repaired instead.',
        },
        { check: '{asset.replacement_ordered_on}', exists: false, message: 'A replacement for {asset.id} was already ordered on {asset.replacement_ordered_on}.' },
        getEmployee('{asset.assigned_to}'),
        { set: 'asset.replacement_ordered_on', value: '{db.meta.today}' },
        { set: 'asset.replacement_reason', value: '{rule.reason}' },
        {
          append: 'shipments',
          value: { employee_id: '{employee.id}', item: '{asset.type}', replaces: '{asset.id}', ship_to: '{employee.location}', ordered_on: '{db.meta.today}' },
        },
      ],
      { asset_id: '{asset.id}', replacement: '{asset.type}', ship_to: '{employee.location}', arrives: '{rule.delivery}' }),
    tool('get_system', 'read',
      "Get a company system: its access levels with the approval each needs (none, manager or security) and which kinds of staff (employee, contractor) may use it.",
      { system_id: P.systemId },
      [getSystem],
      '{system}'),
    tool('list_access', 'read', "List an employee's access to systems: system, level, status (active or pending_manager_approval).",
      { employee_id: P.employeeId },
      [getEmployee('{args.employee_id}'), { find: 'access', where: { employee_id: '{employee.id}' }, as: 'grants' }],
      '{grants}'),
    tool('request_access', 'write',
      "Request new access to a system at one level. Levels needing no approval are active at once; levels needing manager approval wait for the employee's manager; levels needing a Security review are refused. Only after the employee has confirmed.",
      { employee_id: P.employeeId, system_id: P.systemId, level: P.level },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: no access can be requested." },
        getSystem,
        { get: 'system.eligible', key: '{employee.type}', as: 'eligible', notFound: '{system.name} is not available to {employee.type}s.' },
        { get: 'system.levels', key: '{args.level}', as: 'lvl', notFound: '{system.name} has no {args.level} access level.' },
        {
          check: '{lvl.approval}',
          notIn: ['security'],
          message: '{args.level} access to {system.name} needs a Security review: the service desk cannot request it. The employee files a Security access request in the portal.',
        },
        { find: 'access', where: { employee_id: '{employee.id}', system_id: '{system.id}' }, as: 'existing' },
        {
          check: '{existing[0]}',
          exists: false,
          message: '{employee.name} already has {existing[0].level} access to {system.name} (status {existing[0].status}): use update_access_level to change it.',
        },
        { get: 'approval_routes', key: '{lvl.approval}', as: 'route' },
        getManager,
        {
          append: 'access',
          key: '{employee.id}:{system.id}',
          value: {
            employee_id: '{employee.id}',
            system_id: '{system.id}',
            level: '{lvl.level}',
            status: '{route.status}',
            approval: '{lvl.approval}',
            manager_id: '{manager.id}',
            requested_on: '{db.meta.today}',
          },
          as: 'grant',
        },
      ],
      { system: '{system.name}', level: '{grant.level}', status: '{grant.status}', approval_needed: '{lvl.approval}', manager: '{manager.name}' }),
    tool('update_access_level', 'write',
      "Change the level of access an employee already has to a system. The new level's approval applies as for request_access. Only after the employee has confirmed.",
      { employee_id: P.employeeId, system_id: P.systemId, level: P.level },
      [
        getEmployee('{args.employee_id}'),
        { check: '{employee.status}', equals: 'active', message: "{employee.name}'s employment status is {employee.status}: access cannot be changed." },
        getSystem,
        { get: 'access', key: '{employee.id}:{system.id}', as: 'grant', notFound: '{employee.name} has no access to {system.name} yet: use request_access.' },
        { get: 'system.levels', key: '{args.level}', as: 'lvl', notFound: '{system.name} has no {args.level} access level.' },
        {
          check: '{lvl.approval}',
          notIn: ['security'],
          message: '{args.level} access to {system.name} needs a Security review: the service desk cannot request it. The employee files a Security access request in the portal.',
        },
        { get: 'approval_routes', key: '{lvl.approval}', as: 'route' },
        getManager,
        { set: 'grant.level', value: '{lvl.level}' },
        { set: 'grant.status', value: '{route.status}' },
        { set: 'grant.approval', value: '{lvl.approval}' },
        { set: 'grant.manager_id', value: '{manager.id}' },
        { set: 'grant.requested_on', value: '{db.meta.today}' },
      ],
      { system: '{system.name}', level: '{grant.level}', status: '{grant.status}', approval_needed: '{lvl.approval}', manager: '{manager.name}' }),
    tool('find_tickets', 'read', "List an employee's tickets: id, category, summary, status, team, device and notes.",
      { employee_id: P.employeeId },
      [getEmployee('{args.employee_id}'), { find: 'tickets', where: { employee_id: '{employee.id}' }, as: 'found' }],
      '{found}'),
    tool('get_ticket', 'read', 'Get a ticket by id.', { ticket_id: P.ticketId }, [getTicket], '{ticket}'),
    tool('escalate_ticket', 'write',
      'Escalate an open ticket to another team (network, security, endpoint or facilities), as the guide says. Only after the employee has confirmed.',
      { ticket_id: P.ticketId, team: { type: 'string', description: 'The team to escalate to.', enum: TEAMS } },
      [
        getTicket,
        { check: '{ticket.status}', in: ['open', 'in_progress'], message: 'Ticket {ticket.id} is {ticket.status}: only open tickets can be escalated.' },
        { get: 'teams', key: '{args.team}', as: 'team' },
        { set: 'ticket.status', value: 'escalated' },
        { set: 'ticket.team', value: '{team.id}' },
        { set: 'ticket.escalated_on', value: '{db.meta.today}' },
      ],
      { ticket_id: '{ticket.id}', status: 'escalated', team: '{team.name}', response_time: '{team.response_time}' }),
    tool('resolve_ticket', 'write',
      'Close an open ticket with a resolution code: user_resolved when the employee confirms the problem is fixed. Only after the employee has confirmed.',
      { ticket_id: P.ticketId, resolution_code: { type: 'string', description: 'How the ticket was resolved.', enum: RESOLUTIONS } },
      [
        getTicket,
        { check: '{ticket.status}', in: ['open', 'in_progress'], message: 'Ticket {ticket.id} is {ticket.status}: only open tickets can be resolved.' },
        { set: 'ticket.status', value: 'resolved' },
        { set: 'ticket.resolution_code', value: '{args.resolution_code}' },
        { set: 'ticket.resolved_on', value: '{db.meta.today}' },
      ],
      { ticket_id: '{ticket.id}', status: 'resolved' }),
    tool('transfer_to_human', 'read',
      'Hand the employee to a service-desk technician. Ends the conversation. Only for requests outside this policy when the employee insists.',
      { summary: { type: 'string', description: 'One or two sentences on the request, for the technician.' } },
      [],
      'Transfer successful. A technician will take over the chat.',
      true),
  ];
}

/* ----------------------------------------------------------------- policy */

const POLICY = `# Larkspur Labs — IT service desk policy

You are the IT service desk agent of Larkspur Labs, answering employees by chat. You help with locked accounts and passwords, multi-factor authentication (MFA), device problems, lost or stolen devices, access to company systems, and questions about existing tickets. Today's date is ${TODAY}.

## Identify the caller
- Look the employee up first, with \`find_employee_by_email\` (work email) or \`get_employee\` (employee id). Several employees share a name: a name alone is never enough.
- Help only the employee you are talking to, with their own account, devices, access and tickets. Shared devices (printers) may be reported by any employee.

## Verification for account and security actions
- Unlocking an account, sending a password reset, resetting MFA and reporting a lost or stolen device need the last four digits of the mobile number on file. Ask the employee for them; never guess them. \`verify_identity\` checks them, and those write tools check them again.
- If the digits do not match, make no change: tell the employee to visit the walk-up IT desk with their badge.
- Access requests, repairs, shipments and ticket updates need no verification beyond identifying the employee.

## You cannot see the employee's screen or device
- For device and connection problems, open the matching guide with \`get_guide\` (laptop-no-power, vpn-cannot-connect, printer-error, monitor-no-signal, lost-or-stolen-device) and follow it: ask the employee to perform each step and tell you what they see (lights, error codes, asset tags).
- Act only on what the employee reports, never on a guess: when the guide's next action depends on a reading you have not been given, ask for it.
- Use \`list_devices\` for the employee's own devices; for a shared device, ask them to read the asset tag on its sticker.

## Accounts
- \`unlock_account\` is for accounts locked after failed sign-ins. An account on a security hold can be released only by the Security team: do not unlock it and do not transfer; give the employee the case number in \`hold_case\` and tell them Security will contact them.
- A password reset link goes to the mobile number on file; the account must be unlocked first.
- A new or lost phone for MFA: unlock the account first if it is locked, then \`reset_mfa\`.

## Devices
- Book repairs with \`schedule_repair\` and the guide's fault code, only for devices in service and under warranty. A device out of warranty with a hardware fault is replaced instead: \`order_replacement\` with reason \`out_of_warranty_fault\`.
- A lost or stolen laptop or phone needs three things: \`report_lost_or_stolen\` (this queues a remote wipe), \`order_replacement\` with the same reason, and \`send_password_reset\`.
- Accessories ship with \`ship_accessory\` to the employee's location on file.

## Access to systems
- Check the level's approval with \`get_system\`: "none" is active at once; "manager" waits for the employee's manager, so tell the employee their manager's name; "security" cannot be requested by the service desk: tell the employee to file a Security access request in the portal, and offer a lower level if they want one.
- Some systems are not available to contractors.
- New access: \`request_access\`; a different level of access the employee already has: \`update_access_level\`. Request only the systems and levels the employee asks for.

## Tickets
- \`find_tickets\` lists the employee's tickets. Escalate an open ticket with \`escalate_ticket\` when the guide names a team; resolve it with \`resolve_ticket\` (\`user_resolved\`) only when the employee says the problem is fixed. Leave tickets alone otherwise.

## Confirm, then act
- Before any change, say exactly what you will do (the action, the employee or asset tag, and the fault code, item, system and level or team) and ask the employee to confirm. Act only after an explicit yes, one change per confirmation.
- Never make up facts: report only what the tools return. If a tool returns an error, say so plainly; never pretend a change went through.
- Transfer with \`transfer_to_human\` only when the request is outside this policy and the employee insists after you have explained. Be courteous and concise.
`;

/* --------------------------------------------------------------- database */

type Employee = {
  id: string;
  name: string;
  email: string;
  type: 'employee' | 'contractor';
  status: 'active' | 'on_leave' | 'terminated';
  department: string;
  title: string;
  location: string;
  manager_id: string;
  phone_last4: string;
  account: JsonObject;
};

const HQ = 'HQ Denver';
const LOCATIONS = [`${HQ}, floor 2`, `${HQ}, floor 3`, `${HQ}, floor 4`, 'Austin office', 'Remote (home office)'];

function account(patch: JsonObject = {}): JsonObject {
  return {
    status: 'active',
    lock_reason: null,
    hold_case: null,
    failed_logins: 0,
    password_status: 'valid',
    mfa_method: 'authenticator_app',
    mfa_status: 'enrolled',
    ...patch,
  };
}

function person(
  id: string,
  name: string,
  department: string,
  title: string,
  manager_id: string,
  phone_last4: string,
  extra: Partial<Employee> = {},
): Employee {
  return {
    id,
    name,
    email: `${name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]+/g, '.')}@${MAIL}`,
    type: 'employee',
    status: 'active',
    department,
    title,
    location: `${HQ}, floor 3`,
    manager_id,
    phone_last4,
    account: account(),
    ...extra,
  };
}

/** The people the tasks are about, and their managers. */
function namedEmployees(): Employee[] {
  return [
    person('E1001', 'Daniel Moreau', 'Executive', 'Chief Executive Officer', 'E1001', '1180', { location: `${HQ}, floor 4` }),
    person('E1002', 'Ruth Castellano', 'Operations', 'Chief Operating Officer', 'E1001', '2093', { location: `${HQ}, floor 4` }),
    person('E1003', 'Helen Okafor', 'Sales', 'Director of Sales', 'E1002', '3341'),
    person('E1004', 'Tomás Lindqvist', 'Engineering', 'Engineering Manager', 'E1002', '6620', { location: `${HQ}, floor 2` }),
    person('E1005', 'Grace Whitfield', 'Finance', 'Finance Controller', 'E1002', '9074', { location: `${HQ}, floor 4` }),
    person('E1006', 'Samuel Adeyemi', 'IT', 'Head of IT', 'E1002', '4452', { location: `${HQ}, floor 2` }),
    person('E1007', 'Yuki Tanabe', 'Data', 'Data Lead', 'E1002', '5816', { location: `${HQ}, floor 2` }),
    person('E1008', 'Marcus Feld', 'People', 'HR Director', 'E1002', '7730', { location: `${HQ}, floor 4` }),
    person('E1009', 'Olivia Brandt', 'Marketing', 'Marketing Manager', 'E1002', '2207'),
    person('E1010', 'Arjun Mehta', 'Support', 'Support Manager', 'E1002', '8164', { location: 'Austin office' }),
    person('E1021', 'Priya Raman', 'Engineering', 'Software Engineer', 'E1004', '4821', {
      location: `${HQ}, floor 2`,
      account: account({ status: 'locked', lock_reason: 'failed_logins', failed_logins: 5 }),
    }),
    person('E1022', 'Kevin Marsh', 'Sales', 'Account Executive', 'E1003', '3307', {
      account: account({ status: 'locked', lock_reason: 'security_hold', hold_case: 'INC-50877', failed_logins: 0 }),
    }),
    person('E1023', 'Daniel Cho', 'Finance', 'Financial Analyst', 'E1005', '5190', {
      location: 'Remote (home office)',
      account: account({ password_status: 'expired' }),
    }),
    person('E1024', 'Fatima Noor', 'Support', 'Support Specialist', 'E1010', '6048', { location: 'Remote (home office)' }),
    person('E1025', 'Lars Jensen', 'Data', 'Data Engineer', 'E1007', '1379', { location: `${HQ}, floor 2` }),
    person('E1026', 'Amelia Ortiz', 'Marketing', 'Content Strategist', 'E1009', '8852', { location: 'Remote (home office)' }),
    person('E1027', 'Ben Whitaker', 'Sales', 'Sales Engineer', 'E1003', '2716', { location: 'Austin office' }),
    person('E1028', 'Nora Lindgren', 'Finance', 'Accountant', 'E1005', '4405'),
    person('E1029', 'Oscar Pruitt', 'Operations', 'Office Coordinator', 'E1002', '9931', { location: `${HQ}, floor 2` }),
    person('E1030', 'Mei Chen', 'Engineering', 'Software Engineer', 'E1004', '3068', { location: `${HQ}, floor 2` }),
    person('E1031', 'Rafael Souza', 'Marketing', 'Marketing Analyst', 'E1009', '5527'),
    person('E1032', 'Ingrid Solberg', 'Engineering', 'Site Reliability Engineer', 'E1004', '7194', { location: `${HQ}, floor 2` }),
    person('E1033', 'Dev Patel', 'Engineering', 'Contract Developer', 'E1004', '6283', { type: 'contractor', location: 'Remote (home office)' }),
    person('E1034', 'Hannah Weiss', 'Finance', 'FP&A Analyst', 'E1005', '1640', { location: `${HQ}, floor 4` }),
    person('E1035', 'Julian Reyes', 'Sales', 'Account Executive', 'E1003', '7712'),
    person('E1036', 'Sofia Rossi', 'Legal', 'Legal Counsel', 'E1002', '2648', {
      location: `${HQ}, floor 4`,
      account: account({ status: 'locked', lock_reason: 'failed_logins', failed_logins: 6 }),
    }),
    person('E1037', 'Ethan Brooks', 'Support', 'Support Specialist', 'E1010', '3985', { location: 'Austin office' }),
    // A second Daniel Cho and a second Priya Raman: a name alone never identifies anyone.
    { ...person('E1047', 'Daniel Cho', 'Engineering', 'QA Engineer', 'E1004', '8821', { location: 'Austin office' }), email: `daniel.j.cho@${MAIL}` },
    { ...person('E1048', 'Priya Raman', 'Support', 'Support Specialist', 'E1010', '0457', { location: 'Austin office' }), email: `priya.s.raman@${MAIL}` },
  ];
}

const FIRST = ['Alice', 'Bruno', 'Chloe', 'Diego', 'Elena', 'Felix', 'Gabriela', 'Hugo', 'Isla', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Nikolai', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Stefan', 'Tara', 'Umar', 'Vera', 'Wes', 'Xenia', 'Yara', 'Zane'];
const LAST = ['Abbott', 'Baptiste', 'Carvalho', 'Dimitrov', 'Eriksen', 'Fischer', 'Gallagher', 'Haddad', 'Ibarra', 'Jovanovic', 'Kowalski', 'Larsen', 'Mbeki', 'Nakamura', 'Oduya', 'Petrov', 'Quinn', 'Rinaldi', 'Sato', 'Thornton', 'Ueda', 'Varga', 'Wójcik', 'Yilmaz'];
const DEPTS: Record<string, { manager: string; titles: string[] }> = {
  Engineering: { manager: 'E1004', titles: ['Software Engineer', 'Senior Software Engineer', 'QA Engineer', 'DevOps Engineer'] },
  Sales: { manager: 'E1003', titles: ['Account Executive', 'Sales Development Rep', 'Sales Engineer'] },
  Finance: { manager: 'E1005', titles: ['Accountant', 'Financial Analyst', 'Payroll Specialist'] },
  Data: { manager: 'E1007', titles: ['Data Analyst', 'Data Engineer', 'Data Scientist'] },
  Marketing: { manager: 'E1009', titles: ['Designer', 'Marketing Analyst', 'Copywriter'] },
  Support: { manager: 'E1010', titles: ['Support Specialist', 'Support Engineer'] },
  People: { manager: 'E1008', titles: ['HR Generalist', 'Recruiter'] },
};

function fillerEmployees(rng: () => number, taken: Set<string>): Employee[] {
  const out: Employee[] = [];
  let n = 1050;
  while (out.length < 44) {
    const name = `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    const dept = pick(rng, Object.keys(DEPTS));
    const d = DEPTS[dept]!;
    const roll = rng();
    const acc =
      roll < 0.06
        ? account({ status: 'locked', lock_reason: 'failed_logins', failed_logins: randInt(rng, 5, 9) })
        : roll < 0.1
          ? account({ password_status: 'expired' })
          : roll < 0.18
            ? account({ mfa_method: 'sms' })
            : account();
    const status = roll > 0.96 ? 'on_leave' : 'active';
    out.push(
      person(`E${n}`, name, dept, pick(rng, d.titles), d.manager, String(randInt(rng, 0, 9999)).padStart(4, '0'), {
        location: pick(rng, LOCATIONS),
        status,
        type: rng() < 0.12 ? 'contractor' : 'employee',
        account: acc,
      }),
    );
    n++;
  }
  return out;
}

type Asset = JsonObject & { id: string; type: string; assigned_to: string | null };

const LAPTOPS = [
  { model: 'Dell Latitude 7450', vendor: 'Dell ProSupport' },
  { model: 'Lenovo ThinkPad T14 Gen 5', vendor: 'Lenovo Premier Support' },
  { model: 'Apple MacBook Pro 14 (M3)', vendor: 'AppleCare for Enterprise' },
];

function laptop(id: string, owner: string, purchased: string, location: string, modelIdx = 0): Asset {
  const m = LAPTOPS[modelIdx]!;
  const until = `${Number(purchased.slice(0, 4)) + 3}${purchased.slice(4)}`;
  return {
    id,
    type: 'laptop',
    model: m.model,
    vendor: m.vendor,
    serial: `SN${id.replace(/\D/g, '')}${purchased.replace(/-/g, '').slice(2, 6)}`,
    assigned_to: owner,
    location,
    status: 'in_service',
    purchased,
    warranty_until: until,
    warranty: until >= TODAY ? 'active' : 'expired',
  };
}

function phone(id: string, owner: string, purchased: string, location: string): Asset {
  const until = `${Number(purchased.slice(0, 4)) + 2}${purchased.slice(4)}`;
  return {
    id,
    type: 'phone',
    model: 'iPhone 15',
    vendor: 'AppleCare for Enterprise',
    serial: `SNP${id.replace(/\D/g, '')}`,
    assigned_to: owner,
    location,
    status: 'in_service',
    purchased,
    warranty_until: until,
    warranty: until >= TODAY ? 'active' : 'expired',
  };
}

function monitor(id: string, owner: string, purchased: string, location: string): Asset {
  return {
    id,
    type: 'monitor',
    model: 'Dell U2724D',
    vendor: 'Dell ProSupport',
    serial: `SNM${id.replace(/\D/g, '')}`,
    assigned_to: owner,
    location,
    status: 'in_service',
    purchased,
    warranty_until: `${Number(purchased.slice(0, 4)) + 5}${purchased.slice(4)}`,
    warranty: 'active',
  };
}

function printer(id: string, location: string): Asset {
  return {
    id,
    type: 'printer',
    model: 'HP LaserJet Enterprise M612',
    vendor: 'HP Managed Print Services',
    serial: `SNR${id.replace(/\D/g, '')}`,
    assigned_to: null,
    location,
    status: 'in_service',
    purchased: '2024-05-02',
    warranty_until: '2029-05-02',
    warranty: 'active',
  };
}

function dateIn(rng: () => number, fromYear: number, toYear: number): string {
  const y = randInt(rng, fromYear, toYear);
  const m = randInt(rng, 1, 12);
  const d = randInt(rng, 1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function assets(rng: () => number, employees: Employee[]): Asset[] {
  const named: Asset[] = [
    laptop('LT-2231', 'E1025', '2025-06-30', `${HQ}, floor 2`, 0),
    monitor('MN-0611', 'E1025', '2025-06-30', `${HQ}, floor 2`),
    laptop('LT-2245', 'E1026', '2025-09-15', 'Remote (home office)', 2),
    laptop('LT-1874', 'E1027', '2023-11-30', 'Austin office', 1),
    phone('PH-0871', 'E1027', '2025-02-10', 'Austin office'),
    laptop('LT-2290', 'E1035', '2026-01-20', `${HQ}, floor 3`, 2),
    phone('PH-0933', 'E1035', '2026-01-20', `${HQ}, floor 3`),
    laptop('LT-2102', 'E1021', '2024-08-12', `${HQ}, floor 2`, 1),
    laptop('LT-2150', 'E1023', '2024-10-03', 'Remote (home office)', 0),
    laptop('LT-2166', 'E1024', '2024-11-19', 'Remote (home office)', 0),
    laptop('LT-2301', 'E1030', '2027-02-22', `${HQ}, floor 2`, 2),
    laptop('LT-2040', 'E1037', '2024-03-05', 'Austin office', 1),
    monitor('MN-0588', 'E1037', '2024-03-05', 'Austin office'),
    phone('PH-0915', 'E1036', '2027-03-01', `${HQ}, floor 4`),
    printer('PRN-0207', `${HQ}, floor 2 west`),
    printer('PRN-0218', `${HQ}, floor 2 east`),
    printer('PRN-0305', `${HQ}, floor 3 west`),
    printer('PRN-0312', `${HQ}, floor 3 east`),
    printer('PRN-0401', `${HQ}, floor 4`),
    printer('PRN-A101', 'Austin office, front desk'),
  ];
  const owned = new Set(named.filter((a) => a.type === 'laptop').map((a) => a.assigned_to));
  const out = [...named];
  let lt = 1900;
  let ph = 700;
  let mn = 400;
  for (const e of employees) {
    if (!owned.has(e.id)) {
      out.push(laptop(`LT-${lt}`, e.id, dateIn(rng, 2023, 2026), e.location, randInt(rng, 0, 2)));
      lt += randInt(rng, 3, 9);
    }
    if (['Sales', 'Executive', 'Support'].includes(e.department) && !named.some((a) => a.assigned_to === e.id && a.type === 'phone') && rng() < 0.6) {
      out.push(phone(`PH-0${ph}`, e.id, dateIn(rng, 2024, 2026), e.location));
      ph += randInt(rng, 2, 7);
    }
    if (e.location.startsWith(HQ) && !named.some((a) => a.assigned_to === e.id && a.type === 'monitor') && rng() < 0.35) {
      out.push(monitor(`MN-0${mn}`, e.id, dateIn(rng, 2022, 2026), e.location));
      mn += randInt(rng, 2, 7);
    }
  }
  // A few that are already away, so statuses vary.
  // Only filler staff: the people the tasks are about keep their devices in service.
  const away = out.filter((a) => a.type === 'laptop' && Number(String(a.assigned_to).slice(1)) >= 1050);
  away[3]!['status'] = 'in_repair';
  away[3]!['repair'] = { fault_code: 'keyboard', vendor: away[3]!['vendor']!, booked_on: '2027-03-02' };
  away[11]!['status'] = 'lost';
  away[11]!['remote_wipe'] = 'done';
  away[11]!['reported_on'] = '2027-02-14';
  away[11]!['replacement_ordered_on'] = '2027-02-14';
  away[11]!['replacement_reason'] = 'lost';
  return out;
}

const SYSTEMS: JsonObject[] = [
  sys('jira', 'Jira', 'Engineering', { read: 'none', write: 'none', admin: 'security' }, true),
  sys('confluence', 'Confluence', 'IT', { read: 'none', write: 'none', admin: 'security' }, true),
  sys('github', 'GitHub', 'Engineering', { read: 'none', write: 'manager', admin: 'security' }, true),
  sys('salesforce', 'Salesforce', 'Sales', { read: 'manager', write: 'manager', admin: 'security' }, false),
  sys('tableau', 'Tableau', 'Data', { read: 'none', write: 'manager', admin: 'security' }, true),
  sys('aws-console', 'AWS console', 'Engineering', { read: 'manager', write: 'manager', admin: 'security' }, true),
  sys('workday', 'Workday', 'People', { read: 'none', admin: 'security' }, false),
  sys('payroll', 'Payroll (ADP)', 'Finance', { read: 'manager', write: 'security' }, false),
  sys('netsuite', 'NetSuite', 'Finance', { read: 'manager', write: 'manager', admin: 'security' }, false),
  sys('figma', 'Figma', 'Marketing', { read: 'none', write: 'manager', admin: 'security' }, true),
  sys('zendesk', 'Zendesk', 'Support', { read: 'none', write: 'manager', admin: 'security' }, true),
];

function sys(id: string, name: string, owner: string, levels: Record<string, string>, contractors: boolean): JsonObject {
  return {
    id,
    name,
    owner_department: owner,
    levels: Object.fromEntries(Object.entries(levels).map(([level, approval]) => [level, { level, approval }])),
    eligible: contractors ? { employee: true, contractor: true } : { employee: true },
  };
}

/** Which systems each department normally holds, and at which level. */
const USUAL_ACCESS: Record<string, [string, string][]> = {
  Executive: [['confluence', 'write'], ['salesforce', 'read'], ['tableau', 'read']],
  Operations: [['confluence', 'write'], ['jira', 'read']],
  Engineering: [['jira', 'write'], ['confluence', 'write'], ['github', 'write']],
  Sales: [['salesforce', 'write'], ['confluence', 'read']],
  Finance: [['netsuite', 'write'], ['tableau', 'read'], ['confluence', 'read']],
  Data: [['tableau', 'write'], ['jira', 'write'], ['github', 'read']],
  Marketing: [['figma', 'write'], ['confluence', 'write']],
  Support: [['zendesk', 'write'], ['jira', 'read'], ['confluence', 'read']],
  People: [['workday', 'read'], ['confluence', 'write']],
  IT: [['jira', 'write'], ['confluence', 'write'], ['aws-console', 'write']],
  Legal: [['confluence', 'read']],
};

/** The people whose (missing) access the tasks are about. */
const ACCESS_EXCEPTIONS: Record<string, [string, string][]> = {
  E1030: [['confluence', 'write']],
  E1031: [['figma', 'read'], ['confluence', 'write']],
  E1032: [['jira', 'write'], ['github', 'write'], ['confluence', 'write']],
  E1033: [['jira', 'write'], ['confluence', 'read']],
  E1034: [['netsuite', 'write'], ['tableau', 'read'], ['confluence', 'read']],
};

function accessTable(rng: () => number, employees: Employee[]): JsonObject {
  const table: JsonObject = {};
  const systems = Object.fromEntries(SYSTEMS.map((s) => [String(s['id']), s]));
  for (const e of employees) {
    if (e.status === 'terminated') continue;
    for (const [sid, level] of ACCESS_EXCEPTIONS[e.id] ?? USUAL_ACCESS[e.department] ?? []) {
      const system = systems[sid]!;
      if (!(e.type in (system['eligible'] as JsonObject))) continue;
      const approval = String(((system['levels'] as JsonObject)[level] as JsonObject)['approval']);
      table[`${e.id}:${sid}`] = {
        employee_id: e.id,
        system_id: sid,
        level,
        status: 'active',
        approval,
        manager_id: e.manager_id,
        requested_on: dateIn(rng, 2024, 2026),
      };
    }
  }
  // Two requests still waiting for a manager.
  table['E1051:tableau'] = { ...(table['E1051:tableau'] as JsonObject | undefined), employee_id: 'E1051', system_id: 'tableau', level: 'write', status: 'pending_manager_approval', approval: 'manager', manager_id: employees.find((e) => e.id === 'E1051')!.manager_id, requested_on: '2027-03-05' };
  table['E1056:github'] = { employee_id: 'E1056', system_id: 'github', level: 'write', status: 'pending_manager_approval', approval: 'manager', manager_id: employees.find((e) => e.id === 'E1056')!.manager_id, requested_on: '2027-03-08' };
  return table;
}

const TICKET_KINDS: { category: string; summary: string; team: string; asset?: string }[] = [
  { category: 'software', summary: 'Outlook keeps asking for the password', team: 'service_desk' },
  { category: 'software', summary: 'Teams camera not detected', team: 'service_desk', asset: 'laptop' },
  { category: 'hardware', summary: 'Laptop fan very loud', team: 'endpoint', asset: 'laptop' },
  { category: 'hardware', summary: 'Keyboard keys sticking', team: 'endpoint', asset: 'laptop' },
  { category: 'network', summary: 'Wi-Fi drops in meeting room 3B', team: 'network' },
  { category: 'access', summary: 'Shared drive folder not visible', team: 'service_desk' },
  { category: 'hardware', summary: 'Monitor flickers', team: 'endpoint', asset: 'monitor' },
  { category: 'software', summary: 'Excel add-in crashes on start', team: 'service_desk' },
  { category: 'account', summary: 'Display name misspelt in directory', team: 'service_desk' },
  { category: 'facilities', summary: 'Badge reader at side door rejects badge', team: 'facilities' },
];

function tickets(rng: () => number, employees: Employee[], assetList: Asset[]): JsonObject {
  const named: JsonObject[] = [
    {
      id: 'INC-50877',
      employee_id: 'E1022',
      asset_id: null,
      category: 'security',
      summary: 'Sign-ins from an unrecognised country; account placed on security hold',
      status: 'in_progress',
      team: 'security',
      opened: '2027-03-08',
      notes: 'Security will call the employee to confirm recent activity before releasing the hold.',
    },
    {
      id: 'INC-50890',
      employee_id: 'E1037',
      asset_id: 'MN-0588',
      category: 'hardware',
      summary: 'Monitor flickers and goes dark every few minutes',
      status: 'escalated',
      team: 'endpoint',
      opened: '2027-03-01',
      escalated_on: '2027-03-02',
      notes: 'Panel fault confirmed by vendor. Replacement monitor ships 2027-03-11 to the Austin office.',
    },
    {
      id: 'INC-50901',
      employee_id: 'E1037',
      asset_id: null,
      category: 'hardware',
      summary: 'Headset microphone not working',
      status: 'resolved',
      team: 'service_desk',
      opened: '2027-02-20',
      resolved_on: '2027-02-21',
      resolution_code: 'user_resolved',
    },
    {
      id: 'INC-50912',
      employee_id: 'E1024',
      asset_id: 'LT-2166',
      category: 'network',
      summary: 'VPN will not connect from home',
      status: 'open',
      team: 'service_desk',
      opened: '2027-03-08',
    },
    {
      id: 'INC-50930',
      employee_id: 'E1029',
      asset_id: 'PRN-0207',
      category: 'hardware',
      summary: 'Floor 2 west printer stopped printing, shows an error',
      status: 'open',
      team: 'service_desk',
      opened: '2027-03-09',
    },
    {
      id: 'INC-50874',
      employee_id: 'E1024',
      asset_id: null,
      category: 'software',
      summary: 'Zendesk macros missing after update',
      status: 'resolved',
      team: 'service_desk',
      opened: '2027-02-26',
      resolved_on: '2027-02-27',
      resolution_code: 'user_resolved',
    },
  ];
  const table: JsonObject = Object.fromEntries(named.map((t) => [String(t['id']), t]));
  const pool = employees.filter((e) => Number(e.id.slice(1)) >= 1050);
  let n = 50800;
  while (Object.keys(table).length < 42) {
    n += randInt(rng, 1, 3);
    const id = `INC-${n}`;
    if (id in table) continue;
    const kind = pick(rng, TICKET_KINDS);
    const e = pick(rng, pool);
    const asset = kind.asset ? assetList.find((a) => a.assigned_to === e.id && a.type === kind.asset) : undefined;
    const opened = `2027-0${randInt(rng, 1, 3)}-0${randInt(rng, 1, 8)}`;
    const status = opened < '2027-03-01' ? pick(rng, ['resolved', 'resolved', 'escalated']) : pick(rng, ['open', 'in_progress', 'resolved']);
    table[id] = {
      id,
      employee_id: e.id,
      asset_id: asset ? asset.id : null,
      category: kind.category,
      summary: kind.summary,
      status,
      team: status === 'escalated' && kind.team === 'service_desk' ? 'endpoint' : kind.team,
      opened,
      ...(status === 'resolved' ? { resolved_on: opened, resolution_code: 'user_resolved' } : {}),
    };
  }
  return table;
}

const GUIDES: JsonObject = {
  'laptop-no-power': {
    id: 'laptop-no-power',
    title: 'Laptop does not power on',
    steps: [
      'Ask the employee to plug in the original charger at a wall outlet, wait one minute, then hold the power button for 30 seconds and release it.',
      'Ask what the charging light next to the charging port shows while the charger is plugged in.',
    ],
    outcomes: [
      { employee_reports: 'no light at all (also at another outlet)', meaning: 'charger fault', action: 'ship_accessory, item charger' },
      {
        employee_reports: 'the light blinks amber',
        meaning: 'battery failure',
        action: 'schedule_repair, fault code battery, if under warranty; out of warranty: order_replacement, reason out_of_warranty_fault',
      },
      {
        employee_reports: 'solid white light, fans spin, but the screen stays black',
        meaning: 'display failure',
        action: 'schedule_repair, fault code display, if under warranty; out of warranty: order_replacement, reason out_of_warranty_fault',
      },
      { employee_reports: 'the laptop starts normally after the reset', meaning: 'fixed', action: 'nothing to book' },
    ],
  },
  'vpn-cannot-connect': {
    id: 'vpn-cannot-connect',
    title: 'VPN does not connect',
    steps: [
      'Ask the employee to open the VPN client, try to connect once, and read out the error code in the message window.',
    ],
    outcomes: [
      {
        employee_reports: 'error 691',
        meaning: 'sign-in rejected: the password has expired or is wrong',
        action: 'if the account is locked, unlock it first; then send_password_reset (both need the mobile digits)',
      },
      {
        employee_reports: 'error 809',
        meaning: 'the home network or router blocks VPN traffic',
        action: 'escalate the employee\'s open VPN ticket to the network team; if there is no ticket, transfer_to_human',
      },
      {
        employee_reports: 'error 13801',
        meaning: 'the device certificate is invalid',
        action: 'escalate the employee\'s open VPN ticket to the endpoint team; if there is no ticket, transfer_to_human',
      },
    ],
  },
  'printer-error': {
    id: 'printer-error',
    title: 'Shared printer shows an error',
    steps: [
      'Ask the employee to read the asset tag on the sticker on the printer\'s front (e.g. PRN-0312) and the error code on its display.',
      'For E-13 only: ask them to open tray 2 and the rear door, remove any jammed paper, close both and print a test page, then tell you whether it prints.',
    ],
    outcomes: [
      { employee_reports: 'E-13, and it prints again after clearing the jam', meaning: 'paper jam, cleared', action: 'if the employee has an open ticket about it, resolve_ticket with user_resolved' },
      { employee_reports: 'E-13, and the jam comes back', meaning: 'worn paper feed', action: 'schedule_repair, fault code paper_feed' },
      { employee_reports: 'E-52', meaning: 'fuser failure (the part is hot: the employee must not open the printer)', action: 'schedule_repair, fault code fuser' },
      { employee_reports: 'E-71', meaning: 'network card failure', action: 'schedule_repair, fault code network_card' },
    ],
  },
  'monitor-no-signal': {
    id: 'monitor-no-signal',
    title: 'Monitor shows "No signal"',
    steps: [
      'Ask the employee to check the cable at both ends and press the monitor\'s input button to cycle through the inputs.',
      'Ask them to try a different cable if one is at hand, and tell you what the monitor shows.',
    ],
    outcomes: [
      { employee_reports: 'the picture comes back on another input', meaning: 'wrong input selected', action: 'nothing to book' },
      { employee_reports: 'it works with a different cable', meaning: 'cable fault', action: 'ship_accessory, item display_cable' },
      { employee_reports: 'still no signal with any cable and input', meaning: 'panel fault', action: 'schedule_repair, fault code panel' },
    ],
  },
  'lost-or-stolen-device': {
    id: 'lost-or-stolen-device',
    title: 'Laptop or phone lost or stolen',
    steps: [
      'Ask which device it is (laptop or phone; list_devices shows the asset tags) and whether it was lost or stolen.',
      'Ask for the last four digits of the mobile number on file.',
    ],
    outcomes: [
      {
        employee_reports: 'the device is gone',
        meaning: 'company data at risk',
        action: 'report_lost_or_stolen (queues a remote wipe), then order_replacement with the same reason, then send_password_reset',
      },
    ],
  },
};

function buildDb(): JsonObject {
  const rng = mulberry32(20270309);
  const named = namedEmployees();
  const employees = [...named, ...fillerEmployees(rng, new Set(named.map((e) => e.name)))];
  const assetList = assets(rng, employees);
  const faultCodes: JsonObject = {};
  const faults: [string, string, string, string][] = [
    ['laptop', 'battery', 'Battery failure', '5 business days'],
    ['laptop', 'display', 'Display failure', '5 business days'],
    ['laptop', 'keyboard', 'Keyboard failure', '3 business days'],
    ['phone', 'screen', 'Cracked or dead screen', '2 business days'],
    ['phone', 'battery', 'Battery failure', '2 business days'],
    ['monitor', 'panel', 'Panel fault', '10 business days'],
    ['printer', 'fuser', 'Fuser failure', 'next business day'],
    ['printer', 'paper_feed', 'Worn paper feed', 'next business day'],
    ['printer', 'network_card', 'Network card failure', '2 business days'],
  ];
  for (const [type, code, label, turnaround] of faults) faultCodes[`${type}:${code}`] = { code, label, turnaround };
  const rules: JsonObject = {};
  for (const reason of ['lost', 'stolen']) {
    for (const w of ['active', 'expired']) rules[`${reason}:${reason}:${w}`] = { reason, delivery: '2 business days' };
  }
  rules['out_of_warranty_fault:in_service:expired'] = { reason: 'out_of_warranty_fault', delivery: '3 business days' };
  return {
    meta: { today: TODAY, company: 'Larkspur Labs', walk_up_desk: `${HQ}, floor 2, room 214` },
    employees: Object.fromEntries(employees.map((e) => [e.id, e as unknown as JsonObject])),
    assets: Object.fromEntries(assetList.map((a) => [a.id, a])),
    fault_codes: faultCodes,
    replacement_rules: rules,
    accessories: Object.fromEntries(
      [
        ['charger', 'USB-C 100 W charger'],
        ['dock', 'USB-C docking station'],
        ['headset', 'Jabra Evolve2 headset'],
        ['display_cable', 'USB-C to DisplayPort cable'],
        ['keyboard', 'Wireless keyboard'],
        ['mouse', 'Wireless mouse'],
      ].map(([id, name]) => [id, { id, name, delivery: '2 business days' }]),
    ),
    shipments: [
      { employee_id: 'E1053', item: 'headset', ship_to: employees.find((e) => e.id === 'E1053')!.location, ordered_on: '2027-03-03' },
      { employee_id: 'E1060', item: 'dock', ship_to: employees.find((e) => e.id === 'E1060')!.location, ordered_on: '2027-03-06' },
    ],
    guides: GUIDES,
    systems: Object.fromEntries(SYSTEMS.map((s) => [String(s['id']), s])),
    approval_routes: { none: { status: 'active' }, manager: { status: 'pending_manager_approval' } },
    access: accessTable(rng, employees),
    teams: Object.fromEntries(
      [
        ['network', 'Network team', 'within 4 business hours'],
        ['security', 'Security team', 'within 1 business hour'],
        ['endpoint', 'Endpoint team', 'within 1 business day'],
        ['facilities', 'Facilities', 'within 1 business day'],
      ].map(([id, name, response_time]) => [id, { id, name, response_time }]),
    ),
    tickets: tickets(rng, employees, assetList),
  };
}

/* ------------------------------------------------------------------ tasks */

const byEmail = (email: string) => g('find_employee_by_email', { email });


/** Where a Larkspur Labs employee has their ids from, unless a task says otherwise (the printer's sticker). */
const SOURCES = { employee_id: 'their staff badge', asset_tag: 'the asset tag sticker on the laptop' };
const task = (t: TaskDef): PackTask => packTask('helpdesk', withSources(t, SOURCES));

function tasks(): PackTask[] {
  return [
    task({
      id: 'unlock-account',
      title: 'Unlock an account after failed sign-ins',
      purpose: 'Baseline account action: identify by email, verify with the mobile digits, confirm, unlock.',
      difficulty: 'easy',
      reason: 'You came back from holiday, mistyped your password several times and now your account is locked.',
      known: { email: `priya.raman@${MAIL}`, name: 'Priya Raman', employee_id: 'E1021', last_four_digits: '4821' },
      unknown: ['how many failed sign-ins there were', 'when the lock happened'],
      instructions:
        'You are Priya Raman, a software engineer. Your account is locked after you mistyped your password after a holiday. Give your email priya.raman@larkspurlabs.com when asked, and the last four digits of your mobile, 4821, when asked. Confirm the unlock when the agent proposes it.',
      requests: [{ type: 'action', utterance: 'unlock my account', tool: 'unlock_account', expect: {} }],
      gold: [
        byEmail(`priya.raman@${MAIL}`),
        g('verify_identity', { employee_id: 'E1021', last_four_digits: '4821' }),
        g('unlock_account', { employee_id: 'E1021', last_four_digits: '4821' }, ['employee_id', 'last_four_digits']),
      ],
      env: [{ path: 'employees.E1021.account.status', equals: 'active' }],
      nl: ['The agent asks for the last four digits of the mobile number before unlocking.'],
    }),
    task({
      id: 'security-hold',
      title: 'Locked account on a security hold',
      purpose: 'Policy refusal: a security hold is released only by Security; the agent gives the case number, does not unlock and does not transfer.',
      difficulty: 'medium',
      reason: 'You cannot sign in: the screen says your account is locked. You need it for a client call this afternoon.',
      known: { email: `kevin.marsh@${MAIL}`, name: 'Kevin Marsh', last_four_digits: '3307' },
      unknown: ['why the account is locked', 'the case number'],
      instructions:
        'You are Kevin Marsh, an account executive. You cannot sign in; your account is locked. Give your email kevin.marsh@larkspurlabs.com and the last four digits of your mobile, 3307, when asked. You want it unlocked, but if the agent explains that Security must release it and gives you a case number, accept that and end the chat.',
      requests: [{ type: 'action', utterance: 'unlock my account', tool: 'unlock_account', expect: {} }, learn('get a reference number for this', 'INC-50877')],
      acceptsRefusal: true,
      refusalReason: ['security'],
      gold: [byEmail(`kevin.marsh@${MAIL}`)],
      env: [{ path: 'employees.E1022.account.status', equals: 'locked' }],
      communicate: ['INC-50877', 'security'],
      nl: ['The agent does not unlock the account and explains that the Security team must release the hold.'],
    }),
    task({
      id: 'vpn-expired-password',
      title: 'VPN fails with error 691: expired password',
      purpose: 'Hidden reading: the agent must ask for the VPN error code; 691 means the password expired, so it verifies and sends a reset link. Two employees share the name.',
      difficulty: 'medium',
      reason: 'Working from home, you cannot connect to the VPN since this morning.',
      known: { email: `daniel.cho@${MAIL}`, name: 'Daniel Cho', error_code: '691', last_four_digits: '5190' },
      unknown: ['your employee id', 'whether your password has expired'],
      instructions:
        'You are Daniel Cho, a financial analyst working from home. The VPN does not connect. When the agent asks you to try and read the error code, it is 691. Give your email daniel.cho@larkspurlabs.com and the last four digits of your mobile, 5190, when asked. Accept a password reset link.',
      requests: [{ type: 'action', utterance: 'get the VPN working again', tool: 'send_password_reset', expect: {} }],
      gold: [
        byEmail(`daniel.cho@${MAIL}`),
        g('get_guide', { guide_id: 'vpn-cannot-connect' }),
        g('send_password_reset', { employee_id: 'E1023', last_four_digits: '5190' }, ['employee_id', 'last_four_digits']),
      ],
      env: [{ path: 'employees.E1023.account.password_status', equals: 'reset_link_sent' }],
      nl: ['The agent asks the employee for the error code shown by the VPN client before acting.'],
    }),
    task({
      id: 'vpn-blocked-network',
      title: 'VPN fails with error 809: escalate to network',
      purpose: 'Hidden reading with a different outcome: error 809 means the home network blocks VPN, so the open ticket goes to the network team and nothing is reset.',
      difficulty: 'medium',
      reason: 'You opened a ticket yesterday because the VPN does not connect from home, and nothing has happened.',
      known: { email: `fatima.noor@${MAIL}`, name: 'Fatima Noor', error_code: '809' },
      unknown: ['your ticket number', 'your employee id'],
      instructions:
        'You are Fatima Noor, a support specialist working from home. The VPN does not connect; you opened a ticket about it yesterday but do not remember its number. When the agent asks you to read the error code, it is 809. Your password works fine for everything else. Agree to have the ticket passed on.',
      requests: [{ type: 'action', utterance: 'get my VPN ticket moving', tool: 'escalate_ticket', expect: {} }],
      gold: [
        byEmail(`fatima.noor@${MAIL}`),
        g('find_tickets', { employee_id: 'E1024' }),
        g('get_guide', { guide_id: 'vpn-cannot-connect' }),
        g('escalate_ticket', { ticket_id: 'INC-50912', team: 'network' }, ['ticket_id', 'team']),
      ],
      env: [{ path: 'tickets.INC-50912.team', equals: 'network' }],
    }),
    task({
      id: 'laptop-battery-repair',
      title: 'Laptop will not power on: battery fault under warranty',
      purpose: 'The employee performs the guide steps and reports an amber blinking charging light; the laptop is under warranty, so a battery repair is booked.',
      difficulty: 'medium',
      reason: 'Your laptop will not turn on this morning.',
      known: { email: `lars.jensen@${MAIL}`, name: 'Lars Jensen', charging_light: 'blinking amber', asset_tag: 'LT-2231' },
      unknown: ['the warranty end date', 'the repair vendor'],
      instructions:
        'You are Lars Jensen, a data engineer. Your laptop does not turn on. Do what the agent asks: with the charger plugged in and after holding the power button, the charging light blinks amber. Only say what the light does when asked. Agree to a repair.',
      requests: [{ type: 'action', utterance: 'get my laptop working', tool: 'schedule_repair', expect: {} }],
      gold: [
        byEmail(`lars.jensen@${MAIL}`),
        g('list_devices', { employee_id: 'E1025' }),
        g('get_guide', { guide_id: 'laptop-no-power' }),
        g('schedule_repair', { asset_id: 'LT-2231', fault_code: 'battery' }, ['asset_id', 'fault_code']),
      ],
      env: [{ path: 'assets.LT-2231.status', equals: 'in_repair' }],
    }),
    task({
      id: 'laptop-charger',
      title: 'Laptop will not power on: dead charger',
      purpose: 'Same symptom, different reading: no charging light at any outlet means the charger failed, so a charger ships; booking a repair is wrong.',
      difficulty: 'medium',
      reason: 'Your laptop is dead and will not start.',
      known: { email: `amelia.ortiz@${MAIL}`, name: 'Amelia Ortiz', charging_light: 'off, with no light at all, even at another outlet', asset_tag: 'LT-2245' },
      unknown: ['the model of the charger'],
      instructions:
        'You are Amelia Ortiz, working from home. Your laptop will not start. Do what the agent asks: with the charger plugged in there is no charging light at all, also at another outlet. Only describe the light when asked. Agree to what the agent proposes if it fits.',
      requests: [{ type: 'action', utterance: 'get my laptop working again', tool: 'ship_accessory', expect: {} }],
      gold: [
        byEmail(`amelia.ortiz@${MAIL}`),
        g('list_devices', { employee_id: 'E1026' }),
        g('get_guide', { guide_id: 'laptop-no-power' }),
        g('ship_accessory', { employee_id: 'E1026', item: 'charger' }, ['employee_id', 'item']),
      ],
      env: [{ path: 'assets.LT-2245.status', equals: 'in_service' }],
    }),
    task({
      id: 'laptop-out-of-warranty',
      title: 'Battery fault on a laptop out of warranty',
      purpose: 'Reading plus a rule: amber blinking means a battery fault, but the warranty ended, so a replacement is ordered instead of a repair. The employee also has a phone.',
      difficulty: 'hard',
      reason: 'Your laptop will not turn on and you have customer demos this week.',
      known: { email: `ben.whitaker@${MAIL}`, name: 'Ben Whitaker', charging_light: 'blinking amber', device: 'laptop' },
      unknown: ['whether the laptop is under warranty', 'the asset tag'],
      instructions:
        'You are Ben Whitaker, a sales engineer in the Austin office. Your laptop will not turn on. Do what the agent asks: the charging light blinks amber. Only describe the light when asked. Accept a repair or a replacement, whichever the agent offers.',
      requests: [{ type: 'action', utterance: 'get my laptop fixed or replaced', tool: 'order_replacement', expect: {} }],
      gold: [
        byEmail(`ben.whitaker@${MAIL}`),
        g('list_devices', { employee_id: 'E1027' }),
        g('get_guide', { guide_id: 'laptop-no-power' }),
        g('order_replacement', { asset_id: 'LT-1874', reason: 'out_of_warranty_fault' }, ['asset_id', 'reason']),
      ],
      env: [{ path: 'assets.LT-1874.replacement_reason', equals: 'out_of_warranty_fault' }],
    }),
    task({
      id: 'printer-fuser',
      title: 'Shared printer shows E-52',
      purpose: 'The agent cannot see the printer: it must ask for the asset tag and the error code; E-52 is a fuser failure, so a repair is booked for that printer.',
      difficulty: 'medium',
      reason: 'The printer near your desk on floor 3 stopped working and shows an error.',
      known: { email: `nora.lindgren@${MAIL}`, name: 'Nora Lindgren', asset_tag: 'PRN-0312', error_code: 'E-52' },
      knownFrom: { asset_tag: 'the asset tag sticker on the printer' },
      unknown: ['what the error code means', 'the printer model'],
      instructions:
        'You are Nora Lindgren, an accountant on floor 3. The shared printer near you shows an error. When asked, the asset tag on its sticker reads PRN-0312 and the display shows E-52. Agree to a repair.',
      requests: [{ type: 'action', utterance: 'get the floor 3 printer fixed', tool: 'schedule_repair', expect: {} }],
      gold: [
        byEmail(`nora.lindgren@${MAIL}`),
        g('get_device', { asset_id: 'PRN-0312' }),
        g('get_guide', { guide_id: 'printer-error' }),
        g('schedule_repair', { asset_id: 'PRN-0312', fault_code: 'fuser' }, ['asset_id', 'fault_code']),
      ],
      env: [{ path: 'assets.PRN-0312.status', equals: 'in_repair' }],
    }),
    task({
      id: 'printer-jam-resolved',
      title: 'Printer jam the employee clears: resolve the ticket',
      purpose: 'The employee performs the guide step (clear the E-13 jam) and reports it prints again, so the open ticket is resolved as user_resolved; no repair.',
      difficulty: 'easy',
      reason: 'You opened a ticket this morning because the floor 2 printer stopped printing.',
      known: { email: `oscar.pruitt@${MAIL}`, name: 'Oscar Pruitt', error_code: 'E-13', after_clearing_jam: 'printing normally again' },
      unknown: ['the ticket number'],
      instructions:
        'You are Oscar Pruitt, the office coordinator. You opened a ticket this morning because the floor 2 west printer stopped printing. When asked, its display shows E-13. If the agent asks you to clear the paper jam and test, do it: the printer then prints normally again. Agree to close the ticket.',
      requests: [{ type: 'action', utterance: 'sort out the printer from my ticket', tool: 'resolve_ticket', expect: {} }],
      gold: [
        byEmail(`oscar.pruitt@${MAIL}`),
        g('find_tickets', { employee_id: 'E1029' }),
        g('get_guide', { guide_id: 'printer-error' }),
        g('resolve_ticket', { ticket_id: 'INC-50930', resolution_code: 'user_resolved' }, ['ticket_id', 'resolution_code']),
      ],
      env: [{ path: 'tickets.INC-50930.status', equals: 'resolved' }],
    }),
    task({
      id: 'access-jira-write',
      title: 'Jira write access (no approval needed)',
      purpose: 'Access request at a level that needs no approval: active at once.',
      difficulty: 'easy',
      reason: 'You joined the engineering team two weeks ago and cannot create issues in Jira.',
      known: { email: `mei.chen@${MAIL}`, name: 'Mei Chen', system: 'Jira', level: 'write' },
      unknown: ['who approves access'],
      instructions: 'You are Mei Chen, a new software engineer. You need write access to Jira to create issues. Give your email mei.chen@larkspurlabs.com when asked and confirm the request.',
      requests: [{ type: 'action', utterance: 'get write access to Jira', tool: 'request_access', expect: { system: 'system', level: 'level' } }],
      gold: [
        byEmail(`mei.chen@${MAIL}`),
        g('get_system', { system_id: 'jira' }),
        g('request_access', { employee_id: 'E1030', system_id: 'jira', level: 'write' }, ['employee_id', 'system_id', 'level']),
      ],
      env: [{ path: 'access["E1030:jira"].status', equals: 'active' }],
    }),
    task({
      id: 'access-salesforce-manager',
      title: 'Salesforce read access needs the manager',
      purpose: 'Access that waits for manager approval: the agent requests it and names the manager who must approve.',
      difficulty: 'medium',
      reason: 'You need to see campaign results in Salesforce for a report.',
      known: { email: `rafael.souza@${MAIL}`, name: 'Rafael Souza', system: 'Salesforce', level: 'read' },
      unknown: ["your manager's approval status", 'who has to approve'],
      instructions:
        'You are Rafael Souza, a marketing analyst. You want read access to Salesforce. Give your email rafael.souza@larkspurlabs.com when asked and confirm the request. Ask who has to approve it if the agent does not say.',
      requests: [{ type: 'action', utterance: 'get read access to Salesforce', tool: 'request_access', expect: { system: 'system', level: 'level' } }, learn('find out who needs to approve it', 'Olivia Brandt')],
      gold: [
        byEmail(`rafael.souza@${MAIL}`),
        g('get_system', { system_id: 'salesforce' }),
        g('request_access', { employee_id: 'E1031', system_id: 'salesforce', level: 'read' }, ['employee_id', 'system_id', 'level']),
      ],
      env: [{ path: 'access["E1031:salesforce"].status', equals: 'pending_manager_approval' }],
      communicate: ['Olivia Brandt'],
    }),
    task({
      id: 'access-admin-refused',
      title: 'AWS admin access refused, write access instead',
      purpose: 'Admin needs a Security review the desk cannot request; the agent says so, offers a lower level, and requests write access, which waits for the manager.',
      difficulty: 'hard',
      reason: 'You need to change IAM roles in the AWS console for a migration.',
      known: { email: `ingrid.solberg@${MAIL}`, name: 'Ingrid Solberg', system: 'AWS console', level: 'admin', fallback_level: 'write' },
      unknown: ['which levels need which approval'],
      instructions:
        'You are Ingrid Solberg, a site reliability engineer. You want admin access to the AWS console. If the agent says admin cannot be requested through the service desk, accept it and ask for write access instead; confirm that request.',
      requests: [
        { type: 'action', utterance: 'get admin access to the AWS console', tool: 'request_access', expect: { system: 'system', level: 'admin' } },
        { type: 'action', utterance: 'get write access to the AWS console instead', tool: 'request_access', expect: { system: 'system', level: 'write' } },
        learn('find out who needs to approve the write access', 'Lindqvist'),
      ],
      acceptsRefusal: true,
      refusalReason: ['security'],
      gold: [
        byEmail(`ingrid.solberg@${MAIL}`),
        g('get_system', { system_id: 'aws-console' }),
        g('request_access', { employee_id: 'E1032', system_id: 'aws-console', level: 'write' }, ['employee_id', 'system_id', 'level']),
      ],
      env: [{ path: 'access["E1032:aws-console"].level', equals: 'write' }],
      communicate: ['Lindqvist', 'security'],
      nl: ['The agent tells the employee to file a Security access request in the portal for admin access.'],
    }),
    task({
      id: 'contractor-access',
      title: 'Contractor asks for GitHub and Workday',
      purpose: 'Two requests, one allowed: Workday is not available to contractors; GitHub write is requested and waits for the manager.',
      difficulty: 'medium',
      reason: 'You are a contractor on the platform team and need to push code, and you would like to see your time-off balance.',
      known: { email: `dev.patel@${MAIL}`, name: 'Dev Patel', system: 'GitHub', level: 'write', second_system: 'Workday' },
      unknown: ['which systems contractors may use'],
      instructions:
        'You are Dev Patel, a contract developer. You need write access to GitHub, and you would also like read access to Workday. If the agent says Workday is not available to contractors, accept it.',
      requests: [
        { type: 'action', utterance: 'get write access to GitHub', tool: 'request_access', expect: { system: 'system', level: 'level' } },
        { type: 'action', utterance: 'get access to Workday too', tool: 'request_access', expect: { system: 'second_system' } },
      ],
      acceptsRefusal: true,
      refusalReason: ['contractor'],
      communicate: ['contractor'],
      gold: [
        byEmail(`dev.patel@${MAIL}`),
        g('get_system', { system_id: 'github' }),
        g('request_access', { employee_id: 'E1033', system_id: 'github', level: 'write' }, ['employee_id', 'system_id', 'level']),
        g('get_system', { system_id: 'workday' }),
      ],
      env: [{ path: 'access["E1033:github"].status', equals: 'pending_manager_approval' }],
      nl: ['The agent explains that Workday is not available to contractors.'],
    }),
    task({
      id: 'access-upgrade',
      title: 'Upgrade Tableau from read to write',
      purpose: 'An existing grant changes level (update_access_level, not a new request); write needs the manager, who is named.',
      difficulty: 'medium',
      reason: 'You can view Tableau dashboards but need to publish your own.',
      known: { email: `hannah.weiss@${MAIL}`, name: 'Hannah Weiss', system: 'Tableau', level: 'write' },
      unknown: ['who has to approve'],
      instructions:
        'You are Hannah Weiss, an FP&A analyst. You have read access to Tableau and need write access to publish dashboards. Confirm the change when asked.',
      requests: [{ type: 'action', utterance: 'upgrade my Tableau access to write', tool: 'update_access_level', expect: { system: 'system', level: 'level' } }, learn('find out who needs to approve it', 'Grace Whitfield')],
      gold: [
        byEmail(`hannah.weiss@${MAIL}`),
        g('list_access', { employee_id: 'E1034' }),
        g('update_access_level', { employee_id: 'E1034', system_id: 'tableau', level: 'write' }, ['employee_id', 'system_id', 'level']),
      ],
      env: [{ path: 'access["E1034:tableau"].level', equals: 'write' }],
      communicate: ['Grace Whitfield'],
    }),
    task({
      id: 'stolen-laptop',
      title: 'Stolen laptop: report, replace, reset',
      purpose: 'Three writes in policy order: report the stolen laptop (verified, queues a wipe), order its replacement with the same reason, and send a password reset. The phone is not stolen.',
      difficulty: 'hard',
      reason: 'Your work laptop was stolen from your car last night.',
      known: {
        email: `julian.reyes@${MAIL}`,
        name: 'Julian Reyes',
        device: 'laptop',
        what_happened: 'stolen from my car',
        last_four_digits: '7712',
      },
      unknown: ['the asset tag of the laptop'],
      instructions:
        'You are Julian Reyes, an account executive. Your work laptop was stolen from your car last night; your work phone is still with you. Give your email julian.reyes@larkspurlabs.com and the last four digits of your mobile, 7712, when asked. Agree to every step the agent proposes for the laptop.',
      requests: [
        { type: 'action', utterance: 'report my stolen laptop', tool: 'report_lost_or_stolen', expect: {} },
        { type: 'action', utterance: 'get a replacement laptop', tool: 'order_replacement', expect: {} },
      ],
      gold: [
        byEmail(`julian.reyes@${MAIL}`),
        g('list_devices', { employee_id: 'E1035' }),
        g('get_guide', { guide_id: 'lost-or-stolen-device' }),
        g('report_lost_or_stolen', { asset_id: 'LT-2290', circumstance: 'stolen', last_four_digits: '7712' }, ['asset_id', 'circumstance', 'last_four_digits']),
        g('order_replacement', { asset_id: 'LT-2290', reason: 'stolen' }, ['asset_id', 'reason']),
        g('send_password_reset', { employee_id: 'E1035', last_four_digits: '7712' }, ['employee_id', 'last_four_digits']),
      ],
      env: [
        { path: 'assets.LT-2290.status', equals: 'stolen' },
        { path: 'assets.PH-0933.status', equals: 'in_service' },
      ],
    }),
    task({
      id: 'mfa-new-phone',
      title: 'New phone: unlock, then reset MFA',
      purpose: 'Order matters: the account is locked from failed MFA prompts, so it is unlocked before MFA is reset (reset_mfa refuses a locked account).',
      difficulty: 'medium',
      reason: 'You got a new phone, your authenticator app is gone, and after several tries you are locked out.',
      known: { email: `sofia.rossi@${MAIL}`, name: 'Sofia Rossi', last_four_digits: '2648' },
      unknown: ['how many failed attempts there were'],
      instructions:
        'You are Sofia Rossi, legal counsel. You have a new phone with the same number; the authenticator app did not carry over, and after several failed tries your account is locked. Give your email sofia.rossi@larkspurlabs.com and the last four digits of your mobile, 2648, when asked. Confirm what the agent proposes.',
      requests: [{ type: 'action', utterance: 'set up my authenticator on my new phone', tool: 'reset_mfa', expect: {} }],
      gold: [
        byEmail(`sofia.rossi@${MAIL}`),
        g('verify_identity', { employee_id: 'E1036', last_four_digits: '2648' }),
        g('unlock_account', { employee_id: 'E1036', last_four_digits: '2648' }, ['employee_id', 'last_four_digits']),
        g('reset_mfa', { employee_id: 'E1036', last_four_digits: '2648' }, ['employee_id', 'last_four_digits']),
      ],
      env: [{ path: 'employees.E1036.account.mfa_status', equals: 're_enrollment_pending' }],
    }),
    task({
      id: 'ticket-status',
      title: 'What is happening with my monitor ticket?',
      purpose: 'Information only: find the right one of two tickets and report the date in its notes; nothing changes.',
      difficulty: 'easy',
      reason: 'Your monitor has been flickering for a week and you want to know when it will be fixed.',
      known: { email: `ethan.brooks@${MAIL}`, name: 'Ethan Brooks' },
      unknown: ['the ticket number', 'when the replacement arrives'],
      instructions:
        'You are Ethan Brooks, a support specialist in the Austin office. You reported a flickering monitor last week. Ask what is happening with that ticket and when it will be fixed. You do not know the ticket number.',
      requests: [learn('find out what is happening with my monitor ticket', '2027-03-11')],
      gold: [byEmail(`ethan.brooks@${MAIL}`), g('find_tickets', { employee_id: 'E1037' })],
      env: [{ path: 'tickets.INC-50890.status', equals: 'escalated' }],
      communicate: ['2027-03-11'],
    }),
  ];
}

/* ------------------------------------------------------------------- pack */

export function buildHelpdeskPack(): ScenarioPack {
  const db = buildDb();
  const t = tasks();
  const count = (table: string) => Object.keys(db[table] as JsonObject).length;
  return {
    formatVersion: 1,
    id: 'helpdesk',
    title: 'Larkspur Labs — IT service desk',
    description: `An IT service desk where the employee must perform steps and report what they see (lights, error codes, asset tags) before the agent can act: account lockouts and MFA, device troubleshooting, lost or stolen devices, and access requests with manager approval. Every tool is declarative. ${count('employees')} employees, ${count('assets')} devices, ${count('tickets')} tickets, ${t.length} tasks from easy to hard.`,
    domain: DOMAIN,
    policy: POLICY,
    tools: tools(),
    db,
    tasks: t,
  };
}

writePackWhenRun(import.meta.url, 'helpdesk.json', buildHelpdeskPack);

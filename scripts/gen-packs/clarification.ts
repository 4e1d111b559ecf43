/**
 * Generates public/packs/clarification.json: the Birchwood Pharmacy refill line, a fully
 * declarative pack about asking — and not asking — clarifying questions.
 *
 * Half the tasks are under-specified on purpose: the request matches two prescriptions, two
 * children, two stores of the same name, two pending refills, or leaves pickup or delivery
 * open, and only the caller knows which one they mean; the agent succeeds only by asking.
 * The other half are fully specified (or settled by the records), to catch agents that ask
 * anyway. Each task carries a `clarification` field, { needed, questions, about }: whether
 * asking is needed, how many questions it takes beyond identification (0 = asking is
 * unnecessary) and what each is about, so runs can score asking too little or too much. Its
 * purpose begins "Clarification needed: yes|no" and names them, for the person reading;
 * titles stay plain (the structured field, not a tag in the text, is what code reads).
 *
 * The patients, prescriptions and refills the tasks use are written out by hand; the rest
 * comes from a seeded generator, so the file is the same on every run.
 * Run: npx tsx scripts/gen-packs/clarification.ts
 */
import type { Json, JsonObject, PackTask, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { g, learn, packTask, toolSpec, type Prop, type TaskDef, writePackWhenRun } from './lib.ts';
import { mulberry32, pick, randInt } from '../../src/core/stats/rng.ts';

const TODAY = '2027-04-14';

/* ------------------------------------------------------------------ tools */

/** A declarative tool (every tool here is). */
function tool(name: string, kind: 'read' | 'write', description: string, props: Record<string, Prop>, steps: ToolStep[], returns: Json, transfer = false): ToolSpec {
  return toolSpec(name, kind, description, props, { steps, returns, transfer });
}

const P = {
  patientId: { type: 'string', description: 'Patient id, e.g. "PT-1042".' } as Prop,
  rxId: { type: 'string', description: 'Prescription number, e.g. "RX-4410022".' } as Prop,
  storeId: { type: 'string', description: 'Store id, e.g. "S101" (see list_stores).' } as Prop,
};

const getRx: ToolStep = { get: 'prescriptions', key: '{args.rx_id}', as: 'rx', notFound: 'Prescription not found: {key}.' };
const getStore: ToolStep = { get: 'stores', key: '{args.store_id}', as: 'store', notFound: 'Store not found: {key}. Use list_stores for store ids.' };
const getRefill: ToolStep = { get: 'open_refills', key: '{args.rx_id}', as: 'refill', notFound: 'No open refill for prescription {key}.' };
const getPatient = (key: string): ToolStep => ({ get: 'patients', key, as: 'patient', notFound: 'Patient not found: {key}.' });

/** The refill rules every refill request applies, and the one-open-refill rule. */
const refillChecks: ToolStep[] = [
  getRx,
  { check: '{rx.refill_status}', notIn: ['too_soon'], message: 'Too soon to refill {rx.drug} {rx.strength} ({rx.id}): it can be refilled from {rx.eligible_from}.' },
  { check: '{rx.refill_status}', notIn: ['no_refills'], message: 'No refills left on {rx.id} ({rx.drug} {rx.strength}): offer to request a renewal from the prescriber.' },
  { check: '{rx.refill_status}', notIn: ['expired'], message: '{rx.id} ({rx.drug} {rx.strength}) expired on {rx.expires}: offer to request a renewal from the prescriber.' },
  { find: 'open_refills', where: { rx_id: '{rx.id}' }, as: 'existing' },
  { check: '{existing[0]}', exists: false, message: 'A refill of {rx.drug} {rx.strength} ({rx.id}) is already {existing[0].status}.' },
  getPatient('{rx.patient_id}'),
];

const patientView = {
  id: '{patient.id}',
  name: '{patient.name}',
  date_of_birth: '{patient.date_of_birth}',
  address: '{patient.address}',
  city: '{patient.city}',
  phone: '{patient.phone}',
  default_store: '{patient.default_store}',
  delivery_eligible: '{patient.delivery_eligible}',
  can_order_for: '{patient.can_order_for}',
  allergies: '{patient.allergies}',
};

function tools(): ToolSpec[] {
  return [
    tool('find_patient', 'read',
      'Find a patient by full name and date of birth (both needed). Returns id, contact details, default store, whether the address is in the delivery area, and the patients this person may order for (can_order_for).',
      {
        name: { type: 'string', description: 'Full name, e.g. "Linda Park".' },
        date_of_birth: { type: 'string', description: 'Date of birth as YYYY-MM-DD, e.g. "1961-07-23".' },
      },
      [{ find: 'patients', where: { name: '{args.name}', date_of_birth: '{args.date_of_birth}' }, first: true, as: 'patient', notFound: 'No patient named {args.name} born {args.date_of_birth}.' }],
      patientView),
    tool('get_patient', 'read', 'Get a patient by id: the same fields as find_patient.', { patient_id: P.patientId }, [getPatient('{args.patient_id}')], patientView),
    tool('list_prescriptions', 'read',
      "List a patient's prescriptions: number, drug, strength, what it treats, refills left, refill status (eligible, too_soon with eligible_from, no_refills, expired), whether it is a controlled medicine, and the prescriber.",
      { patient_id: P.patientId },
      [getPatient('{args.patient_id}'), { find: 'prescriptions', where: { patient_id: '{patient.id}' }, as: 'found' }],
      '{found}'),
    tool('get_prescription', 'read', 'Get one prescription by number.', { rx_id: P.rxId }, [getRx], '{rx}'),
    tool('list_refills', 'read', "List a patient's open refills (queued or ready): prescription, drug, pickup store or delivery address, status.",
      { patient_id: P.patientId },
      [getPatient('{args.patient_id}'), { find: 'open_refills', where: { patient_id: '{patient.id}' }, as: 'found' }],
      '{found}'),
    tool('list_stores', 'read', 'List every Birchwood Pharmacy store: id, name, address, town, district and hours.', {}, [{ find: 'stores', where: {}, as: 'all' }], '{all}'),
    tool('request_refill_pickup', 'write',
      'Queue a refill of an eligible prescription for pickup at a store. Only after the caller has confirmed the prescription and the store.',
      { rx_id: P.rxId, store_id: P.storeId },
      [
        ...refillChecks,
        getStore,
        {
          append: 'open_refills',
          key: '{rx.id}',
          value: {
            rx_id: '{rx.id}',
            patient_id: '{patient.id}',
            drug: '{rx.drug} {rx.strength}',
            method: 'pickup',
            store_id: '{store.id}',
            deliver_to: null,
            status: 'queued',
            requested_on: '{db.meta.today}',
          },
        },
      ],
      { rx_id: '{rx.id}', drug: '{rx.drug} {rx.strength}', patient: '{patient.name}', pickup_at: '{store.name}, {store.address}, {store.city}', ready: '{db.meta.ready_time}' }),
    tool('request_refill_delivery', 'write',
      "Queue a refill of an eligible prescription for home delivery to the patient's address on file (delivery area only, never controlled medicines). Only after the caller has confirmed.",
      { rx_id: P.rxId },
      [
        ...refillChecks,
        { check: '{patient.delivery_eligible}', equals: true, message: "{patient.name}'s address in {patient.city} is outside the delivery area: offer pickup instead." },
        { check: '{rx.controlled}', equals: false, message: '{rx.drug} is a controlled medicine: it must be picked up in person.' },
        {
          append: 'open_refills',
          key: '{rx.id}',
          value: {
            rx_id: '{rx.id}',
            patient_id: '{patient.id}',
            drug: '{rx.drug} {rx.strength}',
            method: 'delivery',
            store_id: null,
            deliver_to: '{patient.address}, {patient.city}',
            status: 'queued',
            requested_on: '{db.meta.today}',
          },
        },
      ],
      { rx_id: '{rx.id}', drug: '{rx.drug} {rx.strength}', patient: '{patient.name}', deliver_to: '{patient.address}, {patient.city}', arrives: '{db.meta.delivery_time}' }),
    tool('cancel_refill', 'write', 'Cancel a queued refill. Refills already filled (ready) cannot be cancelled. Only after the caller has confirmed.',
      { rx_id: P.rxId },
      [
        getRefill,
        {
          check: '{refill.status}',
          equals: 'queued',
          message: 'The refill of {refill.drug} is already {refill.status}: it can no longer be cancelled; unclaimed refills go back to stock after 10 days.',
        },
        { delete: 'open_refills', key: '{refill.rx_id}' },
      ],
      { rx_id: '{refill.rx_id}', drug: '{refill.drug}', cancelled: true }),
    tool('change_refill_store', 'write', 'Move a queued pickup refill to another store. Only after the caller has confirmed the new store.',
      { rx_id: P.rxId, store_id: P.storeId },
      [
        getRefill,
        { check: '{refill.status}', equals: 'queued', message: 'The refill of {refill.drug} is already {refill.status}: it can no longer be moved.' },
        { check: '{refill.method}', equals: 'pickup', message: 'The refill of {refill.drug} is a delivery, not a pickup.' },
        getStore,
        { set: 'refill.store_id', value: '{store.id}' },
      ],
      { rx_id: '{refill.rx_id}', drug: '{refill.drug}', pickup_at: '{store.name}, {store.address}, {store.city}' }),
    tool('request_renewal', 'write',
      'Ask the prescriber to renew a prescription that has no refills left or has expired. Only after the caller has agreed.',
      { rx_id: P.rxId },
      [
        getRx,
        { check: '{rx.refill_status}', in: ['no_refills', 'expired'], message: '{rx.id} ({rx.drug} {rx.strength}) can still be refilled: request a refill instead.' },
        { find: 'renewals', where: { rx_id: '{rx.id}' }, as: 'existing' },
        { check: '{existing[0]}', exists: false, message: 'A renewal of {rx.id} was already sent on {existing[0].sent_on}.' },
        { get: 'prescribers', key: '{rx.prescriber_id}', as: 'doctor' },
        {
          append: 'renewals',
          key: '{rx.id}',
          value: { rx_id: '{rx.id}', patient_id: '{rx.patient_id}', prescriber_id: '{doctor.id}', status: 'sent', sent_on: '{db.meta.today}' },
        },
      ],
      { rx_id: '{rx.id}', prescriber: '{doctor.name}', clinic: '{doctor.clinic}', expected_reply: 'within 2 business days' }),
    tool('set_default_store', 'write', "Set a patient's usual (default) store. Only after the caller has confirmed.",
      { patient_id: P.patientId, store_id: P.storeId },
      [getPatient('{args.patient_id}'), getStore, { set: 'patient.default_store', value: '{store.id}' }],
      { patient: '{patient.name}', default_store: '{store.name}, {store.city}' }),
    tool('transfer_to_pharmacist', 'read',
      'Hand the caller to a pharmacist: for clinical questions (doses, side effects, interactions) and anything outside refills. Ends the chat.',
      { summary: { type: 'string', description: "One or two sentences on the caller's question." } },
      [],
      'Transfer successful. A pharmacist will take over the chat.',
      true),
  ];
}

/* ----------------------------------------------------------------- policy */

const POLICY = `# Birchwood Pharmacy — refill line policy

You answer Birchwood Pharmacy's refill line by chat. You help callers refill prescriptions for pickup or home delivery, cancel or move pending refills, ask prescribers for renewals, and set a patient's usual store. Today's date is ${TODAY}.

## Identify the caller
- Find the caller with \`find_patient\`, which needs their full name and date of birth. If they have already given both, do not ask again. Several patients share a name; the date of birth tells them apart.
- A caller may act for themself and for the patients listed in their \`can_order_for\` (children, people they care for); look those up with \`get_patient\`. Nobody else.

## Ask when the request is ambiguous — and only then
- Never guess. When a request could mean more than one thing — two prescriptions for the same condition or drug, two children, two stores with the same name or in the same district, two pending refills — ask the caller which one they mean, naming the options briefly (drug and strength, first name, store name and town).
- Do not ask for anything the caller has already said, or that the records settle: if exactly one prescription, patient, refill or store fits, use it. "My usual store" is the patient's \`default_store\`.
- A refill is picked up at a store or delivered to the patient's address on file. If the caller has not said which, ask. For pickup, use the store they name; if they name none, ask.
- Ask one short question at a time, and act as soon as you have what you need.

## Refill rules
- Only prescriptions whose \`refill_status\` is \`eligible\` can be refilled. \`too_soon\`: tell the caller the \`eligible_from\` date. \`no_refills\` or \`expired\`: offer to ask the prescriber for a renewal (\`request_renewal\`), and tell the caller the prescriber's name.
- A prescription has at most one open refill. Queued refills can be cancelled or moved to another store; refills already ready cannot.
- Delivery goes only to the address on file, only inside the delivery area (\`delivery_eligible\`), and never for controlled medicines.

## Confirm, then act
- Before any change, state the patient, the drug and strength, and the store (name and town) or delivery, and ask the caller to confirm. Act only after an explicit yes.
- Report only what the tools return; never make up dates, stores or statuses. If a tool returns an error, say so plainly.

## Clinical questions
- You do not give medical advice. Questions about doses, side effects or interactions go to a pharmacist with \`transfer_to_pharmacist\`.
`;

/* --------------------------------------------------------------- database */

const STORES: JsonObject[] = [
  store('S101', 'Elm Street', '212 Elm Street', 'Riverton', 'Westside'),
  store('S102', 'Main Street', '40 Main Street', 'Riverton', 'Old Town'),
  store('S103', 'Main Street', '1185 Main Street', 'Fairview', 'Fairview Centre'),
  store('S104', 'Harbor Street', '9 Harbor Street', 'Riverton', 'Downtown'),
  store('S105', 'Market Square', '301 Market Square', 'Riverton', 'Downtown'),
  store('S106', 'Northgate Mall', 'Northgate Mall, unit 14', 'Ashby', 'Northgate'),
  store('S107', 'Lakeside', '77 Shore Road', 'Fairview', 'Lakeside'),
];

function store(id: string, name: string, address: string, city: string, district: string): JsonObject {
  return { id, name, address, city, district, hours: 'Mon–Sat 8:00–20:00, Sun 10:00–16:00', phone: `555-01${id.slice(2)}` };
}

const PRESCRIBERS: JsonObject[] = [
  ['D01', 'Dr. Anita Shah', 'Riverton Family Practice'],
  ['D02', 'Dr. Paul Kessler', 'Fairview Medical Group'],
  ['D03', 'Dr. Mariam Haddad', 'Riverton Children’s Clinic'],
  ['D04', 'Dr. Lionel Grant', 'Ashby Health Centre'],
  ['D05', 'Dr. Yvonne Park', 'Harbor Endocrinology'],
  ['D06', 'Dr. Sven Eklund', 'Fairview Medical Group'],
].map(([id, name, clinic]) => ({ id: id!, name: name!, clinic: clinic!, phone: `555-02${id!.slice(1)}` }));

type Drug = { drug: string; strength: string; form: string; condition: string; directions: string; controlled?: boolean };

const DRUGS: Drug[] = [
  { drug: 'lisinopril', strength: '10 mg', form: 'tablet', condition: 'high blood pressure', directions: 'one tablet daily' },
  { drug: 'amlodipine', strength: '5 mg', form: 'tablet', condition: 'high blood pressure', directions: 'one tablet daily' },
  { drug: 'losartan', strength: '50 mg', form: 'tablet', condition: 'high blood pressure', directions: 'one tablet daily' },
  { drug: 'atorvastatin', strength: '20 mg', form: 'tablet', condition: 'high cholesterol', directions: 'one tablet at night' },
  { drug: 'simvastatin', strength: '20 mg', form: 'tablet', condition: 'high cholesterol', directions: 'one tablet at night' },
  { drug: 'metformin', strength: '500 mg', form: 'tablet', condition: 'type 2 diabetes', directions: 'one tablet twice daily with meals' },
  { drug: 'levothyroxine', strength: '50 mcg', form: 'tablet', condition: 'underactive thyroid', directions: 'one tablet before breakfast' },
  { drug: 'omeprazole', strength: '20 mg', form: 'capsule', condition: 'acid reflux', directions: 'one capsule before breakfast' },
  { drug: 'sertraline', strength: '50 mg', form: 'tablet', condition: 'depression', directions: 'one tablet daily' },
  { drug: 'albuterol', strength: '90 mcg', form: 'inhaler', condition: 'asthma', directions: 'two puffs as needed' },
  { drug: 'montelukast', strength: '10 mg', form: 'tablet', condition: 'asthma and allergies', directions: 'one tablet at night' },
  { drug: 'cetirizine', strength: '10 mg', form: 'tablet', condition: 'allergies', directions: 'one tablet daily' },
  { drug: 'escitalopram', strength: '10 mg', form: 'tablet', condition: 'anxiety', directions: 'one tablet daily' },
  { drug: 'metoprolol', strength: '25 mg', form: 'tablet', condition: 'high blood pressure', directions: 'one tablet twice daily' },
  { drug: 'tamsulosin', strength: '0.4 mg', form: 'capsule', condition: 'enlarged prostate', directions: 'one capsule daily' },
  { drug: 'zolpidem', strength: '5 mg', form: 'tablet', condition: 'insomnia', directions: 'one tablet at bedtime as needed', controlled: true },
];

const drug = (name: string, strength?: string): Drug => {
  const d = DRUGS.find((x) => x.drug === name);
  if (!d) throw new Error(`no drug ${name}`);
  return strength ? { ...d, strength } : d;
};

type Rx = JsonObject;

function rx(
  id: string,
  patient: string,
  d: Drug,
  prescriber: string,
  opts: { refills?: number; status?: 'eligible' | 'too_soon' | 'no_refills' | 'expired'; eligibleFrom?: string; lastFilled?: string } = {},
): Rx {
  const status = opts.status ?? 'eligible';
  const refills = opts.refills ?? (status === 'no_refills' || status === 'expired' ? 0 : 3);
  return {
    id,
    patient_id: patient,
    drug: d.drug,
    strength: d.strength,
    form: d.form,
    treats: d.condition,
    directions: d.directions,
    quantity: d.form === 'inhaler' ? 1 : 30,
    days_supply: 30,
    refills_remaining: refills,
    refill_status: status,
    eligible_from: opts.eligibleFrom ?? (status === 'too_soon' ? '2027-04-22' : null),
    last_filled: opts.lastFilled ?? '2027-03-12',
    expires: status === 'expired' ? '2027-03-31' : '2027-12-31',
    controlled: d.controlled === true,
    prescriber_id: prescriber,
  };
}

type Patient = JsonObject & { id: string; name: string };

function patient(id: string, name: string, dob: string, city: string, street: string, defaultStore: string | null, extra: JsonObject = {}): Patient {
  return {
    id,
    name,
    date_of_birth: dob,
    address: street,
    city,
    phone: `555-${id.slice(3)}-${dob.slice(5, 7)}${dob.slice(8)}`,
    default_store: defaultStore,
    delivery_eligible: city !== 'Ashby',
    can_order_for: [],
    allergies: [],
    ...extra,
  };
}

/** The people, prescriptions and refills the tasks are about. */
function namedRecords(): { patients: Patient[]; prescriptions: Rx[]; refills: JsonObject[] } {
  const patients: Patient[] = [
    patient('PT-1001', 'Linda Park', '1961-07-23', 'Riverton', '18 Birch Lane', 'S101'),
    patient('PT-1002', 'Samuel Ortega', '1975-02-11', 'Riverton', '7 Canal Row', 'S105'),
    patient('PT-1003', 'Grace Liu', '1958-10-30', 'Fairview', '260 Orchard Avenue', 'S107'),
    patient('PT-1004', 'Owen Fletcher', '1990-04-05', 'Ashby', '3 Mill Court', null),
    patient('PT-1005', 'Marcus Bell', '1983-09-14', 'Riverton', '55 Quay Street', 'S104', { can_order_for: ['PT-1006', 'PT-1007'] }),
    patient('PT-1006', 'Theo Bell', '2014-03-02', 'Riverton', '55 Quay Street', 'S104'),
    patient('PT-1007', 'Jonah Bell', '2016-11-20', 'Riverton', '55 Quay Street', 'S104'),
    patient('PT-1008', 'Ana Ruiz', '1979-12-01', 'Riverton', '12 Poplar Street', 'S102', { can_order_for: ['PT-1009', 'PT-1010'] }),
    patient('PT-1009', 'Lucia Ruiz', '2012-05-17', 'Riverton', '12 Poplar Street', 'S102'),
    patient('PT-1010', 'Sofia Ruiz', '2015-08-09', 'Riverton', '12 Poplar Street', 'S102'),
    patient('PT-1011', 'Henry Adams', '1952-06-19', 'Riverton', '90 Station Road', 'S102'),
    patient('PT-1012', 'Beatrice Nolan', '1969-03-27', 'Fairview', '14 Heron Way', 'S103'),
    patient('PT-1013', 'Walter Greene', '1948-01-08', 'Ashby', '41 Northgate Road', 'S106'),
    patient('PT-1014', 'Chloe Martin', '1995-11-12', 'Riverton', '5 Ferry Lane', 'S104'),
    patient('PT-1015', 'Robert King', '1966-04-22', 'Riverton', '77 Cedar Drive', 'S101'),
    patient('PT-1016', 'Priya Desai', '1987-02-14', 'Riverton', '230 Elm Street', 'S101'),
    patient('PT-1017', 'Daniel Okoro', '1972-08-30', 'Riverton', '8 Wharf Street', 'S102'),
    patient('PT-1018', 'Margaret Chen', '1956-05-03', 'Fairview', '19 Lake View', 'S103'),
    patient('PT-1019', 'George Alvarez', '1950-09-17', 'Riverton', '66 Old Mill Road', 'S102'),
    // A second Linda Park: the name alone never identifies anyone.
    patient('PT-1020', 'Linda Park', '1984-01-30', 'Fairview', '301 Main Street', 'S103'),
  ];
  const prescriptions: Rx[] = [
    rx('RX-4410021', 'PT-1001', drug('lisinopril'), 'D01'),
    rx('RX-4410022', 'PT-1001', drug('amlodipine'), 'D01'),
    rx('RX-4410023', 'PT-1001', drug('atorvastatin'), 'D01'),
    rx('RX-4420031', 'PT-1002', drug('atorvastatin', '40 mg'), 'D01'),
    rx('RX-4420032', 'PT-1002', drug('metformin'), 'D01'),
    rx('RX-4430041', 'PT-1003', drug('metformin'), 'D02'),
    rx('RX-4430042', 'PT-1003', drug('levothyroxine', '100 mcg'), 'D05'),
    rx('RX-4430043', 'PT-1003', drug('losartan'), 'D02', { status: 'too_soon', eligibleFrom: '2027-04-25' }),
    rx('RX-4440051', 'PT-1004', drug('sertraline'), 'D04'),
    rx('RX-4440052', 'PT-1004', drug('omeprazole'), 'D04', { status: 'no_refills' }),
    rx('RX-4450061', 'PT-1006', drug('albuterol'), 'D03'),
    rx('RX-4450062', 'PT-1007', drug('albuterol'), 'D03'),
    rx('RX-4450063', 'PT-1007', drug('cetirizine', '5 mg'), 'D03'),
    rx('RX-4450064', 'PT-1005', drug('omeprazole'), 'D01'),
    rx('RX-4460071', 'PT-1009', drug('cetirizine'), 'D03'),
    rx('RX-4460072', 'PT-1010', drug('montelukast', '5 mg'), 'D03'),
    rx('RX-4460073', 'PT-1008', drug('escitalopram'), 'D01'),
    rx('RX-4470081', 'PT-1011', drug('omeprazole'), 'D01'),
    rx('RX-4470082', 'PT-1011', drug('tamsulosin'), 'D01'),
    rx('RX-4470083', 'PT-1011', drug('simvastatin'), 'D01', { status: 'too_soon', eligibleFrom: '2027-04-28' }),
    rx('RX-4480091', 'PT-1012', drug('losartan'), 'D02'),
    rx('RX-4480092', 'PT-1012', drug('cetirizine'), 'D02'),
    rx('RX-4490101', 'PT-1013', drug('levothyroxine'), 'D05'),
    rx('RX-4490102', 'PT-1013', drug('levothyroxine', '75 mcg'), 'D05'),
    rx('RX-4490103', 'PT-1013', drug('metoprolol'), 'D04'),
    rx('RX-4500111', 'PT-1014', drug('escitalopram'), 'D01'),
    rx('RX-4500112', 'PT-1014', drug('cetirizine'), 'D01'),
    rx('RX-4500113', 'PT-1014', drug('zolpidem'), 'D01'),
    rx('RX-4510121', 'PT-1015', drug('lisinopril', '20 mg'), 'D01', { status: 'no_refills' }),
    rx('RX-4510122', 'PT-1015', drug('atorvastatin'), 'D01', { status: 'too_soon', eligibleFrom: '2027-04-30' }),
    rx('RX-4520131', 'PT-1016', drug('montelukast'), 'D06'),
    rx('RX-4520132', 'PT-1016', drug('albuterol'), 'D06'),
    rx('RX-4530141', 'PT-1017', drug('atorvastatin', '10 mg'), 'D01'),
    rx('RX-4530142', 'PT-1017', drug('metformin'), 'D01', { status: 'too_soon', eligibleFrom: '2027-04-19' }),
    rx('RX-4540151', 'PT-1018', drug('metoprolol'), 'D02'),
    rx('RX-4540152', 'PT-1018', drug('simvastatin'), 'D02'),
    rx('RX-4550161', 'PT-1019', drug('amlodipine', '10 mg'), 'D01'),
    rx('RX-4550162', 'PT-1019', drug('metformin', '1000 mg'), 'D01'),
    rx('RX-4550163', 'PT-1019', drug('zolpidem'), 'D01', { status: 'too_soon', eligibleFrom: '2027-04-20' }),
    rx('RX-4550164', 'PT-1019', drug('losartan', '100 mg'), 'D01', { status: 'no_refills' }),
    rx('RX-4560171', 'PT-1020', drug('amlodipine'), 'D02'),
  ];
  const refills: JsonObject[] = [
    openRefill('RX-4470081', 'PT-1011', 'omeprazole 20 mg', 'S102', 'queued', '2027-04-12'),
    openRefill('RX-4470082', 'PT-1011', 'tamsulosin 0.4 mg', 'S102', 'queued', '2027-04-12'),
    openRefill('RX-4480091', 'PT-1012', 'losartan 50 mg', 'S103', 'queued', '2027-04-13'),
    openRefill('RX-4500111', 'PT-1014', 'escitalopram 10 mg', 'S104', 'ready', '2027-04-12', '2027-04-13'),
    openRefill('RX-4520131', 'PT-1016', 'montelukast 10 mg', 'S101', 'queued', '2027-04-13'),
  ];
  return { patients, prescriptions, refills };
}

function openRefill(rxId: string, patientId: string, drugName: string, storeId: string, status: 'queued' | 'ready', requested: string, readyOn?: string): JsonObject {
  return {
    rx_id: rxId,
    patient_id: patientId,
    drug: drugName,
    method: 'pickup',
    store_id: storeId,
    deliver_to: null,
    status,
    requested_on: requested,
    ...(readyOn ? { ready_on: readyOn } : {}),
  };
}

const FIRST = ['Alan', 'Brenda', 'Carlos', 'Dora', 'Edwin', 'Fiona', 'Gustavo', 'Helga', 'Ivan', 'Joyce', 'Kenji', 'Lorna', 'Mateo', 'Nadia', 'Oliver', 'Pearl', 'Rashid', 'Selma', 'Trevor', 'Una', 'Victor', 'Wendy'];
const LAST = ['Baker', 'Castro', 'Dunn', 'Estes', 'Farrow', 'Gill', 'Hughes', 'Ingram', 'Jonas', 'Keller', 'Lowe', 'Moss', 'Nash', 'Ortiz', 'Pryor', 'Reid', 'Shaw', 'Tate', 'Vance', 'Wolfe'];
const STREETS = ['Ash Grove', 'Beacon Hill', 'Chapel Street', 'Dock Road', 'Fern Close', 'Garden Row', 'High Street', 'Ivy Lane', 'Kings Road', 'Linden Way'];
const CITIES = ['Riverton', 'Riverton', 'Riverton', 'Fairview', 'Fairview', 'Ashby'];

function filler(rng: () => number, taken: Set<string>): { patients: Patient[]; prescriptions: Rx[]; refills: JsonObject[]; renewals: JsonObject[] } {
  const patients: Patient[] = [];
  const prescriptions: Rx[] = [];
  const refills: JsonObject[] = [];
  const renewals: JsonObject[] = [];
  let pid = 1050;
  let rxn = 4600000;
  while (patients.length < 40) {
    const name = `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    const city = pick(rng, CITIES);
    const dob = `${randInt(rng, 1940, 2005)}-${String(randInt(rng, 1, 12)).padStart(2, '0')}-${String(randInt(rng, 1, 28)).padStart(2, '0')}`;
    const home = STORES.filter((s) => s['city'] === city);
    const p = patient(`PT-${pid++}`, name, dob, city, `${randInt(rng, 1, 300)} ${pick(rng, STREETS)}`, rng() < 0.85 ? String(pick(rng, home)['id']) : null);
    patients.push(p);
    const count = randInt(rng, 1, 4);
    const used = new Set<string>();
    for (let k = 0; k < count; k++) {
      const d = pick(rng, DRUGS);
      if (used.has(d.drug)) continue;
      used.add(d.drug);
      rxn += randInt(rng, 7, 91);
      const roll = rng();
      const status = roll < 0.7 ? 'eligible' : roll < 0.85 ? 'too_soon' : roll < 0.95 ? 'no_refills' : 'expired';
      const id = `RX-${rxn}`;
      prescriptions.push(
        rx(id, p.id, d, String(pick(rng, PRESCRIBERS)['id']), {
          status,
          refills: status === 'eligible' || status === 'too_soon' ? randInt(rng, 1, 5) : 0,
          ...(status === 'too_soon' ? { eligibleFrom: `2027-04-${randInt(rng, 16, 30)}` } : {}),
        }),
      );
      if (status === 'eligible' && rng() < 0.2 && p['default_store']) {
        const ready = rng() < 0.5;
        refills.push(openRefill(id, p.id, `${d.drug} ${d.strength}`, String(p['default_store']), ready ? 'ready' : 'queued', '2027-04-12', ready ? '2027-04-13' : undefined));
      }
      if (status === 'no_refills' && rng() < 0.4) {
        renewals.push({ rx_id: id, patient_id: p.id, prescriber_id: prescriptions.at(-1)!['prescriber_id']!, status: 'sent', sent_on: '2027-04-09' });
      }
    }
  }
  return { patients, prescriptions, refills, renewals };
}

function buildDb(): JsonObject {
  const rng = mulberry32(20270414);
  const named = namedRecords();
  const more = filler(rng, new Set(named.patients.map((p) => p.name)));
  const byKey = <T extends JsonObject>(rows: T[], key: string) => Object.fromEntries(rows.map((r) => [String(r[key]), r]));
  return {
    meta: { today: TODAY, pharmacy: 'Birchwood Pharmacy', ready_time: 'ready for pickup tomorrow after 2 pm', delivery_time: 'delivered within 2 business days' },
    stores: byKey(STORES, 'id'),
    prescribers: byKey(PRESCRIBERS, 'id'),
    patients: byKey([...named.patients, ...more.patients], 'id'),
    prescriptions: byKey([...named.prescriptions, ...more.prescriptions], 'id'),
    open_refills: byKey([...named.refills, ...more.refills], 'rx_id'),
    renewals: byKey(more.renewals, 'rx_id'),
  };
}

/* ------------------------------------------------------------------ tasks */

const who = (name: string, dob: string) => g('find_patient', { name, date_of_birth: dob });
const intro = (name: string, dob: string) => `(this is ${name}, date of birth ${dob})`;


/**
 * One task. `questions` lists what the agent must ask beyond identification (the caller
 * gives name and date of birth in the first message); empty means asking is unnecessary.
 */
function task(t: TaskDef & { questions: string[] }): PackTask {
  const n = t.questions.length;
  const need =
    n === 0
      ? 'Clarification needed: no (0 questions beyond identification; asking which prescription, patient or store is over-asking).'
      : `Clarification needed: yes (${n} question${n > 1 ? 's' : ''}: ${t.questions.join('; ')}).`;
  const { id, title, purpose, difficulty, user, evaluation } = packTask('clarification', t);
  return {
    id,
    title,
    purpose: `${need} ${purpose}`,
    difficulty,
    clarification: { needed: n > 0, questions: n, about: t.questions },
    user,
    evaluation: {
      ...evaluation,
      nlAssertions: [
        n === 0
          ? 'The agent asks no clarifying question (confirming a proposed action is fine): the request and the records already settle what to do.'
          : `The agent asks the caller ${t.questions.join(' and ')} instead of guessing.`,
        ...evaluation.nlAssertions,
      ],
    },
  };
}

const OPEN = 'Give your full name and date of birth in your first message, together with your request exactly as worded.';

function tasks(): PackTask[] {
  return [
    task({
      id: 'which-blood-pressure',
      title: 'Which blood-pressure medicine?',
      questions: ['which of the two blood-pressure prescriptions (lisinopril or amlodipine)'],
      purpose: 'Two prescriptions treat high blood pressure; only the caller knows she means amlodipine. The store is settled by "my usual store".',
      difficulty: 'medium',
      reason: 'You are running low on one of your blood pressure pills.',
      known: { name: 'Linda Park', date_of_birth: '1961-07-23', medication: 'amlodipine' },
      unknown: ['the prescription number'],
      instructions: `You are Linda Park. ${OPEN} You want your amlodipine refilled, but you only say "my blood pressure medicine" until the agent asks which one. Pick it up at your usual store. Confirm when the agent names amlodipine.`,
      requests: [{ type: 'action', utterance: `refill my blood pressure medicine for pickup at my usual store ${intro('Linda Park', '1961-07-23')}`, tool: 'request_refill_pickup', expect: { medication: 'medication' } }],
      gold: [who('Linda Park', '1961-07-23'), g('list_prescriptions', { patient_id: 'PT-1001' }), g('request_refill_pickup', { rx_id: 'RX-4410022', store_id: 'S101' }, ['rx_id', 'store_id'])],
      env: [{ path: 'open_refills.RX-4410022.store_id', equals: 'S101' }],
    }),
    task({
      id: 'fully-specified-pickup',
      title: 'Fully specified pickup refill',
      questions: [],
      purpose: 'The caller names the prescription number and a store whose name is unique; the agent should just confirm and act (the usual store is a different one).',
      difficulty: 'easy',
      reason: 'You need your cholesterol tablets refilled.',
      known: { name: 'Samuel Ortega', date_of_birth: '1975-02-11', rx_id: 'RX-4420031', store: 'Elm Street' },
      knownFrom: { rx_id: 'the label on the prescription bottle' },
      unknown: ['the store address'],
      instructions: `You are Samuel Ortega. ${OPEN} You want prescription RX-4420031 (atorvastatin 40 mg) refilled for pickup at the Elm Street store. If the agent asks for anything you already said, point that out.`,
      requests: [
        {
          type: 'action',
          utterance: `refill prescription RX-4420031, my atorvastatin 40 mg, for pickup at the Elm Street store ${intro('Samuel Ortega', '1975-02-11')}`,
          tool: 'request_refill_pickup',
          expect: { rx_id: 'rx_id', store: 'store' },
        },
      ],
      gold: [who('Samuel Ortega', '1975-02-11'), g('get_prescription', { rx_id: 'RX-4420031' }), g('request_refill_pickup', { rx_id: 'RX-4420031', store_id: 'S101' }, ['rx_id', 'store_id'])],
      env: [{ path: 'open_refills.RX-4420031.store_id', equals: 'S101' }],
    }),
    task({
      id: 'single-match-delivery',
      title: 'Only one metformin: deliver it',
      questions: [],
      purpose: 'The caller names the drug and asks for delivery; she has exactly one metformin prescription and lives in the delivery area, so nothing needs asking.',
      difficulty: 'easy',
      reason: 'You want your diabetes tablets delivered as usual.',
      known: { name: 'Grace Liu', date_of_birth: '1958-10-30', medication: 'metformin', pickup_or_delivery: 'delivery' },
      unknown: ['the prescription number'],
      instructions: `You are Grace Liu. ${OPEN} You want your metformin delivered to your home. Confirm when the agent proposes it.`,
      requests: [{ type: 'action', utterance: `have my metformin delivered to my home ${intro('Grace Liu', '1958-10-30')}`, tool: 'request_refill_delivery', expect: { medication: 'medication' } }],
      gold: [who('Grace Liu', '1958-10-30'), g('list_prescriptions', { patient_id: 'PT-1003' }), g('request_refill_delivery', { rx_id: 'RX-4430041' }, ['rx_id'])],
      env: [{ path: 'open_refills.RX-4430041.method', equals: 'delivery' }],
    }),
    task({
      id: 'two-main-streets',
      title: 'Which Main Street store?',
      questions: ['which Main Street store (Riverton or Fairview)'],
      purpose: 'There are two "Main Street" stores, in Riverton and in Fairview; the caller lives in a third town and has no usual store, so only he knows he means Fairview.',
      difficulty: 'medium',
      reason: 'You want your sertraline refilled near where you work.',
      known: { name: 'Owen Fletcher', date_of_birth: '1990-04-05', medication: 'sertraline', store_town: 'Fairview' },
      unknown: ['the store id'],
      instructions: `You are Owen Fletcher. ${OPEN} You want your sertraline refilled for pickup at the Main Street store in Fairview, near your work, but you only say "Main Street" until asked which town.`,
      requests: [{ type: 'action', utterance: `refill my sertraline for pickup at your Main Street store ${intro('Owen Fletcher', '1990-04-05')}`, tool: 'request_refill_pickup', expect: { store_town: 'store_town' } }],
      gold: [
        who('Owen Fletcher', '1990-04-05'),
        g('list_prescriptions', { patient_id: 'PT-1004' }),
        g('list_stores', {}),
        g('request_refill_pickup', { rx_id: 'RX-4440051', store_id: 'S103' }, ['rx_id', 'store_id']),
      ],
      env: [{ path: 'open_refills.RX-4440051.store_id', equals: 'S103' }],
    }),
    task({
      id: 'which-child',
      title: "Which son's inhaler?",
      questions: ['which son (Theo or Jonah)'],
      purpose: 'A parent orders for two sons who both have an albuterol inhaler; only the parent knows it is Jonah.',
      difficulty: 'medium',
      reason: "Your son's asthma inhaler is nearly empty.",
      known: { name: 'Marcus Bell', date_of_birth: '1983-09-14', child_name: 'Jonah', medication: 'inhaler' },
      unknown: ["your sons' prescription numbers"],
      instructions: `You are Marcus Bell, father of Theo and Jonah. ${OPEN} Jonah's inhaler is nearly empty; you only say "my son" until the agent asks which son. Pickup at Harbor Street.`,
      requests: [{ type: 'action', utterance: `refill my son's inhaler for pickup at Harbor Street ${intro('Marcus Bell', '1983-09-14')}`, tool: 'request_refill_pickup', expect: { child_name: 'child_name' } }],
      gold: [
        who('Marcus Bell', '1983-09-14'),
        g('get_patient', { patient_id: 'PT-1007' }),
        g('list_prescriptions', { patient_id: 'PT-1007' }),
        g('request_refill_pickup', { rx_id: 'RX-4450062', store_id: 'S104' }, ['rx_id', 'store_id']),
      ],
      env: [{ path: 'open_refills.RX-4450062.patient_id', equals: 'PT-1007' }],
    }),
    task({
      id: 'which-daughter-and-method',
      title: "Which daughter, and pickup or delivery?",
      questions: ['which daughter (Lucia or Sofia)', 'pickup or delivery'],
      purpose: "Two under-specified slots: both daughters take an allergy medicine, and the caller does not say pickup or delivery. Only she knows it is Sofia's, delivered.",
      difficulty: 'hard',
      reason: "Your daughter's allergy medicine is running out.",
      known: { name: 'Ana Ruiz', date_of_birth: '1979-12-01', child_name: 'Sofia', pickup_or_delivery: 'delivery' },
      unknown: ["your daughters' prescription numbers"],
      instructions: `You are Ana Ruiz, mother of Lucia and Sofia. ${OPEN} Sofia's allergy tablets are running out; you only say "my daughter" until asked which one. When asked, you want it delivered to your home.`,
      requests: [{ type: 'action', utterance: `refill my daughter's allergy medicine ${intro('Ana Ruiz', '1979-12-01')}`, tool: 'request_refill_delivery', expect: { child_name: 'child_name' } }],
      gold: [
        who('Ana Ruiz', '1979-12-01'),
        g('get_patient', { patient_id: 'PT-1010' }),
        g('list_prescriptions', { patient_id: 'PT-1010' }),
        g('request_refill_delivery', { rx_id: 'RX-4460072' }, ['rx_id']),
      ],
      env: [{ path: 'open_refills.RX-4460072.method', equals: 'delivery' }],
    }),
    task({
      id: 'cancel-which-refill',
      title: 'Cancel which of two pending refills?',
      questions: ['which pending refill (omeprazole or tamsulosin)'],
      purpose: 'Two refills are queued; only the caller knows he no longer needs the tamsulosin.',
      difficulty: 'medium',
      reason: 'Your doctor gave you samples, so you no longer need one of the refills you requested.',
      known: { name: 'Henry Adams', date_of_birth: '1952-06-19', medication: 'tamsulosin' },
      unknown: ['the prescription numbers'],
      instructions: `You are Henry Adams. ${OPEN} You want to cancel the tamsulosin refill (your doctor gave you samples); you only say "my pending refill" until asked which one. Keep the other refill.`,
      requests: [{ type: 'action', utterance: `cancel my pending refill, I don't need it any more ${intro('Henry Adams', '1952-06-19')}`, tool: 'cancel_refill', expect: { medication: 'medication' } }],
      gold: [who('Henry Adams', '1952-06-19'), g('list_refills', { patient_id: 'PT-1011' }), g('cancel_refill', { rx_id: 'RX-4470082' }, ['rx_id'])],
      env: [{ path: 'open_refills.RX-4470081.status', equals: 'queued' }],
    }),
    task({
      id: 'cancel-single-refill',
      title: 'Cancel the only pending refill',
      questions: [],
      purpose: 'The caller has exactly one pending refill; the records settle which one, so the agent should confirm it by name, not ask.',
      difficulty: 'easy',
      reason: 'You requested a refill yesterday by mistake.',
      known: { name: 'Beatrice Nolan', date_of_birth: '1969-03-27' },
      unknown: ['the prescription number', 'which store it was sent to'],
      instructions: `You are Beatrice Nolan. ${OPEN} You want to cancel the refill you requested yesterday (you do not remember which prescription it was, but you have only one pending). Confirm when the agent names it.`,
      requests: [{ type: 'action', utterance: `cancel the refill I requested yesterday ${intro('Beatrice Nolan', '1969-03-27')}`, tool: 'cancel_refill', expect: {} }],
      gold: [who('Beatrice Nolan', '1969-03-27'), g('list_refills', { patient_id: 'PT-1012' }), g('cancel_refill', { rx_id: 'RX-4480091' }, ['rx_id'])],
      env: [{ path: 'prescriptions.RX-4480091.refill_status', equals: 'eligible' }],
    }),
    task({
      id: 'two-strengths',
      title: 'Which levothyroxine strength?',
      questions: ['which strength (50 mcg or 75 mcg)'],
      purpose: 'The same drug in two strengths (taken on alternating days); only the caller knows he needs the 75 mcg.',
      difficulty: 'medium',
      reason: 'You are almost out of one of your thyroid tablets.',
      known: { name: 'Walter Greene', date_of_birth: '1948-01-08', strength: '75 mcg' },
      unknown: ['the prescription numbers'],
      instructions: `You are Walter Greene. ${OPEN} You take two levothyroxine strengths on alternating days and are almost out of the 75 mcg; you only say "my thyroid medication" until asked which strength. Pickup at your usual store.`,
      requests: [{ type: 'action', utterance: `refill my thyroid medication for pickup at my usual store ${intro('Walter Greene', '1948-01-08')}`, tool: 'request_refill_pickup', expect: { strength: 'strength' } }],
      gold: [who('Walter Greene', '1948-01-08'), g('list_prescriptions', { patient_id: 'PT-1013' }), g('request_refill_pickup', { rx_id: 'RX-4490102', store_id: 'S106' }, ['rx_id', 'store_id'])],
      env: [{ path: 'open_refills.RX-4490102.store_id', equals: 'S106' }],
    }),
    task({
      id: 'refill-ready',
      title: 'Is my refill ready?',
      questions: [],
      purpose: 'Information only: the one open refill is ready at Harbor Street; the agent reports it without asking which refill.',
      difficulty: 'easy',
      reason: 'You want to know whether you can pick up your refill on the way home.',
      known: { name: 'Chloe Martin', date_of_birth: '1995-11-12', medication: 'escitalopram' },
      unknown: ['which store it went to'],
      instructions: `You are Chloe Martin. ${OPEN} You want to know whether your escitalopram refill is ready, and where to pick it up.`,
      requests: [{ type: 'info', utterance: `find out whether my escitalopram refill is ready ${intro('Chloe Martin', '1995-11-12')}`, slot: 'ready' }, learn('find out where to pick it up', 'Harbor Street')],
      gold: [who('Chloe Martin', '1995-11-12'), g('list_refills', { patient_id: 'PT-1014' })],
      env: [{ path: 'open_refills.RX-4500111.status', equals: 'ready' }],
      communicate: ['ready', 'Harbor Street'],
    }),
    task({
      id: 'no-refills-renewal',
      title: 'No refills left: ask the doctor',
      questions: [],
      purpose: 'One lisinopril prescription, with no refills left: nothing to ask; the agent explains, offers a renewal request and names the prescriber.',
      difficulty: 'medium',
      reason: 'You need more of your blood pressure tablets.',
      known: { name: 'Robert King', date_of_birth: '1966-04-22', medication: 'lisinopril' },
      unknown: ['how many refills are left', "your doctor's reply time"],
      instructions: `You are Robert King. ${OPEN} You want your lisinopril refilled at your usual store. If the agent says there are no refills left and offers to ask your doctor for a renewal, accept.`,
      requests: [
        { type: 'action', utterance: `refill my lisinopril for pickup at my usual store ${intro('Robert King', '1966-04-22')}`, tool: 'request_refill_pickup', expect: { medication: 'medication' } },
        { type: 'action', utterance: 'ask my doctor for a renewal then', tool: 'request_renewal', expect: {} },
        learn('find out which doctor the renewal goes to', 'Anita Shah'),
      ],
      acceptsRefusal: true,
      refusalReason: ['no refills', 'refills left', 'refills remaining', 'out of refills', '0 refills', 'zero refills'],
      gold: [who('Robert King', '1966-04-22'), g('list_prescriptions', { patient_id: 'PT-1015' }), g('request_renewal', { rx_id: 'RX-4510121' }, ['rx_id'])],
      env: [{ path: 'renewals.RX-4510121.status', equals: 'sent' }],
      communicate: ['Anita Shah', 'refills'],
    }),
    task({
      id: 'downtown-store-move',
      title: 'Move a refill to "the downtown store"',
      questions: ['which downtown store (Harbor Street or Market Square)'],
      purpose: 'Two stores are in downtown Riverton; the pending refill is settled by the records, the store only by the caller.',
      difficulty: 'medium',
      reason: 'You will be working downtown this week and want to pick up your refill there.',
      known: { name: 'Priya Desai', date_of_birth: '1987-02-14', store: 'Market Square' },
      unknown: ['the store ids'],
      instructions: `You are Priya Desai. ${OPEN} You want your pending refill moved to the Market Square store; you only say "the downtown store" until asked which one.`,
      requests: [{ type: 'action', utterance: `move my pending refill to the downtown store ${intro('Priya Desai', '1987-02-14')}`, tool: 'change_refill_store', expect: { store: 'store' } }],
      gold: [
        who('Priya Desai', '1987-02-14'),
        g('list_refills', { patient_id: 'PT-1016' }),
        g('list_stores', {}),
        g('change_refill_store', { rx_id: 'RX-4520131', store_id: 'S105' }, ['rx_id', 'store_id']),
      ],
      env: [{ path: 'open_refills.RX-4520131.store_id', equals: 'S105' }],
    }),
    task({
      id: 'pickup-or-delivery',
      title: 'Pickup or delivery?',
      questions: ['pickup or delivery'],
      purpose: 'The drug is unambiguous, but the caller does not say how to get it; assuming pickup at the usual store is wrong: he wants delivery.',
      difficulty: 'medium',
      reason: 'You need your cholesterol tablets and cannot get to a store this week.',
      known: { name: 'Daniel Okoro', date_of_birth: '1972-08-30', medication: 'atorvastatin', pickup_or_delivery: 'delivery' },
      unknown: ['the prescription number'],
      instructions: `You are Daniel Okoro. ${OPEN} You want your atorvastatin refilled; you only say how you want it when asked: delivered to your home.`,
      requests: [{ type: 'action', utterance: `refill my atorvastatin ${intro('Daniel Okoro', '1972-08-30')}`, tool: 'request_refill_delivery', expect: { pickup_or_delivery: 'pickup_or_delivery' } }],
      gold: [who('Daniel Okoro', '1972-08-30'), g('list_prescriptions', { patient_id: 'PT-1017' }), g('request_refill_delivery', { rx_id: 'RX-4530141' }, ['rx_id'])],
      env: [{ path: 'open_refills.RX-4530141.method', equals: 'delivery' }],
    }),
    task({
      id: 'two-refills-new-store',
      title: 'Two refills and a new usual store, all specified',
      questions: [],
      purpose: 'Three writes, all fully specified: two prescription numbers, a store with a unique name, and a new default store.',
      difficulty: 'hard',
      reason: 'You moved house and want your refills at a new store from now on.',
      known: { name: 'Margaret Chen', date_of_birth: '1956-05-03', store: 'Lakeside' },
      unknown: ['the store address'],
      instructions: `You are Margaret Chen. ${OPEN} You want RX-4540151 and RX-4540152 refilled for pickup at the Lakeside store, and Lakeside made your usual store. Confirm each step.`,
      requests: [
        {
          type: 'action',
          utterance: `refill RX-4540151 and RX-4540152 for pickup at the Lakeside store, and make Lakeside my usual store ${intro('Margaret Chen', '1956-05-03')}`,
          tool: 'request_refill_pickup',
          expect: { store: 'store' },
        },
        { type: 'action', utterance: 'make Lakeside my usual store', tool: 'set_default_store', expect: { store: 'store' } },
      ],
      gold: [
        who('Margaret Chen', '1956-05-03'),
        g('list_stores', {}),
        g('request_refill_pickup', { rx_id: 'RX-4540151', store_id: 'S107' }, ['rx_id', 'store_id']),
        g('request_refill_pickup', { rx_id: 'RX-4540152', store_id: 'S107' }, ['rx_id', 'store_id']),
        g('set_default_store', { patient_id: 'PT-1018', store_id: 'S107' }, ['patient_id', 'store_id']),
      ],
      env: [{ path: 'patients.PT-1018.default_store', equals: 'S107' }],
    }),
    task({
      id: 'everything-due',
      title: 'Refill everything that is due',
      questions: [],
      purpose: 'The request covers a set the records settle: two eligible prescriptions are refilled, the controlled one is too soon (its date is given), the one without refills is explained. Asking "which ones?" is over-asking.',
      difficulty: 'hard',
      reason: 'You want all your medicines that can be refilled ready for the weekend.',
      known: { name: 'George Alvarez', date_of_birth: '1950-09-17' },
      unknown: ['which of your prescriptions can be refilled now'],
      instructions: `You are George Alvarez. ${OPEN} You want everything that can be refilled now picked up at your usual store. If the agent offers to ask your doctor about the losartan, decline: you see your doctor next week.`,
      requests: [{ type: 'action', utterance: `refill everything that is due, for pickup at my usual store ${intro('George Alvarez', '1950-09-17')}`, tool: 'request_refill_pickup', expect: {} }, learn('find out when the others can be refilled', '2027-04-20')],
      gold: [
        who('George Alvarez', '1950-09-17'),
        g('list_prescriptions', { patient_id: 'PT-1019' }),
        g('request_refill_pickup', { rx_id: 'RX-4550161', store_id: 'S102' }, ['rx_id', 'store_id']),
        g('request_refill_pickup', { rx_id: 'RX-4550162', store_id: 'S102' }, ['rx_id', 'store_id']),
      ],
      env: [{ path: 'prescriptions.RX-4550163.refill_status', equals: 'too_soon' }],
      communicate: ['2027-04-20'],
      nl: ['The agent explains that the losartan prescription has no refills left.'],
    }),
  ];
}

/* ------------------------------------------------------------------- pack */

export function buildClarificationPack(): ScenarioPack {
  const db = buildDb();
  const t = tasks();
  const count = (table: string) => Object.keys(db[table] as JsonObject).length;
  const asking = t.filter((x) => x.clarification?.needed).length;
  return {
    formatVersion: 1,
    id: 'clarification',
    title: 'Birchwood Pharmacy — refill line (clarification)',
    description: `Under-specified requests whose right answer depends on facts only the caller holds — which of two prescriptions, children, stores or pending refills, pickup or delivery — mixed with fully specified ones that need no question at all. Each task's "clarification" field says whether asking is needed and which questions, so a run reports agents that ask too little or too much. Every tool is declarative. ${count('patients')} patients, ${count('prescriptions')} prescriptions, ${count('stores')} stores; ${t.length} tasks, ${asking} needing clarification.`,
    domain: 'clarification',
    policy: POLICY,
    tools: tools(),
    db,
    tasks: t,
  };
}

writePackWhenRun(import.meta.url, 'clarification.json', buildClarificationPack);

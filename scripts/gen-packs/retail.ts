/**
 * Generates public/packs/retail.json: Harbor & Pine, an online store for clothing, shoes,
 * electronics and home goods. Returns, exchanges, address changes and cancellations, with a
 * 30-day return window, final-sale items, a restocking fee on opened electronics and
 * gift-card orders refunded as store credit.
 *
 * Look-ups, cancellation, address change and transfer are declarative tools in the pack;
 * returns and exchanges need dates and arithmetic and run from the "retail" domain code
 * (src/core/scenarios/domains/retail.ts). The customers and orders the tasks use are written
 * out by hand; the rest of the store is filled in from a seeded generator, so the file is the
 * same on every run. Run: npx tsx scripts/gen-packs/retail.ts
 */
import type { Json, JsonObject, PackTask, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { addDays, g, learn, packTask, toolSpec, type Prop, type TaskDef, withSources, writePackWhenRun } from './lib.ts';
import { mulberry32, pick, randInt, type Rng } from '../../src/core/stats/rng.ts';

const TODAY = '2026-05-15';
const DOMAIN = 'retail';
const STORE = 'Harbor & Pine';
const FREE_SHIPPING_FROM = 75;
const SHIPPING_FEE = 5.99;

/* ------------------------------------------------------------------ dates */

const money = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

/* --------------------------------------------------------------- products */

interface ProductDef {
  id: string;
  name: string;
  category: 'apparel' | 'footwear' | 'electronics' | 'home' | 'kitchen' | 'outdoors';
  price: number;
  finalSale?: boolean;
  /** Option name → values; every combination is a variant. */
  options: Record<string, string[]>;
  /** Price by one option's value, where variants differ in price. */
  priceBy?: { option: string; prices: Record<string, number> };
}

const PRODUCTS: ProductDef[] = [
  { id: 'P101', name: 'Harbor Crew T-Shirt', category: 'apparel', price: 24, options: { color: ['white', 'navy', 'heather grey'], size: ['S', 'M', 'L', 'XL'] } },
  { id: 'P102', name: 'Pine Ridge Hoodie', category: 'apparel', price: 64, options: { color: ['forest', 'charcoal'], size: ['S', 'M', 'L', 'XL'] } },
  { id: 'P103', name: 'Stormline Rain Jacket', category: 'apparel', price: 120, options: { color: ['yellow', 'black'], size: ['S', 'M', 'L', 'XL'] } },
  { id: 'P104', name: 'Everyday Slim Jeans', category: 'apparel', price: 58, options: { color: ['indigo'], waist: ['30', '32', '34', '36'] } },
  { id: 'P105', name: 'Merino Hiking Socks (3-pack)', category: 'apparel', price: 18.5, options: { size: ['M', 'L'] } },
  { id: 'P106', name: 'Trailhead Runner', category: 'footwear', price: 89, options: { color: ['grey', 'blue'], size: ['8', '9', '10', '11'] } },
  { id: 'P107', name: 'Canvas Court Sneaker', category: 'footwear', price: 55, options: { color: ['white', 'black'], size: ['7', '8', '9', '10'] } },
  { id: 'P108', name: 'Aria Wireless Headphones', category: 'electronics', price: 149.99, options: { color: ['black', 'silver'] } },
  { id: 'P109', name: 'Pulse Bluetooth Speaker', category: 'electronics', price: 79.95, options: { color: ['red', 'black', 'teal'] } },
  { id: 'P110', name: 'Lumen E-Reader', category: 'electronics', price: 119.99, options: { storage: ['8 GB', '32 GB'] }, priceBy: { option: 'storage', prices: { '8 GB': 119.99, '32 GB': 149.99 } } },
  { id: 'P111', name: 'Volt Power Bank 20000mAh', category: 'electronics', price: 39.99, options: { color: ['black'] } },
  { id: 'P112', name: 'Tempo Smartwatch', category: 'electronics', price: 199, options: { band: ['small', 'large'] } },
  { id: 'P113', name: 'Driftwood Ceramic Vase', category: 'home', price: 42.5, options: { color: ['sand', 'slate'] } },
  { id: 'P114', name: 'Cozy Knit Throw Blanket', category: 'home', price: 59, options: { color: ['oat', 'rust', 'slate'] } },
  { id: 'P115', name: 'Arc Desk Lamp', category: 'home', price: 48, options: { finish: ['brass', 'matte black'] } },
  { id: 'P116', name: "Forged Chef's Knife 8in", category: 'kitchen', price: 74, options: { handle: ['walnut'] } },
  { id: 'P117', name: 'Burr Coffee Grinder', category: 'kitchen', price: 89.99, options: { color: ['steel'] } },
  { id: 'P118', name: 'Cast Iron Skillet 10in', category: 'kitchen', price: 36, options: { size: ['10 in'] } },
  { id: 'P119', name: 'Glass French Press', category: 'kitchen', price: 32, options: { size: ['0.6 L', '1 L'] }, priceBy: { option: 'size', prices: { '0.6 L': 32, '1 L': 38 } } },
  { id: 'P120', name: 'Summit Daypack', category: 'outdoors', price: 89.95, options: { color: ['olive', 'black'], volume: ['28 L', '40 L'] }, priceBy: { option: 'volume', prices: { '28 L': 89.95, '40 L': 104.5 } } },
  { id: 'P121', name: 'Insulated Water Bottle', category: 'outdoors', price: 27, options: { color: ['glacier', 'sunset', 'black'] } },
  { id: 'P122', name: 'Two-Person Dome Tent', category: 'outdoors', price: 229, options: { color: ['green'] } },
  { id: 'P123', name: 'Linen Button-Up Shirt', category: 'apparel', price: 29.99, finalSale: true, options: { color: ['white', 'sky'], size: ['S', 'M', 'L'] } },
  { id: 'P124', name: 'Woven Market Tote', category: 'home', price: 34.99, finalSale: true, options: { color: ['natural'] } },
  { id: 'P125', name: 'Echo Earbuds (last season)', category: 'electronics', price: 49.99, finalSale: true, options: { color: ['white'] } },
];

/** A variant id from its product and option values: P106 grey 10 → "P106-GREY-10". */
function variantId(product: string, values: string[]): string {
  return [product, ...values.map((v) => v.toUpperCase().replace(/[^A-Z0-9.]+/g, ''))].join('-');
}

function combos(options: Record<string, string[]>): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(options)) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out;
}

/** Stock the tasks rely on; every other variant gets a seeded amount. */
const STOCK: Record<string, number> = {
  'P102-FOREST-L': 4,
  'P106-BLUE-10': 0,
  'P106-GREY-10': 3,
  'P120-OLIVE-40L': 2,
  'P110-32GB': 5,
};

function buildProducts(rng: Rng): JsonObject {
  const out: JsonObject = {};
  for (const p of PRODUCTS) {
    const variants = combos(p.options).map((options) => {
      const id = variantId(p.id, Object.values(options));
      const price = p.priceBy ? p.priceBy.prices[options[p.priceBy.option]!]! : p.price;
      const stock = STOCK[id] ?? (rng() < 0.15 ? 0 : randInt(rng, 1, 14));
      return { variant_id: id, options, price, stock };
    });
    out[p.id] = { id: p.id, name: p.name, category: p.category, final_sale: p.finalSale === true, variants };
  }
  return out;
}

function variantOf(products: JsonObject, id: string): { product: JsonObject; variant: JsonObject } {
  const product = products[id.split('-')[0]!] as JsonObject;
  const variant = (product['variants'] as JsonObject[]).find((v) => v['variant_id'] === id);
  if (!variant) throw new Error(`no variant ${id}`);
  return { product, variant };
}

/* -------------------------------------------------------------- customers */

interface AddressDef {
  label: string;
  line: string;
}

interface CustomerDef {
  id: string;
  name: string;
  email: string;
  phone: string;
  addresses: AddressDef[];
  storeCredit?: number;
}

interface OrderDef {
  id: string;
  customer: string;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  placed: string;
  /** Shipped on (shipped and delivered orders). */
  shipped?: string;
  delivered?: string;
  variants: string[];
  /** Index into the customer's addresses (default 0). */
  address?: number;
  payment: { method: 'card' | 'paypal' | 'gift_card'; detail: string };
  carrier?: 'UPS' | 'USPS' | 'FedEx';
  tracking?: string;
}

/** The customers the tasks are about, written out by hand. */
const TASK_CUSTOMERS: CustomerDef[] = [
  { id: 'C1001', name: 'Olivia Bennett', email: 'olivia.bennett@example.com', phone: '503-555-0148', addresses: [{ label: 'home', line: '2214 SE Clinton St, Portland, OR 97202' }] },
  { id: 'C1002', name: 'Marcus Hale', email: 'marcus.hale@example.net', phone: '512-555-0193', addresses: [{ label: 'home', line: '809 W 31st St, Austin, TX 78705' }] },
  { id: 'C1003', name: 'Sofia Marchetti', email: 'sofia.marchetti@example.com', phone: '617-555-0111', addresses: [{ label: 'home', line: '41 Prince St, Boston, MA 02113' }] },
  { id: 'C1004', name: 'Ethan Brooks', email: 'ethan.brooks@example.org', phone: '303-555-0127', addresses: [{ label: 'home', line: '1550 Pearl St, Denver, CO 80203' }] },
  { id: 'C1005', name: 'Hannah Lee', email: 'hannah.lee@example.com', phone: '206-555-0174', addresses: [{ label: 'home', line: '3311 Fremont Ave N, Seattle, WA 98103' }], storeCredit: 15 },
  { id: 'C1006', name: 'Tom Fischer', email: 'tom.fischer@example.net', phone: '414-555-0102', addresses: [{ label: 'home', line: '2780 N Downer Ave, Milwaukee, WI 53211' }] },
  { id: 'C1007', name: 'Grace Okafor', email: 'grace.okafor@example.com', phone: '404-555-0166', addresses: [{ label: 'home', line: '615 Ponce De Leon Ave NE, Atlanta, GA 30308' }] },
  { id: 'C1008', name: 'Ruben Alvarez', email: 'ruben.alvarez@example.com', phone: '602-555-0139', addresses: [{ label: 'home', line: '4102 N 12th St, Phoenix, AZ 85014' }] },
  { id: 'C1009', name: 'Mei Tanaka', email: 'mei.tanaka@example.com', phone: '415-555-0181', addresses: [{ label: 'home', line: '1290 Valencia St, San Francisco, CA 94110' }] },
  { id: 'C1010', name: 'Samuel Wright', email: 'sam.wright@example.org', phone: '802-555-0120', addresses: [{ label: 'home', line: '77 Church St, Burlington, VT 05401' }] },
  { id: 'C1011', name: 'Aisha Rahman', email: 'aisha.rahman@example.com', phone: '734-555-0158', addresses: [{ label: 'home', line: '505 E Liberty St, Ann Arbor, MI 48104' }] },
  {
    id: 'C1012', name: 'Lucas Moreau', email: 'lucas.moreau@example.com', phone: '617-555-0190',
    addresses: [
      { label: 'home', line: '18 Magazine St, Cambridge, MA 02139' },
      { label: 'work', line: '200 Berkeley St, Boston, MA 02116' },
    ],
  },
  {
    id: 'C1013', name: 'Nina Petrova', email: 'nina.petrova@example.net', phone: '312-555-0145',
    addresses: [
      { label: 'home', line: '2436 N Clark St, Chicago, IL 60614' },
      { label: 'office', line: '233 S Wacker Dr, Chicago, IL 60606' },
    ],
  },
  { id: 'C1014', name: 'Daniel Kim', email: 'dkim.chicago@example.com', phone: '773-555-0107', addresses: [{ label: 'home', line: '1845 W Belmont Ave, Chicago, IL 60657' }] },
  { id: 'C1015', name: 'Daniel Kim', email: 'daniel.kim.sea@example.net', phone: '206-555-0133', addresses: [{ label: 'home', line: '4219 Stone Way N, Seattle, WA 98103' }] },
  { id: 'C1016', name: 'Isabel Cruz', email: 'isabel.cruz@example.com', phone: '305-555-0176', addresses: [{ label: 'home', line: '1420 Brickell Ave, Miami, FL 33131' }] },
  {
    id: 'C1017', name: 'Jordan Blake', email: 'jordan.blake@example.com', phone: '612-555-0162',
    addresses: [
      { label: 'home', line: '3024 Hennepin Ave, Minneapolis, MN 55408' },
      { label: 'parents', line: '88 Lakeview Dr, Duluth, MN 55803' },
    ],
  },
  { id: 'C1018', name: 'Chloe Dubois', email: 'chloe.dubois@example.com', phone: '504-555-0115', addresses: [{ label: 'home', line: '921 Esplanade Ave, New Orleans, LA 70116' }] },
];

const card = (brand: string, last4: string) => ({ method: 'card' as const, detail: `${brand} ending ${last4}` });

/** The orders the tasks are about (and a few more of the same customers), by hand. */
const TASK_ORDERS: OrderDef[] = [
  { id: 'HP-30118', customer: 'C1001', status: 'processing', placed: '2026-05-14', variants: ['P106-GREY-9', 'P105-M'], payment: card('Visa', '2231') },
  { id: 'HP-29877', customer: 'C1001', status: 'delivered', placed: '2026-04-20', shipped: '2026-04-21', delivered: '2026-04-24', variants: ['P121-GLACIER'], payment: card('Visa', '2231'), carrier: 'USPS' },
  { id: 'HP-30102', customer: 'C1002', status: 'shipped', placed: '2026-05-12', shipped: '2026-05-13', variants: ['P109-TEAL'], payment: card('Mastercard', '7712'), carrier: 'UPS' },
  { id: 'HP-29950', customer: 'C1003', status: 'delivered', placed: '2026-05-01', shipped: '2026-05-02', delivered: '2026-05-06', variants: ['P113-SAND', 'P114-OAT'], payment: card('Visa', '4417'), carrier: 'FedEx' },
  { id: 'HP-29911', customer: 'C1004', status: 'delivered', placed: '2026-04-28', shipped: '2026-04-29', delivered: '2026-05-02', variants: ['P108-BLACK'], payment: card('Mastercard', '0932'), carrier: 'UPS' },
  { id: 'HP-29530', customer: 'C1005', status: 'delivered', placed: '2026-04-10', shipped: '2026-04-11', delivered: '2026-04-15', variants: ['P103-YELLOW-M', 'P121-SUNSET'], payment: card('Visa', '8850'), carrier: 'UPS' },
  { id: 'HP-29517', customer: 'C1006', status: 'delivered', placed: '2026-04-09', shipped: '2026-04-10', delivered: '2026-04-14', variants: ['P117-STEEL'], payment: { method: 'paypal', detail: 'PayPal account tom.fischer@example.net' }, carrier: 'FedEx' },
  { id: 'HP-29990', customer: 'C1007', status: 'delivered', placed: '2026-05-03', shipped: '2026-05-04', delivered: '2026-05-08', variants: ['P123-WHITE-M', 'P101-NAVY-M'], payment: card('Amex', '1005'), carrier: 'USPS' },
  { id: 'HP-29964', customer: 'C1008', status: 'delivered', placed: '2026-05-02', shipped: '2026-05-03', delivered: '2026-05-07', variants: ['P124-NATURAL', 'P118-10IN'], payment: { method: 'paypal', detail: 'PayPal account ruben.alvarez@example.com' }, carrier: 'UPS' },
  { id: 'HP-29940', customer: 'C1009', status: 'delivered', placed: '2026-04-30', shipped: '2026-05-01', delivered: '2026-05-05', variants: ['P102-FOREST-M'], payment: card('Visa', '6120'), carrier: 'USPS' },
  { id: 'HP-29902', customer: 'C1010', status: 'delivered', placed: '2026-04-25', shipped: '2026-04-27', delivered: '2026-04-30', variants: ['P120-OLIVE-28L'], payment: card('Visa', '3391'), carrier: 'FedEx' },
  { id: 'HP-29925', customer: 'C1011', status: 'delivered', placed: '2026-04-29', shipped: '2026-04-30', delivered: '2026-05-04', variants: ['P106-GREY-9'], payment: card('Discover', '5524'), carrier: 'UPS' },
  { id: 'HP-30121', customer: 'C1012', status: 'processing', placed: '2026-05-15', variants: ['P112-LARGE'], payment: card('Visa', '7045') },
  { id: 'HP-30095', customer: 'C1013', status: 'shipped', placed: '2026-05-11', shipped: '2026-05-12', variants: ['P114-RUST', 'P115-BRASS'], payment: card('Mastercard', '2288'), carrier: 'FedEx' },
  { id: 'HP-29948', customer: 'C1014', status: 'delivered', placed: '2026-05-01', shipped: '2026-05-02', delivered: '2026-05-05', variants: ['P115-MATTEBLACK'], payment: card('Visa', '9013'), carrier: 'UPS' },
  { id: 'HP-29960', customer: 'C1015', status: 'delivered', placed: '2026-05-02', shipped: '2026-05-03', delivered: '2026-05-07', variants: ['P115-BRASS', 'P111-BLACK'], payment: card('Visa', '4476'), carrier: 'UPS' },
  { id: 'HP-29933', customer: 'C1016', status: 'delivered', placed: '2026-04-29', shipped: '2026-04-30', delivered: '2026-05-04', variants: ['P107-WHITE-8'], payment: { method: 'gift_card', detail: 'Harbor & Pine gift card ending 6671' }, carrier: 'USPS' },
  { id: 'HP-29945', customer: 'C1017', status: 'delivered', placed: '2026-04-30', shipped: '2026-05-01', delivered: '2026-05-05', variants: ['P101-NAVY-L', 'P101-WHITE-L', 'P104-INDIGO-32'], payment: card('Visa', '1187'), carrier: 'UPS' },
  { id: 'HP-30119', customer: 'C1017', status: 'processing', placed: '2026-05-14', variants: ['P116-WALNUT'], address: 1, payment: card('Visa', '1187') },
  { id: 'HP-30099', customer: 'C1018', status: 'shipped', placed: '2026-05-12', shipped: '2026-05-13', variants: ['P110-8GB', 'P111-BLACK'], payment: card('Mastercard', '6403'), carrier: 'UPS', tracking: '1Z84F2W10392218841' },
];

const FIRST = ['Ava', 'Noah', 'Liam', 'Emma', 'Mia', 'Lucas', 'Zoe', 'Owen', 'Leah', 'Caleb', 'Ruby', 'Isaac', 'Nora', 'Felix', 'Ivy', 'Theo', 'Clara', 'Miles', 'Elena', 'Jonah', 'Maya', 'Adrian', 'Tessa', 'Omar', 'Lena', 'Victor', 'Sara', 'Hugo'];
const LAST = ['Ramirez', 'Nguyen', 'Patel', 'Cohen', 'Sullivan', 'Kowalski', 'Haddad', 'Lindqvist', 'Mensah', 'Ortiz', 'Baker', 'Fitzgerald', 'Yamamoto', 'Novak', 'Greene', 'Castillo', 'Wójcik', 'Adeyemi', 'Romano', 'Schultz'];
const PLACES: [string, string, string, string[]][] = [
  ['Portland', 'OR', '97209', ['NW Everett St', 'SE Division St', 'N Mississippi Ave']],
  ['Denver', 'CO', '80206', ['E Colfax Ave', 'Downing St', 'York St']],
  ['Austin', 'TX', '78704', ['S Congress Ave', 'Barton Springs Rd', 'S 1st St']],
  ['Madison', 'WI', '53703', ['Williamson St', 'E Johnson St', 'Jenifer St']],
  ['Raleigh', 'NC', '27601', ['Glenwood Ave', 'Person St', 'Hillsborough St']],
  ['Tucson', 'AZ', '85705', ['N 4th Ave', 'E Speedway Blvd', 'N Stone Ave']],
  ['Pittsburgh', 'PA', '15213', ['Forbes Ave', 'Murray Ave', 'Walnut St']],
  ['Columbus', 'OH', '43215', ['N High St', 'W 3rd Ave', 'Neil Ave']],
  ['Sacramento', 'CA', '95816', ['J St', 'Capitol Ave', '28th St']],
  ['Richmond', 'VA', '23220', ['W Main St', 'Monument Ave', 'N Harrison St']],
];
const CARDS = ['Visa', 'Mastercard', 'Amex', 'Discover'];

function fillerCustomers(rng: Rng, taken: Set<string>, count: number): CustomerDef[] {
  const out: CustomerDef[] = [];
  for (let i = 0; out.length < count; i++) {
    const name = `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    const [city, state, zip, streets] = pick(rng, PLACES);
    const id = `C${1101 + out.length}`;
    const slug = name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]+/g, '.');
    const addresses: AddressDef[] = [{ label: 'home', line: `${randInt(rng, 10, 4999)} ${pick(rng, streets)}, ${city}, ${state} ${zip}` }];
    if (rng() < 0.3) {
      const [c2, s2, z2, st2] = pick(rng, PLACES);
      addresses.push({ label: 'work', line: `${randInt(rng, 100, 999)} ${pick(rng, st2)}, ${c2}, ${s2} ${z2}` });
    }
    out.push({
      id,
      name,
      email: `${slug}@${pick(rng, ['example.com', 'example.net', 'example.org'])}`,
      phone: `${randInt(rng, 201, 989)}-555-01${String(randInt(rng, 0, 99)).padStart(2, '0')}`,
      addresses,
      ...(rng() < 0.15 ? { storeCredit: pick(rng, [10, 20, 25, 40]) } : {}),
    });
  }
  return out;
}

function fillerOrders(rng: Rng, customers: CustomerDef[], products: JsonObject): OrderDef[] {
  const variantIds = Object.values(products).flatMap((p) => ((p as JsonObject)['variants'] as JsonObject[]).map((v) => String(v['variant_id'])));
  const out: OrderDef[] = [];
  for (const c of customers) {
    const n = randInt(rng, 1, 3);
    const payment = rng() < 0.75 ? card(pick(rng, CARDS), String(randInt(rng, 1000, 9999))) : { method: 'paypal' as const, detail: `PayPal account ${c.email}` };
    for (let k = 0; k < n; k++) {
      const age = randInt(rng, 0, 75);
      const placed = addDays(TODAY, -age);
      const status: OrderDef['status'] = age <= 1 ? 'processing' : age <= 4 ? 'shipped' : rng() < 0.1 ? 'cancelled' : 'delivered';
      const shipped = status === 'shipped' || status === 'delivered' ? addDays(placed, 1) : undefined;
      const delivered = status === 'delivered' ? addDays(placed, Math.min(randInt(rng, 3, 5), age - 1)) : undefined;
      const count = randInt(rng, 1, 3);
      const variants = [...new Set(Array.from({ length: count }, () => pick(rng, variantIds)))];
      out.push({
        id: '',
        customer: c.id,
        status,
        placed,
        ...(shipped ? { shipped } : {}),
        ...(delivered ? { delivered } : {}),
        variants,
        address: c.addresses.length > 1 && rng() < 0.3 ? 1 : 0,
        payment,
        ...(shipped ? { carrier: pick(rng, ['UPS', 'USPS', 'FedEx'] as const) } : {}),
      });
    }
  }
  // Numbered in the order they were placed, below the hand-written orders' range (HP-29xxx and up).
  out.sort((a, b) => a.placed.localeCompare(b.placed) || a.customer.localeCompare(b.customer));
  let next = 24000;
  for (const o of out) o.id = `HP-${(next += randInt(rng, 11, 37))}`;
  return out;
}

function trackingNumber(rng: Rng, carrier: string): string {
  const digits = (n: number) => Array.from({ length: n }, () => String(randInt(rng, 0, 9))).join('');
  if (carrier === 'UPS') return `1Z${digits(3)}W${digits(11)}`;
  if (carrier === 'USPS') return `9400${digits(18)}`;
  return digits(12);
}

function buildDb(): JsonObject {
  const rng = mulberry32(20260515);
  const products = buildProducts(rng);
  const taken = new Set(TASK_CUSTOMERS.map((c) => c.name));
  const filler = fillerCustomers(rng, taken, 24);
  const customerDefs = [...TASK_CUSTOMERS, ...filler];
  const orderDefs = [...TASK_ORDERS, ...fillerOrders(rng, filler, products)];

  const customers: JsonObject = {};
  for (const c of customerDefs) {
    const addresses = c.addresses.map((a, i) => ({ id: `${c.id}-A${i + 1}`, label: a.label, line: a.line }));
    const zip = /(\d{5})$/.exec(c.addresses[0]!.line)![1]!;
    customers[c.id] = {
      id: c.id,
      name: c.name,
      email: c.email,
      phone: c.phone,
      zip,
      addresses,
      order_ids: [],
      store_credit: c.storeCredit ?? 0,
    };
  }

  const orders: JsonObject = {};
  for (const o of [...orderDefs].sort((a, b) => a.id.localeCompare(b.id))) {
    const customer = customers[o.customer] as JsonObject;
    (customer['order_ids'] as Json[]).push(o.id);
    const items = o.variants.map((vid, k) => {
      const { product, variant } = variantOf(products, vid);
      return {
        item_id: `${o.id}-${k + 1}`,
        product_id: product['id']!,
        variant_id: vid,
        name: product['name']!,
        options: variant['options']!,
        category: product['category']!,
        price: variant['price']!,
        final_sale: product['final_sale']!,
        status: 'ok',
      };
    });
    const subtotal = money(items.reduce((s, i) => s + Number(i.price), 0));
    const shippingFee = subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
    const total = money(subtotal + shippingFee);
    const address = (customer['addresses'] as JsonObject[])[o.address ?? 0]!;
    const record: JsonObject = {
      id: o.id,
      customer_id: o.customer,
      status: o.status,
      placed_on: o.placed,
      items,
      subtotal,
      shipping_fee: shippingFee,
      total,
      shipping_address: address,
      payment: o.payment,
      refunds: [],
      exchanges: [],
    };
    if (o.shipped) {
      record['shipped_on'] = o.shipped;
      record['carrier'] = o.carrier ?? 'UPS';
      record['tracking_number'] = o.tracking ?? trackingNumber(rng, o.carrier ?? 'UPS');
    }
    if (o.delivered) record['delivered_on'] = o.delivered;
    if (o.status === 'cancelled') {
      record['cancelled_on'] = addDays(o.placed, 1);
      (record['refunds'] as Json[]).push({ type: 'cancellation', amount: total, method: 'original_payment', refunded_to: o.payment.detail, issued_on: addDays(o.placed, 1) });
    }
    orders[o.id] = record;
  }
  return { meta: { today: TODAY, store: STORE, currency: 'USD' }, products, customers, orders };
}

/* ----------------------------------------------------------------- policy */

const POLICY = `# ${STORE} — customer service policy

You are the online customer-service agent of ${STORE}, a US store selling clothing, shoes, electronics and home goods. You help customers with their orders: status and tracking, cancellations, shipping-address changes, returns and exchanges. Today's date is ${TODAY}.

## Identify the customer first
- Before you look up or change anything, identify the customer: ask for the email address on the account and use \`find_customer_by_email\`. If they do not know it, ask for their full name and the zip code of their home address and use \`find_customers_by_name_zip\`; if that finds more than one customer, ask for the email address.
- Help one customer per conversation, and only with orders in their \`order_ids\`. Never discuss another person's account or orders.

## Look up, check, confirm, then act
- Look up the order with \`get_order\` and check the request against this policy before offering anything.
- Before any change (\`cancel_order\`, \`update_shipping_address\`, \`return_items\`, \`exchange_item\`) state the exact details: order id, items, new address, refund amount and where it goes, or the new variant and any price difference. Ask the customer to confirm, and go ahead only after an explicit "yes". One change per confirmation.

## Cancellations
- An order can be cancelled only while its status is "processing". Shipped or delivered orders cannot be cancelled; once delivered, they may be returned.
- A cancellation refunds the full order total, shipping included, to the original payment method.

## Shipping-address changes
- The shipping address can be changed only while the order is "processing".
- Orders can only ship to an address saved on the customer's account (the \`addresses\` in their record). To ship somewhere else, the customer must first add the address under Account > Addresses on our website; you cannot add addresses.

## Returns
- Only "delivered" orders can be returned, within 30 days of the delivery date (\`delivered_on\`), counting to today's date above: on day 30 a return is still accepted, from day 31 it is not. There are no exceptions to the window.
- Ask the customer what condition each item is in and pass it as \`condition\`: "unused" (unworn, unopened, tags or packaging intact), "opened" (opened, worn or used) or "damaged" (arrived damaged or defective). Items in different conditions are returned in separate calls.
- Final-sale items (\`final_sale: true\`, bought on clearance) cannot be returned or exchanged, unless they arrived damaged or defective.
- Opened electronics carry a 15% restocking fee, deducted from the refund. There is no fee for unused or damaged items, nor for other categories.
- A return refunds the price of the items, less any restocking fee; the shipping fee is not refunded.
- The refund goes to the original payment method or to store credit, as the customer chooses; ask if they have not said. Orders paid with a ${STORE} gift card can only be refunded as store credit.

## Exchanges
- A delivered item can be exchanged, within the same 30 days, for another size or color of the same product (a variant from \`get_product\`) that is in stock. Anything else is a return and a new order.
- Final-sale items cannot be exchanged. Each item can be exchanged once.
- If the new variant costs more, the difference is charged to the original payment method; if it costs less, the difference is refunded to it. Tell the customer the amount before they confirm.

## General
- Never make up order details, prices, dates or tracking numbers: report only what the tools return.
- If a tool returns an error, tell the customer plainly; never pretend a change went through.
- Transfer to a human agent with \`transfer_to_human\` only when the customer insists on something outside this policy after you have explained you cannot do it. Do not transfer requests you can handle yourself.
- Be courteous and concise.
`;

/* ------------------------------------------------------------------ tools */

const tool = toolSpec;

const P = {
  orderId: { type: 'string', description: 'Order id, e.g. "HP-29950".' } as Prop,
  email: { type: 'string', description: 'Email address on the account, e.g. "sofia.marchetti@example.com".' } as Prop,
};

const getOrder: ToolStep = { get: 'orders', key: '{args.order_id}', as: 'order', notFound: 'Order not found: {key}.' };

function tools(): ToolSpec[] {
  return [
    tool('find_customer_by_email', 'read', 'Find a customer account by email. Returns id, name, email, phone, zip, saved addresses (id, label, line), order_ids and store_credit.', { email: P.email }, {
      steps: [{ find: 'customers', where: { email: '{args.email}' }, first: true, as: 'customer', notFound: 'No customer found with email {args.email}.' }],
      returns: '{customer}',
    }),
    tool('find_customers_by_name_zip', 'read', 'Find customer accounts by full name and the zip code of the home address, when the customer does not know their email. Returns every match.', {
      name: { type: 'string', description: 'Full name, e.g. "Daniel Kim".' },
      zip: { type: 'string', description: '5-digit zip code of the home address, e.g. "98103".' },
    }, {
      steps: [{ find: 'customers', where: { name: '{args.name}', zip: '{args.zip}' }, as: 'matches', notFound: 'No customer named {args.name} with zip code {args.zip}.' }],
      returns: { customers: '{matches}' },
    }),
    tool('get_order', 'read', 'Get an order by id: status (processing, shipped, delivered or cancelled), dates, items (item_id, product_id, variant_id, name, options, category, price, final_sale, status ok/returned/exchanged), totals, shipping address, carrier and tracking number, payment, refunds and exchanges.', { order_id: P.orderId }, {
      steps: [getOrder],
      returns: '{order}',
    }),
    tool('get_product', 'read', 'Get a product by id: name, category, final_sale and its variants (variant_id, options such as color and size, price, stock).', {
      product_id: { type: 'string', description: 'Product id, e.g. "P106".' },
    }, {
      steps: [{ get: 'products', key: '{args.product_id}', as: 'product', notFound: 'Product not found: {key}.' }],
      returns: '{product}',
    }),
    tool('cancel_order', 'write', 'Cancel an order that is still processing. The full total, shipping included, is refunded to the original payment method. Only after the customer has confirmed.', {
      order_id: P.orderId,
      reason: { type: 'string', description: 'The customer\'s reason in a few words, e.g. "ordered by mistake".' },
    }, {
      steps: [
        getOrder,
        { check: '{order.status}', in: ['processing'], message: 'Order {order.id} is {order.status}; only orders that are still processing can be cancelled.' },
        { set: 'order.status', value: 'cancelled' },
        { set: 'order.cancelled_on', value: '{db.meta.today}' },
        {
          append: 'order.refunds',
          value: { type: 'cancellation', amount: '{order.total}', method: 'original_payment', refunded_to: '{order.payment.detail}', issued_on: '{db.meta.today}' },
        },
      ],
      returns: { order_id: '{order.id}', status: 'cancelled', reason: '{args.reason}', refund: { amount: '{order.total}', refunded_to: '{order.payment.detail}' } },
    }),
    tool('update_shipping_address', 'write', "Ship an order that is still processing to another address saved on the customer's account (an address id from the customer record). Only after the customer has confirmed.", {
      order_id: P.orderId,
      address_id: { type: 'string', description: 'Id of a saved address of the customer, e.g. "C1012-A2".' },
    }, {
      steps: [
        getOrder,
        { check: '{order.status}', in: ['processing'], message: 'Order {order.id} is {order.status}; the shipping address can only be changed while the order is processing.' },
        { get: 'customers', key: '{order.customer_id}', as: 'customer' },
        {
          find: 'customer.addresses',
          where: { id: '{args.address_id}' },
          first: true,
          as: 'address',
          notFound: 'Address {args.address_id} is not saved on the account that placed order {order.id}; orders can only ship to saved addresses.',
        },
        // A change to the address the order already ships to would change nothing: say so.
        { find: 'orders', where: { id: '{order.id}', 'shipping_address.id': '{address.id}' }, as: 'unchanged' },
        { check: '{unchanged[0]}', exists: false, message: 'Order {order.id} already ships to {address.line}.' },
        { set: 'order.shipping_address', value: '{address}' },
      ],
      returns: { order_id: '{order.id}', shipping_address: '{address}' },
    }),
    tool('return_items', 'write', 'Return items of a delivered order within 30 days of delivery, all in the same condition. Refunds the price less any restocking fee (15% on opened electronics) to the original payment method or as store credit. Only after the customer has confirmed.', {
      order_id: P.orderId,
      item_ids: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Ids of the items to return, from the order, e.g. ["HP-29950-1"].' },
      condition: { type: 'string', description: 'The condition of the items as the customer describes it.', enum: ['unused', 'opened', 'damaged'] },
      refund_method: { type: 'string', description: 'Where the refund goes.', enum: ['original_payment', 'store_credit'] },
    }),
    tool('exchange_item', 'write', 'Exchange one delivered item, within 30 days of delivery, for another variant (size or color) of the same product that is in stock. Any price difference is charged or refunded to the original payment method. Only after the customer has confirmed.', {
      order_id: P.orderId,
      item_id: { type: 'string', description: 'Id of the item in the order, e.g. "HP-29940-1".' },
      new_variant_id: { type: 'string', description: 'Variant id from get_product, e.g. "P102-FOREST-L".' },
    }),
    tool('transfer_to_human', 'read', 'Hand the conversation to a human agent. Only for requests outside the policy that the customer insists on. Ends the conversation.', {
      summary: { type: 'string', description: "A short summary of the customer's request and what has been done." },
    }, {
      steps: [],
      returns: { transferred: true, summary: '{args.summary}', message: 'The conversation has been handed to a human agent, who will reply shortly.' },
      transfer: true,
    }),
  ];
}

/* ------------------------------------------------------------------ tasks */

const byEmail = (email: string) => g('find_customer_by_email', { email });
const order = (id: string) => g('get_order', { order_id: id });

/** Where a Harbor & Pine customer has an order number from, unless a task says otherwise. */
const SOURCES = { order_id: 'the order confirmation email', second_order_id: 'the order confirmation email' };
const task = (d: TaskDef): PackTask => packTask('retail', withSources(d, SOURCES));

const RETURN_ARGS = ['order_id', 'item_ids', 'condition', 'refund_method'];
const EXCHANGE_ARGS = ['order_id', 'item_id', 'new_variant_id'];


function tasks(): PackTask[] {
  return [
    task({
      id: 'cancel-processing',
      title: 'Cancel an order that is still processing',
      purpose: 'Baseline write: identify by email, look the order up, confirm, cancel, report the full refund.',
      difficulty: 'easy',
      reason: 'You ordered running shoes and socks yesterday and no longer need them.',
      known: { email: 'olivia.bennett@example.com', name: 'Olivia Bennett', order_id: 'HP-30118', reason: 'no longer needed' },
      unknown: ['the order total', 'whether shipping was charged'],
      instructions: 'You are Olivia Bennett. You placed order HP-30118 (Trailhead Runner shoes and a pack of merino socks) yesterday and want to cancel it because you no longer need it. Give your email olivia.bennett@example.com when asked. Confirm once the agent names order HP-30118. Ask how much you will get back. You do not know the total; do not make one up.',
      requests: [{ type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { order_id: 'HP-30118' } }, learn('find out how much I will get back', '107.50')],
      gold: [byEmail('olivia.bennett@example.com'), order('HP-30118'), g('cancel_order', { order_id: 'HP-30118', reason: 'no longer needed' }, ['order_id'])],
      env: [{ path: 'orders.HP-30118.status', equals: 'cancelled' }],
      communicate: ['107.50'],
      nl: ['The agent tells the customer that the refund goes back to the Visa card the order was paid with.'],
    }),
    task({
      id: 'cancel-shipped-refused',
      title: 'Try to cancel an order that has already shipped',
      purpose: 'Policy refusal: shipped orders cannot be cancelled; nothing may change.',
      difficulty: 'easy',
      reason: 'You found the speaker cheaper elsewhere and want to cancel your order.',
      known: { email: 'marcus.hale@example.net', name: 'Marcus Hale', order_id: 'HP-30102', reason: 'found it cheaper elsewhere' },
      unknown: ['whether the order has shipped', 'the tracking number'],
      instructions: 'You are Marcus Hale. You want to cancel order HP-30102 (a Pulse Bluetooth Speaker) because you found it cheaper elsewhere. Your email is marcus.hale@example.net. If the agent explains that the order has already shipped and cannot be cancelled, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { order_id: 'HP-30102' } }],
      acceptsRefusal: true,
      refusalReason: ['shipped'],
      communicate: ['shipped'],
      gold: [byEmail('marcus.hale@example.net'), order('HP-30102')],
      env: [{ path: 'orders.HP-30102.status', equals: 'shipped' }],
      nl: ['The agent explains that the order has already shipped and can no longer be cancelled, and that it can be returned once delivered.'],
    }),
    task({
      id: 'return-unused-original',
      title: 'Return one unused item to the original card',
      purpose: 'Partial return within the window, unused, refund to the card.',
      difficulty: 'easy',
      reason: 'The ceramic vase you bought does not suit your living room; you want to return it.',
      known: { email: 'sofia.marchetti@example.com', name: 'Sofia Marchetti', order_id: 'HP-29950', items: 'Driftwood Ceramic Vase', condition: 'unused', refund_method: 'original payment method' },
      unknown: ['the item ids', 'the exact delivery date'],
      instructions: 'You are Sofia Marchetti. Order HP-29950 brought a Driftwood Ceramic Vase and a Cozy Knit Throw Blanket. You want to return the vase only (it is unused, still in its box) and keep the blanket. You want the money back on your card. Your email is sofia.marchetti@example.com.',
      requests: [{ type: 'action', utterance: 'return the vase', tool: 'return_items', expect: { order_id: 'HP-29950', items: 'Driftwood Ceramic Vase' } }, learn('find out how much I will get back', '42.50')],
      gold: [byEmail('sofia.marchetti@example.com'), order('HP-29950'), g('return_items', { order_id: 'HP-29950', item_ids: ['HP-29950-1'], condition: 'unused', refund_method: 'original_payment' }, RETURN_ARGS)],
      env: [{ path: 'orders.HP-29950.items[0].status', equals: 'returned' }, { path: 'orders.HP-29950.items[1].status', equals: 'ok' }],
      communicate: ['42.50'],
    }),
    task({
      id: 'return-opened-electronics-fee',
      title: 'Return opened headphones with the restocking fee',
      purpose: 'Arithmetic rule: opened electronics carry a 15% restocking fee; the agent must ask the condition and state the reduced refund.',
      difficulty: 'medium',
      reason: 'You tried the wireless headphones for a few days and do not like the sound; you want to return them.',
      known: { email: 'ethan.brooks@example.org', name: 'Ethan Brooks', order_id: 'HP-29911', items: 'Aria Wireless Headphones', condition: 'opened', refund_method: 'original payment method' },
      unknown: ['the restocking fee', 'the refund amount'],
      instructions: 'You are Ethan Brooks. You want to return the Aria Wireless Headphones from order HP-29911. You opened them and used them for a few days; they work fine but you dislike the sound. If asked, say honestly that they were opened and used. You want the refund on your card. Your email is ethan.brooks@example.org. If the agent mentions a restocking fee, accept it.',
      requests: [{ type: 'action', utterance: 'return my headphones', tool: 'return_items', expect: { order_id: 'HP-29911', items: 'Aria Wireless Headphones' } }, learn('find out how much I will get back after the fee', '127.49')],
      gold: [byEmail('ethan.brooks@example.org'), order('HP-29911'), g('return_items', { order_id: 'HP-29911', item_ids: ['HP-29911-1'], condition: 'opened', refund_method: 'original_payment' }, RETURN_ARGS)],
      env: [{ path: 'orders.HP-29911.refunds[0].restocking_fee', equals: 22.5 }],
      communicate: ['127.49'],
      nl: ['The agent explains the 15% restocking fee before the customer confirms.'],
    }),
    task({
      id: 'return-day-30',
      title: 'Return on the last day of the window',
      purpose: 'Window edge: delivered exactly 30 days ago, so the return is still accepted; refund as store credit.',
      difficulty: 'medium',
      reason: 'You want to return a rain jacket that arrived a month ago; you think you may be just in time.',
      known: { email: 'hannah.lee@example.com', name: 'Hannah Lee', order_id: 'HP-29530', items: 'Stormline Rain Jacket', condition: 'unused', refund_method: 'store credit' },
      unknown: ['the exact delivery date', 'the store credit balance'],
      instructions: 'You are Hannah Lee. You want to return the Stormline Rain Jacket from order HP-29530; it is unworn with the tags on. Keep the water bottle from the same order. You would like store credit. Your email is hannah.lee@example.com. You are not sure whether you are still within the return window.',
      requests: [{ type: 'action', utterance: 'return a rain jacket', tool: 'return_items', expect: { order_id: 'HP-29530', items: 'Stormline Rain Jacket', refund_method: 'store credit' } }, learn('find out how much store credit I will get', '120')],
      gold: [byEmail('hannah.lee@example.com'), order('HP-29530'), g('return_items', { order_id: 'HP-29530', item_ids: ['HP-29530-1'], condition: 'unused', refund_method: 'store_credit' }, RETURN_ARGS)],
      env: [{ path: 'customers.C1005.store_credit', equals: 135 }],
      communicate: ['120'],
    }),
    task({
      id: 'return-day-31-refused',
      title: 'Return one day after the window closed',
      purpose: 'Window edge: delivered 31 days ago, so the return must be refused even though the item is unused.',
      difficulty: 'medium',
      reason: 'You never used the coffee grinder you bought last month and want to return it.',
      known: { email: 'tom.fischer@example.net', name: 'Tom Fischer', order_id: 'HP-29517', items: 'Burr Coffee Grinder', condition: 'unused', refund_method: 'original payment method' },
      unknown: ['the exact delivery date'],
      instructions: 'You are Tom Fischer. You want to return the Burr Coffee Grinder from order HP-29517; it is still sealed. Your email is tom.fischer@example.net. If the agent says the 30-day window has passed, ask once whether an exception is possible since it is only a day; if the agent still says no, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'return a coffee grinder', tool: 'return_items', expect: { order_id: 'HP-29517', items: 'Burr Coffee Grinder' } }],
      acceptsRefusal: true,
      refusalReason: ['30 days', '30-day'],
      communicate: ['30'],
      gold: [byEmail('tom.fischer@example.net'), order('HP-29517')],
      env: [{ path: 'orders.HP-29517.items[0].status', equals: 'ok' }],
      nl: ['The agent explains that the order was delivered 31 days ago, outside the 30-day return window, and makes no exception.'],
    }),
    task({
      id: 'return-final-sale-refused',
      title: 'Try to return an unused final-sale shirt',
      purpose: 'Item condition rule: a clearance (final-sale) item that is not damaged cannot be returned or exchanged.',
      difficulty: 'medium',
      reason: 'The linen shirt you bought does not fit and you want to return it.',
      known: { email: 'grace.okafor@example.com', name: 'Grace Okafor', order_id: 'HP-29990', items: 'Linen Button-Up Shirt', condition: 'unused', refund_method: 'original payment method' },
      unknown: ['that the shirt was a final-sale item'],
      instructions: 'You are Grace Okafor. Order HP-29990 brought a Linen Button-Up Shirt and a Harbor Crew T-Shirt. The linen shirt does not fit; it is unworn with tags. You want to return it. Your email is grace.okafor@example.com. If the agent explains it was a final-sale item that cannot be returned or exchanged, accept it and end the conversation. Keep the t-shirt.',
      requests: [{ type: 'action', utterance: 'return a shirt', tool: 'return_items', expect: { order_id: 'HP-29990', items: 'Linen Button-Up Shirt' } }],
      acceptsRefusal: true,
      refusalReason: ['final sale', 'final-sale'],
      communicate: ['final'],
      gold: [byEmail('grace.okafor@example.com'), order('HP-29990')],
      env: [{ path: 'orders.HP-29990.items[0].status', equals: 'ok' }],
      nl: ['The agent explains that the shirt was bought on clearance as a final-sale item and cannot be returned.'],
    }),
    task({
      id: 'return-final-sale-damaged',
      title: 'Return a damaged final-sale tote',
      purpose: 'Item condition rule: a final-sale item that arrived damaged can be returned, for the full price; the agent must ask the condition.',
      difficulty: 'hard',
      reason: 'The market tote you bought on clearance arrived with a torn strap.',
      known: { email: 'ruben.alvarez@example.com', name: 'Ruben Alvarez', order_id: 'HP-29964', items: 'Woven Market Tote', condition: 'damaged', refund_method: 'original payment method' },
      unknown: ['whether clearance items can be returned', 'the refund amount'],
      instructions: 'You are Ruben Alvarez. Order HP-29964 brought a Woven Market Tote (bought on clearance) and a cast iron skillet. The tote arrived with one strap torn off; you want to return it for a refund to your PayPal account. Keep the skillet. Your email is ruben.alvarez@example.com. Mention the torn strap when you describe the problem.',
      requests: [{ type: 'action', utterance: 'return a damaged tote bag', tool: 'return_items', expect: { order_id: 'HP-29964', items: 'Woven Market Tote' } }, learn('find out how much I will get back', '34.99')],
      gold: [byEmail('ruben.alvarez@example.com'), order('HP-29964'), g('return_items', { order_id: 'HP-29964', item_ids: ['HP-29964-1'], condition: 'damaged', refund_method: 'original_payment' }, RETURN_ARGS)],
      env: [{ path: 'orders.HP-29964.items[0].return_condition', equals: 'damaged' }],
      communicate: ['34.99'],
    }),
    task({
      id: 'exchange-size',
      title: 'Exchange a hoodie for a larger size',
      purpose: 'Exchange for another variant of the same product, in stock, same price.',
      difficulty: 'easy',
      reason: 'The hoodie you ordered in size M is too small; you want size L in the same color.',
      known: { email: 'mei.tanaka@example.com', name: 'Mei Tanaka', order_id: 'HP-29940', items: 'Pine Ridge Hoodie', new_size: 'L', color: 'forest' },
      unknown: ['the variant ids', 'whether size L is in stock'],
      instructions: 'You are Mei Tanaka. The Pine Ridge Hoodie (forest, size M) from order HP-29940 is too small. You want to exchange it for the same hoodie in size L, same forest color. Your email is mei.tanaka@example.com.',
      requests: [{ type: 'action', utterance: 'exchange my hoodie for a bigger size', tool: 'exchange_item', expect: { order_id: 'HP-29940', items: 'Pine Ridge Hoodie', new_size: 'L' } }],
      gold: [byEmail('mei.tanaka@example.com'), order('HP-29940'), g('get_product', { product_id: 'P102' }), g('exchange_item', { order_id: 'HP-29940', item_id: 'HP-29940-1', new_variant_id: 'P102-FOREST-L' }, EXCHANGE_ARGS)],
      env: [{ path: 'orders.HP-29940.items[0].status', equals: 'exchanged' }, { path: 'orders.HP-29940.exchanges[0].price_difference', equals: 0 }],
    }),
    task({
      id: 'exchange-price-difference',
      title: 'Exchange a daypack for the larger, dearer version',
      purpose: 'Exchange with arithmetic: the 40 L variant costs more and the difference is charged; the agent must state it.',
      difficulty: 'hard',
      reason: 'Your 28-litre daypack is too small for your trips; you want the 40-litre version in the same color.',
      known: { email: 'sam.wright@example.org', name: 'Samuel Wright', order_id: 'HP-29902', items: 'Summit Daypack', new_size: '40 L', color: 'olive' },
      unknown: ['the price of the 40 L version', 'the price difference'],
      instructions: 'You are Samuel Wright. You want to exchange the Summit Daypack (olive, 28 L) from order HP-29902 for the 40 L version in olive. Your email is sam.wright@example.org. Ask how much extra it costs; accept paying the difference on your card.',
      requests: [{ type: 'action', utterance: 'exchange my backpack for the bigger one', tool: 'exchange_item', expect: { order_id: 'HP-29902', items: 'Summit Daypack', new_size: '40 L' } }, learn('find out how much extra the bigger one costs', '14.55')],
      gold: [byEmail('sam.wright@example.org'), order('HP-29902'), g('get_product', { product_id: 'P120' }), g('exchange_item', { order_id: 'HP-29902', item_id: 'HP-29902-1', new_variant_id: 'P120-OLIVE-40L' }, EXCHANGE_ARGS)],
      env: [{ path: 'orders.HP-29902.exchanges[0].price_difference', equals: 14.55 }],
      communicate: ['14.55'],
    }),
    task({
      id: 'exchange-out-of-stock-fallback',
      title: 'Exchange when the first choice is out of stock',
      purpose: 'The wanted variant has no stock; the agent must say so and offer what is available; the user takes the fallback.',
      difficulty: 'hard',
      reason: 'Your trail running shoes are half a size too small; you want size 10, ideally in blue.',
      known: { email: 'aisha.rahman@example.com', name: 'Aisha Rahman', order_id: 'HP-29925', items: 'Trailhead Runner', new_size: '10', color: 'grey' },
      unknown: ['which colors are in stock in size 10'],
      instructions: 'You are Aisha Rahman. The Trailhead Runner shoes (grey, size 9) from order HP-29925 are too small. You want to exchange them for size 10, preferably in blue. If blue in size 10 is out of stock, you accept size 10 in grey (the same color you have). Your email is aisha.rahman@example.com.',
      requests: [{ type: 'action', utterance: 'exchange my running shoes for size 10', tool: 'exchange_item', expect: { order_id: 'HP-29925', new_size: '10', color: 'grey' } }],
      gold: [byEmail('aisha.rahman@example.com'), order('HP-29925'), g('get_product', { product_id: 'P106' }), g('exchange_item', { order_id: 'HP-29925', item_id: 'HP-29925-1', new_variant_id: 'P106-GREY-10' }, EXCHANGE_ARGS)],
      env: [{ path: 'orders.HP-29925.items[0].exchanged_for', equals: 'P106-GREY-10' }],
      nl: ['The agent tells the customer that the blue size 10 is out of stock before offering grey.'],
    }),
    task({
      id: 'change-address-saved',
      title: 'Send a processing order to the work address',
      purpose: 'Address change to an address saved on the account, while the order is processing.',
      difficulty: 'easy',
      reason: 'You will be at the office all week and want today\'s order delivered there instead of home.',
      known: { email: 'lucas.moreau@example.com', name: 'Lucas Moreau', order_id: 'HP-30121', address: 'work address', work_address: '200 Berkeley St' },
      unknown: ['the address id'],
      instructions: 'You are Lucas Moreau. You ordered a Tempo Smartwatch today (order HP-30121). You want it shipped to your work address (200 Berkeley St, Boston), which is saved on your account, instead of home. Your email is lucas.moreau@example.com.',
      requests: [{ type: 'action', utterance: 'ship my order to my work address', tool: 'update_shipping_address', expect: { order_id: 'HP-30121', address: 'work_address' } }],
      gold: [byEmail('lucas.moreau@example.com'), order('HP-30121'), g('update_shipping_address', { order_id: 'HP-30121', address_id: 'C1012-A2' }, ['order_id', 'address_id'])],
      env: [{ path: 'orders.HP-30121.shipping_address.label', equals: 'work' }],
    }),
    task({
      id: 'change-address-shipped-refused',
      title: 'Try to redirect an order that has shipped',
      purpose: 'Policy refusal: the address of a shipped order cannot be changed, even to a saved address.',
      difficulty: 'medium',
      reason: 'You want your order delivered to your office instead of home.',
      known: { email: 'nina.petrova@example.net', name: 'Nina Petrova', order_id: 'HP-30095', address: 'office address', office_address: '233 S Wacker Dr' },
      unknown: ['whether the order has shipped'],
      instructions: 'You are Nina Petrova. You want order HP-30095 (a throw blanket and a desk lamp) delivered to your office address (233 S Wacker Dr), which is saved on your account. Your email is nina.petrova@example.net. If the agent explains that the order has already shipped and the address cannot be changed, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'send my order to my office', tool: 'update_shipping_address', expect: { order_id: 'HP-30095', address: 'office_address' } }],
      acceptsRefusal: true,
      refusalReason: ['shipped'],
      communicate: ['shipped'],
      gold: [byEmail('nina.petrova@example.net'), order('HP-30095')],
      env: [{ path: 'orders.HP-30095.shipping_address.label', equals: 'home' }],
      nl: ['The agent explains that the order has already shipped, so its address can no longer be changed.'],
    }),
    task({
      id: 'identify-name-zip',
      title: 'Identify by name and zip among namesakes, return to store credit',
      purpose: 'Two customers named Daniel Kim: the zip picks the right one; then a return as store credit.',
      difficulty: 'medium',
      reason: 'You want to return a desk lamp but cannot remember which email address you used.',
      known: { name: 'Daniel Kim', zip: '98103', order_id: 'HP-29960', items: 'Arc Desk Lamp', condition: 'unused', refund_method: 'store credit' },
      unknown: ['the email address on the account', 'the item ids'],
      instructions: 'You are Daniel Kim from Seattle, zip code 98103. You do not remember the email address on your account. You want to return the Arc Desk Lamp (brass, still boxed) from order HP-29960 and keep the power bank. You want store credit.',
      requests: [{ type: 'action', utterance: 'return a desk lamp', tool: 'return_items', expect: { order_id: 'HP-29960', items: 'Arc Desk Lamp', refund_method: 'store credit' } }, learn('find out how much store credit I will get', '48')],
      gold: [
        g('find_customers_by_name_zip', { name: 'Daniel Kim', zip: '98103' }),
        order('HP-29960'),
        g('return_items', { order_id: 'HP-29960', item_ids: ['HP-29960-1'], condition: 'unused', refund_method: 'store_credit' }, RETURN_ARGS),
      ],
      env: [{ path: 'customers.C1015.store_credit', equals: 48 }, { path: 'customers.C1014.store_credit', equals: 0 }],
      communicate: ['48'],
    }),
    task({
      id: 'gift-card-store-credit',
      title: 'Return a gift-card purchase: store credit only',
      purpose: 'Refund-method rule: the customer asks for a card refund, but gift-card orders are refunded only as store credit.',
      difficulty: 'hard',
      reason: 'You want to return sneakers that were a gift-card purchase, and would like the money on your card.',
      known: { email: 'isabel.cruz@example.com', name: 'Isabel Cruz', order_id: 'HP-29933', items: 'Canvas Court Sneaker', condition: 'unused', refund_method: 'store credit' },
      unknown: ['that gift-card orders are refunded only as store credit'],
      instructions: 'You are Isabel Cruz. You want to return the Canvas Court Sneakers (white, size 8, never worn) from order HP-29933, which you paid with a Harbor & Pine gift card. At first ask for the refund to go to your credit card. If the agent explains that gift-card orders can only be refunded as store credit, accept store credit. Your email is isabel.cruz@example.com.',
      requests: [{ type: 'action', utterance: 'return my sneakers', tool: 'return_items', expect: { order_id: 'HP-29933', items: 'Canvas Court Sneaker', refund_method: 'store credit' } }, learn('find out how much store credit I will get', '55')],
      gold: [byEmail('isabel.cruz@example.com'), order('HP-29933'), g('return_items', { order_id: 'HP-29933', item_ids: ['HP-29933-1'], condition: 'unused', refund_method: 'store_credit' }, RETURN_ARGS)],
      env: [{ path: 'customers.C1016.store_credit', equals: 55 }],
      communicate: ['55'],
    }),
    task({
      id: 'return-two-and-cancel',
      title: 'Return two t-shirts and cancel another order',
      purpose: 'Two requests in one conversation: a two-item return to store credit, then a cancellation; two amounts to report.',
      difficulty: 'hard',
      reason: 'Two t-shirts did not fit, and you also want to cancel a knife you ordered yesterday.',
      known: { email: 'jordan.blake@example.com', name: 'Jordan Blake', order_id: 'HP-29945', items: 'Harbor Crew T-Shirt', condition: 'unused', refund_method: 'store credit', second_order_id: 'HP-30119', reason: 'changed my mind' },
      unknown: ['the item ids', 'the refund amounts'],
      instructions: "You are Jordan Blake. First: order HP-29945 brought two Harbor Crew T-Shirts (navy and white, size L) and a pair of jeans. Return both t-shirts, unworn, as store credit; keep the jeans. Second: cancel order HP-30119 (a chef's knife you ordered yesterday) because you changed your mind. Your email is jordan.blake@example.com. Ask how much you get back for each.",
      requests: [
        { type: 'action', utterance: 'return two t-shirts', tool: 'return_items', expect: { order_id: 'HP-29945', items: 'Harbor Crew T-Shirt', refund_method: 'store credit' } },
        learn('find out how much I get back for the t-shirts', '48'),
        { type: 'action', utterance: 'cancel another order', tool: 'cancel_order', expect: { order_id: 'HP-30119' } },
        learn('find out how much I get back for the knife', '79.99'),
      ],
      gold: [
        byEmail('jordan.blake@example.com'),
        order('HP-29945'),
        g('return_items', { order_id: 'HP-29945', item_ids: ['HP-29945-1', 'HP-29945-2'], condition: 'unused', refund_method: 'store_credit' }, RETURN_ARGS),
        order('HP-30119'),
        g('cancel_order', { order_id: 'HP-30119', reason: 'changed my mind' }, ['order_id']),
      ],
      env: [{ path: 'customers.C1017.store_credit', equals: 48 }, { path: 'orders.HP-30119.status', equals: 'cancelled' }, { path: 'orders.HP-29945.items[2].status', equals: 'ok' }],
      communicate: ['48', '79.99'],
    }),
    task({
      id: 'where-is-order',
      title: 'Ask where a shipped order is',
      purpose: 'Information only: report the carrier and tracking number; nothing changes.',
      difficulty: 'easy',
      reason: 'You want to know where your e-reader order is.',
      known: { email: 'chloe.dubois@example.com', name: 'Chloe Dubois', order_id: 'HP-30099' },
      unknown: ['the tracking number', 'the carrier'],
      instructions: 'You are Chloe Dubois. You ordered a Lumen E-Reader and a power bank (order HP-30099) and want to know where it is. Ask for the tracking number. Your email is chloe.dubois@example.com. You do not want to change anything.',
      requests: [learn('find out where my order is', '1Z84F2W10392218841')],
      gold: [byEmail('chloe.dubois@example.com'), order('HP-30099')],
      communicate: ['1Z84F2W10392218841'],
    }),
  ];
}

/* ------------------------------------------------------------------- pack */

export function buildRetailPack(): ScenarioPack {
  const db = buildDb();
  const t = tasks();
  const count = (table: string) => Object.keys(db[table] as JsonObject).length;
  return {
    formatVersion: 1,
    id: 'retail',
    title: `${STORE} — orders, returns and exchanges`,
    description: `An online store's customer service: cancellations, address changes to saved addresses, returns within a 30-day window (final-sale items, restocking fee on opened electronics, gift-card orders refunded as store credit) and exchanges for another size or color with the price difference. ${count('customers')} customers (two sharing a name), ${count('orders')} orders, ${count('products')} products, ${t.length} tasks from easy to hard.`,
    domain: DOMAIN,
    policy: POLICY,
    tools: tools(),
    db,
    tasks: t,
  };
}

writePackWhenRun(import.meta.url, 'retail.json', buildRetailPack);

// The simulated Klaviyo account's contents, generated deterministically so every run (and every test) sees
// the same lists, segments, profiles and catalog items with the same ids.

import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function digestOf(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** A 26-character ULID-like profile id (`01H…`), as Klaviyo's profile ids look. */
export function profileIdFor(seed: string): string {
  const digest = digestOf(`profile:${seed}`);
  let id = '01H';
  for (let index = 0; id.length < 26; index++) id += CROCKFORD[(digest[index] ?? 0) % 32];
  return id;
}

/** A 6-character id, the shape of Klaviyo list and segment ids (`Y6nRLr`). */
export function shortIdFor(seed: string): string {
  const digest = digestOf(`group:${seed}`);
  let id = '';
  for (let index = 0; id.length < 6; index++) id += BASE62[(digest[index] ?? 0) % 62];
  return id;
}

export interface SeedProfile {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  created: number;
}

export interface SeedGroup {
  id: string;
  name: string;
  created: number;
  /** Seed profile numbers (1-based) that are members, and when each joined. */
  members: readonly { n: number; joinedAt: number }[];
}

export interface SeedCatalogItem {
  externalId: string;
  title: string;
  description: string;
  url: string;
  price: number;
  created: number;
}

const FIRST_NAMES = ['Ada', 'Ben', 'Cleo', 'Dev', 'Esme', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lena'];
const LAST_NAMES = ['Ng', 'Ortiz', 'Patel', 'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Umar', 'Vance', 'Weber', 'Xu'];
const SEED_BASE = Date.parse('2025-01-06T09:00:00Z');
const MINUTE = 60_000;

/** Seed profiles are person1…person10000; more are created on demand with the same numbering. */
export const SEED_PROFILE_COUNT = 10_000;

export function seedProfile(n: number, created: number = SEED_BASE + n * MINUTE): SeedProfile {
  return {
    id: profileIdFor(String(n)),
    email: `person${n}@example.com`,
    firstName: FIRST_NAMES[n % FIRST_NAMES.length] ?? 'Ada',
    lastName: LAST_NAMES[n % LAST_NAMES.length] ?? 'Ng',
    created,
  };
}

function membersOf(numbers: readonly number[], firstJoin: number, spacingMs: number) {
  return numbers.map((n, index) => ({ n, joinedAt: firstJoin + index * spacingMs }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

const LIST_NAMES = [
  'Newsletter',
  'SMS Subscribers',
  'Preview List',
  'VIP Early Access',
  'Back in Stock',
  'Wholesale',
  'Holiday 2025',
  'Giveaway Entrants',
  'Abandoned Cart Recovery',
  'Loyalty Members',
  'Product Launch',
  'Retail Store Signups',
];

/** Twelve lists, so a client paging at the maximum of 10 per page needs two pages. */
export const SEED_LISTS: readonly SeedGroup[] = LIST_NAMES.map((name, index) => {
  const created = Date.parse('2025-02-01T12:00:00Z') + index * 24 * 3600_000;
  const size = index === 0 ? 250 : index === 1 ? 40 : index === 2 ? 0 : 5 + index;
  return {
    id: shortIdFor(`list:${name}`),
    name,
    created,
    members: membersOf(range(index * 7 + 1, index * 7 + size), created + 3600_000, 17 * MINUTE),
  };
});

export const SEED_SEGMENTS: readonly SeedGroup[] = [
  {
    id: shortIdFor('segment:Engaged 90 Days'),
    name: 'Engaged 90 Days',
    created: Date.parse('2025-03-01T08:00:00Z'),
    members: membersOf(range(1, SEED_PROFILE_COUNT), Date.parse('2025-03-01T09:00:00Z'), 7 * MINUTE),
  },
  {
    id: shortIdFor('segment:VIP Customers'),
    name: 'VIP Customers',
    created: Date.parse('2025-03-02T08:00:00Z'),
    members: membersOf(
      range(1, 25).map((n) => n * 11),
      Date.parse('2025-03-02T09:00:00Z'),
      3600_000,
    ),
  },
];

const PRODUCTS = ['Tee', 'Hoodie', 'Cap', 'Sneaker', 'Tote', 'Mug', 'Sock Pack', 'Beanie', 'Jacket', 'Scarf'];
const COLOURS = ['Black', 'Sand', 'Ocean', 'Forest', 'Rust'];

export const SEED_CATALOG_ITEMS: readonly SeedCatalogItem[] = range(1, 50).map((n) => {
  const externalId = `SKU-${String(n).padStart(4, '0')}`;
  const title = `${COLOURS[n % COLOURS.length] ?? 'Black'} ${PRODUCTS[n % PRODUCTS.length] ?? 'Tee'}`;
  return {
    externalId,
    title,
    description: `${title}, seeded catalog item ${n}.`,
    url: `https://shop.acme.example/products/${externalId.toLowerCase()}`,
    price: Math.round((9.99 + n * 3.5) * 100) / 100,
    created: Date.parse('2025-04-01T00:00:00Z') + n * 3600_000,
  };
});

// Which platform time zones may be stored: IANA names both Intl and Postgres read the same way, and nothing
// Intl merely tolerates.

import { expect, it } from 'vitest';
import { isTimeZone } from './time-zone.ts';

it.each([
  'America/Los_Angeles',
  'America/Argentina/Buenos_Aires',
  'America/Port-au-Prince',
  'Etc/GMT+8',
  'US/Eastern',
  'Asia/Kolkata',
  'UTC',
])('%s is a time zone', (zone) => {
  expect(isTimeZone(zone)).toBe(true);
});

it.each([
  ['unknown everywhere', 'Mars/Olympus_Mons'],
  ['empty', ''],
  ['an offset (Postgres would read it as POSIX, sign reversed)', '+05:30'],
  ['an ICU legacy id (Postgres reads IST as Israel)', 'IST'],
  ['a POSIX string', 'UTC+3'],
  ['padded', ' UTC'],
  ['a path', '../etc/passwd'],
  ['far longer than any IANA name', `America/${'A'.repeat(80)}`],
])('%s is not: %s', (_why, zone) => {
  expect(isTimeZone(zone)).toBe(false);
});

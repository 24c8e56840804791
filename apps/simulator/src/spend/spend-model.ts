// Spend is a pure function of (platform, account, date, hour, region), so any test can compute what a sync
// must have stored. Amounts are whole minor units of the account's currency (cents, yen), so totals over
// hours or regions add up exactly however a platform formats them.

export interface SpendCell {
  /** Spend in the currency's minor unit (cents for USD, yen for JPY). */
  spendMinor: number;
  impressions: number;
  clicks: number;
}

/** ISO 4217 minor-unit exponents for the currencies the simulator uses. */
const CURRENCY_EXPONENT: Record<string, number> = { USD: 2, NZD: 2, GBP: 2, EUR: 2, JPY: 0, TOP: 2, WST: 2 };

export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENT[currency];
  if (exponent === undefined) throw new Error(`the simulator has no exponent for ${currency}`);
  return exponent;
}

/** Integer micros (millionths of a currency unit) for an amount in minor units. */
export function minorToMicros(minor: number, currency: string): bigint {
  return BigInt(minor) * 10n ** BigInt(6 - currencyExponent(currency));
}

/** The amount as a decimal string in major units, e.g. 1234 cents → "12.34", 500 yen → "500". */
export function minorToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const padded = String(minor).padStart(exponent + 1, '0');
  return `${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * A number in [0, 1) fixed by `seed`: FNV-1a over the UTF-16 code units, then murmur3's finaliser to spread
 * the bits. Not cryptographic (nothing here is secret); cheap enough for reports of thousands of cells.
 */
export function unitInterval(seed: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index += 1) {
    hash ^= seed.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

/** A day's shape: quiet at night, busy in the evening, in the account's local hours. */
const HOURLY_WEIGHT = [2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 7, 6, 6, 7, 8, 10, 11, 11, 9, 6, 4] as const;

/**
 * One cell of spend. `scale` sets the account's size in minor units per hour at full weight; it lets a
 * JPY account spend thousands of yen and a USD account tens of dollars.
 */
export function spendCell(input: {
  platform: string;
  accountId: string;
  date: string;
  hour: number;
  regionCode: string;
  scale: number;
}): SpendCell {
  const key = `${input.platform}|${input.accountId}|${input.date}|${input.hour}|${input.regionCode}`;
  const weight = HOURLY_WEIGHT[input.hour] ?? 1;
  const jitter = 0.5 + unitInterval(key);
  const spendMinor = Math.round((input.scale * weight * jitter) / 10);
  const impressions = Math.round(spendMinor * (8 + 4 * unitInterval(`${key}|i`)));
  const clicks = Math.round(impressions * (0.01 + 0.02 * unitInterval(`${key}|c`)));
  return { spendMinor, impressions, clicks };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a DateTimeFormat costs far more than using one, and reports convert thousands of instants. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The account's local calendar date and hour at an instant. */
export function localDateHour(instant: number, timeZone: string): { date: string; hour: number } {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

/**
 * Whether an hour of an account's day has fully or partly happened at `now` (platforms report spend so far,
 * never the future). Hours of future dates have not; hours of past dates have.
 */
export function hasStarted(date: string, hour: number, now: number, timeZone: string): boolean {
  return hourHasStarted(date, hour, localDateHour(now, timeZone));
}

/** `hasStarted` against an already converted "now", for loops over many cells. */
export function hourHasStarted(date: string, hour: number, localNow: { date: string; hour: number }): boolean {
  if (date !== localNow.date) return date < localNow.date;
  return hour <= localNow.hour;
}

/** Calendar dates from `from` to `to` inclusive ('YYYY-MM-DD'). */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 86_400_000) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

const hoursOfDay = new Map<string, readonly number[]>();

/**
 * The local hours that exist on `date` in `timeZone`, in order: 24 on most days, 23 on the day clocks
 * spring forward (the skipped hour has no row), and 24 distinct labels on the day they fall back.
 * Memoised: a date's hours never change.
 */
export function localHoursOf(date: string, timeZone: string): readonly number[] {
  const key = `${timeZone}|${date}`;
  const known = hoursOfDay.get(key);
  if (known !== undefined) return known;
  const hours = new Set<number>();
  const start = Date.parse(`${date}T00:00:00Z`) - 15 * 3_600_000;
  for (let instant = start; instant < start + 54 * 3_600_000; instant += 900_000) {
    const local = localDateHour(instant, timeZone);
    if (local.date === date) hours.add(local.hour);
  }
  const sorted = [...hours].sort((a, b) => a - b);
  if (hoursOfDay.size > 100_000) hoursOfDay.clear();
  hoursOfDay.set(key, sorted);
  return sorted;
}

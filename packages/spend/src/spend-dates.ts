// Calendar arithmetic in an ad account's time zone: spend dates are the account's local dates, so "today",
// "yesterday" and "the last 28 days" are worked out from the account's clock, never the server's.

const formatters = new Map<string, Intl.DateTimeFormat>();

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

/** The account's local date ('YYYY-MM-DD') and hour (0–23) at an instant. */
export function localClock(instant: number, timeZone: string): { date: string; hour: number } {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

/** `date` moved by `days` (negative: earlier). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface DateRange {
  from: string;
  to: string;
}

/** What an hourly sync reads: the account's today, and yesterday too in the first hours after midnight. */
export function hourlySyncRange(instant: number, timeZone: string, yesterdayHours: number): DateRange {
  const { date, hour } = localClock(instant, timeZone);
  return { from: hour < yesterdayHours ? addDays(date, -1) : date, to: date };
}

/** The nightly restatement: the `lookbackDays` days before the account's today. */
export function restatementRange(localToday: string, lookbackDays: number): DateRange {
  return { from: addDays(localToday, -lookbackDays), to: addDays(localToday, -1) };
}

/**
 * A backfill of `days` days up to and including the account's today, as ranges of at most `chunkDays`,
 * most recent first (brands want last week before last year).
 */
export function backfillRanges(localToday: string, days: number, chunkDays: number): DateRange[] {
  const ranges: DateRange[] = [];
  for (let newest = 0; newest < days; newest += chunkDays) {
    const oldest = Math.min(days - 1, newest + chunkDays - 1);
    ranges.push({ from: addDays(localToday, -oldest), to: addDays(localToday, -newest) });
  }
  return ranges;
}

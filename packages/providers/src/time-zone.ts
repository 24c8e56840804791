// The time zones platforms give accounts, checked before discovery hands them on to be stored: spend dates
// are reckoned in them by Node (Intl) and by Postgres (the nightly restatement query runs `AT TIME ZONE` over
// every tenant's accounts at once), so one zone either cannot read would break it for everyone.
//
// A zone passes when Intl knows it and it is an IANA name of the Area/Location form (or UTC/GMT). Names
// alone are not enough for both to read a zone the same way: Intl takes a UTC offset ("+05:30"), which
// Postgres reads as a POSIX zone with the sign reversed, and ICU's legacy three-letter ids ("PST", "IST"),
// which Postgres reads as fixed abbreviations (IST: Israel, not India). The database's own CHECK
// (migration 0011) refuses what Postgres cannot read; when a zone is newer than Postgres's tzdata but known
// to Node's ICU, that CHECK refuses the write and discovery fails until Postgres's tzdata is updated.

import { err, ok } from '@adsync/errors';
import { invalidResponse, type PlatformName } from './paging.ts';
import type { DiscoveredAccount, ProviderError, ProviderResult } from './provider.ts';

const IANA_NAME = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT)$/;
/** The longest IANA name is 32 characters (America/Argentina/ComodRivadavia); anything far longer is not one. */
const MAX_NAME_LENGTH = 64;

export function isTimeZone(zone: string): boolean {
  if (zone.length > MAX_NAME_LENGTH || !IANA_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why the account's time zone cannot be stored; undefined when it can. */
export function unusableTimeZone(platform: PlatformName, account: DiscoveredAccount): ProviderError | undefined {
  if (isTimeZone(account.timezone)) return undefined;
  const zone = JSON.stringify(account.timezone.slice(0, MAX_NAME_LENGTH));
  return invalidResponse(
    `${platform} gives account ${account.externalId} (${account.name}) the time zone ${zone}, which is not an IANA time zone adsync can date spend in.`,
  );
}

/** The accounts, or why the first one whose zone is unusable cannot be stored (then none of them is). */
export function withUsableTimeZones(
  platform: PlatformName,
  accounts: DiscoveredAccount[],
): ProviderResult<DiscoveredAccount[]> {
  for (const account of accounts) {
    const refused = unusableTimeZone(platform, account);
    if (refused !== undefined) return err(refused);
  }
  return ok(accounts);
}

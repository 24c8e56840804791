// Every stored ad account's time zone is one Postgres can use: the nightly restatement query reads
// `now AT TIME ZONE timezone` over every tenant's accounts at once, so one zone Postgres does not know failed
// it for all of them. The providers refuse such zones at discovery (time-zone.ts); this CHECK is the last line.
// `timezone(text, timestamptz)` is immutable, so the CHECK may call it; an unknown zone makes it raise
// (22023, `time zone "…" not recognized`) rather than answer false, which refuses the write all the same.
//
// Rows stored before this check whose zone Postgres cannot use are repaired first, so the constraint is
// validated: each is deselected (nothing syncs it), marked `invalid_timezone`, and given UTC in place of
// the unusable zone, and its connection records a `time_zone_refused` event naming the account and the
// zone. A later discovery that reports a usable zone stores it and marks the account active again, but
// leaves it deselected, and selection only takes active accounts: the admin selects it again knowingly.
//
// Node's ICU and Postgres's tzdata are separate copies of the time zone database. A zone newer than
// Postgres's copy passes the providers' check but fails this one, so the discovery write fails whole and
// nothing is stored until Postgres's tzdata is updated; a zone only Postgres knows never reaches here.
// Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Checked for new rows at once; the existing ones are repaired, then the whole table is validated.
  await sql`
    ALTER TABLE ad_accounts ADD CONSTRAINT ad_accounts_timezone_usable
      CHECK (('2000-01-01 00:00+00'::timestamptz AT TIME ZONE timezone) IS NOT NULL) NOT VALID`.execute(db);
  await sql`
    DO $$
    DECLARE
      zone text;
    BEGIN
      FOR zone IN SELECT DISTINCT timezone FROM ad_accounts LOOP
        BEGIN
          PERFORM '2000-01-01 00:00+00'::timestamptz AT TIME ZONE zone;
        -- Unknown zones raise 22023; whatever else a zone raises, the VALIDATE below would raise it too.
        EXCEPTION WHEN OTHERS THEN
          INSERT INTO connection_events (tenant_id, connection_id, type, message, detail)
          SELECT tenant_id, connection_id, 'time_zone_refused',
            format('Ad account %s (%s) has the time zone %L, which the database cannot use, so adsync stopped syncing it and deselected it. Reconnect to discover it again, then select it.',
              external_id, name, zone),
            jsonb_build_object('externalId', external_id, 'timezone', zone)
          FROM ad_accounts WHERE timezone = zone;
          UPDATE ad_accounts
            SET timezone = 'UTC', selected = false, status = 'invalid_timezone', updated_at = now()
            WHERE timezone = zone;
        END;
      END LOOP;
    END $$`.execute(db);
  await sql`ALTER TABLE ad_accounts VALIDATE CONSTRAINT ad_accounts_timezone_usable`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ad_accounts DROP CONSTRAINT IF EXISTS ad_accounts_timezone_usable`.execute(db);
}

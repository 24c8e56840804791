// Every migration, in order. Listed here (not read from disk) so bundled builds carry them too.

import type { Migration } from 'kysely/migration';
import * as coreTables from './0001-core-tables.ts';
import * as connectFlows from './0002-connect-flows.ts';
import * as tenantWebhooks from './0003-tenant-webhooks.ts';
import * as dueRefreshKey from './0004-due-refresh-key.ts';
import * as spendSync from './0005-spend-sync.ts';
import * as conversionEvents from './0006-conversion-events.ts';
import * as klaviyoSegments from './0007-klaviyo-segments.ts';
import * as klaviyoCatalog from './0008-klaviyo-catalog.ts';
import * as klaviyoListJobs from './0009-klaviyo-list-jobs.ts';
import * as capiDeliveryDays from './0010-capi-delivery-days.ts';
import * as adAccountTimeZones from './0011-ad-account-time-zones.ts';
import * as browserBoundSignIn from './0012-browser-bound-sign-in.ts';
import * as connectionEventsKeyset from './0013-connection-events-keyset.ts';

export const migrations: Record<string, Migration> = {
  '0001-core-tables': coreTables,
  '0002-connect-flows': connectFlows,
  '0003-tenant-webhooks': tenantWebhooks,
  '0004-due-refresh-key': dueRefreshKey,
  '0005-spend-sync': spendSync,
  '0006-conversion-events': conversionEvents,
  '0007-klaviyo-segments': klaviyoSegments,
  '0008-klaviyo-catalog': klaviyoCatalog,
  '0009-klaviyo-list-jobs': klaviyoListJobs,
  '0010-capi-delivery-days': capiDeliveryDays,
  '0011-ad-account-time-zones': adAccountTimeZones,
  '0012-browser-bound-sign-in': browserBoundSignIn,
  '0013-connection-events-keyset': connectionEventsKeyset,
};

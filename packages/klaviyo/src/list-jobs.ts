// Klaviyo list jobs, settled by worker-klaviyo: create a list, or add profiles to a list (bulk subscribe, with
// the consent the brand gave per channel) or take them off (bulk unsubscribe).
//
// Klaviyo answers a subscription job with 202 and offers no way to read it back, so the job is submitted once
// and then the list is looked at (by the profiles' emails and phone numbers) every few seconds until every
// profile is in (or out), or until the deadline, when what was seen is recorded as `incomplete`. The
// profiles stay sealed in the row until then and are wiped when the job is settled.
//
// Klaviyo has no idempotency key for creating a list, so a create_list job is marked `submitted` before it
// asks, and a run that finds it so (the worker died before recording the list) first looks for a list of
// that name created since, that no other job recorded, and adopts it instead of creating a second one.

import { randomUUID } from 'node:crypto';
import { refreshConnection } from '@adsync/connections';
import { type Keyring, openSecret, sealSecret } from '@adsync/crypto';
import {
  addKlaviyoList,
  findConnection,
  findKlaviyoGroup,
  findListJob,
  type KlaviyoListJob,
  type KlaviyoListJobUpdate,
  listsCreatedByListJobs,
  updateListJob,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import {
  createKlaviyoList,
  type KlaviyoGroup as KlaviyoList,
  type KlaviyoReader,
  type ListProfile,
  listKlaviyoListsCreatedAfter,
  listMembersAmong,
  type ProviderError,
  type ProviderResult,
  submitSubscriptionJob,
} from '@adsync/providers';
import { RetryLaterError } from '@adsync/worker-runtime';
import { klaviyoReaderFor } from './klaviyo-reader.ts';
import type { KlaviyoSyncDeps } from './sync-klaviyo.ts';

/** How often a submitted job's list is looked at. */
export const LIST_JOB_POLL_MS = 5_000;
/** How long after submission a job may take before it is settled with what was seen. */
export const LIST_JOB_DEADLINE_MS = 15 * 60_000;
/** How far apart Klaviyo's clock and ours may be when a retried create_list looks for the list it made. */
const CLOCK_SKEW_MS = 5 * 60_000;

const PROFILES_FIELD = 'klaviyo_list_profiles';
const SETTLED = new Set(['completed', 'incomplete', 'failed']);

export type ListJobDeps = KlaviyoSyncDeps;

function sealContext(tenantId: string, listJobId: string) {
  return { tenantId, connectionId: listJobId, field: PROFILES_FIELD };
}

/** A new list job's id and its profiles sealed to it (the gateway stores both). */
export function sealListProfiles(
  keyring: Keyring,
  tenantId: string,
  profiles: readonly ListProfile[],
): { listJobId: string; profilesCiphertext: string } {
  const listJobId = randomUUID();
  return {
    listJobId,
    profilesCiphertext: sealSecret(keyring, JSON.stringify(profiles), sealContext(tenantId, listJobId)),
  };
}

function openListProfiles(keyring: Keyring, job: KlaviyoListJob): ListProfile[] {
  if (job.profiles_ciphertext === null) return [];
  return JSON.parse(openSecret(keyring, job.profiles_ciphertext, sealContext(job.tenant_id, job.id))) as ListProfile[];
}

export type ListJobOutcome =
  | { kind: 'settled'; status: KlaviyoListJob['status'] }
  | { kind: 'skipped'; reason: 'not_found' | 'already_settled' };

export async function runListJob(
  deps: ListJobDeps,
  request: { tenantId: string; listJobId: string },
  attempt: { isLast: boolean },
): Promise<ListJobOutcome> {
  const job = await findListJob(deps.db, { tenantId: request.tenantId, id: request.listJobId });
  if (job === undefined) return { kind: 'skipped', reason: 'not_found' };
  if (SETTLED.has(job.status)) return { kind: 'skipped', reason: 'already_settled' };
  try {
    const update = await advance(deps, job);
    await updateListJob(deps.db, job.id, update);
    return { kind: 'settled', status: update.status ?? job.status };
  } catch (error) {
    if (error instanceof RetryLaterError) throw error;
    const failure = failureOf(error);
    if (failure.final || attempt.isLast) {
      await updateListJob(deps.db, job.id, {
        status: 'failed',
        error_code: failure.code,
        error_message: failure.message,
        profiles_ciphertext: null,
        finished_at: new Date(),
      });
      return { kind: 'settled', status: 'failed' };
    }
    throw error;
  }
}

/** A failure that settles the job at once (retrying cannot help), or one worth retrying. */
class ListJobFailure extends Error {
  readonly code: string;
  readonly final: boolean;
  constructor(code: string, message: string, final: boolean) {
    super(message);
    this.name = 'ListJobFailure';
    this.code = code;
    this.final = final;
  }
}

function failureOf(error: unknown): { code: string; message: string; final: boolean } {
  if (error instanceof ListJobFailure) return { code: error.code, message: error.message, final: error.final };
  if (error instanceof AppError) {
    return { code: error.code, message: error.message, final: error.code === 'connection_needs_reauth' };
  }
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error), final: false };
}

async function value<T>(deps: ListJobDeps, job: KlaviyoListJob, result: ProviderResult<T>): Promise<T> {
  if (result.ok) return result.value;
  throw await providerFailure(deps, job, result.error);
}

async function providerFailure(deps: ListJobDeps, job: KlaviyoListJob, error: ProviderError): Promise<Error> {
  if (error.code === 'rate_limited') return new RetryLaterError(error.retryAfterMs ?? 60_000, error.message);
  if (error.code === 'invalid_grant') {
    const checked = await refreshConnection(
      deps.refresh,
      { tenantId: job.tenant_id, connectionId: job.connection_id },
      { force: true },
    );
    if (checked.kind === 'needs_reauth') return new ListJobFailure('needs_reauth', error.message, true);
    return new ListJobFailure('token_rejected', error.message, false);
  }
  const final = ['permission_denied', 'not_found', 'invalid_request', 'invalid_response'].includes(error.code);
  return new ListJobFailure(error.code, error.message, final);
}

async function advance(deps: ListJobDeps, job: KlaviyoListJob): Promise<KlaviyoListJobUpdate> {
  const connection = await findConnection(deps.db, { tenantId: job.tenant_id, connectionId: job.connection_id });
  if (connection === undefined)
    throw new ListJobFailure('connection_gone', 'The Klaviyo connection was removed.', true);
  const reader = await klaviyoReaderFor(deps, connection);
  if (job.kind === 'create_list') return createList(deps, job, reader);
  const group =
    job.group_id === null ? undefined : await findKlaviyoGroup(deps.db, { tenantId: job.tenant_id, id: job.group_id });
  if (group === undefined) throw new ListJobFailure('list_not_found', 'The list is no longer known to adsync.', true);
  const profiles = openListProfiles(deps.refresh.keyring, job);
  const now = deps.now?.() ?? Date.now();
  let submittedAt = job.submitted_at;
  if (job.status === 'queued' || submittedAt === null) {
    await value(
      deps,
      job,
      await submitSubscriptionJob(reader, {
        kind: job.kind === 'subscribe' ? 'subscribe' : 'unsubscribe',
        listId: group.external_id,
        profiles,
        ...(job.custom_source === null ? {} : { customSource: job.custom_source }),
      }),
    );
    submittedAt = new Date(now);
    // Submitted exactly once: a crash from here on only looks again.
    await updateListJob(deps.db, job.id, { status: 'submitted', submitted_at: submittedAt });
  }
  const inList = await value(
    deps,
    job,
    await listMembersAmong(reader, group.external_id, {
      emails: profiles.flatMap((profile) => (profile.email === null ? [] : [profile.email])),
      phoneNumbers: profiles.flatMap((profile) => (profile.phoneNumber === null ? [] : [profile.phoneNumber])),
    }),
  );
  const present = (profile: ListProfile) =>
    (profile.email !== null && inList.has(profile.email)) ||
    (profile.phoneNumber !== null && inList.has(profile.phoneNumber));
  const confirmed = profiles.filter((profile) => (job.kind === 'subscribe' ? present(profile) : !present(profile)));
  const settled = confirmed.length === profiles.length;
  if (!settled && now - submittedAt.getTime() < LIST_JOB_DEADLINE_MS) {
    throw new RetryLaterError(LIST_JOB_POLL_MS, 'Klaviyo has not applied the job yet');
  }
  return {
    status: settled ? 'completed' : 'incomplete',
    confirmed_count: confirmed.length,
    missing_count: profiles.length - confirmed.length,
    profiles_ciphertext: null,
    finished_at: new Date(now),
  };
}

async function createList(
  deps: ListJobDeps,
  job: KlaviyoListJob,
  reader: KlaviyoReader,
): Promise<KlaviyoListJobUpdate> {
  const name = job.list_name?.trim();
  if (name === undefined) throw new ListJobFailure('invalid_job', 'A create_list job has no list name.', true);
  let list =
    job.status === 'submitted' && job.submitted_at !== null
      ? await listMadeByEarlierRun(deps, job, reader, name, job.submitted_at)
      : undefined;
  if (list === undefined) {
    await updateListJob(deps.db, job.id, { status: 'submitted', submitted_at: new Date(deps.now?.() ?? Date.now()) });
    list = await value(deps, job, await createKlaviyoList(reader, name));
  }
  const group = await addKlaviyoList(deps.db, {
    tenantId: job.tenant_id,
    connectionId: job.connection_id,
    externalId: list.id,
    name: list.name,
    createdAt: new Date(list.created),
    updatedAt: new Date(list.updated),
  });
  return { status: 'completed', group_id: group.id, finished_at: new Date() };
}

/** The list an earlier run of this job created at Klaviyo but did not live to record, if there is one. */
async function listMadeByEarlierRun(
  deps: ListJobDeps,
  job: KlaviyoListJob,
  reader: KlaviyoReader,
  name: string,
  submittedAt: Date,
): Promise<KlaviyoList | undefined> {
  const since = new Date(submittedAt.getTime() - CLOCK_SKEW_MS);
  const named = (await value(deps, job, await listKlaviyoListsCreatedAfter(reader, since))).filter(
    (list) => list.name === name,
  );
  const taken = await listsCreatedByListJobs(deps.db, {
    connectionId: job.connection_id,
    externalIds: named.map((list) => list.id),
  });
  return named.find((list) => !taken.has(list.id));
}

// Everything the simulated Klaviyo account holds in memory: profiles, lists, segments, catalog items,
// subscription jobs, OAuth codes and grants, revoked private keys. `reset()` brings back the seed.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import {
  SEED_CATALOG_ITEMS,
  SEED_LISTS,
  SEED_PROFILE_COUNT,
  SEED_SEGMENTS,
  type SeedGroup,
  seedProfile,
} from './klaviyo.seed.ts';

export type Consent = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NEVER_SUBSCRIBED';

export interface Profile {
  id: string;
  email: string | null;
  phoneNumber: string | null;
  firstName: string | null;
  lastName: string | null;
  created: number;
  updated: number;
  /** Marketing consent per channel, as recorded by subscription jobs. */
  consent: { email?: Consent; sms?: Consent };
}

export interface Group {
  id: string;
  name: string;
  created: number;
  updated: number;
  /** profile id → when it joined. */
  members: Map<string, number>;
}

export interface CatalogItem {
  id: string;
  externalId: string;
  title: string;
  description: string;
  url: string;
  price: number | null;
  imageFullUrl: string | null;
  imageThumbnailUrl: string | null;
  images: string[];
  customMetadata: Record<string, unknown>;
  published: boolean;
  created: number;
  updated: number;
}

export interface JobProfile {
  email: string | null;
  phoneNumber: string | null;
  emailConsent: Consent | null;
  smsConsent: Consent | null;
}

export interface SubscriptionJob {
  id: string;
  /** `subscribe`: bulk-create (consent recorded, SUBSCRIBED profiles join the list); `unsubscribe`: bulk-delete. */
  kind: 'subscribe' | 'unsubscribe';
  listId: string;
  customSource: string | null;
  profiles: JobProfile[];
  created: number;
  /** Set once the job's outcome was applied to the list. */
  completedAt: number | null;
  addedToList: number;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  accountId: string;
  expiresAt: number;
  used: boolean;
  /** The grant this code produced, revoked if the code is replayed. */
  grantId: string | null;
}

export interface Grant {
  id: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  refreshToken: string;
  refreshExpiresAt: number;
  /** Every refresh token this grant ever issued (superseded ones no longer work). */
  issuedRefreshTokens: string[];
  /** When each superseded refresh token was replaced by the next. */
  supersededAt: Map<string, number>;
  revoked: boolean;
}

export interface AccessToken {
  grantId: string;
  expiresAt: number;
}

/** Job phases by clock time since creation. The real durations are not documented; these are short. */
export const JOB_QUEUED_MS = 1_000;
export const JOB_COMPLETE_MS = 5_000;

export function randomShortId(): string {
  return randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
}

export function catalogItemId(externalId: string): string {
  return `$custom:::$default:::${externalId}`;
}

export type KlaviyoState = ReturnType<typeof createKlaviyoState>;

export function createKlaviyoState(clock: Clock) {
  const profiles = new Map<string, Profile>();
  const profileByEmail = new Map<string, Profile>();
  const lists = new Map<string, Group>();
  const segments = new Map<string, Group>();
  const catalogItems = new Map<string, CatalogItem>();
  const jobs = new Map<string, SubscriptionJob>();
  const codes = new Map<string, AuthorizationCode>();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, AccessToken>();
  const revokedKeys = new Set<string>();
  let nextProfileNumber = SEED_PROFILE_COUNT + 1;

  function addProfile(profile: Profile): Profile {
    profiles.set(profile.id, profile);
    if (profile.email !== null) profileByEmail.set(profile.email.toLowerCase(), profile);
    return profile;
  }

  function profileFromSeed(n: number, created?: number): Profile {
    const seed = seedProfile(n, created);
    return {
      id: seed.id,
      email: seed.email,
      phoneNumber: null,
      firstName: seed.firstName,
      lastName: seed.lastName,
      created: seed.created,
      updated: seed.created,
      consent: {},
    };
  }

  function groupFromSeed(seed: SeedGroup): Group {
    const members = new Map<string, number>();
    for (const member of seed.members) {
      const profile = profiles.get(seedProfile(member.n).id);
      if (profile !== undefined) members.set(profile.id, member.joinedAt);
    }
    return { id: seed.id, name: seed.name, created: seed.created, updated: seed.created, members };
  }

  function seed(): void {
    for (const map of [profiles, profileByEmail, lists, segments, catalogItems, jobs, codes, grants, accessTokens]) {
      map.clear();
    }
    revokedKeys.clear();
    nextProfileNumber = SEED_PROFILE_COUNT + 1;
    for (let n = 1; n <= SEED_PROFILE_COUNT; n++) addProfile(profileFromSeed(n));
    for (const list of SEED_LISTS) lists.set(list.id, groupFromSeed(list));
    for (const segment of SEED_SEGMENTS) segments.set(segment.id, groupFromSeed(segment));
    for (const item of SEED_CATALOG_ITEMS) {
      const id = catalogItemId(item.externalId);
      catalogItems.set(id, {
        id,
        externalId: item.externalId,
        title: item.title,
        description: item.description,
        url: item.url,
        price: item.price,
        imageFullUrl: `${item.url}/image.jpg`,
        imageThumbnailUrl: `${item.url}/thumb.jpg`,
        images: [`${item.url}/image.jpg`],
        customMetadata: {},
        published: true,
        created: item.created,
        updated: item.created,
      });
    }
  }

  /** A brand-new profile numbered after the seed ones (person10001@example.com, …). */
  function createNumberedProfile(): Profile {
    return addProfile(profileFromSeed(nextProfileNumber++, clock.now()));
  }

  function findOrCreateProfile(email: string | null, phoneNumber: string | null): Profile {
    const byEmail = email === null ? undefined : profileByEmail.get(email.toLowerCase());
    const byPhone =
      phoneNumber === null ? undefined : [...profiles.values()].find((profile) => profile.phoneNumber === phoneNumber);
    const existing = byEmail ?? byPhone;
    if (existing !== undefined) {
      if (existing.phoneNumber === null && phoneNumber !== null) existing.phoneNumber = phoneNumber;
      return existing;
    }
    const now = clock.now();
    const id = seedProfile(nextProfileNumber++).id;
    return addProfile({
      id,
      email,
      phoneNumber,
      firstName: null,
      lastName: null,
      created: now,
      updated: now,
      consent: {},
    });
  }

  function jobStatus(job: SubscriptionJob, now: number): 'queued' | 'processing' | 'complete' {
    if (now - job.created < JOB_QUEUED_MS) return 'queued';
    return now - job.created < JOB_COMPLETE_MS ? 'processing' : 'complete';
  }

  /**
   * Applies jobs whose time has come: every profile is created or updated with the consent it carried;
   * only profiles with a SUBSCRIBED marketing consent (email or SMS) join the list, as a subscribe call
   * with UNSUBSCRIBED / NEVER_SUBSCRIBED consent does not make anyone a subscriber.
   */
  /**
   * An unsubscribe job: each known profile's consent for the job's channels becomes UNSUBSCRIBED and it
   * leaves the list; unknown emails and phone numbers are ignored, as Klaviyo does.
   */
  function unsubscribe(job: SubscriptionJob, list: Group | undefined, completedAt: number): void {
    for (const entry of job.profiles) {
      const byEmail = entry.email === null ? undefined : profileByEmail.get(entry.email.toLowerCase());
      const byPhone =
        entry.phoneNumber === null
          ? undefined
          : [...profiles.values()].find((profile) => profile.phoneNumber === entry.phoneNumber);
      const profile = byEmail ?? byPhone;
      if (profile === undefined) continue;
      if (entry.emailConsent !== null) profile.consent.email = 'UNSUBSCRIBED';
      if (entry.smsConsent !== null) profile.consent.sms = 'UNSUBSCRIBED';
      profile.updated = completedAt;
      if (list?.members.delete(profile.id) === true) list.updated = completedAt;
    }
    job.completedAt = completedAt;
  }

  function settleJobs(): void {
    const now = clock.now();
    for (const job of jobs.values()) {
      if (job.completedAt !== null || jobStatus(job, now) !== 'complete') continue;
      const completedAt = job.created + JOB_COMPLETE_MS;
      const list = lists.get(job.listId);
      if (job.kind === 'unsubscribe') {
        unsubscribe(job, list, completedAt);
        continue;
      }
      for (const entry of job.profiles) {
        const profile = findOrCreateProfile(entry.email, entry.phoneNumber);
        if (entry.emailConsent !== null) profile.consent.email = entry.emailConsent;
        if (entry.smsConsent !== null) profile.consent.sms = entry.smsConsent;
        profile.updated = completedAt;
        const subscribed = entry.emailConsent === 'SUBSCRIBED' || entry.smsConsent === 'SUBSCRIBED';
        if (subscribed && list !== undefined && !list.members.has(profile.id)) {
          list.members.set(profile.id, completedAt);
          list.updated = completedAt;
          job.addedToList++;
        }
      }
      job.completedAt = completedAt;
    }
  }

  seed();

  return {
    profiles,
    lists,
    segments,
    catalogItems,
    jobs,
    codes,
    grants,
    accessTokens,
    revokedKeys,
    reset: seed,
    createNumberedProfile,
    settleJobs,
    jobStatus,
  };
}

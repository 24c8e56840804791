// In-memory Meta grants: dialog codes, user access tokens (short- and long-lived, never refreshable), async
// report runs and the rolling-hour call counters behind the usage headers. `reset()` forgets all of it.

import { revokeGrants } from '../core/grants.ts';
import { alphanumericToken } from '../core/tokens.ts';
import { META_USER } from '../seed/accounts.ts';
import type { InsightsQuery, InsightsRow } from './meta.insights.ts';

/** One person's approval of the app in the dialog. */
export interface MetaGrant {
  userId: string;
  /** Ad account ids (`act_…`) the person shared. */
  accountIds: readonly string[];
  scopes: readonly string[];
  grantedAt: number;
  revoked: boolean;
  /** How revocation shows in error 190: 458 the app was removed, 460 the session was invalidated. */
  revokedSubcode: number;
}

export interface MetaToken {
  token: string;
  grant: MetaGrant;
  kind: 'short-lived' | 'long-lived';
  issuedAt: number;
  expiresAt: number;
}

interface DialogCode {
  redirectUri: string;
  accountIds: readonly string[];
  scopes: readonly string[];
  expiresAt: number;
  used: boolean;
}

export type RunFate = 'complete' | 'fail' | 'stall';

export interface ReportRun {
  id: string;
  accountId: string;
  query: InsightsQuery;
  createdAt: number;
  /** Progress counts from here; releasing a stalled run moves it so progress resumes where it stopped. */
  startedAt: number;
  fate: RunFate;
  /** Computed once, as of `createdAt`, when first read. */
  rows: InsightsRow[] | undefined;
}

/** Dialog codes are single use and short-lived (~10 minutes: providers.md §1.1, unverified). */
const CODE_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

/** Timestamps of calls in a rolling hour, oldest first. */
class RollingHour {
  private calls: number[] = [];
  private head = 0;

  count(now: number): number {
    while (this.head < this.calls.length && (this.calls[this.head] ?? 0) <= now - HOUR_MS) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.calls.length) {
      this.calls = this.calls.slice(this.head);
      this.head = 0;
    }
    return this.calls.length - this.head;
  }

  add(now: number): void {
    this.calls.push(now);
  }

  /** When the oldest call in the window leaves it. */
  oldestLeavesAt(): number {
    return (this.calls[this.head] ?? 0) + HOUR_MS;
  }
}

export function createMetaState() {
  let codes = new Map<string, DialogCode>();
  let tokens = new Map<string, MetaToken>();
  let grants: MetaGrant[] = [];
  let runs = new Map<string, ReportRun>();
  let usage = new Map<string, RollingHour>();
  /** Fates the control API queued for the next runs, ahead of the configured shares. */
  let queuedFates: RunFate[] = [];
  let nextRunId = 6_023_920_149_050;

  const windowOf = (key: string): RollingHour => {
    let window = usage.get(key);
    if (window === undefined) {
      window = new RollingHour();
      usage.set(key, window);
    }
    return window;
  };

  const issue = (grant: MetaGrant, kind: MetaToken['kind'], now: number, seconds: number): MetaToken => {
    const record: MetaToken = {
      token: alphanumericToken('EAAR', 180),
      grant,
      kind,
      issuedAt: now,
      expiresAt: now + seconds * 1000,
    };
    tokens.set(record.token, record);
    return record;
  };

  return {
    issueCode(request: Omit<DialogCode, 'expiresAt' | 'used'>, now: number): string {
      const code = alphanumericToken('AQ', 220);
      codes.set(code, { ...request, expiresAt: now + CODE_MS, used: false });
      return code;
    },

    code: (code: string): DialogCode | undefined => codes.get(code),

    createGrant(code: DialogCode, now: number): MetaGrant {
      code.used = true;
      const grant: MetaGrant = {
        userId: META_USER.id,
        accountIds: code.accountIds,
        scopes: code.scopes,
        grantedAt: now,
        revoked: false,
        revokedSubcode: 458,
      };
      grants.push(grant);
      return grant;
    },

    issueToken: issue,
    token: (token: string): MetaToken | undefined => tokens.get(token),

    /** Revokes the token's grant (every grant without one); returns how many grants changed. */
    revoke(token: string | undefined, subcode: number): number {
      const targets = token === undefined ? grants : [tokens.get(token)?.grant];
      for (const grant of targets) if (grant !== undefined && !grant.revoked) grant.revokedSubcode = subcode;
      return revokeGrants(targets);
    },

    /** Makes the token (every token without one) expired now; returns how many changed. */
    expire(token: string | undefined, now: number): number {
      let count = 0;
      for (const record of token === undefined ? tokens.values() : [tokens.get(token)]) {
        if (record === undefined || record.expiresAt <= now) continue;
        record.expiresAt = now;
        count += 1;
      }
      return count;
    },

    createRun(accountId: string, query: InsightsQuery, now: number, fate: RunFate): ReportRun {
      nextRunId += 1;
      const run: ReportRun = {
        id: String(nextRunId),
        accountId,
        query,
        createdAt: now,
        startedAt: now,
        fate: queuedFates.shift() ?? fate,
        rows: undefined,
      };
      runs.set(run.id, run);
      return run;
    },

    run: (id: string): ReportRun | undefined => runs.get(id),
    runs: (): IterableIterator<ReportRun> => runs.values(),

    queueFates(fate: RunFate, count: number): void {
      for (let index = 0; index < count; index += 1) queuedFates.push(fate);
    },

    /** Calls counted in the rolling hour for `key`, and when the oldest of them stops counting. */
    usage(key: string, now: number): { count: number; oldestLeavesAt: number } {
      const window = windowOf(key);
      return { count: window.count(now), oldestLeavesAt: window.oldestLeavesAt() };
    },

    countCall(key: string, now: number): void {
      windowOf(key).add(now);
    },

    reset(): void {
      codes = new Map();
      tokens = new Map();
      grants = [];
      runs = new Map();
      usage = new Map();
      queuedFates = [];
    },
  };
}

export type MetaState = ReturnType<typeof createMetaState>;

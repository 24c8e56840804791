// Tokens a platform issued that Postgres has not stored yet. A rotating platform (TikTok) revokes the old
// refresh token as it issues a new one, so a token set that cannot be written (Postgres down, the process
// killed) would be lost, and the connection with it. The refresh keeps the set sealed in Redis, under the
// connection and the credentials version it replaces, before writing it; whoever refreshes the connection
// next stores the kept set instead of asking the platform again.

import { type Keyring, openSecret, sealSecret } from '@adsync/crypto';
import type { TokenSet } from '@adsync/providers';
import type { Redis } from 'ioredis';
import type { ConnectionKey } from '../credentials.ts';

/** Far longer than any outage; a kept set is normally stored and dropped within the second. */
const KEPT_FOR_SECONDS = 30 * 86_400;
const FIELD = 'kept_token_set';

export interface KeptTokens {
  tokens: TokenSet;
  /** When the platform issued them (the refresh's start). */
  issuedAt: Date;
}

export interface TokenStash {
  /** Keeps the tokens, which replace the credentials at `replacesVersion`. */
  keep(key: ConnectionKey, replacesVersion: number, kept: KeptTokens): Promise<void>;
  /** The kept set that replaces `currentVersion`, if any; a set kept for an older version is dropped. */
  find(key: ConnectionKey, currentVersion: number): Promise<KeptTokens | undefined>;
  drop(key: ConnectionKey): Promise<void>;
}

interface KeptEntry {
  replacesVersion: number;
  issuedAt: string;
  sealed: string;
}

interface SerializedTokenSet extends Omit<TokenSet, 'accessTokenExpiresAt' | 'refreshTokenExpiresAt'> {
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

export function createTokenStash(redis: Redis, keyring: Keyring, options: { keyPrefix: string }): TokenStash {
  const keyOf = (key: ConnectionKey) => `${options.keyPrefix}:kept-tokens:${key.connectionId}`;
  const context = (key: ConnectionKey) => ({ ...key, field: FIELD });
  return {
    async keep(key, replacesVersion, { tokens, issuedAt }) {
      const serialized: SerializedTokenSet = {
        ...tokens,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt?.toISOString() ?? null,
        refreshTokenExpiresAt: tokens.refreshTokenExpiresAt?.toISOString() ?? null,
      };
      const entry: KeptEntry = {
        replacesVersion,
        issuedAt: issuedAt.toISOString(),
        sealed: sealSecret(keyring, JSON.stringify(serialized), context(key)),
      };
      await redis.set(keyOf(key), JSON.stringify(entry), 'EX', KEPT_FOR_SECONDS);
    },
    async find(key, currentVersion) {
      const stored = await redis.get(keyOf(key));
      if (stored === null) return undefined;
      const entry = JSON.parse(stored) as KeptEntry;
      if (entry.replacesVersion !== currentVersion) {
        // The credentials moved on (stored meanwhile, or the brand reconnected): the kept set is history.
        await redis.del(keyOf(key));
        return undefined;
      }
      let tokens: SerializedTokenSet;
      try {
        tokens = JSON.parse(openSecret(keyring, entry.sealed, context(key))) as SerializedTokenSet;
      } catch {
        // Sealed with a key no longer configured: nothing can open it, so it must not block the refresh.
        await redis.del(keyOf(key));
        return undefined;
      }
      return {
        tokens: {
          ...tokens,
          accessTokenExpiresAt: dateOrNull(tokens.accessTokenExpiresAt),
          refreshTokenExpiresAt: dateOrNull(tokens.refreshTokenExpiresAt),
        },
        issuedAt: new Date(entry.issuedAt),
      };
    },
    async drop(key) {
      await redis.del(keyOf(key));
    },
  };
}

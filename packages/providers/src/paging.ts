// The one check every reader makes before it asks a platform for a page: a next-page link must stay on the
// platform's own origin (every call carries a token or key, and whoever a link names would get the call, and
// could answer it with accounts or rows of their choosing), and no read may pass its cap on pages (an answer
// that always has a next page would otherwise be followed forever). Either ends the read with a
// non-retryable `invalid_response` that names the platform and what happened, never a shortened list.

import type { ProviderError } from './provider.ts';

export type PlatformName = 'Meta' | 'Google Ads' | 'TikTok' | 'Klaviyo';

/** What every paging reader may be given. */
export interface PagingOptions {
  /** The most pages one read follows, in place of the reader's own cap (tests set a small one). */
  maxPages?: number;
}

export interface PagedRead {
  platform: PlatformName;
  /** What the pages hold, for messages: "ad accounts", "a segment's members". */
  of: string;
  maxPages: number;
  /** The origin next-page links must stay on; absent where the next page is a token or a number. */
  origin?: string;
}

export function invalidResponse(message: string): ProviderError {
  return { code: 'invalid_response', message, retryable: false };
}

/** The host a link names, never its path or query (either may hold a token); undefined for no URL at all. */
function hostOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).host : undefined;
}

/**
 * Why page `number` (counted from 1, the first included) must not be asked for, at `url` where the next page
 * is a link; undefined when it may.
 */
export function refusedPage(read: PagedRead, page: { number: number; url?: string }): ProviderError | undefined {
  if (read.origin !== undefined && page.url !== undefined) {
    const onOrigin = URL.canParse(page.url) && new URL(page.url).origin === read.origin;
    if (!onOrigin) {
      const host = hostOf(page.url);
      return invalidResponse(
        `${read.platform} gave a next-page link for ${read.of} ${host === undefined ? 'that is not a URL' : `on another host (${host})`}; adsync refused to follow it, since the credentials would go with it.`,
      );
    }
  }
  if (page.number > read.maxPages) {
    return invalidResponse(
      `${read.platform} had more than ${read.maxPages} page${read.maxPages === 1 ? '' : 's'} of ${read.of}; adsync stopped reading rather than keep only part of them.`,
    );
  }
  return undefined;
}

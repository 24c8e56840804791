// The one way adsync sends a request to a URL someone else chose (a tenant's webhook): checked when the URL
// is saved and again when a request is sent, where it matters. At send time the host name is resolved by
// the dispatcher's own `lookup`, every address it resolves to is checked, and the socket connects to the
// checked address — there is no second resolution an attacker's DNS could answer differently (DNS
// rebinding). Redirects are never followed (undici's `request` does not).

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { Agent, type Dispatcher } from 'undici';
import { addressLiteral, refusedRange } from './address-ranges.ts';
import { type AllowedHosts, isAllowedAddress, isAllowedName } from './allowed-hosts.ts';

export interface OutboundPolicy {
  /** Whether plain http is accepted (local runs); in production only https is. */
  readonly allowPlainHttp: boolean;
  /** Private hosts an operator allows (on-premises installs). */
  readonly allowed: AllowedHosts;
}

/** A request to a URL someone else chose was refused before it left; never worth retrying as it is. */
export class OutboundRefusedError extends Error {
  readonly code = 'outbound_refused';
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

export function isOutboundRefused(error: unknown): error is OutboundRefusedError {
  return error instanceof OutboundRefusedError || (error as { code?: unknown } | null)?.code === 'outbound_refused';
}

/** Resolves a host name to every address it has (the guard checks them all). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error === null) resolve(addresses);
      else reject(error);
    });
  });

/** RFC 6761: these names are loopback whatever DNS says. */
function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why the URL may not be used, from the URL alone (no DNS): its scheme, an address literal in a refused
 * range, a loopback name. Undefined when it may be saved; sending checks the addresses its name resolves to.
 */
export function urlRefusal(url: string, policy: OutboundPolicy): string | undefined {
  if (!URL.canParse(url)) return 'is not a URL';
  const parsed = new URL(url);
  const schemes = policy.allowPlainHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(parsed.protocol)) return `must be an ${schemes.join(' or ')} URL`;
  const host = parsed.hostname;
  if (isAllowedName(policy.allowed, host)) return undefined;
  const literal = addressLiteral(host);
  if (literal !== undefined) {
    if (isAllowedAddress(policy.allowed, literal)) return undefined;
    const range = refusedRange(literal);
    return range === undefined ? undefined : `points at ${literal}, a ${range} address adsync does not send to`;
  }
  if (isLoopbackName(host)) return `points at ${host}, which is this machine`;
  return undefined;
}

export interface OutboundGuard {
  /** Throws OutboundRefusedError when urlRefusal refuses the URL (call before sending). */
  assertAllowed(url: string): void;
  /** Connects only to addresses the policy allows; use it as the request's dispatcher. */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

export function createOutboundGuard(
  policy: OutboundPolicy,
  options: { resolve?: Resolver; connectTimeoutMs?: number } = {},
): OutboundGuard {
  const resolve = options.resolve ?? systemResolver;
  // net/tls call this for a host name (never for an address literal, which assertAllowed checked).
  const lookup = (
    hostname: string,
    lookupOptions: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolve(hostname).then(
      (addresses) => {
        const trusted = isAllowedName(policy.allowed, hostname);
        const refused = trusted
          ? undefined
          : addresses.find(
              ({ address }) => !isAllowedAddress(policy.allowed, address) && refusedRange(address) !== undefined,
            );
        if (addresses.length === 0 || refused !== undefined) {
          const range = refused === undefined ? undefined : refusedRange(refused.address);
          callback(
            new OutboundRefusedError(
              refused === undefined
                ? `${hostname} resolves to no address`
                : `${hostname} resolves to ${refused.address}, a ${range} address adsync does not send to`,
            ),
            [],
          );
          return;
        }
        const [first] = addresses as [LookupAddress];
        if (lookupOptions.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, []),
    );
  };
  const agent = new Agent({
    connect: { lookup: lookup as never, timeout: options.connectTimeoutMs ?? 10_000 },
  });
  return {
    assertAllowed(url) {
      const refusal = urlRefusal(url, policy);
      if (refusal !== undefined) throw new OutboundRefusedError(`The URL ${refusal}.`);
    },
    dispatcher: agent,
    close: () => agent.close(),
  };
}

/** The policy a process runs with: plain http outside production only, and the operator's allow-list. */
export function outboundPolicyFrom(config: {
  NODE_ENV: string;
  OUTBOUND_ALLOWED_PRIVATE_HOSTS: AllowedHosts;
}): OutboundPolicy {
  return { allowPlainHttp: config.NODE_ENV !== 'production', allowed: config.OUTBOUND_ALLOWED_PRIVATE_HOSTS };
}

// The operator's allow-list for on-premises installs: names and addresses on private networks that adsync
// may send tenants' webhooks to anyway. An entry is a host name (exact, any case), an IP address, or a CIDR
// range (10.20.0.0/16, fd00:1::/48). Set with OUTBOUND_ALLOWED_PRIVATE_HOSTS.

import ipaddr from 'ipaddr.js';

export interface AllowedHosts {
  readonly names: ReadonlySet<string>;
  readonly ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export const NO_ALLOWED_HOSTS: AllowedHosts = { names: new Set(), ranges: [] };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The allow-list from its comma-separated text; throws with what is wrong with an entry. */
export function parseAllowedHosts(text: string): AllowedHosts {
  const names = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of text.split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === '') continue;
    if (entry.includes('/')) {
      try {
        ranges.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new Error(`"${entry}" is not a CIDR range (e.g. 10.20.0.0/16)`);
      }
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOST_NAME.test(entry)) {
      names.add(entry);
    } else {
      throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return { names, ranges };
}

export function isAllowedName(allowed: AllowedHosts, hostname: string): boolean {
  return allowed.names.has(hostname.toLowerCase());
}

export function isAllowedAddress(allowed: AllowedHosts, address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  return allowed.ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
}

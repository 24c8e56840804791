// Which IP addresses adsync may send a request to that someone else chose: only global unicast. The
// classification is ipaddr.js's (its IANA special-purpose registry tables, RFC 6890 and successors), so we
// keep no list of ranges ourselves: loopback, private (RFC 1918), link-local (169.254/16, which holds the
// cloud metadata services, and fe80::/10), carrier-grade NAT (100.64/10), unspecified (0.0.0.0, ::),
// multicast, broadcast, reserved, unique local (fc00::/7), and every IPv6 form that embeds an IPv4
// address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4, Teredo) are all refused. (An IPv6-only
// network that reaches the IPv4 internet through NAT64 needs its NAT64 prefix in the allow-list.)

import ipaddr from 'ipaddr.js';

/** The special-purpose range `address` is in, or undefined for a global unicast address. */
export function refusedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const range = ipaddr.parse(address).range();
  return range === 'unicast' ? undefined : range;
}

/** An IP address literal as a URL's hostname gives it (IPv6 in brackets), or undefined for a name. */
export function addressLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}

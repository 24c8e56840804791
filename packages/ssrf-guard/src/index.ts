export { addressLiteral, refusedRange } from './address-ranges.ts';
export {
  type AllowedHosts,
  isAllowedAddress,
  isAllowedName,
  NO_ALLOWED_HOSTS,
  parseAllowedHosts,
} from './allowed-hosts.ts';
export {
  createOutboundGuard,
  isOutboundRefused,
  type OutboundGuard,
  type OutboundPolicy,
  OutboundRefusedError,
  outboundPolicyFrom,
  type Resolver,
  urlRefusal,
} from './outbound-guard.ts';

import { describe, expect, it } from 'vitest';
import { NO_ALLOWED_HOSTS, parseAllowedHosts } from './allowed-hosts.ts';
import { type OutboundPolicy, urlRefusal } from './outbound-guard.ts';

const production: OutboundPolicy = { allowPlainHttp: false, allowed: NO_ALLOWED_HOSTS };
const local: OutboundPolicy = { allowPlainHttp: true, allowed: NO_ALLOWED_HOSTS };

describe('urlRefusal', () => {
  it.each([
    ['http://127.0.0.1:3000/hook', 'loopback'],
    ['http://127.1/hook', 'loopback'],
    ['http://2130706433/hook', 'loopback'],
    ['http://0x7f000001/hook', 'loopback'],
    ['http://[::1]:5432/', 'loopback'],
    ['http://0.0.0.0:6379/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://10.0.0.8/', 'private'],
    ['http://172.16.3.4/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://[fd12:3456::1]/', 'uniqueLocal'],
    ['http://[::ffff:127.0.0.1]/', 'ipv4Mapped'],
    ['http://[::ffff:8.8.8.8]/', 'ipv4Mapped'],
    ['http://[64:ff9b::7f00:1]/', 'rfc6052'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://240.0.0.1/', 'reserved'],
  ])('refuses %s (%s)', (url, range) => {
    expect(urlRefusal(url, local)).toContain(`a ${range} address`);
  });

  it('refuses loopback names, other schemes, and plain http in production', () => {
    expect(urlRefusal('http://localhost:3000/', local)).toContain('this machine');
    expect(urlRefusal('http://hooks.localhost/', local)).toContain('this machine');
    expect(urlRefusal('ftp://hooks.example.com/', local)).toBe('must be an https: or http: URL');
    expect(urlRefusal('file:///etc/passwd', local)).toBe('must be an https: or http: URL');
    expect(urlRefusal('http://hooks.example.com/', production)).toBe('must be an https: URL');
    expect(urlRefusal('not a url', production)).toBe('is not a URL');
  });

  it('accepts public hosts and addresses, and what the operator allows', () => {
    expect(urlRefusal('https://hooks.example.com/adsync?token=x', production)).toBeUndefined();
    expect(urlRefusal('https://93.184.216.34/hook', production)).toBeUndefined();
    expect(urlRefusal('https://[2606:2800:220:1::1]/hook', production)).toBeUndefined();
    const onPremises: OutboundPolicy = {
      allowPlainHttp: false,
      allowed: parseAllowedHosts('hooks.corp.internal, 10.20.0.0/16, fd00:1::5'),
    };
    expect(urlRefusal('https://10.20.3.4/hook', onPremises)).toBeUndefined();
    expect(urlRefusal('https://10.21.3.4/hook', onPremises)).toContain('private');
    expect(urlRefusal('https://[fd00:1::5]/hook', onPremises)).toBeUndefined();
    expect(urlRefusal('https://HOOKS.corp.internal/hook', onPremises)).toBeUndefined();
  });
});

describe('parseAllowedHosts', () => {
  it('takes names, addresses and ranges, and says what is wrong with an entry', () => {
    const allowed = parseAllowedHosts(' a.example , 10.0.0.0/8,,::1 ');
    expect([...allowed.names]).toEqual(['a.example']);
    expect(allowed.ranges).toHaveLength(2);
    expect(() => parseAllowedHosts('10.0.0.0/33')).toThrow('"10.0.0.0/33" is not a CIDR range');
    expect(() => parseAllowedHosts('hooks_internal')).toThrow('neither a host name');
  });
});

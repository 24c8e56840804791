import { describe, expect, it } from 'vitest';
import { cannotServeLocally, REDIS_INSTALL_HINTS, redisServerArgs, redisUnavailableMessage } from './redis-server.ts';

describe('redisServerArgs', () => {
  it('serves the URL’s host and port with durable, non-evicting settings', () => {
    expect(redisServerArgs('redis://127.0.0.1:6399', '/data/redis')).toEqual([
      '--port',
      '6399',
      '--bind',
      '127.0.0.1',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--dir',
      '/data/redis',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ]);
  });

  it('uses the default port, binds both loopbacks for localhost, and IPv6 without brackets', () => {
    const localhost = redisServerArgs('redis://localhost', '/d');
    expect(localhost.slice(0, 5)).toEqual(['--port', '6379', '--bind', '127.0.0.1', '-::1']);
    expect(redisServerArgs('redis://[::1]:7000', '/d').slice(0, 4)).toEqual(['--port', '7000', '--bind', '::1']);
  });

  it('requires the URL’s password, since the apps will send it', () => {
    const args = redisServerArgs('redis://:s%40cret@127.0.0.1:6400/2', '/d');
    expect(args.slice(-2)).toEqual(['--requirepass', 's@cret']);
  });
});

describe('cannotServeLocally', () => {
  it('accepts loopback URLs', () => {
    expect(cannotServeLocally('redis://127.0.0.1:6399')).toBeUndefined();
    expect(cannotServeLocally('redis://localhost:6379')).toBeUndefined();
    expect(cannotServeLocally('redis://default:pw@127.0.0.1:6379')).toBeUndefined();
  });

  it('refuses what a local redis-server could not stand in for', () => {
    expect(cannotServeLocally('redis://cache.internal:6379')).toMatch(/not this machine/);
    expect(cannotServeLocally('rediss://127.0.0.1:6380')).toMatch(/TLS/);
    expect(cannotServeLocally('redis://app:pw@127.0.0.1:6379')).toMatch(/ACL user/);
  });
});

describe('redisUnavailableMessage', () => {
  it('lists every way to get a Redis', () => {
    const message = redisUnavailableMessage('127.0.0.1:6399', 'redis-server is not on PATH');
    expect(message.split('\n')[0]).toContain(
      'Redis is not reachable at 127.0.0.1:6399 and redis-server is not on PATH',
    );
    for (const hint of REDIS_INSTALL_HINTS) expect(message).toContain(`    ${hint}`);
    expect(REDIS_INSTALL_HINTS).toEqual([
      'docker compose up -d redis',
      'sudo apt install redis-server',
      'brew install redis',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { isUnreachableError } from './connection-errors.ts';
import { databaseNameOf, describeServer, isLocalHost, withDatabase } from './urls.ts';

describe('service URLs', () => {
  it('describes a server without its credentials', () => {
    const url = 'postgres://adsync:hunter2@127.0.0.1:54329/adsync';
    expect(describeServer(url, 5432)).toBe('127.0.0.1:54329');
    expect(describeServer(url, 5432, true)).toBe('127.0.0.1:54329/adsync');
    expect(describeServer('postgres://db.example/x', 5432)).toBe('db.example:5432');
    expect(describeServer(url, 5432, true)).not.toContain('hunter2');
  });

  it('swaps the database and keeps everything else', () => {
    expect(withDatabase('postgres://u:p@h:1/adsync?sslmode=disable', 'postgres')).toBe(
      'postgres://u:p@h:1/postgres?sslmode=disable',
    );
    expect(databaseNameOf('postgres://h/my%20db')).toBe('my db');
    expect(databaseNameOf('postgres://h')).toBe('');
  });

  it('knows which hosts are this machine', () => {
    expect(isLocalHost('127.0.0.1')).toBe(true);
    expect(isLocalHost('localhost')).toBe(true);
    expect(isLocalHost('::1')).toBe(true);
    expect(isLocalHost('10.0.0.5')).toBe(false);
  });
});

describe('isUnreachableError', () => {
  it('treats refused, timed-out and unresolvable connections as "nothing there"', () => {
    expect(isUnreachableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnreachableError(new Error('Connection terminated due to connection timeout'))).toBe(true);
    const dualStack = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {});
    expect(isUnreachableError(dualStack)).toBe(true);
  });

  it('treats a server that answered with an error as reachable', () => {
    const auth = Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' });
    expect(isUnreachableError(auth)).toBe(false);
    expect(isUnreachableError(new Error('WRONGPASS invalid username-password pair'))).toBe(false);
  });
});

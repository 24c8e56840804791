import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.ts';
import { isDependencyUnavailable } from './unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyUnavailable', () => {
  it('knows Postgres and Redis that are down, stopping, starting or cut off', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error('Connection is closed.'),
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      new AggregateError([withCode('connect ECONNREFUSED ::1:6379', 'ECONNREFUSED')]),
    ]) {
      expect(isDependencyUnavailable(error), String(error)).toBe(true);
    }
  });

  it('leaves every other failure alone, platform timeouts included', () => {
    for (const error of [
      new Error('Meta did not answer in time (timed out)'),
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('relation "nope" does not exist', '42P01'),
      new AppError('invalid_request', 'bad'),
      new TypeError('fetch failed'),
      'a string',
      undefined,
    ]) {
      expect(isDependencyUnavailable(error), String(error)).toBe(false);
    }
  });
});

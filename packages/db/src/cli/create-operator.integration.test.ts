// `pnpm operator:create` as an operator runs it: a real process on the test's database. A --token that does
// not look random (short, one character, a repeated word, a long run) exits 2 with what is wrong and writes
// nothing, not even over an existing operator's token; every other way in (upsertOperator) refuses it too.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hashToken } from '@adsync/crypto';
import { isAppError } from '@adsync/errors';
import { useTestEnvironment } from '@adsync/testing';
import { describe, expect, it } from 'vitest';
import { upsertOperator } from '../repositories/operators.repository.ts';

const env = useTestEnvironment();
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

function createOperator(args: string[]) {
  const run = spawnSync(process.execPath, ['packages/db/src/cli/create-operator.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env.env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function operatorRows() {
  return env.db.selectFrom('operators').select(['email', 'role', 'token_hash']).orderBy('email').execute();
}

const WEAK_TOKENS: [string, string][] = [
  ['the old development default', 'adsync-dev-operator'],
  ['16 characters, enough until now', 'sixteen-chars-ok'],
  ['a 31-character token', randomBytes(24).toString('base64url').slice(0, 31)],
  ['one key held down', 'x'.repeat(48)],
  ['a word typed over and over', 'letmein!'.repeat(5)],
  ['a password repeated', 'Sup3r-S3cret-2026'.repeat(2)],
  ['four digits in a pattern', '1234'.repeat(10)],
  ['a run of one character', `${'0'.repeat(12)}${randomBytes(16).toString('hex')}`],
];

describe('operator:create --token', () => {
  it.each(WEAK_TOKENS)('refuses %s with exit code 2, and writes nothing', async (_what, token) => {
    const run = createOperator(['--email', 'weak@ops.example', '--role', 'admin', '--token', token]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^--token must (be at least 32 characters|use at least 10 different|not )/);
    expect(run.stderr).toContain('(omit it to get a random one)');
    expect(run.stderr).not.toContain(token);
    expect(run.stdout).toBe('');
    expect(await operatorRows()).toEqual([]);
  });

  it('takes a random token, and a weak one never replaces it', async () => {
    const strong = randomBytes(32).toString('hex');
    const created = createOperator(['--email', 'ops@ops.example', '--role', 'viewer', '--token', strong]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('operator ops@ops.example (viewer) is ready.');
    expect(created.stdout).not.toContain(strong);
    const before = await operatorRows();
    expect(before).toEqual([{ email: 'ops@ops.example', role: 'viewer', token_hash: hashToken(strong) }]);

    for (const [, token] of WEAK_TOKENS) {
      const run = createOperator(['--email', 'ops@ops.example', '--role', 'admin', '--token', token]);
      expect(run.status).toBe(2);
    }
    expect(await operatorRows()).toEqual(before);

    // Without --token it makes one, shows it once, and stores only its hash.
    const generated = createOperator(['--email', 'new@ops.example', '--role', 'admin']);
    expect(generated.status, generated.stderr).toBe(0);
    const token = /token \(shown once, store it now\): (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect(token).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    expect((await operatorRows()).find((row) => row.email === 'new@ops.example')?.token_hash).toBe(hashToken(token));
  });

  it('upsertOperator, the one way into the table, refuses the same tokens', async () => {
    const before = await operatorRows();
    for (const [what, token] of WEAK_TOKENS) {
      const attempt = upsertOperator(env.db, { email: 'ops@ops.example', role: 'admin', token });
      await expect(attempt, what).rejects.toSatisfy(
        (error: unknown) => isAppError(error) && error.code === 'weak_operator_token',
      );
    }
    expect(await operatorRows()).toEqual(before);
  });
});

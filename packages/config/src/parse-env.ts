// Reads configuration once, at boot, and reports every missing or invalid variable in one message.

import type { z } from 'zod';

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nSee .env.example for every variable and its meaning.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` with `schema`. Values are never echoed back in messages: some of them are secrets.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Environment): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? issue.path.join('.') : 'configuration';
    const missing =
      issue.code === 'invalid_type' && issue.path.length === 1 && present[String(issue.path[0])] === undefined;
    const message = missing ? 'is required' : issue.message;
    return `${variable}: ${message}`;
  });
  throw new ConfigError(problems);
}

/** The process environment; the one place outside tests that touches `process.env`. */
export function processEnvironment(): Environment {
  return process.env;
}

/**
 * For a process's entry point: the parsed configuration, or, when anything is missing or invalid, one
 * message listing every problem on stderr and exit code 1 (no stack trace: it is not a bug).
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, processName: string): z.output<S> {
  try {
    return parseEnv(schema, processEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${processName}: ${error.message}`);
    process.exit(1);
  }
}

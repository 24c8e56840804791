// Where the public development defaults may run. They make `./adsync start` work with no editing, and anybody
// can read them in this repository: the dev encryption key and OAuth state secret, the simulator as every
// platform, and the launcher's dev operator token and tenant API key. A process refuses them when its
// PUBLIC_BASE_URL is reachable by others (not loopback), whatever NODE_ENV says, unless
// ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true says this is a shared staging or demo holding no real brand's data;
// with NODE_ENV=production it refuses them always.

import type { z } from 'zod';
import { DEV_ENCRYPTION_KEYS, DEV_OAUTH_STATE_SECRET, DEV_OPERATOR_TOKEN, DEV_TENANT_API_KEY } from './dev-defaults.ts';
import { encryptionKeysField } from './fields.ts';
import { providersTargetOf } from './provider-fields.ts';

/**
 * True when only this machine can reach the URL's host: `localhost` and `*.localhost` (RFC 6761), 127.0.0.0/8,
 * `[::1]`. The URL parser has already normalised the host (case, `127.1`, a trailing dot is kept and refused).
 */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

const devKeyMaterial = encryptionKeysField.parse(DEV_ENCRYPTION_KEYS).map((entry) => entry.key);

/** The fields of a configuration the guard looks at; each app's schema has some of them. */
export interface DevDefaultsFields {
  NODE_ENV: string;
  PUBLIC_BASE_URL?: string;
  ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL?: boolean;
  ENCRYPTION_KEYS?: readonly { id: string; key: Buffer }[];
  OAUTH_STATE_SECRET?: string;
  PROVIDERS_TARGET?: 'simulator' | 'platforms' | undefined;
  DEV_OPERATOR_TOKEN?: string;
  DEV_TENANT_API_KEY?: string;
}

interface DevDefault {
  variable: keyof DevDefaultsFields;
  /** What it is, as the start of a sentence about the variable. */
  is: string;
  /** What to set instead. */
  fix: string;
}

/** The public development defaults the configuration holds. `providers`: the app talks to the platforms. */
function devDefaultsIn(config: DevDefaultsFields, providers: boolean): DevDefault[] {
  const found: DevDefault[] = [];
  if (config.ENCRYPTION_KEYS?.some((entry) => devKeyMaterial.some((dev) => dev.equals(entry.key)))) {
    found.push({ variable: 'ENCRYPTION_KEYS', is: 'holds the public development key', fix: 'set your own keys' });
  }
  if (config.OAUTH_STATE_SECRET === DEV_OAUTH_STATE_SECRET) {
    found.push({ variable: 'OAUTH_STATE_SECRET', is: 'is the public development secret', fix: 'set your own' });
  }
  if (providers && providersTargetOf(config) === 'simulator') {
    found.push({
      variable: 'PROVIDERS_TARGET',
      is: `is the simulator${config.PROVIDERS_TARGET === undefined ? ' (the default outside production)' : ''}`,
      fix: "set PROVIDERS_TARGET=platforms and each platform's credentials",
    });
  }
  if (config.DEV_OPERATOR_TOKEN === DEV_OPERATOR_TOKEN) {
    found.push({ variable: 'DEV_OPERATOR_TOKEN', is: 'is the public development token', fix: 'set your own' });
  }
  if (config.DEV_TENANT_API_KEY === DEV_TENANT_API_KEY) {
    found.push({ variable: 'DEV_TENANT_API_KEY', is: 'is the public development key', fix: 'set your own' });
  }
  return found;
}

const IN_PRODUCTION: Partial<Record<keyof DevDefaultsFields, string>> = {
  ENCRYPTION_KEYS: 'holds the public development key; set your own keys in production',
  OAUTH_STATE_SECRET: 'is the public development secret; set your own in production',
  PROVIDERS_TARGET:
    "simulator is for local runs; set platforms (the default in production) and each platform's credentials",
};

const NOT_LOOPBACK = 'PUBLIC_BASE_URL is not a loopback URL (localhost, *.localhost, 127.0.0.0/8, [::1])';
const OPT_IN = "or ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true on a shared staging or demo that holds no real brand's data";

/**
 * A superRefine for an app's schema: every public development default is a configuration error in production,
 * and on a PUBLIC_BASE_URL that is not loopback unless the opt-in is set. `providers`: the app reaches the
 * platforms (so the simulator counts).
 */
export function refuseDevelopmentDefaults(options: { providers: boolean }) {
  return (config: DevDefaultsFields, ctx: z.RefinementCtx): void => {
    const production = config.NODE_ENV === 'production';
    const publicUrl = config.PUBLIC_BASE_URL !== undefined && !isLoopbackUrl(config.PUBLIC_BASE_URL);
    if (!production && (!publicUrl || config.ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL === true)) return;
    const ignoredOptIn =
      production && config.ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL === true
        ? ' (ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL does not apply with NODE_ENV=production)'
        : '';
    for (const found of devDefaultsIn(config, options.providers)) {
      const message = production
        ? (IN_PRODUCTION[found.variable] ?? `${found.is}; ${found.fix} in production`)
        : `${found.is} while ${NOT_LOOPBACK}: ${found.fix}, ${OPT_IN}`;
      ctx.addIssue({ code: 'custom', path: [found.variable], message: `${message}${ignoredOptIn}` });
    }
  };
}

/**
 * For a process's boot log: which development defaults ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL let it start with on
 * a public URL, or undefined when it relies on none of them there.
 */
export function devDefaultsAllowedOnPublicUrl(
  config: DevDefaultsFields,
  options: { providers: boolean },
): string | undefined {
  if (config.PUBLIC_BASE_URL === undefined || isLoopbackUrl(config.PUBLIC_BASE_URL)) return undefined;
  const variables = devDefaultsIn(config, options.providers).map((found) => found.variable);
  if (variables.length === 0) return undefined;
  return (
    `running on a public URL with the public development ${variables.join(', ')}, as ` +
    "ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true allows: for a shared staging or demo that holds no real brand's data"
  );
}

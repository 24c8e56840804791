// Looks for secrets in captured text (log lines, Redis entries, HTTP answers, rows): each secret as is, URL-
// encoded, JSON-escaped, and in base64 and base64url at any byte offset, so it is also found inside a larger
// encoded value such as an HTTP basic-auth header or an opaque cursor.

export interface Secret {
  /** What it is, for the report (never the value). */
  name: string;
  value: string;
  /** Other spellings to look for (e.g. a key's bytes in hex). */
  alsoAs?: readonly string[];
  /** Sources where the secret may appear because they issued it (source names starting with one of these). */
  allowedIn?: readonly string[];
}

export interface ScanSource {
  /** e.g. "log worker-spend:42", "redis {p}:refresh:7 failedReason", "http PUT /v1/webhook #3". */
  name: string;
  text: string;
}

export interface SecretHit {
  secret: string;
  form: string;
  source: string;
  /** The text around the hit, with the secret itself masked. */
  around: string;
}

/** Shorter values match by chance; a secret this short is a mistake in the test. */
export const MIN_SECRET_LENGTH = 12;

/**
 * The part of base64(x) that is the same whatever x holds around `bytes`, for each of the three offsets
 * `bytes` can start at inside x: the 4-character groups made only of `bytes`' own bits.
 */
function base64Cores(bytes: Buffer, alphabet: 'base64' | 'base64url'): string[] {
  const cores: string[] = [];
  // `lead`: how many bytes of x come before `bytes` in their 3-byte group.
  for (let lead = 0; lead < 3; lead += 1) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString(alphabet);
    // Keep whole groups only: not the first when it holds lead bytes, not a last partial one (it holds
    // whatever comes after `bytes`).
    const core = encoded.slice(lead === 0 ? 0 : 4, Math.floor((lead + bytes.length) / 3) * 4);
    if (core.length >= MIN_SECRET_LENGTH) cores.push(core);
  }
  return cores;
}

/** Every spelling of a secret the scan looks for, each with a label. */
export function secretForms(secret: Secret): { form: string; text: string }[] {
  const forms = new Map<string, string>();
  const add = (form: string, value: string) => {
    if (value.length >= MIN_SECRET_LENGTH && ![...forms.values()].includes(value)) forms.set(form, value);
  };
  add('as is', secret.value);
  add('URL-encoded', encodeURIComponent(secret.value));
  add('JSON-escaped', JSON.stringify(secret.value).slice(1, -1));
  const bytes = Buffer.from(secret.value, 'utf8');
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (const [lead, core] of base64Cores(bytes, alphabet).entries()) add(`${alphabet} (offset ${lead})`, core);
  }
  for (const [index, other] of (secret.alsoAs ?? []).entries()) add(`other spelling ${index + 1}`, other);
  return [...forms].map(([form, text]) => ({ form, text }));
}

/** Every place a secret shows up in the sources, except where it is allowed. */
export function scanForSecrets(secrets: readonly Secret[], sources: readonly ScanSource[]): SecretHit[] {
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LENGTH) {
      throw new Error(`secret "${secret.name}" is ${secret.value.length} characters: too short to scan for`);
    }
  }
  const hits: SecretHit[] = [];
  for (const secret of secrets) {
    const forms = secretForms(secret);
    for (const source of sources) {
      if (secret.allowedIn?.some((prefix) => source.name.startsWith(prefix)) === true) continue;
      for (const { form, text } of forms) {
        const at = source.text.indexOf(text);
        if (at === -1) continue;
        const around = `${source.text.slice(Math.max(0, at - 60), at)}<${secret.name}>${source.text.slice(
          at + text.length,
          at + text.length + 60,
        )}`;
        hits.push({ secret: secret.name, form, source: source.name, around });
        break;
      }
    }
  }
  return hits;
}

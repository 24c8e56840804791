// Completes a simulated platform's consent page by plain HTTP, as a person would in a browser: load the
// authorization URL, submit its form with Approve or Deny, and return where the platform redirects.
// Works for every platform because they all render core/consent-page.ts.

export interface ConsentChoice {
  decision: 'approve' | 'deny';
  /** Account ids to keep checked; every offered account when omitted. */
  accounts?: readonly string[];
}

function decodeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decodeHtml(match[1]);
}

/** Returns the redirect the platform answers the form with (its `Location`). */
export async function completeConsent(authorizeUrl: string, choice: ConsentChoice): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorization page answered ${page.status}: ${html.slice(0, 300)}`);
  const formTag = /<form\b[^>]*>/.exec(html)?.[0];
  const action = formTag === undefined ? undefined : attribute(formTag, 'action');
  if (action === undefined) throw new Error('the authorization page has no form');

  const form = new URLSearchParams();
  const offered: string[] = [];
  for (const input of html.match(/<input\b[^>]*>/g) ?? []) {
    const name = attribute(input, 'name');
    const value = attribute(input, 'value') ?? '';
    if (name === undefined) continue;
    if (attribute(input, 'type') === 'hidden') form.append(name, value);
    if (name === 'accounts') offered.push(value);
  }
  for (const account of choice.accounts ?? offered) form.append('accounts', account);
  form.append('decision', choice.decision);

  const answer = await fetch(new URL(action, authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = answer.headers.get('location');
  if (answer.status < 300 || answer.status >= 400 || location === null) {
    throw new Error(
      `consent form answered ${answer.status} without a redirect: ${(await answer.text()).slice(0, 300)}`,
    );
  }
  return new URL(location, authorizeUrl);
}

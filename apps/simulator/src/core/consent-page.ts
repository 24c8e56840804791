// The consent page every simulated platform shows: app name, requested scopes, the accounts to grant with
// checkboxes, Approve / Deny. A person clicks it in a browser; a script POSTs the same form.

export interface ConsentPage {
  platformName: string;
  appName: string;
  scopes: readonly string[];
  accounts: readonly { id: string; name: string; detail: string }[];
  /** Where the form posts. */
  action: string;
  /** The authorization request, carried through the form unchanged. */
  hidden: Record<string, string>;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderConsentPage(page: ConsentPage): string {
  const hidden = Object.entries(page.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const scopes = page.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  const accounts = page.accounts
    .map(
      (account) => `
        <li><label><input type="checkbox" name="accounts" value="${escapeHtml(account.id)}" checked>
          ${escapeHtml(account.name)} <small>${escapeHtml(account.id)} · ${escapeHtml(account.detail)}</small></label></li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(page.platformName)} — authorize ${escapeHtml(page.appName)}</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 38rem; margin: 3rem auto; padding: 0 1rem; color: #1c1c1c; }
    .notice { background: #fff4d6; border: 1px solid #e6c200; padding: .5rem .75rem; border-radius: 6px; font-size: .9rem; }
    ul { padding-left: 1.25rem; } small { color: #666; }
    button { font: inherit; padding: .5rem 1.25rem; margin-right: .5rem; border-radius: 6px; border: 1px solid #888; cursor: pointer; }
    button[value=approve] { background: #1a5fd0; color: white; border-color: #1a5fd0; }
  </style>
</head>
<body>
  <p class="notice">Simulated ${escapeHtml(page.platformName)} (adsync simulator) — no real account is involved.</p>
  <h1>${escapeHtml(page.appName)} wants access to your ${escapeHtml(page.platformName)} accounts</h1>
  <form method="post" action="${escapeHtml(page.action)}">
      ${hidden}
    <h2>It asks for</h2>
    <ul>${scopes}</ul>
    <h2>Accounts to share</h2>
    <ul>${accounts}</ul>
    <button type="submit" name="decision" value="approve">Approve</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </form>
</body>
</html>`;
}

/** The accounts a consent form granted: the checked boxes (one value or several). */
export function grantedAccounts(body: Record<string, unknown>): string[] {
  const value = body.accounts;
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? [value] : [];
}

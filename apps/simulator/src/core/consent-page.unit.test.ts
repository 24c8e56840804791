import { describe, expect, it } from 'vitest';
import { grantedAccounts, renderConsentPage } from './consent-page.ts';

describe('consent page', () => {
  it('escapes everything it shows and carries the request through hidden fields', () => {
    const html = renderConsentPage({
      platformName: 'Meta',
      appName: '<script>alert(1)</script>',
      scopes: ['ads_read'],
      accounts: [{ id: 'act_1', name: 'A & B "shop"', detail: 'USD' }],
      action: '/meta/www/consent',
      hidden: { redirect_uri: 'https://x.example/cb?a=1&b="2"' },
    });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('A &#38; B &#34;shop&#34;');
    expect(html).toContain('value="https://x.example/cb?a=1&#38;b=&#34;2&#34;"');
    expect(html).toContain('name="decision" value="approve"');
    expect(html).toContain('name="decision" value="deny"');
  });

  it('reads one or several checked accounts from a form body', () => {
    expect(grantedAccounts({ accounts: 'act_1' })).toEqual(['act_1']);
    expect(grantedAccounts({ accounts: ['act_1', 'act_2'] })).toEqual(['act_1', 'act_2']);
    expect(grantedAccounts({})).toEqual([]);
  });
});

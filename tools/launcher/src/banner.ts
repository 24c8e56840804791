// What the launcher prints once everything is up: where to go, and how to log in to Bull Board.

import type { Environment } from '@adsync/config';

export interface BannerInput {
  publicBaseUrl: string;
  /** Where the simulated platforms answer. */
  simulatorUrl: string;
  /** The gateway's internal /metrics listener (not on the public port). */
  metricsUrl: string;
  operatorEmail: string;
  operatorToken: string;
  /** The local brand's API key. */
  tenantApiKey: string;
  colour: boolean;
}

/**
 * PUBLIC_BASE_URL as set; when it is not set, the gateway's own port on localhost, so a launcher started
 * with another GATEWAY_PORT does not send people (or OAuth redirects) to port 3000.
 */
export function publicBaseUrlFor(config: { PUBLIC_BASE_URL: string; GATEWAY_PORT: number }, env: Environment): string {
  const explicit = env.PUBLIC_BASE_URL !== undefined && env.PUBLIC_BASE_URL !== '';
  const url = explicit ? config.PUBLIC_BASE_URL : `http://localhost:${config.GATEWAY_PORT}`;
  return url.replace(/\/+$/, '');
}

export function formatBanner(input: BannerInput): string {
  const bold = (text: string) => (input.colour ? `\u001b[1m${text}\u001b[0m` : text);
  const dim = (text: string) => (input.colour ? `\u001b[2m${text}\u001b[0m` : text);
  const rows: [string, string][] = [
    ['Gateway', input.publicBaseUrl],
    ['Admin page', `${input.publicBaseUrl}/admin ${dim('(sign in with the tenant key below)')}`],
    ['API docs', `${input.publicBaseUrl}/docs`],
    ['Metrics', `${input.metricsUrl} ${dim('(internal port; the workers on their health ports)')}`],
    ['Bull Board', `${input.publicBaseUrl}/queues`],
    ['', dim(`user ${input.operatorEmail}, password ${input.operatorToken}`)],
    ['Tenant key', `${input.tenantApiKey} ${dim('(the local brand; Authorization: Bearer …)')}`],
    ['Simulator', `${input.simulatorUrl} ${dim('(Meta, Google Ads, TikTok, Klaviyo; control at /_control)')}`],
  ];
  return [
    '',
    `  ${bold('adsync is running')}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(11)}${value}`),
    '',
    `  ${dim('Ctrl-C stops everything.')}`,
    '',
    '',
  ].join('\n');
}

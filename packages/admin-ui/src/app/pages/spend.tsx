// Spend: the last 30 days per platform as a chart, then by region and by ad account as tables.

import type { ComponentChildren } from 'preact';
import { ErrorMessage, Loading } from '../components/messages.tsx';
import { SpendChart } from '../components/spend-chart.tsx';
import { formatMicros, formatNumber, platformName } from '../format.ts';
import { Link } from '../router.tsx';
import type { DailySpend, RegionSpend, SpendAmount } from '../types.ts';
import { useApi, usePolling } from '../use-api.ts';

interface AccountSpend extends SpendAmount {
  adAccountId: string;
  externalId: string;
  name: string;
  provider: string;
}

const bySpend = (a: SpendAmount, b: SpendAmount) => Number(BigInt(b.spendMicros) - BigInt(a.spendMicros));

interface SpendRow extends SpendAmount {
  key: string;
  label: ComponentChildren;
  provider: string;
}

/** Spend broken down by something (a region, an ad account), largest first. */
function SpendTable(props: { testId: string; firstColumn: string; empty: string; rows: SpendRow[] }) {
  if (props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <table class="table" data-testid={props.testId}>
      <thead>
        <tr>
          <th scope="col">{props.firstColumn}</th>
          <th scope="col">Platform</th>
          <th scope="col" class="number">
            Spend
          </th>
          <th scope="col" class="number">
            Impressions
          </th>
          <th scope="col" class="number">
            Clicks
          </th>
        </tr>
      </thead>
      <tbody>
        {[...props.rows].sort(bySpend).map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td>{platformName(row.provider)}</td>
            <td class="number">{formatMicros(row.spendMicros, row.currency)}</td>
            <td class="number">{formatNumber(row.impressions)}</td>
            <td class="number">{formatNumber(row.clicks)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SpendPage() {
  const daily = useApi<{ from: string; to: string; days: DailySpend[] }>('/v1/spend/daily');
  const regions = useApi<{ regions: RegionSpend[] }>('/v1/spend/regions');
  const accounts = useApi<{ accounts: AccountSpend[] }>('/v1/spend/accounts');
  usePolling(daily.reload, 30_000);
  usePolling(regions.reload, 30_000);
  usePolling(accounts.reload, 30_000);

  const currencies = [...new Set(daily.data?.days.map((row) => row.currency) ?? [])].sort();
  return (
    <>
      <h1>Spend</h1>
      <p class="muted">
        Daily spend per platform for the last 30 days
        {daily.data ? ` (${daily.data.from} to ${daily.data.to}, UTC days)` : ''}. Recent days may still change as
        platforms restate them.
      </p>
      <ErrorMessage>{daily.error}</ErrorMessage>
      {daily.data === undefined ? (
        daily.loading && <Loading what="spend" />
      ) : currencies.length === 0 ? (
        <p class="card">
          No spend yet. It appears here within the hour once an ad account is connected and selected on{' '}
          <Link href="/admin">Integrations</Link>.
        </p>
      ) : (
        currencies.map((currency) => (
          <section key={currency} aria-label={`Spend in ${currency}`}>
            {currencies.length > 1 && <h2>In {currency}</h2>}
            <SpendChart
              rows={daily.data?.days.filter((row) => row.currency === currency) ?? []}
              currency={currency}
              from={daily.data?.from ?? ''}
              to={daily.data?.to ?? ''}
            />
          </section>
        ))
      )}

      <h2>By region</h2>
      <ErrorMessage>{regions.error}</ErrorMessage>
      {regions.data !== undefined && (
        <SpendTable
          testId="regions"
          firstColumn="Region"
          empty="No regional breakdown yet."
          rows={regions.data.regions.map((row) => ({
            key: `${row.provider}:${row.region}:${row.currency}`,
            label: row.region,
            ...row,
          }))}
        />
      )}

      <h2>By ad account</h2>
      <ErrorMessage>{accounts.error}</ErrorMessage>
      {accounts.data !== undefined && (
        <SpendTable
          testId="accounts"
          firstColumn="Account"
          empty="No ad account has spend yet."
          rows={accounts.data.accounts.map((row) => ({
            key: `${row.adAccountId}:${row.currency}`,
            label: (
              <>
                {row.name} <span class="muted">({row.externalId})</span>
              </>
            ),
            ...row,
          }))}
        />
      )}
    </>
  );
}

// Daily spend per platform as stacked bars (one chart per currency: amounts in different currencies are
// never added up). Each bar segment names its platform, day and amount on hover, and the same figures
// are one click away as a table for screen readers and keyboard users.

import { formatMicros, platformName } from '../format.ts';
import type { DailySpend } from '../types.ts';

const WIDTH = 760;
const HEIGHT = 260;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 72 };
const PLATFORM_ORDER = ['meta', 'google', 'tiktok'];

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let day = new Date(`${from}T00:00:00Z`);
    day.toISOString().slice(0, 10) <= to;
    day = new Date(day.getTime() + 86_400_000)
  ) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

/** A round step for the y axis so that about four gridlines cover `max`. */
function niceStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 2.5, 5, 10].map((factor) => factor * power).find((step) => step >= rough) ?? rough) || 1;
}

export function SpendChart(props: { rows: DailySpend[]; currency: string; from: string; to: string }) {
  const days = everyDay(props.from, props.to);
  const providers = PLATFORM_ORDER.filter((provider) => props.rows.some((row) => row.provider === provider));
  const amount = (day: string, provider: string) =>
    props.rows
      .filter((row) => row.date === day && row.provider === provider)
      .reduce((sum, row) => sum + Number(BigInt(row.spendMicros)), 0);
  const totals = days.map((day) => providers.reduce((sum, provider) => sum + amount(day, provider), 0));
  const max = Math.max(...totals, 1);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = plotWidth / days.length;
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  const money = (micros: number) => formatMicros(BigInt(Math.round(micros)), props.currency);
  const grandTotal = totals.reduce((sum, value) => sum + value, 0);

  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Daily spend in ${props.currency} from ${props.from} to ${props.to}: ${money(grandTotal)} in total`}
      >
        {ticks.map((tick) => (
          <g key={tick} class="chart__grid">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text x={MARGIN.left - 6} y={y(tick) + 4} text-anchor="end">
              {money(tick)}
            </text>
          </g>
        ))}
        {days.map((day, index) => {
          let base = 0;
          return (
            <g key={day}>
              {providers.map((provider) => {
                const value = amount(day, provider);
                if (value === 0) return null;
                const rect = (
                  <rect
                    key={provider}
                    class={`chart__bar chart__bar--${provider}`}
                    data-day={day}
                    data-provider={provider}
                    x={MARGIN.left + index * band + band * 0.15}
                    width={band * 0.7}
                    y={y(base + value)}
                    height={y(base) - y(base + value)}
                  >
                    <title>
                      {platformName(provider)}, {day}: {money(value)}
                    </title>
                  </rect>
                );
                base += value;
                return rect;
              })}
              {(days.length - 1 - index) % 7 === 0 && (
                <text
                  class="chart__label"
                  x={MARGIN.left + index * band + band / 2}
                  y={HEIGHT - 8}
                  text-anchor="middle"
                >
                  {day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {providers.map((provider) => (
            <li key={provider}>
              <span class={`legend__swatch chart__bar--${provider}`} aria-hidden="true" />
              {platformName(provider)}
            </li>
          ))}
        </ul>
        <details>
          <summary>Show these figures as a table</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {providers.map((provider) => (
                  <th scope="col" key={provider}>
                    {platformName(provider)}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day, index) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {providers.map((provider) => (
                    <td key={provider}>{money(amount(day, provider))}</td>
                  ))}
                  <td>{money(totals[index] ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}

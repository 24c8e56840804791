// Conversion events: per destination, what was delivered and dead-lettered over the last 30 days and
// what is waiting now; then the dead letters, with the reason each failed, to replay once fixed.

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import { ErrorMessage, Loading, Notice } from '../components/messages.tsx';
import { formatDateTime, formatNumber, platformName } from '../format.ts';
import type { DeadLetter, DeliveryStats } from '../types.ts';
import { useAction, useApi, usePolling } from '../use-api.ts';

export function EventsPage() {
  const stats = useApi<DeliveryStats>('/v1/events/delivery-stats?days=30');
  const letters = useApi<{ deadLetters: DeadLetter[]; nextCursor: string | null }>(
    '/v1/events/dead-letters?status=dead&limit=100',
  );
  usePolling(stats.reload, 10_000);
  const [chosen, setChosen] = useState<string[]>([]);
  const [replayed, setReplayed] = useState<{ replayed: number; notReplayable: number } | undefined>(undefined);
  const action = useAction();
  const destinationName = (id: string) =>
    stats.data?.destinations.find((destination) => destination.destinationId === id)?.name ?? id;

  const replay = (ids: string[]) =>
    action.run(async () => {
      const result = await apiRequest<{ replayed: string[]; notReplayable: string[] }>(
        'POST',
        '/v1/events/dead-letters/replay',
        { ids },
      );
      setReplayed({ replayed: result.replayed.length, notReplayable: result.notReplayable.length });
      setChosen([]);
      await Promise.all([letters.reload(), stats.reload()]);
    });
  const shown = letters.data?.deadLetters ?? [];

  return (
    <>
      <h1>Conversion events</h1>
      <h2>Delivery, last 30 days</h2>
      <ErrorMessage>{stats.error}</ErrorMessage>
      {stats.data === undefined ? (
        stats.loading && <Loading what="delivery counts" />
      ) : stats.data.destinations.length === 0 ? (
        <p class="muted">No event destinations yet. Your developers add them with the destinations API.</p>
      ) : (
        <table class="table" data-testid="delivery">
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col" class="number">
                Delivered
              </th>
              <th scope="col" class="number">
                Dead-lettered
              </th>
              <th scope="col" class="number">
                Waiting now
              </th>
              <th scope="col">Last delivery</th>
              <th scope="col">Last problem</th>
            </tr>
          </thead>
          <tbody>
            {stats.data.destinations.map((destination) => (
              <tr key={destination.destinationId}>
                <th scope="row">
                  {destination.name} <span class="muted">({platformName(destination.provider)})</span>
                  {!destination.enabled && <span class="badge badge--off">Paused</span>}
                </th>
                <td class="number">{formatNumber(destination.delivered)}</td>
                <td class="number">{formatNumber(destination.deadLettered)}</td>
                <td class="number">{formatNumber(destination.waiting)}</td>
                <td>{formatDateTime(destination.lastDeliveredAt)}</td>
                <td>
                  {destination.lastError === null ? '—' : (destination.lastError.message ?? destination.lastError.code)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Dead letters</h2>
      <p class="muted">
        Events the platforms would not take, or that could not be sent in time. Fix the cause (a reconnection, a paused
        destination), then replay them.
      </p>
      <ErrorMessage>{letters.error ?? action.error}</ErrorMessage>
      {replayed !== undefined && (
        <Notice tone="success">
          {replayed.replayed} event(s) sent back to delivery
          {replayed.notReplayable > 0 ? `; ${replayed.notReplayable} could not be replayed (already replayed)` : ''}.
        </Notice>
      )}
      {letters.data !== undefined && shown.length === 0 && (
        <p>No dead letters. Every event was delivered or is on its way.</p>
      )}
      {shown.length > 0 && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void replay(chosen);
          }}
        >
          <table class="table" data-testid="dead-letters">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Choose every dead letter shown"
                    checked={chosen.length === shown.length}
                    onChange={(event) => setChosen(event.currentTarget.checked ? shown.map((letter) => letter.id) : [])}
                  />
                </th>
                <th scope="col">Event</th>
                <th scope="col">Destination</th>
                <th scope="col">Why it failed</th>
                <th scope="col" class="number">
                  Failures
                </th>
                <th scope="col">Failed at</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((letter) => (
                <tr key={letter.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Choose ${letter.eventName} ${letter.eventId}`}
                      checked={chosen.includes(letter.id)}
                      onChange={(event) => {
                        const on = event.currentTarget.checked;
                        setChosen((current) =>
                          on ? [...current, letter.id] : current.filter((id) => id !== letter.id),
                        );
                      }}
                    />
                  </td>
                  <th scope="row">
                    {letter.eventName} <span class="muted">{letter.eventId}</span>
                  </th>
                  <td>{destinationName(letter.destinationId)}</td>
                  <td>{letter.reason.message}</td>
                  <td class="number">{letter.failures}</td>
                  <td>{formatDateTime(letter.failedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button type="submit" class="button button--primary" disabled={action.busy || chosen.length === 0}>
              Replay {chosen.length === 0 ? 'chosen events' : `${chosen.length} event(s)`}
            </button>
          </div>
          {letters.data?.nextCursor !== null && (
            <p class="muted">Showing the 100 most recent; replay these to see older ones.</p>
          )}
        </form>
      )}
    </>
  );
}

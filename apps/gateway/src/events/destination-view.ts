// What the destinations API shows of a conversion-event destination: where events go, which token sends
// them and how the last delivery went. Built field by field from the row, so the sealed token never leaks.

import type { CapiDestination } from '@adsync/db';

export interface DestinationView {
  id: string;
  provider: string;
  name: string;
  pixelId: string;
  /** `connection`: a stored connection's token sends the events; `dedicated`: the destination's own token. */
  tokenSource: 'connection' | 'dedicated';
  connectionId: string | null;
  testEventCode: string | null;
  enabled: boolean;
  lastDeliveredAt: string | null;
  lastError: { code: string; message: string | null; at: string | null } | null;
  createdAt: string;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function destinationView(destination: CapiDestination): DestinationView {
  return {
    id: destination.id,
    provider: destination.provider,
    name: destination.name,
    pixelId: destination.pixel_id,
    tokenSource: destination.connection_id === null ? 'dedicated' : 'connection',
    connectionId: destination.connection_id,
    testEventCode: destination.test_event_code,
    enabled: destination.enabled,
    lastDeliveredAt: iso(destination.last_delivered_at),
    lastError:
      destination.last_error_code === null
        ? null
        : {
            code: destination.last_error_code,
            message: destination.last_error_message,
            at: iso(destination.last_error_at),
          },
    createdAt: destination.created_at.toISOString(),
  };
}

// Dead letters: events that could not be delivered, kept sealed (they hold hashed customer data and clear
// IPs, user agents and click ids) with the reason, and put back in the delivery buffer on replay.

import { type Keyring, openSecret, sealSecret } from '@adsync/crypto';
import {
  type CapiDeadLetter,
  type Db,
  findDeadLettersToReplay,
  insertDeadLetters,
  markDeadLettersReplayed,
} from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';
import type { EventBuffer } from './event-buffer.ts';
import type { QueuedEvent } from './platform-events.ts';

export interface DeadLetterReason {
  code: string;
  message: string;
}

/** The payload is bound to its tenant and destination: copied to another row, it does not open. */
const sealContext = (tenantId: string, destinationId: string) => ({
  tenantId,
  connectionId: destinationId,
  field: 'capi_dead_letter',
});

export async function deadLetter(
  deps: { db: Db; keyring: Keyring },
  destination: { tenantId: string; destinationId: string },
  events: readonly QueuedEvent[],
  reason: DeadLetterReason,
): Promise<void> {
  const context = sealContext(destination.tenantId, destination.destinationId);
  await insertDeadLetters(
    deps.db,
    events.map((event) => ({
      tenantId: destination.tenantId,
      destinationId: destination.destinationId,
      eventId: event.eventId,
      eventName: event.event.name,
      eventTime: new Date(event.event.time * 1000),
      payloadCiphertext: sealSecret(deps.keyring, JSON.stringify(event), context),
      reasonCode: reason.code,
      reasonMessage: reason.message,
      acceptedAt: new Date(event.acceptedAt),
    })),
  );
}

function openDeadLetter(keyring: Keyring, letter: CapiDeadLetter): QueuedEvent {
  return JSON.parse(
    openSecret(keyring, letter.payload_ciphertext, sealContext(letter.tenant_id, letter.destination_id)),
  ) as QueuedEvent;
}

export interface ReplayDeps {
  db: Db;
  keyring: Keyring;
  buffer: EventBuffer;
  producer: QueueProducer;
  lingerMs: number;
}

/**
 * Puts the named dead letters back for delivery (of one tenant, or any for an operator); returns the ids
 * replayed. Letters already replayed, or not the caller's, are left out. An event that fails again comes
 * back to the same dead letter.
 */
export async function replayDeadLetters(
  deps: ReplayDeps,
  filter: { tenantId?: string; ids: readonly string[] },
): Promise<string[]> {
  const letters = await findDeadLettersToReplay(deps.db, filter);
  const byDestination = new Map<string, CapiDeadLetter[]>();
  for (const letter of letters) {
    const group = byDestination.get(letter.destination_id);
    if (group === undefined) byDestination.set(letter.destination_id, [letter]);
    else group.push(letter);
  }
  for (const [destinationId, group] of byDestination) {
    const events = group.map((letter) => ({ ...openDeadLetter(deps.keyring, letter), acceptedAt: Date.now() }));
    const { armed } = await deps.buffer.requeue(destinationId, events);
    // Marked once back in the buffer: a crash in between replays it again, and the platform dedups by event id.
    await markDeadLettersReplayed(
      deps.db,
      group.map((letter) => letter.id),
    );
    const tenantId = group[0]?.tenant_id;
    if (armed && tenantId !== undefined) {
      await deps.producer.enqueue(
        'capi-events',
        'flush-destination',
        { tenantId, destinationId },
        { delay: deps.lingerMs },
      );
    }
  }
  return letters.map((letter) => letter.id);
}

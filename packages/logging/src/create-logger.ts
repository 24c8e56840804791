// One way to make a logger: pino with redaction on, JSON in production, readable lines in development.

import { type DestinationStream, type Logger, pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { REDACT_PATHS, REDACTED } from './redaction.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** The process or component, e.g. `gateway` or `worker-refresh`. */
  name: string;
  level: string;
  format: 'pretty' | 'json';
  /** Where lines go; stdout when omitted. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/**
 * How an HTTP request appears in logs: method and path, never the query string, which carries OAuth codes,
 * states and (on platforms' APIs) access tokens.
 */
function requestSummary(request: { method?: string; url?: string; id?: unknown }): Record<string, unknown> {
  return { method: request.method, path: request.url?.split('?')[0], id: request.id };
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    (options.format === 'pretty'
      ? // pino-pretty decides on colour itself: on a terminal, or when FORCE_COLOR is set (the launcher's pipes).
        PinoPretty({ translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' })
      : pino.destination({ sync: false }));
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err, req: requestSummary },
    },
    destination,
  );
}

/** LOG_FORMAT when set; otherwise JSON in production and pretty lines elsewhere. */
export function logFormatFor(config: {
  NODE_ENV: string;
  LOG_FORMAT?: 'pretty' | 'json' | undefined;
}): 'pretty' | 'json' {
  return config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty');
}

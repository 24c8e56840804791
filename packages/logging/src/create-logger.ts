// One way to make a logger: pino with redaction on, JSON in production, readable lines in development.
// Redaction is by key name at any depth (redact-secrets.ts), done in pino's formatters on the already
// summarized entry. (pino's own path redaction ran some 250 wildcard paths over every value it printed,
// the request id of each request's child logger included: a fifth of the gateway's CPU at ingest.)

import { type DestinationStream, type Logger, pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { redactSecrets } from './redact-secrets.ts';

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

/** A reply (Fastify logs `res` when a request completes) as its status only. */
function responseSummary(reply: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: reply.statusCode };
}

const SUMMARIES: Record<string, (value: never) => unknown> = {
  req: requestSummary,
  res: responseSummary,
  err: pino.stdSerializers.err,
  error: pino.stdSerializers.err,
};

/** What a log call or a child's bindings print: known objects summarized, then every secret redacted. */
function printable(entry: Record<string, unknown>): Record<string, unknown> {
  const summarized: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) {
    const summary = SUMMARIES[key];
    const value = entry[key];
    summarized[key] = summary === undefined || value === null || value === undefined ? value : summary(value as never);
  }
  return redactSecrets(summarized) as Record<string, unknown>;
}

/**
 * The summaries run in `printable`, before redaction. These pass-through serializers take the names so that
 * Fastify's own (its `req` prints the query string) never re-serialize what was already summarized.
 */
const PASS_THROUGH = Object.fromEntries(Object.keys(SUMMARIES).map((key) => [key, (value: unknown) => value]));

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    (options.format === 'pretty'
      ? // pino-pretty decides on colour itself: on a terminal, or when FORCE_COLOR is set (the launcher's pipes).
        PinoPretty({ translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' })
      : pino.destination({ sync: false }));
  const logger = pino(
    { name: options.name, level: options.level, formatters: { log: printable }, serializers: PASS_THROUGH },
    destination,
  );
  // pino formats only the root's bindings, so a child's (`logger.child({ connection })`) are made printable
  // here, once, when the child is made. Children inherit this method, so grandchildren are covered too.
  const bindChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return bindChild.call(this, printable(bindings), childOptions);
  } as typeof logger.child;
  return logger;
}

/** LOG_FORMAT when set; otherwise JSON in production and pretty lines elsewhere. */
export function logFormatFor(config: {
  NODE_ENV: string;
  LOG_FORMAT?: 'pretty' | 'json' | undefined;
}): 'pretty' | 'json' {
  return config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty');
}

// A logger for tests that read what was logged: the real logger (redaction and all), its JSON lines kept.

import { createLogger, type Logger } from '@adsync/logging';

export interface CapturingLogger {
  logger: Logger;
  /** Every line written so far, one JSON object each. */
  lines: string[];
}

export function createCapturingLogger(name: string, level = 'trace'): CapturingLogger {
  const lines: string[] = [];
  const logger = createLogger({
    name,
    level,
    format: 'json',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, lines };
}

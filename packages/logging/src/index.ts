export { createLogger, type Logger, type LoggerOptions, logFormatFor } from './create-logger.ts';
export { redactSecrets } from './redact-secrets.ts';
export { redactSecretsInText } from './redact-secrets-in-text.ts';
export { PII_KEYS, REDACTED, SECRET_KEYS } from './redaction.ts';

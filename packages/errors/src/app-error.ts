// Expected failures that cross a boundary (HTTP, job, CLI) carry a stable code and a message that says
// what to fix. Messages must never contain secrets: they reach logs, job state and HTTP responses.

export class AppError extends Error {
  readonly code: string;
  /** The HTTP status this failure maps to when it reaches a client. */
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

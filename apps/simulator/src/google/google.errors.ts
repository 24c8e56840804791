// Google Ads API failures: a google.rpc.Status envelope whose first detail is a GoogleAdsFailure of the
// requested API version. Thrown by handlers and rendered by the platform's error handler.

import { hexToken } from '../core/tokens.ts';

const STATUS: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
};

export class GoogleAdsError extends Error {
  readonly httpStatus: number;
  readonly errorCode: Record<string, string>;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    httpStatus: number,
    errorCode: Record<string, string>,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.details = details;
  }
}

export function failureBody(error: GoogleAdsError, version: string) {
  const status = STATUS[error.httpStatus] ?? { status: 'INTERNAL', message: 'Internal error encountered.' };
  return {
    error: {
      code: error.httpStatus,
      message: status.message,
      status: status.status,
      details: [
        {
          '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`,
          errors: [
            {
              errorCode: error.errorCode,
              message: error.message,
              ...(error.details === undefined ? {} : { details: error.details }),
            },
          ],
          requestId: hexToken(11),
        },
      ],
    },
  };
}

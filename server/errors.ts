// Every error the server answers with on purpose, built in one place: a stable code, the HTTP status
// and the default message. Routes throw `apiError('AP_…')`; the error handler turns it into
// `{ "error": { "code", "message" } }`. docs/api.md lists the same table (a test keeps them equal).

export const API_ERRORS = {
  AP_BAD_REQUEST: { statusCode: 400, message: 'The request is malformed' },
  AP_VALIDATION_FAILED: { statusCode: 400, message: 'The request does not match the schema' },
  AP_UNAUTHENTICATED: { statusCode: 401, message: 'Credentials are missing or invalid' },
  AP_LOGIN_FAILED: { statusCode: 401, message: 'Wrong username or password' },
  AP_ENROLLMENT_TOKEN_INVALID: {
    statusCode: 401,
    message: 'The enrollment token is unknown, expired, revoked or used up',
  },
  AP_AGENT_CREDENTIAL_INVALID: { statusCode: 401, message: 'The host credential is invalid or revoked' },
  AP_FORBIDDEN: { statusCode: 403, message: 'Your role does not allow this' },
  AP_NOT_FOUND: { statusCode: 404, message: 'Not found' },
  AP_CONFLICT: { statusCode: 409, message: 'The resource already exists' },
  AP_PAYLOAD_TOO_LARGE: { statusCode: 413, message: 'The request body is too large' },
  AP_UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: 'The content type is not supported' },
  AP_RATE_LIMITED: { statusCode: 429, message: 'Too many attempts; try again later' },
  AP_INTERNAL: { statusCode: 500, message: 'Internal server error' },
  AP_DB_UNAVAILABLE: { statusCode: 503, message: 'The database is unavailable; try again later' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  /** Seconds, sent as Retry-After (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ApiErrorCode, message?: string, options: { retryAfterSeconds?: number } = {}) {
    super(message ?? API_ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = API_ERRORS[code].statusCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function apiError(code: ApiErrorCode, message?: string, options?: { retryAfterSeconds?: number }) {
  return new ApiError(code, message, options);
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

// What can go wrong when the CLI talks to the server, each with its own exit code so scripts
// can tell "wrong token" from "server down" from "no such host".
export const EXIT_API_ERROR = 1;
/** EX_UNAVAILABLE: the server could not be reached or answered 5xx. */
export const EXIT_UNREACHABLE = 69;
/** EX_NOPERM: 401 or 403. */
export const EXIT_NOT_ALLOWED = 77;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get exitCode(): number {
    if (this.status === 401 || this.status === 403) return EXIT_NOT_ALLOWED;
    if (this.status >= 500) return EXIT_UNREACHABLE;
    return EXIT_API_ERROR;
  }
}

export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
  readonly exitCode = EXIT_UNREACHABLE;
}

/** One line for a person: what failed and what to do about it. */
export function describeApiError(err: ApiError, server: string): string {
  switch (err.status) {
    case 401:
      return `${server} refused the credentials (${err.code}): the API token is wrong, expired or revoked; create one with POST /api/v1/api-tokens`;
    case 403:
      return `${err.message} (${err.code}): the token's user lacks the role for this`;
    case 404:
      return `${err.message} (${err.code})`;
    default:
      return `the server answered ${err.status} ${err.code}: ${err.message}`;
  }
}

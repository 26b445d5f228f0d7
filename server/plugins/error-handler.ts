// Every error answer has the same shape, `{ error: { code, message } }`, with codes from
// server/errors.ts. Fastify's own errors (malformed JSON, validation, body too large) and database
// outages are mapped here; anything unexpected is logged and answered 500 without details.
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { isDbError, isRetriableDbError, sqlStateOf } from '../db/errors.js';
import { API_ERRORS, ApiError, type ApiErrorCode, type ErrorBody } from '../errors.js';

function toApiError(err: FastifyError): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err.validation)
    return new ApiError('AP_VALIDATION_FAILED', `${err.validationContext ?? 'request'}: ${err.message}`);
  const byFastifyCode: Record<string, ApiErrorCode> = {
    FST_ERR_CTP_INVALID_JSON_BODY: 'AP_BAD_REQUEST',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'AP_BAD_REQUEST',
    FST_ERR_CTP_BODY_TOO_LARGE: 'AP_PAYLOAD_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'AP_UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'AP_BAD_REQUEST',
  };
  const code = err.code ? byFastifyCode[err.code] : undefined;
  if (code) return new ApiError(code, code === 'AP_BAD_REQUEST' ? err.message : undefined);
  if (isRetriableDbError(err) || isDbError(err, 'DB_UNAVAILABLE')) return new ApiError('AP_DB_UNAVAILABLE');
  // A unique constraint lost to a concurrent request (e.g. two enrolments of one new machineId).
  if (sqlStateOf(err) === '23505' || err.code === 'P2002') return new ApiError('AP_CONFLICT');
  // A 4xx from a plugin (e.g. a malformed URL) keeps its status with a generic code.
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new ApiError('AP_BAD_REQUEST', err.message);
  }
  return undefined;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export default fp(
  async function errorHandlerPlugin(app) {
    app.setErrorHandler(function handleError(err: FastifyError, request, reply) {
      const apiError = toApiError(err);
      if (!apiError) {
        request.log.error({ err }, 'unhandled error');
        return reply.code(500).send(errorBody('AP_INTERNAL', API_ERRORS.AP_INTERNAL.message));
      }
      if (apiError.code === 'AP_DB_UNAVAILABLE') {
        app.metrics?.dbErrors.labels('http').inc();
        request.log.warn({ err }, 'database unavailable');
        reply.header('retry-after', '5');
      } else {
        request.log.info({ code: apiError.code, reason: apiError.message }, 'request refused');
      }
      if (apiError.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(apiError.retryAfterSeconds));
      return reply.code(apiError.statusCode).send(errorBody(apiError.code, apiError.message));
    });
    app.setNotFoundHandler({}, function notFound(request, reply) {
      reply
        .code(404)
        .send(errorBody('AP_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
    });
  },
  { name: 'afterpatch-error-handler' },
);

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors/app-error.js';
import { isDatabaseInvalidated, reportDatabaseInvalidated } from '../storage/database-failure.js';

/** The longest path parameter (an id) the server reads; a longer one is refused as BAD_URL. */
export const MAX_PARAM_LENGTH = 500;

/** Maps every thrown error to `{"error":{code,message,details}}` with the right status; never a stack. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAppError(error)) return reply.status(error.status).send(error.toJSON());

  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is not valid',
    }));
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return reply.status(400).send(new AppError('VALIDATION_FAILED', { summary, issues }).toJSON());
  }

  const fastifyError = error as Partial<FastifyError> & { status?: number };
  const status = fastifyError.statusCode ?? fastifyError.status;
  if (!isResponseSerializationError(error) && typeof status === 'number' && status < 500) {
    const answer = clientError(fastifyError, status, request);
    return reply.status(answer.code === 'VALIDATION_FAILED' ? status : answer.status).send(answer.toJSON());
  }
  if (isDatabaseInvalidated(error)) {
    // Every later request would fail the same way: say so, and let serve exit for a restart.
    request.log.fatal({ err: error }, 'the database stopped working');
    void reply.status(503).send(new AppError('DATABASE_UNAVAILABLE', { reason: 'a fatal error of the embedded database' }).toJSON());
    reportDatabaseInvalidated(error as Error);
    return reply;
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(new AppError('INTERNAL').toJSON());
}

/**
 * Fastify's (and its static files plugin's) own client errors in our codes: a body over the
 * limit, a content type the route does not take, a bad URL, a path that climbs out of the served
 * folder; malformed JSON and the like stay VALIDATION_FAILED.
 */
function clientError(error: Partial<FastifyError>, status: number, request: FastifyRequest): AppError {
  const path = request.url.split('?')[0] ?? request.url;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', { limit: `${Math.round(request.routeOptions.bodyLimit / 1024 / 1024)} MB` });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? '', acceptedText: '' });
    case 'FST_ERR_BAD_URL':
      return new AppError('BAD_URL', { reason: 'it is not valid percent-encoding' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('BAD_URL', { reason: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` });
  }
  // The static files plugin's refusals carry no Fastify code: a path climbing out (403), a NUL byte (400).
  if (status === 403) return new AppError('PATH_FORBIDDEN', { path });
  if (status === 400 && !error.code) return new AppError('BAD_URL', { reason: `the path ${path} cannot be served` });
  if (status === 404) return new AppError('NOT_FOUND', { path });
  const summary = error.message ?? 'bad request';
  return new AppError('VALIDATION_FAILED', { summary, fastifyCode: error.code ?? null });
}

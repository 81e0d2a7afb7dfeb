import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors/app-error.js';
import { isDatabaseInvalidated, reportDatabaseInvalidated } from '../storage/database-failure.js';

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

  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.status(413).send(new AppError('PAYLOAD_TOO_LARGE', { limit: 'the server limit' }).toJSON());
  }
  if (!isResponseSerializationError(error) && typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    // Fastify's own client errors (bad JSON, wrong content type): keep status, give our shape.
    const summary = fastifyError.message ?? 'bad request';
    return reply
      .status(fastifyError.statusCode)
      .send({ error: { code: 'VALIDATION_FAILED', message: `The request is not valid: ${summary}`, details: { summary, fastifyCode: fastifyError.code ?? null } } });
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

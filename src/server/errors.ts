/**
 * One error handler for the whole API: every client mistake becomes a 4xx JSON answer saying which
 * field is wrong and how to fix it; only a fault of the server itself becomes a 500 (logged with
 * its stack, never shown to the client).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueueFullError } from './queue';
import type { Rejection } from './logging';
import { BODY_LIMIT_BYTES } from './schemas';

/** An error answered as-is (status, message, field). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const reasonOf = (status: number): string => REASONS[status] ?? (status < 500 ? 'Bad Request' : 'Internal Server Error');

/** `/a/0/b` -> `a[0].b` */
function fieldOf(instancePath: string, child?: unknown): string | undefined {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof child === 'string') parts.push(child);
  if (parts.length === 0) return undefined;
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A precise message for the first schema error (Fastify stops at the first one). */
export function describeValidation(errors: AjvError[], context: string, allowedFields: readonly string[]): { message: string; field?: string } {
  const e = errors[0];
  if (!e) return { message: `invalid request ${context}` };
  const where = context === 'body' ? 'the request body' : `the request ${context}`;
  switch (e.keyword) {
    case 'required': {
      const field = fieldOf(e.instancePath, e.params.missingProperty);
      return { field, message: `${field} is required` };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const field = fieldOf(e.instancePath, extra);
      return { field, message: `unknown field "${field}" in ${where}; allowed fields: ${allowedFields.join(', ')}` };
    }
    case 'type': {
      const field = fieldOf(e.instancePath);
      if (!field) return { message: `${where} must be a JSON object` };
      return { field, message: `${field} must be of type ${String(e.params.type)}` };
    }
    case 'enum': {
      const field = fieldOf(e.instancePath);
      const allowed = (e.params.allowedValues as unknown[] | undefined)?.map(String).join(', ');
      return { field, message: `${field} must be one of: ${allowed}` };
    }
    case 'pattern':
    case 'minLength': {
      const field = fieldOf(e.instancePath);
      return { field, message: `${field} must contain some text (not empty or only whitespace)` };
    }
    default: {
      const field = fieldOf(e.instancePath);
      return { field, message: `${field ?? where} ${e.message ?? 'is invalid'}` };
    }
  }
}

/** Messages for the errors Fastify raises while reading the body (before validation). */
function describeFastifyError(err: FastifyError): string | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the request body must be JSON: send it with "Content-Type: application/json"';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than ${BODY_LIMIT_BYTES / 1024} KB; shorten the question body`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length header does not match the body sent';
    default:
      return undefined;
  }
}

/**
 * The API's JSON body parser (in place of Fastify's, which answers the same "not valid JSON" to a
 * syntax error and to a refused key). Keys that can poison prototypes (`__proto__`, and
 * `constructor` holding `prototype`) are refused, as Fastify does, but the answer says so.
 */
export function parseJsonBody(body: string): unknown {
  if (body.length === 0) throw new HttpError(400, 'the request body is empty; send a JSON object such as {"title": "..."}');
  let poisoned: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(body, (key, v: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype'))) poisoned ??= key;
      return v;
    });
  } catch (err) {
    throw new HttpError(400, `the request body is not valid JSON (${(err as Error).message})`);
  }
  if (poisoned) {
    const what = poisoned === '__proto__' ? '"__proto__" key' : '"constructor" key holding "prototype"';
    throw new HttpError(
      400,
      `the request body is valid JSON but has a ${what}, refused because ` +
        'such keys can change the prototype of objects built from it (prototype poisoning); remove it (the allowed fields are title, body, body_format and k)',
    );
  }
  return value;
}

export function makeErrorHandler(allowedFields: readonly string[], routeMiss: (request: FastifyRequest, reply: FastifyReply) => unknown) {
  return function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (request.is404) return routeMiss(request, reply);
    let status = 500;
    let message = 'internal error; the server log has the details (search it for the request id)';
    let field: string | undefined;
    if (err.validation) {
      status = 400;
      ({ message, field } = describeValidation(err.validation as AjvError[], err.validationContext ?? 'body', allowedFields));
    } else if (err.statusCode === 503 || err.statusCode === 504) {
      // Queue full, inference worker restarting, server closing: temporary, say when to retry.
      // Inference past its time budget (504): no Retry-After, the same question would overrun again.
      status = err.statusCode;
      message = err.message;
      const retry = (err as Partial<QueueFullError>).retryAfterSeconds;
      if (retry) reply.header('retry-after', String(retry));
    } else if (err instanceof HttpError) {
      status = err.statusCode;
      message = err.message;
      field = err.field;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Client errors raised by Fastify itself (content type, size, JSON syntax, ...).
      status = err.statusCode;
      message = describeFastifyError(err) ?? err.message;
    }
    if (status >= 500 && status !== 503 && status !== 504) request.log.error({ err }, 'request failed');
    else request.rejection = { code: err.code, field, message } satisfies Rejection;
    reply.code(status).type('application/json').send({ statusCode: status, error: reasonOf(status), message, ...(field ? { field } : {}) });
  };
}

/**
 * The API's error handler and its 404 / 405 answers: a known path asked with another method gets
 * 405 and the methods it has (Allow), also when the request's body could not even be read.
 */
export function installErrorHandling(app: FastifyInstance, allowedFields: readonly string[]): void {
  const methodsByPath = new Map<string, Set<string>>();
  const normalise = (url: string) => url.split('?')[0].replace(/\/$/, '') || '/';
  app.addHook('onRoute', (route) => {
    const path = normalise(route.url);
    const set = methodsByPath.get(path) ?? new Set<string>();
    for (const m of [route.method].flat()) set.add(m);
    methodsByPath.set(path, set);
  });
  const routeMiss = (request: FastifyRequest, reply: FastifyReply) => {
    const path = normalise(request.url);
    const methods = methodsByPath.get(path);
    if (methods) {
      const allow = [...methods].sort().join(', ');
      reply.header('allow', allow);
      return reply.code(405).send({ statusCode: 405, error: reasonOf(405), message: `${request.method} is not allowed on ${path}; use ${allow}` });
    }
    return reply.code(404).send({ statusCode: 404, error: reasonOf(404), message: `no route ${request.method} ${path}; see /docs` });
  };
  app.setNotFoundHandler(routeMiss);
  app.setErrorHandler(makeErrorHandler(allowedFields, routeMiss));
}

/**
 * Request logging: one structured (pino JSON) line per request, written when the response is sent,
 * with the request id, method, URL, status, latency and, for refused requests, why. Request and
 * response bodies are never logged (questions are user content).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Why a request was refused (set by the error handler, logged with the request's line). */
export interface Rejection {
  code?: string;
  field?: string;
  message: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    rejection: Rejection | null;
  }
}

export class ApiLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'reqId' });
  }

  /** Nothing at arrival: the completion line carries everything. */
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      ...(request.rejection ? { rejection: request.rejection } : {}),
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

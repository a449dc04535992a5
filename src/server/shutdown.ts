/**
 * Graceful shutdown: on SIGTERM (what Heroku, Docker and systemd send) or SIGINT the server stops
 * accepting connections, lets in-flight and queued requests finish (Fastify answers 503 to new
 * requests on kept-alive connections meanwhile), then exits 0. A request stuck past `graceMs` does
 * not hold the process: it exits 1 then.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  signals?: NodeJS.Signals[];
  /** Longest wait for in-flight requests, in ms (Heroku sends SIGKILL 30 s after SIGTERM). */
  graceMs?: number;
  /** How to end the process (tests pass a spy). */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns `shutdown(signal)` (also callable directly) and a remover. */
export function installGracefulShutdown(app: FastifyInstance, opts: ShutdownOptions = {}) {
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const graceMs = opts.graceMs ?? 25_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing: Promise<void> | undefined;
  const handler = (signal: NodeJS.Signals) => void shutdown(signal);
  const remove = () => {
    for (const s of signals) process.off(s, handler);
  };

  const shutdown = (signal: string): Promise<void> => {
    if (closing) return closing;
    const { queue } = app.tagsmith;
    app.log.info({ signal, running: queue.running, waiting: queue.waiting }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error({ graceMs }, 'in-flight requests did not finish in time; exiting anyway');
      exit(1);
    }, graceMs);
    timer.unref();
    closing = app
      .close()
      .finally(remove)
      .then(() => {
        clearTimeout(timer);
        app.log.info('server closed');
        exit(0);
      })
      .catch((err: unknown) => {
        clearTimeout(timer);
        app.log.error({ err }, 'error while closing');
        exit(1);
      });
    return closing;
  };

  for (const s of signals) process.on(s, handler);
  return { shutdown, remove };
}

/**
 * Lets `app.close()` finish as soon as the in-flight requests are answered (buildServer installs it):
 * while closing, answers end their connection (kept-alive sockets would otherwise hold the close
 * until their keep-alive timeout), and sockets whose client has not sent a whole request are closed
 * at once: those without a request yet (browsers and undici pre-connect; Node does not count them
 * as idle) and those still sending theirs (a stalled body would hold the close until the grace
 * period runs out and the process exits 1).
 */
export function closeConnectionsOnShutdown(app: FastifyInstance): void {
  /** Each open socket and the last request it carried (undefined: none yet). */
  const sockets = new Map<Socket, IncomingMessage | undefined>();
  app.server.on('connection', (socket: Socket) => {
    sockets.set(socket, undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  app.server.on('request', (req: IncomingMessage) => {
    if (sockets.has(req.socket)) sockets.set(req.socket, req);
  });
  app.addHook('preClose', async () => {
    app.tagsmith.closing = true;
    for (const [socket, req] of sockets) if (!req || !req.complete) socket.destroy();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (app.tagsmith.closing) reply.header('connection', 'close');
  });
}

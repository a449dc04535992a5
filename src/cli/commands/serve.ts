/** `tagsmith serve`: the API on this machine (127.0.0.1 unless --host says otherwise). */
import { startServer, type StartOptions } from '../../server/start';

export type ServeCommandOptions = Pick<StartOptions, 'port' | 'host' | 'model' | 'queueSize'>;

export async function runServeCommand(opts: ServeCommandOptions): Promise<void> {
  await startServer(opts);
}

/** `tagsmith serve`: the API on this machine (127.0.0.1 unless --host says otherwise). */
import { startServer } from '../../server/start';

export interface ServeCommandOptions {
  port: number;
  host: string;
  model: string;
  queueSize: number;
}

export async function runServeCommand(opts: ServeCommandOptions): Promise<void> {
  await startServer(opts);
}

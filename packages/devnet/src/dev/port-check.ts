/**
 * A look before the long part: a fixed port that is already taken is reported before minutes of canister
 * builds, not after. (The real bind later can still lose a race; its error is reported the same way.)
 */
import { createServer } from 'node:net';

/** Whether `host:port` can be bound right now (port 0 always can). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

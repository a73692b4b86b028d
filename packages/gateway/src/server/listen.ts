import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import type { HostPort } from '../options/host-port';

/** Which server is listening, and the setting that moves it: named in the error when its port is taken. */
export interface ListenTarget {
  what: string;
  /** How a user picks another address, e.g. `--listen (IC_WS_LISTEN)`. */
  setting: string;
}

/**
 * Starts `server` on `address`; resolves with the bound address (the real port when 0 was asked).
 *
 * @throws GatewayError `LISTEN_FAILED` (address in use, permission denied, ...). A port in use gives one
 *   line naming the port and the setting that fixes it.
 */
export function listen(server: Server, address: HostPort, target: ListenTarget): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${target.what} cannot listen on ${address.host}:${address.port}`;
      const message =
        error.code === 'EADDRINUSE'
          ? `${where}: port ${address.port} is in use; choose another with ${target.setting}`
          : `${where}: ${describeError(error)}`;
      reject(new GatewayError(ErrorCode.ListenFailed, message, { cause: error }));
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `scheme://host:port` for a bound address; a wildcard host becomes loopback, which a client can dial. */
export function urlOf(scheme: string, address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

/** Closes `server`, resolving once it stopped (an already-closed server resolves at once). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import type { HostPort } from '../options/host-port';

/**
 * Starts `server` on `address`; resolves with the bound address (the real port when 0 was asked).
 *
 * @throws GatewayError `LISTEN_FAILED` (address in use, permission denied, ...).
 */
export function listen(server: Server, address: HostPort, what: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(new GatewayError(ErrorCode.ListenFailed, `${what} cannot listen on ${address.host}:${address.port}: ${describeError(error)}`, { cause: error }));
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

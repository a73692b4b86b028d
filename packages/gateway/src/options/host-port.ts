import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';

/** A parsed `host:port` listen address. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `:port` (all interfaces). Port 0 means "any free port".
 *
 * @throws GatewayError `INVALID_OPTIONS` naming `what` for anything else.
 */
export function parseHostPort(value: string, what: string): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) {
    throw new GatewayError(ErrorCode.InvalidOptions, `${what}: expected host:port, got "${value}"`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** True when `url`'s host is a loopback address (fetching the root key from it is safe). */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

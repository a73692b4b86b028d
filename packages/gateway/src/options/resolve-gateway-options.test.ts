import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { GATEWAY_DEFAULTS } from './gateway-options';
import { resolveGatewayOptions } from './resolve-gateway-options';

const invalid = (message: RegExp) => expect.objectContaining({ name: 'GatewayError', code: ErrorCode.InvalidOptions, message: expect.stringMatching(message) });

describe('resolveGatewayOptions', () => {
  it('applies the defaults', () => {
    const resolved = resolveGatewayOptions({});
    expect(resolved.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(resolved.adminListen).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(resolved.maxPayload).toBe(GATEWAY_DEFAULTS.maxPayload);
    expect(resolved.tls).toBeNull();
    expect(resolved.pollQueryApiVersion).toBe(2);
  });

  it('polls through v2 or v3 query, nothing else', () => {
    expect(resolveGatewayOptions({ pollQueryApiVersion: 3 }).pollQueryApiVersion).toBe(3);
    expect(() => resolveGatewayOptions({ pollQueryApiVersion: 4 as 3 })).toThrow(invalid(/pollQueryApiVersion: expected 2 or 3, got 4/));
  });

  it('explicit undefined keeps the default', () => {
    expect(resolveGatewayOptions({ listen: undefined }).listen.port).toBe(8080);
  });

  it('fetches the root key by default only from a loopback IC', () => {
    expect(resolveGatewayOptions({ icUrl: 'http://127.0.0.1:4943' }).rootKey).toEqual({ kind: 'fetch' });
    expect(resolveGatewayOptions({ icUrl: 'http://[::1]:4943' }).rootKey).toEqual({ kind: 'fetch' });
    expect(resolveGatewayOptions({ icUrl: 'https://icp-api.io' }).rootKey).toEqual({ kind: 'mainnet' });
    expect(resolveGatewayOptions({ icUrl: 'https://icp-api.io', fetchRootKey: true }).rootKey).toEqual({ kind: 'fetch' });
    expect(resolveGatewayOptions({ rootKeyFile: 'k.der' }).rootKey).toEqual({ kind: 'file', path: 'k.der' });
  });

  it('parses listen addresses, including IPv6 and an empty admin address', () => {
    expect(resolveGatewayOptions({ listen: '[::1]:0', adminListen: '' })).toMatchObject({ listen: { host: '::1', port: 0 }, adminListen: null });
    expect(resolveGatewayOptions({ listen: ':9' }).listen).toEqual({ host: '0.0.0.0', port: 9 });
  });

  it('rejects impossible combinations and bad values with a clear INVALID_OPTIONS error', () => {
    expect(() => resolveGatewayOptions({ tlsCert: 'c.pem' })).toThrow(invalid(/tlsCert and tlsKey/));
    expect(() => resolveGatewayOptions({ rootKeyFile: 'k', fetchRootKey: true })).toThrow(invalid(/choose one of/));
    expect(() => resolveGatewayOptions({ rootKey: new Uint8Array(133), rootKeyFile: 'k' })).toThrow(invalid(/choose one of/));
    expect(() => resolveGatewayOptions({ listen: 'localhost' })).toThrow(invalid(/listen: expected host:port/));
    expect(() => resolveGatewayOptions({ listen: '1.2.3.4:70000' })).toThrow(invalid(/listen/));
    expect(() => resolveGatewayOptions({ icUrl: 'ftp://x' })).toThrow(invalid(/icUrl/));
    expect(() => resolveGatewayOptions({ icUrl: 'not a url' })).toThrow(invalid(/icUrl/));
    expect(() => resolveGatewayOptions({ maxConnections: 0 })).toThrow(invalid(/maxConnections/));
    expect(() => resolveGatewayOptions({ maxPayload: 1.5 })).toThrow(invalid(/maxPayload/));
    expect(() => resolveGatewayOptions({ logLevel: 'loud' })).toThrow(invalid(/logLevel/));
    expect(() => resolveGatewayOptions({ pollBackoff: { initialMs: 500, maxMs: 100 } })).toThrow(invalid(/pollBackoff/));
  });
});

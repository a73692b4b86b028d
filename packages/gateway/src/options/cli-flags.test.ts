import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { GATEWAY_FLAGS, gatewayHelp, parseGatewayCli } from './cli-flags';

describe('parseGatewayCli', () => {
  it('sets only what is given, flags over environment variables', () => {
    const request = parseGatewayCli(['--listen', '127.0.0.1:0', '--polling-interval', '50', '--fetch-root-key'], {
      IC_WS_LISTEN: '0.0.0.0:1',
      IC_WS_IC_URL: 'http://10.0.0.1:4943',
      IC_WS_MAX_PAYLOAD: '1024',
      UNRELATED: 'x',
    });
    expect(request).toEqual({
      kind: 'start',
      options: { listen: '127.0.0.1:0', icUrl: 'http://10.0.0.1:4943', pollingIntervalMs: 50, maxPayload: 1024, fetchRootKey: true },
    });
  });

  it('reads booleans from the environment', () => {
    expect(parseGatewayCli([], { IC_WS_FETCH_ROOT_KEY: 'true' })).toEqual({ kind: 'start', options: { fetchRootKey: true } });
    expect(parseGatewayCli([], { IC_WS_FETCH_ROOT_KEY: '0' })).toEqual({ kind: 'start', options: { fetchRootKey: false } });
  });

  it('rejects unknown flags, bad integers and bad booleans with INVALID_OPTIONS', () => {
    expect(() => parseGatewayCli(['--bogus'], {})).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOptions }));
    expect(() => parseGatewayCli(['--max-connections', '12x'], {})).toThrow(/--max-connections: expected a non-negative integer/);
    expect(() => parseGatewayCli([], { IC_WS_OPEN_TIMEOUT: '-1' })).toThrow(/IC_WS_OPEN_TIMEOUT/);
    expect(() => parseGatewayCli([], { IC_WS_FETCH_ROOT_KEY: 'maybe' })).toThrow(/expected true or false/);
  });

  it('prints help listing every flag, its variable and its default', () => {
    const request = parseGatewayCli(['--help'], {});
    expect(request.kind).toBe('help');
    const text = gatewayHelp();
    for (const f of GATEWAY_FLAGS) {
      expect(text).toContain(`--${f.flag}`);
      expect(text).toContain(f.env);
    }
    expect(text).toContain('(default: 0.0.0.0:8080)');
    expect(text).toContain('(default: 2097152)');
  });
});

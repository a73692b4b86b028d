import { describe, expect, it } from 'vitest';
import { parsePingPongCli } from './cli-options';

const DEV = { gatewayUrl: 'ws://127.0.0.1:8080', networkUrl: 'http://127.0.0.1:4943', canisterIds: { ping_pong: 'rwlgt-iiaaa-aaaaa-aaaaa-cai' } };
import { PingPongError } from './ping-pong-error';

describe('parsePingPongCli', () => {
  it('defaults to what the running `npm run dev` serves, and 100 pings', () => {
    expect(parsePingPongCli([], {}, DEV)).toEqual({
      kind: 'run',
      options: { gatewayUrl: DEV.gatewayUrl, networkUrl: DEV.networkUrl, canisterId: 'rwlgt-iiaaa-aaaaa-aaaaa-cai', pings: 100, timeoutMs: 10_000 },
    });
  });

  it('without a dev session or flags, says what to start or pass', () => {
    expect(() => parsePingPongCli([], {})).toThrow(/no --gateway-url, and no running `npm run dev`.*pass --gateway-url \(env IC_WS_GATEWAY_URL\)/);
  });

  it('takes flags over environment variables, and skips the `--` npm may pass on', () => {
    const request = parsePingPongCli(
      ['--', '--pings', '7', '--gateway-url', 'ws://127.0.0.1:1'],
      { IC_WS_GATEWAY_URL: 'ws://127.0.0.9:8080', IC_WS_NETWORK_URL: 'http://127.0.0.1:2', IC_WS_PING_PONG_CANISTER_ID: 'aaaaa-aa' },
      DEV,
    );
    expect(request).toEqual({
      kind: 'run',
      options: { gatewayUrl: 'ws://127.0.0.1:1', networkUrl: 'http://127.0.0.1:2', canisterId: 'aaaaa-aa', pings: 7, timeoutMs: 10_000 },
    });
  });

  it('answers --help', () => {
    expect(parsePingPongCli(['-h'], {})).toEqual({ kind: 'help' });
  });

  it.each([[['--pings', '0']], [['--pings', '1.5']], [['--timeout', 'soon']], [['--bogus']]])('rejects %j with INVALID_OPTIONS', (argv) => {
    const error = (() => {
      try {
        parsePingPongCli(argv, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PingPongError);
    expect((error as PingPongError).code).toBe('INVALID_OPTIONS');
  });
});

import { describe, expect, it } from 'vitest';
import { DEV_STACK, parsePingPongCli } from './cli-options';
import { PingPongError } from './ping-pong-error';

describe('parsePingPongCli', () => {
  it('defaults to the pnpm dev stack and 100 pings', () => {
    expect(parsePingPongCli([], {})).toEqual({ kind: 'run', options: { ...DEV_STACK, pings: 100, timeoutMs: 10_000 } });
  });

  it('takes flags over environment variables, and skips the `--` pnpm may pass on', () => {
    const request = parsePingPongCli(['--', '--pings', '7', '--gateway-url', 'ws://127.0.0.1:1'], {
      IC_WS_GATEWAY_URL: 'ws://10.0.0.1:8080',
      IC_WS_NETWORK_URL: 'http://127.0.0.1:2',
      IC_WS_PING_PONG_CANISTER_ID: 'aaaaa-aa',
    });
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

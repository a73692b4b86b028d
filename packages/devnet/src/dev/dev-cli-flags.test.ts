import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { parseDevCli } from './dev-cli-flags';

describe('parseDevCli', () => {
  it('takes flags over environment variables, and ignores the `--` npm run passes on', () => {
    const request = parseDevCli(['--', '--gateway-port', '8081', '--frontend', 'scripts/start-frontend.mjs', '--canister', 'a', '--canister', 'b', '--json'], {
      IC_WS_GATEWAY_PORT: '9999',
      IC_WS_DEVNET_PORT: '4000',
      IC_WS_ADMIN_PORT: 'off',
    });
    expect(request).toEqual({
      kind: 'start',
      json: true,
      name: undefined,
      options: { ports: { devnet: 4000, gateway: 8081, admin: null }, host: '127.0.0.1', verbose: false, frontend: 'scripts/start-frontend.mjs', canisters: ['a', 'b'] },
    });
  });

  it('--port 0 puts every server on a free port, unless a server has its own flag', () => {
    const request = parseDevCli(['--port', '0', '--admin-port', 'off'], { IC_WS_DEVNET_PORT: '4000' });
    expect(request.kind === 'start' && request.options.ports).toEqual({ devnet: 0, gateway: 0, frontend: 0, admin: null });
  });

  it.each([
    [['--port', '8080'], /--port only takes 0/],
    [['--devnet-port', 'x'], /--devnet-port: not a TCP port: "x"/],
    [['--gateway-port', '70000'], /--gateway-port: not a TCP port/],
    [['--bogus'], /Unknown option '--bogus'.*see ic-ws-devnet dev --help/],
    [['positional'], /positional/],
  ])('refuses %j with INVALID_OPTIONS', (argv, message) => {
    expect(() => parseDevCli(argv, {})).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOptions, message: expect.stringMatching(message) }));
  });

  it('names the variable a bad port came from', () => {
    expect(() => parseDevCli([], { IC_WS_FRONTEND_PORT: 'abc' })).toThrow(/IC_WS_FRONTEND_PORT: not a TCP port/);
  });

  it('passes --clean and --state-dir on', () => {
    const request = parseDevCli(['--clean', '--state-dir', '/tmp/x'], {});
    expect(request.kind === 'start' && request.options.clean).toBe(true);
    expect(request.kind === 'start' && request.options.stateDir).toBe('/tmp/x');
    expect(parseDevCli([], {}).kind === 'start' && (parseDevCli([], {}) as { options: { clean?: boolean } }).options.clean).toBeUndefined();
  });

  it('answers --help', () => {
    expect(parseDevCli(['-h'], {})).toEqual({ kind: 'help' });
  });
});

import { IcWsClientError, IcWsStateChangeEvent, type ConnectionFailure } from 'ic-ws-client';
import { describe, expect, it } from 'vitest';
import { connectionDetail, describeFailure } from './connection-status';

const failure = (kind: ConnectionFailure['kind'], code: number): ConnectionFailure => ({
  kind,
  code,
  reason: 'the identity could not sign',
  gatewayUrl: 'ws://127.0.0.1:8080',
  error: new IcWsClientError('CONNECTION_LOST', 'x'),
});

describe('connection status', () => {
  it.each([
    [failure('gateway-unreachable', 1006), 'the gateway cannot be reached'],
    [failure('gateway-closed', 4005), 'the gateway closed the connection (code 4005)'],
    [failure('verification-failed', 4202), 'a message failed verification (code 4202): the gateway cannot be trusted'],
    [failure('canister-closed', 4102), 'the canister closed the connection (code 4102)'],
    [failure('timeout', 4207), 'no answer from the canister in time (code 4207)'],
    [failure('client-error', 4213), 'the identity could not sign'],
  ])('says why: %j', (given, text) => {
    expect(describeFailure(given)).toBe(text);
  });

  it('says why it reconnects and when', () => {
    const event = new IcWsStateChangeEvent('reconnecting', 'open', 'x', { attempt: 2, delayMs: 1234, gatewayUrl: 'ws://g' }, undefined, failure('gateway-closed', 1001));
    expect(connectionDetail(event)).toBe('the gateway closed the connection (code 1001); attempt 2 in 1.2 s');
    expect(connectionDetail(new IcWsStateChangeEvent('open', 'connecting', 'session opened through ws://g'))).toBe('session opened through ws://g');
  });
});

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { PROTOCOL_DEFAULTS } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { FakeCanisterHost } from './testing/fake-canister-host';
import { createWsCanister } from './ws-canister';
import { MAX_REPLY_BYTES, resolveWsCanisterOptions, WS_CANISTER_DEFAULTS, type WsCanisterOptions } from './ws-canister-options';

const base: WsCanisterOptions<string> = { appMessageIdl: IDL.Text };

describe('WsCanisterOptions', () => {
  it('applies the defaults, which follow the protocol defaults', () => {
    const resolved = resolveWsCanisterOptions(base);
    expect(resolved).toMatchObject({
      sendAckIntervalMs: PROTOCOL_DEFAULTS.sendAckIntervalMs,
      keepAliveTimeoutMs: PROTOCOL_DEFAULTS.keepAliveTimeoutMs,
      maxMessagesPerPoll: PROTOCOL_DEFAULTS.maxMessagesPerPoll,
      maxReplyBytes: PROTOCOL_DEFAULTS.maxGetMessagesReplyBytes,
      maxConnectionsPerPrincipal: WS_CANISTER_DEFAULTS.maxConnectionsPerPrincipal,
      maxClients: WS_CANISTER_DEFAULTS.maxClients,
      maxGateways: WS_CANISTER_DEFAULTS.maxGateways,
      maxQueuedMessagesPerGateway: WS_CANISTER_DEFAULTS.maxQueuedMessagesPerGateway,
    });
    expect(resolved.maxReplyBytes).toBeLessThan(PROTOCOL_DEFAULTS.icMaxQueryReplyBytes);
  });

  it('keeps the gateway allowlist as principal texts', () => {
    const gateway = 'rrkah-fqaaa-aaaaa-aaaaq-cai';
    expect(resolveWsCanisterOptions(base).gateways).toBeUndefined();
    expect([...(resolveWsCanisterOptions({ ...base, gateways: [gateway, Principal.fromText(gateway)] }).gateways ?? [])]).toEqual([gateway]);
  });

  it('treats an explicit undefined as "use the default"', () => {
    expect(resolveWsCanisterOptions({ ...base, maxClients: undefined }).maxClients).toBe(WS_CANISTER_DEFAULTS.maxClients);
  });

  it.each<[string, Partial<WsCanisterOptions<string>>, RegExp]>([
    ['an ack interval of 60 000 ms', { sendAckIntervalMs: 60_000 }, /sendAckIntervalMs must be above 60000/],
    ['an ack interval not above the keep-alive timeout', { sendAckIntervalMs: 90_000, keepAliveTimeoutMs: 90_000 }, /above keepAliveTimeoutMs/],
    ['a fractional limit', { maxClients: 1.5 }, /maxClients must be a positive integer/],
    ['a zero limit', { maxMessagesPerPoll: 0 }, /maxMessagesPerPoll must be a positive integer/],
    ['a reply budget above the IC limit', { maxReplyBytes: MAX_REPLY_BYTES + 1 }, /maxReplyBytes must be between/],
    ['a tiny reply budget', { maxReplyBytes: 1000 }, /maxReplyBytes must be between/],
    ['a handler that is not a function', { onOpen: 'yes' as never }, /onOpen must be a function/],
    ['a missing app IDL', { appMessageIdl: undefined as never }, /appMessageIdl must be a Candid IDL type/],
    ['an unknown option', { maxClient: 3 } as never, /unknown option 'maxClient'/],
    ['an empty gateway allowlist', { gateways: [] }, /gateways must be a non-empty array/],
    ['a gateway that is not a principal', { gateways: ['not a principal'] }, /gateways: "not a principal" is not a principal/],
    ['the anonymous gateway', { gateways: ['2vxsx-fae'] }, /anonymous principal cannot be a gateway/],
    ['receipts that are not a boolean', { receipts: 'yes' as never }, /receipts must be a boolean/],
    ['a zero duplicate window', { duplicateWindowMs: 0 }, /duplicateWindowMs must be a positive integer/],
  ])('rejects %s with INVALID_OPTIONS', (_, options, message) => {
    const attempt = () => createWsCanister(new FakeCanisterHost(), { ...base, ...options });
    expect(attempt).toThrow(expect.objectContaining({ name: 'CanisterError', code: 'INVALID_OPTIONS' }));
    expect(attempt).toThrow(message);
  });
});

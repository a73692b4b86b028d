import { HttpAgent, AnonymousIdentity, type SignIdentity } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { ErrorCode, wsServiceIdlFactory } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { IC_WEBSOCKET_DEFAULTS, type IcWebSocketOptions } from './ic-websocket-options';
import { resolveOptions } from './resolve-options';

const base: IcWebSocketOptions<string> = {
  gatewayUrl: 'wss://gateway.example.org',
  canisterId: 'bkyz2-fmaaa-aaaaa-qaaaq-cai',
  identity: Ed25519KeyIdentity.generate(),
  appMessageIdl: IDL.Text,
};

function rejects(overrides: object, message: RegExp): void {
  expect(() => resolveOptions({ ...base, ...overrides } as IcWebSocketOptions<string>)).toThrow(
    expect.objectContaining({ code: ErrorCode.InvalidOptions, message: expect.stringMatching(message) }),
  );
}

describe('resolveOptions', () => {
  it('applies every default, and an explicit undefined keeps the default', () => {
    const resolved = resolveOptions({ ...base, ackIntervalMs: undefined });
    expect(resolved).toMatchObject({ ...IC_WEBSOCKET_DEFAULTS, gatewayUrls: ['wss://gateway.example.org'] });
    expect(resolved.canisterId.toText()).toBe('bkyz2-fmaaa-aaaaa-qaaaq-cai');
    expect(typeof resolved.WebSocket).toBe('function');
  });

  it('takes the app message type from the canister IDL factory', () => {
    const Message = IDL.Record({ text: IDL.Text, likes: IDL.Nat32 });
    const resolved = resolveOptions({ ...base, appMessageIdl: undefined, canisterIdlFactory: wsServiceIdlFactory(Message) });
    const bytes = IDL.encode([resolved.appMessageIdl], [{ text: 'hi', likes: 3 }]);
    expect(IDL.decode([Message], bytes)).toEqual([{ text: 'hi', likes: 3 }]);
  });

  it.each<[object, RegExp]>([
    [{ gatewayUrl: [] }, /gatewayUrl/],
    [{ gatewayUrl: 'https://gateway.example.org' }, /ws:\/\/ or wss:\/\//],
    [{ gatewayUrl: ['wss://ok.example.org', 'not a url'] }, /not a URL/],
    [{ canisterId: 'not-a-principal' }, /canisterId/],
    [{ identity: undefined as unknown as SignIdentity }, /SignIdentity/],
    [{ identity: new AnonymousIdentity() as unknown as SignIdentity }, /SignIdentity|anonymous/],
    [{ networkUrl: 'http://127.0.0.1:4943', agent: HttpAgent.createSync({ host: 'http://127.0.0.1:4943' }) }, /networkUrl or agent/],
    [{ networkUrl: 'ftp://example.org' }, /networkUrl/],
    [{ rootKey: new Uint8Array(133), fetchRootKey: true }, /rootKey or fetchRootKey/],
    [{ rootKey: new Uint8Array(96) }, /133-byte/],
    [{ appMessageIdl: undefined }, /required/],
    [{ canisterIdlFactory: wsServiceIdlFactory(IDL.Text) }, /not both/],
    [{ appMessageIdl: undefined, canisterIdlFactory: ({ IDL: I }: { IDL: typeof IDL }) => I.Service({}) }, /ws_message/],
    [{ ackIntervalMs: 0 }, /ackIntervalMs/],
    [{ openTimeoutMs: Number.NaN }, /openTimeoutMs/],
    [{ maxQueuedMessages: -1 }, /maxQueuedMessages/],
    [{ reconnectBaseDelayMs: 60_000, reconnectMaxDelayMs: 1000 }, /reconnectBaseDelayMs/],
    [{ reconnectJitter: 1.5 }, /reconnectJitter/],
    [{ blsVerifier: 'wasm' }, /blsVerifier must be 'auto' or 'noble'/],
  ])('rejects %o', (overrides, message) => rejects(overrides, message));

  it('rejects a missing options object', () => {
    expect(() => resolveOptions(undefined as unknown as IcWebSocketOptions)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOptions }));
  });
});

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type CanisterWsGetMessagesResult } from 'ic-ws-protocol';
import { CanisterError } from '../canister-error';
import { WsErrorMessage } from '../ws-error-messages';
import { MemoryStableStore } from '../stable-store';
import { FakeAzle } from '../testing/fake-azle';
import { defineWsCanister } from './define-ws-canister';
import { wsMethodTypes } from './ws-method-types';

const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 1));
const CLIENT = Principal.fromUint8Array(Uint8Array.of(0x11, 1));
const Chat = IDL.Record({ text: IDL.Text });
type Chat = { text: string };

function thrown(fn: () => unknown): CanisterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CanisterError) return error;
    throw error;
  }
  throw new Error('expected a CanisterError');
}

function keysOf(reply: unknown): string[] {
  const result = reply as CanisterWsGetMessagesResult;
  return 'Ok' in result ? result.Ok.messages.map((m) => m.key.slice(-2)) : [];
}

describe('defineWsCanister', () => {
  it('declares init, post_upgrade and the four ws_* methods with the protocol Candid, ws_get_messages a query', () => {
    const azle = new FakeAzle();
    const ws = defineWsCanister<Chat>(azle, { appMessageIdl: Chat });
    const methods = azle.instantiate(ws.Canister);
    const t = wsMethodTypes(Chat);
    expect([...methods.values()].map((m) => `${m.kind} ${m.name}`).sort()).toEqual([
      'init init',
      'postUpgrade postUpgrade',
      'query ws_get_messages',
      'update ws_close',
      'update ws_message',
      'update ws_open',
    ]);
    for (const name of ['ws_open', 'ws_close', 'ws_message', 'ws_get_messages'] as const) {
      const method = methods.get(name);
      expect(method?.paramIdlTypes.map((type) => type.display()), name).toEqual(t[name].args.map((type) => type.display()));
      expect(method?.returnIdlType?.display(), name).toBe(t[name].ret.display());
    }
    expect(methods.get('init')?.paramIdlTypes).toEqual([]);
    // They read and reply Candid bytes themselves (ws_message decodes its arguments with a reader made for
    // them; ws_get_messages replies with the bytes the core assembles); the others go through azle's codec.
    expect([...methods.values()].filter((m) => m.manual).map((m) => m.name).sort()).toEqual(['ws_get_messages', 'ws_message']);
  });

  it('a class that extends Canister keeps the entry points and adds its own methods', () => {
    const azle = new FakeAzle();
    const ws = defineWsCanister<Chat>(azle, { appMessageIdl: Chat });
    class MyCanister extends ws.Canister {
      @azle.query([], IDL.Nat32)
      count(): number {
        return ws.clients().length;
      }
    }
    const methods = azle.instantiate(MyCanister);
    expect([...methods.keys()].sort()).toEqual(['count', 'init', 'postUpgrade', 'ws_close', 'ws_get_messages', 'ws_message', 'ws_open']);
    methods.get('init')?.call();
    expect(methods.get('count')?.call()).toBe(0);
  });

  it('the app API throws CANISTER_NOT_STARTED until init, then serves the entry points and handlers', () => {
    const azle = new FakeAzle();
    const received: string[] = [];
    const ws = defineWsCanister<Chat>(azle, {
      appMessageIdl: Chat,
      onOpen: (client) => ws.send(client, { text: 'welcome' }),
      onMessage: (_client, message) => received.push(message.text),
    });
    const methods = azle.instantiate(ws.Canister);
    expect(thrown(() => ws.clients()).code).toBe(ErrorCode.CanisterNotStarted);
    expect(thrown(() => ws.core).code).toBe(ErrorCode.CanisterNotStarted);

    methods.get('init')?.call();
    expect(azle.certified).toHaveLength(1);
    azle.caller = CLIENT;
    expect(methods.get('ws_open')?.call({ client_nonce: 7n, gateway_principal: GATEWAY })).toEqual({ Ok: null });
    expect(ws.clients()).toEqual([{ client_principal: CLIENT, client_nonce: 7n }]);
    const message = (sequence: bigint) => ({
      msg: {
        client_key: { client_principal: CLIENT, client_nonce: 7n },
        sequence_num: sequence,
        timestamp: 0n,
        is_service_message: false,
        content: new Uint8Array(IDL.encode([Chat], [{ text: `hello ${sequence}` }])),
      },
      message_id: [],
    });
    expect(methods.get('ws_message')?.call(message(1n), [])).toEqual({ Ok: null });
    expect(received).toEqual(['hello 1']);
    azle.caller = GATEWAY;
    azle.certificate = Uint8Array.of(1);
    // The OpenMessage, the early ack (the gateway has not proved itself yet), then the welcome (no echo).
    expect(keysOf(methods.get('ws_get_messages')?.call({ nonce: 0n }))).toEqual(['00', '01', '02']);
    expect(methods.get('ws_close')?.call({ client_key: { client_principal: CLIENT, client_nonce: 7n } })).toEqual({ Ok: null });
    expect(ws.isConnected(CLIENT)).toBe(false);
    // An Err result, encoded by the entry point itself.
    azle.caller = CLIENT;
    expect(methods.get('ws_message')?.call(message(2n), [])).toEqual({ Err: WsErrorMessage.ClientNotConnected });
  });

  it('passes the decoded init arguments and the phase to onStart, whose options override', () => {
    const azle = new FakeAzle();
    const Arg = IDL.Record({ ack_ms: IDL.Nat32 });
    const starts: string[] = [];
    const ws = defineWsCanister<string, [{ ack_ms: number }]>(azle, {
      appMessageIdl: IDL.Text,
      initArgIdls: [Arg],
      onStart: ([arg], phase) => {
        starts.push(`${phase} ${arg.ack_ms}`);
        return { sendAckIntervalMs: arg.ack_ms };
      },
    });
    const methods = azle.instantiate(ws.Canister);
    expect(methods.get('init')?.paramIdlTypes).toEqual([Arg]);
    expect(methods.get('postUpgrade')?.paramIdlTypes).toEqual([Arg]);
    methods.get('init')?.call({ ack_ms: 90_000 });
    expect(starts).toEqual(['init 90000']);
    expect(ws.core.options.sendAckIntervalMs).toBe(90_000);
    expect([...azle.timers.values()].map((timer) => timer.seconds)).toEqual([90]);
  });

  it('post_upgrade over the same stable memory (a fresh module) keeps the connected clients', () => {
    const azle = new FakeAzle();
    const before = defineWsCanister<string>(azle, { appMessageIdl: IDL.Text });
    const first = azle.instantiate(before.Canister);
    first.get('init')?.call();
    azle.caller = CLIENT;
    first.get('ws_open')?.call({ client_nonce: 1n, gateway_principal: GATEWAY });

    const after = defineWsCanister<string>(azle, { appMessageIdl: IDL.Text });
    const phases: string[] = [];
    const upgraded = defineWsCanister<string>(azle, { appMessageIdl: IDL.Text, onStart: (_args, phase) => void phases.push(phase) });
    azle.instantiate(upgraded.Canister).get('postUpgrade')?.call();
    expect(phases).toEqual(['postUpgrade']);
    expect(upgraded.clients()).toEqual([{ client_principal: CLIENT, client_nonce: 1n }]);
    expect(thrown(() => after.clients()).code).toBe(ErrorCode.CanisterNotStarted);
  });

  it('keeps state in the heap with a MemoryStableStore: no stable map is opened', () => {
    const azle = new FakeAzle();
    const ws = defineWsCanister<string>(azle, { appMessageIdl: IDL.Text, stableStore: new MemoryStableStore() });
    azle.instantiate(ws.Canister).get('init')?.call();
    azle.caller = CLIENT;
    ws.core.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY });
    expect(azle.memories.size).toBe(0);
  });

  it.each([
    ['an unknown core option', { appMessageIdl: IDL.Text, sendAckIntervalMillis: 1 }, /unknown option 'sendAckIntervalMillis'/],
    ['a bad core option', { appMessageIdl: IDL.Text, maxClients: 0 }, /maxClients/],
    ['a missing message type', {}, /appMessageIdl/],
    ['initArgIdls that are not an array', { appMessageIdl: IDL.Text, initArgIdls: IDL.Text }, /initArgIdls/],
    ['an onStart that is not a function', { appMessageIdl: IDL.Text, onStart: 1 }, /onStart/],
  ])('rejects %s at definition (so azle build fails) with INVALID_OPTIONS', (_what, options, message) => {
    const error = thrown(() => defineWsCanister(new FakeAzle(), options as never));
    expect(error.code).toBe(ErrorCode.InvalidOptions);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['memoryIds and stableStore together', { memoryIds: { meta: 3 }, stableStore: new MemoryStableStore() }, undefined, /not both/],
    ['an onStart that changes the message type', {}, () => ({ appMessageIdl: IDL.Nat }), /appMessageIdl/],
    ['an onStart that returns a number', {}, () => 3, /return options or nothing/],
    ['an onStart that returns bad options', {}, () => ({ maxGateways: -1 }), /maxGateways/],
  ])('rejects %s when the canister starts (init traps) with INVALID_OPTIONS', (_what, extra, onStart, message) => {
    const azle = new FakeAzle();
    const ws = defineWsCanister(azle, { appMessageIdl: IDL.Text, ...extra, ...(onStart ? { onStart: onStart as never } : {}) });
    const error = thrown(() => azle.instantiate(ws.Canister).get('init')?.call());
    expect(error.code).toBe(ErrorCode.InvalidOptions);
    expect(error.message).toMatch(message);
  });
});

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'ic-ws-protocol';
import { CanisterError } from '../canister-error';
import { FakeAzle } from '../testing/fake-azle';
import { createAzleWsCanister } from './create-azle-ws-canister';

const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 1));
const CLIENT = Principal.fromUint8Array(Uint8Array.of(0x11, 1));

describe('createAzleWsCanister', () => {
  it('starts the core: certified data set and the ack timer armed in seconds', () => {
    const azle = new FakeAzle();
    createAzleWsCanister(azle, { appMessageIdl: IDL.Text, sendAckIntervalMs: 90_500 });
    expect(azle.certified).toHaveLength(1);
    expect([...azle.timers.values()].map((t) => t.seconds)).toEqual([91]);
  });

  it('takes the caller from msgCaller, and an instance over the same memory (post_upgrade) keeps the clients', () => {
    const azle = new FakeAzle();
    const ws = createAzleWsCanister(azle, { appMessageIdl: IDL.Text, memoryIds: { clients: 0, gateways: 1, messages: 2, meta: 3 } });
    azle.caller = CLIENT;
    expect(ws.wsOpen({ client_nonce: 5n, gateway_principal: GATEWAY })).toEqual({ Ok: null });
    expect([...azle.memories.keys()].sort()).toEqual([0, 1, 2, 3]);

    const upgraded = createAzleWsCanister(azle, { appMessageIdl: IDL.Text, memoryIds: { clients: 0, gateways: 1, messages: 2, meta: 3 } });
    expect(upgraded.clients()).toEqual([{ client_principal: CLIENT, client_nonce: 5n }]);
    upgraded.send(CLIENT, 'after the upgrade');
    azle.certificate = Uint8Array.of(1);
    azle.caller = GATEWAY;
    const reply = upgraded.wsGetMessages({ nonce: 0n });
    // OpenMessage, the early ack of a gateway that has not proved itself yet, the app message.
    expect('Ok' in reply && reply.Ok.messages.map((m) => m.key.slice(-2))).toEqual(['00', '01', '02']);
  });

  it('rejects unknown options of the core, memoryIds aside', () => {
    const error = (() => {
      try {
        createAzleWsCanister(new FakeAzle(), { appMessageIdl: IDL.Text, memoryId: 3 } as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CanisterError);
    expect((error as CanisterError).code).toBe(ErrorCode.InvalidOptions);
  });
});

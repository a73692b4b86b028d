import { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferred } from '../testing/deferred';
import { GatewayPresence, provingPresence } from './gateway-presence';
import type { GatewayIc } from './gateway-ic';

const gateway = Principal.fromUint8Array(Uint8Array.of(0x22, 1));
const canister = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const other = Principal.fromText('aaaaa-aa');

function recordingIc() {
  const calls: string[] = [];
  const answer = deferred<void>();
  const ic: GatewayIc = {
    relayCall: async (canisterId, _envelope, options) => {
      calls.push(`relay ${canisterId.toText()}${options?.readReply === true ? ' (ws_open)' : ''}`);
      return { status: 'unknown' };
    },
    getMessages: async () => ({ messages: [], cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [] }),
    wsClose: (canisterId: Principal, key: ClientKey) => {
      calls.push(`ws_close ${canisterId.toText()} ${key.client_principal.toText()}:${key.client_nonce}`);
      return answer.promise;
    },
    checkStatus: async () => {},
  };
  return { ic, calls, answer: () => answer };
}

describe('GatewayPresence', () => {
  it('proves the gateway before the first ws_open to a canister, once for concurrent opens, and not for ws_message', async () => {
    let now = 0;
    const { ic, calls, answer } = recordingIc();
    const presence = new GatewayPresence(ic, gateway, { refreshMs: 30_000, maxWaitMs: 60_000, now: () => now, onFailure: () => {} });
    const proving = provingPresence(ic, presence);
    const first = proving.relayCall(canister, new Uint8Array(), { readReply: true });
    const second = proving.relayCall(canister, new Uint8Array(), { readReply: true });
    await proving.relayCall(canister, new Uint8Array());
    expect(calls).toEqual([`ws_close ${canister.toText()} ${gateway.toText()}:0`, `relay ${canister.toText()}`]);
    answer().resolve();
    await Promise.all([first, second]);
    expect(calls.slice(2)).toEqual([`relay ${canister.toText()} (ws_open)`, `relay ${canister.toText()} (ws_open)`]);
    // Within refreshMs: no new presence call; after it, one more; another canister has its own.
    now = 29_999;
    await proving.relayCall(canister, new Uint8Array(), { readReply: true });
    expect(calls.filter((c) => c.startsWith('ws_close'))).toHaveLength(1);
    now = 30_000;
    await proving.relayCall(canister, new Uint8Array(), { readReply: true });
    void proving.relayCall(other, new Uint8Array(), { readReply: true });
    expect(calls.filter((c) => c.startsWith('ws_close'))).toEqual([
      `ws_close ${canister.toText()} ${gateway.toText()}:0`,
      `ws_close ${canister.toText()} ${gateway.toText()}:0`,
      `ws_close ${other.toText()} ${gateway.toText()}:0`,
    ]);
  });

  it('lets the open through when the presence call fails, reports it, and waits refreshMs before trying again', async () => {
    const { ic, calls, answer } = recordingIc();
    const failures: string[] = [];
    const presence = new GatewayPresence(ic, gateway, { refreshMs: 30_000, maxWaitMs: 60_000, now: () => 0, onFailure: (id, error) => failures.push(`${id.toText()}: ${String(error)}`) });
    const proving = provingPresence(ic, presence);
    const open = proving.relayCall(canister, new Uint8Array(), { readReply: true });
    answer().reject(new Error('ws_close returned Err: the client key is not connected'));
    await open;
    await proving.relayCall(canister, new Uint8Array(), { readReply: true });
    expect(failures).toEqual([`${canister.toText()}: Error: ws_close returned Err: the client key is not connected`]);
    expect(calls.filter((c) => c.startsWith('ws_close'))).toHaveLength(1);
    expect(calls.filter((c) => c.includes('(ws_open)'))).toHaveLength(2);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('relays the open after maxWaitMs when the presence call takes longer, and does not make a second call meanwhile', async () => {
    vi.useFakeTimers();
    const { ic, calls, answer } = recordingIc();
    const presence = new GatewayPresence(ic, gateway, { refreshMs: 30_000, maxWaitMs: 1_000, now: () => Date.now(), onFailure: () => {} });
    const proving = provingPresence(ic, presence);
    const open = proving.relayCall(canister, new Uint8Array(), { readReply: true });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([`ws_close ${canister.toText()} ${gateway.toText()}:0`]);
    await vi.advanceTimersByTimeAsync(1);
    await open;
    expect(calls).toEqual([`ws_close ${canister.toText()} ${gateway.toText()}:0`, `relay ${canister.toText()} (ws_open)`]);
    // The call is still on its way: the next open waits for it (up to maxWaitMs) instead of making another.
    const next = proving.relayCall(canister, new Uint8Array(), { readReply: true });
    answer().resolve();
    await next;
    expect(calls.filter((c) => c.startsWith('ws_close'))).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import { reconstruct } from 'ic-ws-protocol';
import type { RequestStatus } from './request-status-store';
import { RetainedStatus } from './retained-status';
import { requestStatusEntry } from './state-tree';

const owner = {
  requestId: new Uint8Array(32).map((_, i) => i + 1),
  sender: Principal.fromText('2vxsx-fae'),
  canisterId: Principal.fromText('lxzze-o7777-77777-aaaaa-cai'),
};
const selfAuthenticating = Principal.selfAuthenticating(new Uint8Array(44).fill(9));

const statuses: RequestStatus[] = [
  { status: 'received' },
  { status: 'processing' },
  { status: 'replied', reply: Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 1, 0x78, 5, 0, 0, 0, 0, 0, 0, 0) },
  { status: 'replied', reply: new Uint8Array() },
  { status: 'replied', reply: new Uint8Array(3000).fill(7) },
  { status: 'rejected', rejectCode: 4, rejectMessage: 'Canister trapped: ünïcödé ✓', errorCode: 'IC0503' },
  { status: 'rejected', rejectCode: 5, rejectMessage: '', errorCode: '' },
];

describe('RetainedStatus', () => {
  it.each(statuses)('packs and unpacks a $status status with its owner, and certifies the same subtree', (status) => {
    for (const call of [owner, { ...owner, sender: selfAuthenticating, requestId: Uint8Array.of(1) }]) {
      const retained = RetainedStatus.pack(call, status, 42n);
      expect(retained.status()).toEqual(status);
      expect(retained.kind).toBe(status.status);
      expect(retained.final).toBe(status.status === 'replied' || status.status === 'rejected');
      expect(retained.forgetAfter).toBe(42n);
      const unpacked = retained.owner();
      expect(bytesToHex(unpacked.requestId)).toBe(bytesToHex(call.requestId));
      expect(bytesToHex(retained.requestIdView)).toBe(bytesToHex(call.requestId));
      expect(unpacked.sender.toText()).toBe(call.sender.toText());
      expect(unpacked.canisterId.toText()).toBe(call.canisterId.toText());
      expect(retained.tree()).toEqual(requestStatusEntry(status));
      expect(bytesToHex(reconstruct(retained.tree()))).toBe(bytesToHex(reconstruct(requestStatusEntry(status))));
    }
  });

  it('keeps its own copy of the reply and hands out copies', () => {
    const reply = Uint8Array.of(1, 2, 3);
    const retained = RetainedStatus.pack(owner, { status: 'replied', reply }, undefined);
    reply[0] = 9;
    const out = retained.status() as { reply: Uint8Array };
    out.reply[1] = 9;
    expect(retained.status()).toEqual({ status: 'replied', reply: Uint8Array.of(1, 2, 3) });
  });
});

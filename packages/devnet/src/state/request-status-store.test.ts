import { describe, expect, it } from 'vitest';
import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import { CertifiedTreeMap, lookupPath, reconstruct } from 'ic-ws-protocol';
import { RequestStatusStore, type RequestStatus } from './request-status-store';
import { requestStatusEntry } from './state-tree';

const MINUTE = 60_000_000_000n;

function setup() {
  let now = 1_000n * MINUTE;
  const store = new RequestStatusStore({ now: () => now, retentionNs: 5n * MINUTE });
  const admit = (id: number, ingressExpiry = now + 5n * MINUTE) =>
    store.admit({ requestId: Uint8Array.of(id), sender: Principal.anonymous(), canisterId: Principal.anonymous(), ingressExpiry });
  return { store, admit, advance: (ns: bigint) => (now += ns) };
}

describe('RequestStatusStore', () => {
  it('admits a request id once and hands back the existing record for a replay', () => {
    const { store, admit } = setup();
    expect(admit(1).fresh).toBe(true);
    store.update(Uint8Array.of(1), { status: 'replied', reply: Uint8Array.of(7) });
    const replay = admit(1);
    expect(replay.fresh).toBe(false);
    expect(replay.record.status).toEqual({ status: 'replied', reply: Uint8Array.of(7) });
  });

  it('certifies a call only once it has a status, and only changes its version then', () => {
    const { store, admit } = setup();
    const emptyRoot = bytesToHex(store.rootHash());
    admit(1);
    expect(store.version).toBe(0);
    expect(bytesToHex(store.rootHash())).toBe(emptyRoot);
    expect(lookupPath(store.witness([Uint8Array.of(1)]), [Uint8Array.of(1), 'status']).status).toBe('absent');
    store.update(Uint8Array.of(1), { status: 'replied', reply: Uint8Array.of(7) });
    expect(store.version).toBe(1);
    const witness = store.witness([Uint8Array.of(1)]);
    expect(bytesToHex(reconstruct(witness))).toBe(bytesToHex(store.rootHash()));
    expect(lookupPath(witness, [Uint8Array.of(1), 'reply'])).toEqual({ status: 'found', value: Uint8Array.of(7) });
  });

  it('forgets completed calls after the retention period, never before their ingress expiry', () => {
    const { store, admit, advance } = setup();
    admit(1);
    admit(2, 1_000n * MINUTE + 20n * MINUTE);
    store.update(Uint8Array.of(1), { status: 'rejected', rejectCode: 4, rejectMessage: 'no', errorCode: 'IC0406' });
    store.update(Uint8Array.of(2), { status: 'replied', reply: new Uint8Array() });
    advance(5n * MINUTE);
    store.forgetExpired();
    expect(store.records()).toHaveLength(2);
    advance(1n);
    store.forgetExpired();
    expect(store.get(Uint8Array.of(1))).toBeUndefined();
    expect(lookupPath(store.witness([Uint8Array.of(1)]), [Uint8Array.of(1), 'status']).status).toBe('absent');
    expect(store.get(Uint8Array.of(2))).toBeDefined();
    advance(15n * MINUTE);
    store.forgetExpired();
    expect(store.records()).toHaveLength(0);
    expect(store.size).toBe(0);
  });

  it('keeps calls in progress and bumps its version on every certified change', () => {
    const { store, admit, advance } = setup();
    const v0 = store.version;
    admit(1);
    store.update(Uint8Array.of(1), { status: 'processing' });
    expect(store.version).toBe(v0 + 1);
    advance(60n * MINUTE);
    store.forgetExpired();
    expect(store.get(Uint8Array.of(1))?.status.status).toBe('processing');
    store.discard(Uint8Array.of(1));
    expect(store.records()).toHaveLength(0);
    expect(store.version).toBe(v0 + 2);
  });

  it('certifies exactly the tree of plain status subtrees: same root hash, witnesses and full tree', () => {
    const { store, admit, advance } = setup();
    const plain = new CertifiedTreeMap();
    const statusOf = (id: number): RequestStatus =>
      id % 3 === 0
        ? { status: 'rejected', rejectCode: 4, rejectMessage: `trapped ${id} ✓`, errorCode: 'IC0503' }
        : id % 3 === 1
          ? { status: 'replied', reply: Uint8Array.of(id, id, 1) }
          : { status: 'processing' };
    for (let id = 0; id < 120; id++) {
      admit(id);
      store.update(Uint8Array.of(id), statusOf(id));
      plain.set(Uint8Array.of(id), requestStatusEntry(statusOf(id)));
      if (id === 60) advance(1n);
    }
    // The first 61 completed calls expire; the calls still processing stay.
    advance(5n * MINUTE);
    store.forgetExpired();
    for (let id = 0; id <= 60; id++) if (id % 3 !== 2) plain.delete(Uint8Array.of(id));
    store.discard(Uint8Array.of(100));
    plain.delete(Uint8Array.of(100));
    expect(bytesToHex(store.rootHash())).toBe(bytesToHex(plain.rootHash()));
    expect(store.fullTree()).toEqual(plain.tree());
    const asked = [Uint8Array.of(3), Uint8Array.of(61), Uint8Array.of(62), Uint8Array.of(64), Uint8Array.of(200), Uint8Array.of(100)];
    expect(store.witness(asked)).toEqual(plain.witness(asked));
    expect(store.get(Uint8Array.of(3))).toBeUndefined();
    expect(store.get(Uint8Array.of(64))?.status).toEqual(statusOf(64));
    expect(store.get(Uint8Array.of(63))).toMatchObject({ status: statusOf(63), forgetAfter: 1_005n * MINUTE + 1n });
    expect(store.size).toBe(120 - 41 - 1);
  });
});


import { requestIdOf } from '@dfinity/agent';
import { cborEncode, decodeClientRequestFrame, fork, labeled, leaf, pruned, type HashTree } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { requestFrame, testCanisterId, testPrincipal } from '../testing/client-frames';
import { readCallReply } from './call-reply';

const canister = testCanisterId(4);
const sender = testPrincipal(5);
const arg = Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 0);
const { envelope, envelopeBytes } = decodeClientRequestFrame(requestFrame({ canisterId: canister, sender, methodName: 'ws_open', arg }));
// Computed from the typed content (principals as Principal objects), independently of the gateway's path.
const requestId = requestIdOf({ ...envelope.content });

function certificate(entries: [string, Uint8Array][], id: Uint8Array = requestId): Uint8Array {
  let status: HashTree = labeled(entries[0]![0], leaf(entries[0]![1]));
  for (const [label, value] of entries.slice(1)) status = fork(status, labeled(label, leaf(value)));
  const tree = fork(pruned(new Uint8Array(32)), labeled('request_status', labeled(id, status)));
  return cborEncode({ tree: tree as never, signature: new Uint8Array(48) }, { selfDescribe: true });
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('readCallReply', () => {
  it('finds the reply of the relayed request', () => {
    const cert = certificate([['reply', Uint8Array.of(1, 2, 3)], ['status', utf8('replied')]]);
    expect(readCallReply(cert, envelopeBytes)).toEqual({ status: 'replied', reply: Uint8Array.of(1, 2, 3) });
  });

  it('finds a rejection and its message', () => {
    const cert = certificate([['reject_code', Uint8Array.of(5)], ['reject_message', utf8('trapped')], ['status', utf8('rejected')]]);
    expect(readCallReply(cert, envelopeBytes)).toEqual({ status: 'rejected', message: 'trapped' });
  });

  it('answers unknown for another request id, junk certificates and junk envelopes', () => {
    const other = certificate([['status', utf8('replied')]], new Uint8Array(32).fill(1));
    expect(readCallReply(other, envelopeBytes)).toEqual({ status: 'unknown' });
    expect(readCallReply(Uint8Array.of(0xff), envelopeBytes)).toEqual({ status: 'unknown' });
    expect(readCallReply(certificate([['status', utf8('replied')]]), Uint8Array.of(1))).toEqual({ status: 'unknown' });
  });
});

import { hashOfMap } from '@dfinity/agent';
import { describe, expect, it } from 'vitest';
import { queryResponseHash } from './query-response-hash';

const requestId = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('queryResponseHash', () => {
  it.each([0n, 1n, 127n, 128n, 1_764_000_000_123_456_789n, (1n << 64n) - 1n])('equals agent-js hashOfMap for a reply at timestamp %s', (timestamp) => {
    const arg = Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 0);
    const ours = queryResponseHash({ status: 'replied', arg, requestId }, timestamp);
    expect(new Uint8Array(ours)).toEqual(hashOfMap({ status: 'replied', reply: { arg }, timestamp, request_id: requestId }));
  });

  it('equals agent-js hashOfMap for a rejection', () => {
    const fields = { rejectCode: 5, rejectMessage: 'canister trapped: é', errorCode: 'IC0503' };
    const ours = queryResponseHash({ status: 'rejected', ...fields, requestId }, 9n);
    const theirs = hashOfMap({ status: 'rejected', reject_code: 5, reject_message: fields.rejectMessage, error_code: 'IC0503', timestamp: 9n, request_id: requestId });
    expect(new Uint8Array(ours)).toEqual(theirs);
  });

  it('equals agent-js hashOfMap for a rejection without error_code (optional in the spec: then not signed)', () => {
    const ours = queryResponseHash({ status: 'rejected', rejectCode: 4, rejectMessage: 'no', requestId }, 9n);
    expect(new Uint8Array(ours)).toEqual(hashOfMap({ status: 'rejected', reject_code: 4, reject_message: 'no', timestamp: 9n, request_id: requestId }));
  });

  it('changes with every signed field', () => {
    const base = { status: 'replied', arg: Uint8Array.of(1), requestId } as const;
    const hash = queryResponseHash(base, 5n).toString('hex');
    expect(queryResponseHash(base, 6n).toString('hex')).not.toBe(hash);
    for (const changed of [{ ...base, arg: Uint8Array.of(2) }, { ...base, requestId: requestId.map((b) => b ^ 1) }]) {
      expect(queryResponseHash(changed, 5n).toString('hex')).not.toBe(hash);
    }
  });
});

import { cborEncode, ErrorCode, type CborEncodable } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error';
import { readQueryResponse } from './query-response';

const requestId = Uint8Array.from({ length: 32 }, (_, i) => i);
const signature = { timestamp: 1_764_000_000_000_000_000n, signature: Uint8Array.of(1, 2), identity: Uint8Array.of(3) };
const encode = (value: Record<string, CborEncodable>) => cborEncode(new Map(Object.entries(value)), { selfDescribe: true });

describe('readQueryResponse', () => {
  it('reads a reply with its signatures, ignoring fields it does not know', () => {
    const body = encode({ status: 'replied', reply: new Map([['arg', Uint8Array.of(0x44)]]), signatures: [new Map(Object.entries(signature))], later: 'x' });
    expect(readQueryResponse(body, requestId)).toEqual({ answer: { status: 'replied', arg: Uint8Array.of(0x44), requestId }, signatures: [signature] });
  });

  it('reads a rejection, with or without error_code, and an answer without signatures', () => {
    const rejected = { status: 'rejected', reject_code: 5, reject_message: 'trapped' };
    expect(readQueryResponse(encode({ ...rejected, error_code: 'IC0503' }), requestId).answer).toEqual({
      status: 'rejected',
      rejectCode: 5,
      rejectMessage: 'trapped',
      errorCode: 'IC0503',
      requestId,
    });
    const bare = readQueryResponse(encode(rejected), requestId);
    expect(bare.answer).not.toHaveProperty('errorCode');
    expect(bare.signatures).toBeUndefined();
  });

  it.each([
    ['not CBOR', Uint8Array.of(0xff, 0x00), /malformed CBOR/],
    ['not a map', cborEncode('replied'), /query answer: expected a map/],
    ['an unknown status', encode({ status: 'maybe' }), /unknown status "maybe"/],
    ['a reply without arg', encode({ status: 'replied', reply: new Map() }), /reply\.arg: expected a byte string/],
    ['a signature without timestamp', encode({ status: 'replied', reply: new Map([['arg', Uint8Array.of(1)]]), signatures: [new Map([['signature', Uint8Array.of(1)]])] }), /signatures\[0\]\.timestamp/],
  ])('refuses %s as POLL_FAILED, not transient', (_what, body, message) => {
    let error: unknown;
    try {
      readQueryResponse(body, requestId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCode.PollFailed, transient: false, message: expect.stringMatching(message) });
  });
});

import { Cbor, requestIdOf } from '@dfinity/agent';
import { ErrorCode, cborEncode, decodeClientRequestFrame, fork, labeled, leaf } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { requestFrame, testCanisterId, testPrincipal } from '../testing/client-frames';
import { createHttpRelay } from './http-relay';

const canister = testCanisterId(3);
const envelope = Uint8Array.of(0xd9, 0xd9, 0xf7, 0xa0);

function fakeFetch(answers: Record<string, () => Response | Promise<Response>>) {
  const calls: { url: string; body: Uint8Array; contentType: string | null }[] = [];
  const fetchFn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ url: url.pathname, body: init!.body as Uint8Array, contentType: new Headers(init!.headers).get('content-type') });
    const version = url.pathname.split('/')[2]!;
    const answer = answers[version];
    if (!answer) return new Response('not found', { status: 404 });
    return answer();
  }) as typeof fetch;
  return { calls, fetchFn };
}

const cbor = (value: unknown, status = 200) => new Response(Cbor.encode(value) as BodyInit, { status });

describe('createHttpRelay', () => {
  it('posts the envelope unchanged to the v3 call endpoint', async () => {
    const { calls, fetchFn } = fakeFetch({ v3: () => cbor({ status: 'replied', certificate: new Uint8Array() }) });
    await createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 })(canister, envelope);
    expect(calls).toEqual([{ url: `/api/v3/canister/${canister.toText()}/call`, body: envelope, contentType: 'application/cbor' }]);
  });

  it('falls back to v2 on 404 and stays there', async () => {
    const { calls, fetchFn } = fakeFetch({ v2: () => new Response(null, { status: 202 }) });
    const relay = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 });
    await relay(canister, envelope);
    await relay(canister, envelope);
    expect(calls.map((c) => c.url.split('/')[2])).toEqual(['v3', 'v2', 'v2']);
  });

  it('reports rejections as RELAY_REJECTED and failures as RELAY_FAILED, marking those worth retrying transient', async () => {
    const cases: [string, () => Response | Promise<Response>, string, boolean][] = [
      ['non-replicated rejection', () => cbor({ status: 'non_replicated_rejection', reject_code: 4, reject_message: 'no such client' }), ErrorCode.RelayRejected, false],
      ['SYS_TRANSIENT rejection', () => cbor({ status: 'non_replicated_rejection', reject_code: 2, reject_message: 'queue full' }), ErrorCode.RelayRejected, true],
      ['400', () => new Response('bad signature', { status: 400 }), ErrorCode.RelayRejected, false],
      ['429', () => new Response('slow down', { status: 429 }), ErrorCode.RelayFailed, true],
      ['503', () => new Response('overload', { status: 503 }), ErrorCode.RelayFailed, true],
      ['network error', () => Promise.reject(new TypeError('fetch failed')), ErrorCode.RelayFailed, true],
      ['malformed answer', () => new Response(Uint8Array.of(0xff), { status: 200 }), ErrorCode.RelayFailed, false],
    ];
    for (const [name, answer, code, transient] of cases) {
      const { fetchFn } = fakeFetch({ v3: answer });
      const relay = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 });
      await expect(relay(canister, envelope), name).rejects.toMatchObject({ name: 'GatewayError', code, transient });
    }
  });

  it('keeps the sizes of a 413 (ingress over the IC limit) and drops the request id, so the reason fits a close frame', async () => {
    const text = `Request ${'ab'.repeat(32)} is too large. Message byte size 2097200 is larger than the max allowed 2097152.`;
    const { fetchFn } = fakeFetch({ v3: () => new Response(text, { status: 413 }) });
    const relay = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 });
    await expect(relay(canister, envelope)).rejects.toMatchObject({
      code: ErrorCode.RelayRejected,
      message: 'IC answered HTTP 413: Message byte size 2097200 is larger than the max allowed 2097152.',
    });
  });

  it('posts once more when the connection died before an answer (the IC runs one request id at most once)', async () => {
    let attempts = 0;
    const { calls, fetchFn } = fakeFetch({
      v3: () => (++attempts === 1 ? Promise.reject(new TypeError('fetch failed', { cause: new Error('other side closed') })) : cbor({ status: 'replied', certificate: new Uint8Array() })),
    });
    await createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 })(canister, envelope);
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      [`/api/v3/canister/${canister.toText()}/call`, envelope],
      [`/api/v3/canister/${canister.toText()}/call`, envelope],
    ]);
  });

  it('does not post again after a timeout or an answer', async () => {
    const { calls, fetchFn } = fakeFetch({ v3: () => new Response('overload', { status: 503 }) });
    await expect(createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: fetchFn, timeoutMs: 1000 })(canister, envelope)).rejects.toMatchObject({ code: ErrorCode.RelayFailed });
    expect(calls).toHaveLength(1);
  });

  it('times out a hanging IC with RELAY_FAILED', async () => {
    let attempts = 0;
    const hanging = ((_: unknown, init?: RequestInit) => {
      attempts += 1;
      return new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    }) as typeof fetch;
    const relay = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: hanging, timeoutMs: 5 });
    await expect(relay(canister, envelope)).rejects.toMatchObject({ code: ErrorCode.RelayFailed, transient: true, message: expect.stringContaining('timed out') });
    expect(attempts).toBe(1);
  });
});

describe('createHttpRelay reading the reply', () => {
  it('returns the reply from the v3 certificate only when asked, and turns a certified rejection into RELAY_REJECTED', async () => {
    const { envelope: typed, envelopeBytes } = decodeClientRequestFrame(
      requestFrame({ canisterId: canister, sender: testPrincipal(8), methodName: 'ws_open', arg: Uint8Array.of(1) }),
    );
    const rid = requestIdOf({ ...typed.content });
    const cert = (status: string, extra: [string, Uint8Array]) =>
      cborEncode({
        tree: labeled('request_status', labeled(rid, fork(labeled(extra[0], leaf(extra[1])), labeled('status', leaf(new TextEncoder().encode(status)))))) as never,
        signature: new Uint8Array(48),
      });
    const replied = fakeFetch({ v3: () => cbor({ status: 'replied', certificate: cert('replied', ['reply', Uint8Array.of(7)]) }) });
    const relay = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: replied.fetchFn, timeoutMs: 1000 });
    expect(await relay(canister, envelopeBytes, { readReply: true })).toEqual({ status: 'replied', reply: Uint8Array.of(7) });
    expect(await relay(canister, envelopeBytes)).toEqual({ status: 'unknown' });
    const rejected = fakeFetch({
      v3: () => cbor({ status: 'replied', certificate: cert('rejected', ['reject_message', new TextEncoder().encode('trap')]) }),
    });
    const relay2 = createHttpRelay({ icUrl: new URL('http://ic.test'), fetch: rejected.fetchFn, timeoutMs: 1000 });
    await expect(relay2(canister, envelopeBytes, { readReply: true })).rejects.toMatchObject({ code: ErrorCode.RelayRejected, message: expect.stringContaining('trap') });
  });
});

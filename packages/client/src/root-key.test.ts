import { Cbor, HttpAgent, IC_ROOT_KEY } from '@dfinity/agent';
import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { isLoopbackUrl, resolveRootKey } from './root-key';

const fetchedKey = new Uint8Array(133).fill(7);

function recordingFetch(calls: string[]): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return new Response(Cbor.encode({ root_key: fetchedKey }).slice().buffer as ArrayBuffer, { status: 200 });
  }) as typeof fetch;
}

const source = { rootKey: undefined, fetchRootKey: false, agent: undefined, fetch: undefined };

describe('isLoopbackUrl', () => {
  it.each([
    ['http://localhost:4943', true],
    ['http://app.localhost:4943', true],
    ['http://127.0.0.1:4943', true],
    ['http://127.8.9.10', true],
    ['http://[::1]:8000', true],
    ['https://icp-api.io', false],
    ['http://127.0.0.1.evil.example', false],
    ['http://localhost.evil.example', false],
    ['http://10.0.0.1', false],
  ])('%s -> %s', (url, expected) => expect(isLoopbackUrl(url)).toBe(expected));
});

describe('resolveRootKey', () => {
  it('uses the mainnet key for a remote network, without fetching', async () => {
    const calls: string[] = [];
    const key = await resolveRootKey({ ...source, networkUrl: 'https://icp-api.io', fetch: recordingFetch(calls) });
    expect(Buffer.from(key).toString('hex')).toBe(IC_ROOT_KEY);
    expect(calls).toEqual([]);
  });

  it('fetches from a loopback network', async () => {
    const calls: string[] = [];
    const key = await resolveRootKey({ ...source, networkUrl: 'http://localhost:4943', fetch: recordingFetch(calls) });
    expect(key).toEqual(fetchedKey);
    expect(calls).toEqual(['http://localhost:4943/api/v2/status']);
  });

  it('fetches from a remote network only when told to', async () => {
    const calls: string[] = [];
    const key = await resolveRootKey({ ...source, fetchRootKey: true, networkUrl: 'https://testnet.example.org', fetch: recordingFetch(calls) });
    expect(key).toEqual(fetchedKey);
    expect(calls).toHaveLength(1);
  });

  it('prefers the key it is given', async () => {
    const calls: string[] = [];
    const given = new Uint8Array(133).fill(1);
    expect(await resolveRootKey({ ...source, rootKey: given, networkUrl: 'http://localhost:4943', fetch: recordingFetch(calls) })).toBe(given);
    expect(calls).toEqual([]);
  });

  it('fails with ROOT_KEY_UNAVAILABLE when the fetch fails', async () => {
    const failing = (() => Promise.reject(new TypeError('refused'))) as typeof fetch;
    const agent = HttpAgent.createSync({ host: 'http://127.0.0.1:4943', fetch: failing, retryTimes: 0 });
    await expect(resolveRootKey({ ...source, agent, networkUrl: 'unused' })).rejects.toMatchObject({ code: ErrorCode.RootKeyUnavailable });
  });
});

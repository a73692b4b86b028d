import { describe, expect, it } from 'vitest';
import { ChatConfigError, loadChatConfig } from './chat-config';

const good = { gatewayUrl: 'ws://127.0.0.1:8080', canisterId: 'rwlgt-iiaaa-aaaaa-aaaaa-cai', networkUrl: 'http://127.0.0.1:4943' };

function fetchReturning(status: number, body: unknown): typeof fetch {
  return (async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })) as typeof fetch;
}

describe('loadChatConfig', () => {
  it('reads the three fields', async () => {
    expect(await loadChatConfig('/config.json', fetchReturning(200, { ...good, extra: 1 }))).toEqual(good);
  });

  it.each([
    ['an HTTP error', fetchReturning(404, 'not found'), /HTTP 404/],
    ['a body that is not JSON', fetchReturning(200, '<html>'), /cannot load/],
    ['a missing field', fetchReturning(200, { ...good, canisterId: undefined }), /"canisterId" must be a non-empty string/],
    ['a failed fetch', (async () => Promise.reject(new TypeError('offline'))) as typeof fetch, /offline/],
  ])('rejects %s with CHAT_CONFIG_INVALID', async (_label, fetchFn, message) => {
    const error = await loadChatConfig('/config.json', fetchFn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatConfigError);
    expect((error as ChatConfigError).code).toBe('CHAT_CONFIG_INVALID');
    expect((error as ChatConfigError).message).toMatch(message);
  });
});

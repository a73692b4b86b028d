import { describe, expect, it } from 'vitest';
import { parseRoute } from './route';
import { RequestError } from './request-error';

const id = 'rwlgt-iiaaa-aaaaa-aaaaa-cai';

function refusal(method: string, url: string): number {
  try {
    parseRoute(method, url);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return (error as RequestError).httpStatus;
  }
  throw new Error(`${method} ${url} was accepted`);
}

describe('parseRoute', () => {
  it('maps the endpoints @dfinity/agent 3.x and @icp-sdk/core use', () => {
    expect(parseRoute('GET', '/api/v2/status')).toEqual({ kind: 'status' });
    expect(parseRoute('POST', `/api/v2/canister/${id}/query`)).toMatchObject({ kind: 'query', version: 2 });
    expect(parseRoute('POST', `/api/v3/canister/${id}/query`)).toMatchObject({ kind: 'query', version: 3 });
    for (const version of [2, 3, 4]) {
      expect(parseRoute('POST', `/api/v${version}/canister/${id}/call`)).toMatchObject({ kind: 'call', version });
    }
    expect(parseRoute('POST', `/api/v3/canister/${id}/read_state?x=1`)).toMatchObject({ kind: 'read_state', version: 3, target: 'canister' });
    const subnet = parseRoute('POST', `/api/v2/subnet/${id}/read_state`);
    expect(subnet).toMatchObject({ kind: 'read_state', target: 'subnet' });
  });

  it('answers unknown paths 404, wrong methods 405 and bad principals 400', () => {
    expect(refusal('GET', '/')).toBe(404);
    expect(refusal('POST', `/api/v4/canister/${id}/query`)).toBe(404);
    expect(refusal('POST', `/api/v2/subnet/${id}/call`)).toBe(404);
    expect(refusal('POST', `/api/v2/canister/${id}/call/extra`)).toBe(404);
    expect(refusal('POST', '/api/v2/status')).toBe(405);
    expect(refusal('GET', `/api/v3/canister/${id}/call`)).toBe(405);
    expect(refusal('POST', '/api/v2/canister/not-a-principal/call')).toBe(400);
    expect(refusal('POST', '/api/v2/canister/%E0%A4%A/call')).toBe(400);
  });
});

import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { createGetMessagesQuery } from './get-messages-query';
import type { IcHttpPost } from './ic-http';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');

describe('createGetMessagesQuery', () => {
  it('polls through /api/v2/.../query by default and through v3 when asked', async () => {
    const paths: string[] = [];
    // An IC that answers 503: only the path of the request matters here.
    const post: IcHttpPost = (path) => {
      paths.push(path);
      return Promise.resolve({ status: 503, body: new TextEncoder().encode('busy') });
    };
    const identity = Ed25519KeyIdentity.generate();
    const fetchNodeKeys = () => Promise.reject(new Error('not reached'));
    for (const query of [createGetMessagesQuery({ post, identity, fetchNodeKeys }), createGetMessagesQuery({ post, identity, fetchNodeKeys, apiVersion: 3 })]) {
      await expect(query(canisterId, 0n)).rejects.toMatchObject({ code: ErrorCode.PollFailed, transient: true });
    }
    expect(paths).toEqual([`/api/v2/canister/${canisterId.toText()}/query`, `/api/v3/canister/${canisterId.toText()}/query`]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, AnonymousIdentity, Cbor, HttpErrorCode, RejectError, UncertifiedRejectErrorCode, UncertifiedRejectUpdateErrorCode, CertifiedRejectErrorCode } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { DelegationChain, DelegationIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { utf8ToBytes } from '@noble/hashes/utils';
import { canisterIdFromIndex } from '../src/scheduling/canister-id';
import { startHttpServer } from '../src/http/http-server';
import { TestExecutionEnvironment } from './http-test-canister';
import {
  ForgingIdentity,
  ImpostorIdentity,
  ingressExpiry,
  post,
  signEnvelope,
  startTestDevnet,
  type EnvelopeContent,
  type TestDevnet,
} from './http-test-support';

let devnet: TestDevnet;
const noArgs = new Uint8Array(IDL.encode([], []));

beforeAll(async () => {
  devnet = await startTestDevnet();
});

afterAll(async () => {
  await devnet.server.close();
});

async function failure(promise: Promise<unknown>): Promise<AgentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}

/** The agent surfaces a refused request as an HttpErrorCode carrying the replica's status and text. */
async function httpFailure(promise: Promise<unknown>): Promise<HttpErrorCode> {
  const error = await failure(promise);
  expect(error.code).toBeInstanceOf(HttpErrorCode);
  return error.code as HttpErrorCode;
}

function callContent(overrides: Partial<EnvelopeContent> = {}): EnvelopeContent {
  return {
    request_type: 'call',
    canister_id: devnet.env.canisterId,
    method_name: 'increment',
    arg: noArgs,
    ingress_expiry: ingressExpiry(60_000),
    ...overrides,
  };
}

const callPath = (): string => `/api/v3/canister/${devnet.env.canisterId.toText()}/call`;
const queryPath = (): string => `/api/v2/canister/${devnet.env.canisterId.toText()}/query`;
const readStatePath = (): string => `/api/v2/canister/${devnet.env.canisterId.toText()}/read_state`;

describe('requests a replica refuses, refused the same way', () => {
  it('refuses a forged signature on calls and queries with 400', async () => {
    const actor = await devnet.actor(new ForgingIdentity());
    const executed = devnet.env.updatesExecuted;
    const call = await httpFailure(actor.increment());
    expect(call.status).toBe(400);
    expect(call.bodyText).toMatch(/^Failed to authenticate request 0x[0-9a-f]{64} due to: Invalid signature/);
    expect(devnet.env.updatesExecuted).toBe(executed);
    const query = await httpFailure(actor.greet('x'));
    expect(query.status).toBe(400);
  });

  it('refuses a sender that is not the principal of sender_pubkey', async () => {
    const victim = Ed25519KeyIdentity.generate().getPrincipal();
    const actor = await devnet.actor(new ImpostorIdentity(victim));
    const error = await httpFailure(actor.increment());
    expect(error.status).toBe(400);
    expect(error.bodyText).toContain(`The user id ${victim.toText()} does not match the public key`);
  });

  it('refuses an ingress_expiry in the past or too far ahead', async () => {
    const identity = Ed25519KeyIdentity.generate();
    for (const offset of [-60_000, 10 * 60_000]) {
      const response = await post(devnet, callPath(), await signEnvelope(identity, callContent({ ingress_expiry: ingressExpiry(offset) })));
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/^Invalid request expiry: /);
    }
  });

  it('refuses an expired delegation', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() - 1_000));
    const actor = await devnet.actor(DelegationIdentity.fromDelegation(session, chain));
    const error = await httpFailure(actor.increment());
    expect(error.status).toBe(400);
    expect(error.bodyText).toMatch(/delegation 0 expired/);
  });

  it('refuses a delegation whose targets do not include the canister with 403', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 60_000), {
      targets: [canisterIdFromIndex(7n)],
    });
    const actor = await devnet.actor(DelegationIdentity.fromDelegation(session, chain));
    const error = await httpFailure(actor.increment());
    expect(error.status).toBe(403);
    expect(error.bodyText).toContain('is not one of the delegation targets');
    expect((await httpFailure(actor.greet('x'))).status).toBe(403);
  });

  it('refuses a delegation signed by another key', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(Ed25519KeyIdentity.generate(), session.getPublicKey(), new Date(Date.now() + 60_000));
    const forged = DelegationChain.fromDelegations([...chain.delegations], root.getPublicKey().toDer());
    const actor = await devnet.actor(DelegationIdentity.fromDelegation(session, forged));
    const error = await httpFailure(actor.increment());
    expect(error.status).toBe(400);
    expect(error.bodyText).toMatch(/delegation 0 has an invalid signature/);
  });

  it('refuses signatures on anonymous requests and unsigned non-anonymous ones', async () => {
    const anonymousSigned = Cbor.decode<Record<string, unknown>>(await signEnvelope(Ed25519KeyIdentity.generate(), callContent()));
    (anonymousSigned['content'] as Record<string, unknown>)['sender'] = new AnonymousIdentity().getPrincipal();
    expect((await post(devnet, callPath(), Cbor.encode(anonymousSigned))).status).toBe(400);
    const unsigned = Cbor.encode({ content: { ...callContent(), sender: Ed25519KeyIdentity.generate().getPrincipal() } });
    const response = await post(devnet, callPath(), unsigned);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('missing sender_pubkey or sender_sig');
  });

  it('refuses a call whose canister_id differs from the effective canister id in the URL', async () => {
    const other = canisterIdFromIndex(3n);
    const envelope = await signEnvelope(Ed25519KeyIdentity.generate(), callContent({ canister_id: other }));
    const response = await post(devnet, callPath(), envelope);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`Specified CanisterId ${other.toText()} does not match effective canister id`);
  });

  it('rejects calls and queries to a missing canister with IC0301', async () => {
    const missing = canisterIdFromIndex(5n);
    const actor = await devnet.actor(Ed25519KeyIdentity.generate(), missing);
    const update = await failure(actor.increment());
    expect(update).toBeInstanceOf(RejectError);
    expect(update.code).toBeInstanceOf(UncertifiedRejectUpdateErrorCode);
    expect((update.code as UncertifiedRejectUpdateErrorCode).rejectCode).toBe(3);
    expect((update.code as UncertifiedRejectUpdateErrorCode).rejectErrorCode).toBe('IC0301');
    const query = await failure(actor.greet('x'));
    expect(query.code).toBeInstanceOf(UncertifiedRejectErrorCode);
    expect((query.code as UncertifiedRejectErrorCode).rejectErrorCode).toBe('IC0301');
  });

  it('rejects a missing method with the engine reject: certified for updates, signed for queries', async () => {
    const actor = await devnet.actor(Ed25519KeyIdentity.generate());
    const update = await failure(actor.missing_update());
    expect(update.code).toBeInstanceOf(CertifiedRejectErrorCode);
    expect((update.code as CertifiedRejectErrorCode).rejectErrorCode).toBe('IC0536');
    const query = await failure(actor.missing_query());
    expect(query.code).toBeInstanceOf(UncertifiedRejectErrorCode);
    expect((query.code as UncertifiedRejectErrorCode).rejectCode).toBe(5);
  });

  it('lets only the sender read a request status, and only paths a replica serves', async () => {
    const owner = Ed25519KeyIdentity.generate();
    const ownerAgent = await devnet.agent(owner);
    const { requestId } = await ownerAgent.call(devnet.env.canisterId, { methodName: 'increment', arg: noArgs });
    const readStatus = (paths: Uint8Array[][]): Promise<Uint8Array> =>
      signEnvelope(Ed25519KeyIdentity.generate(), { request_type: 'read_state', paths, ingress_expiry: ingressExpiry(60_000) });
    const stranger = await post(devnet, readStatePath(), await readStatus([[utf8ToBytes('request_status'), requestId]]));
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toBe('Request IDs must be for requests signed by the caller.');
    const unknownPath = await post(devnet, readStatePath(), await readStatus([[utf8ToBytes('nonsense')]]));
    expect(unknownPath.status).toBe(404);
    const otherCanister = await post(devnet, readStatePath(), await readStatus([[utf8ToBytes('canister'), canisterIdFromIndex(2n).toUint8Array()]]));
    expect(otherCanister.status).toBe(400);
  });

  it('answers junk with 4xx text and keeps serving', async () => {
    const deep = new Uint8Array(100_000).fill(0x81); // an array in an array in an array ...
    const bodies: (Uint8Array | string)[] = [
      new Uint8Array(),
      'not cbor at all',
      crypto.getRandomValues(new Uint8Array(512)),
      deep,
      Cbor.encode([1, 2, 3]),
      Cbor.encode({ content: 'x' }),
      Cbor.encode({ content: { request_type: 'query' } }),
      Cbor.encode({ content: { ...callContent(), ingress_expiry: -5 } }),
    ];
    const identity = Ed25519KeyIdentity.generate();
    const signedCall = await signEnvelope(identity, callContent());
    const signedQuery = await signEnvelope(identity, { ...callContent(), request_type: 'query' });
    // Each endpoint also gets a well-signed envelope of another request type.
    const wrongType = new Map([
      [callPath(), signedQuery],
      [queryPath(), signedCall],
      [readStatePath(), signedCall],
    ]);
    for (const [path, wrongEndpoint] of wrongType) {
      for (const body of [...bodies, wrongEndpoint]) {
        const response = await post(devnet, path, body);
        expect(response.status, `${path} ${String(body).slice(0, 20)}`).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        await response.text();
      }
    }
    expect((await post(devnet, '/api/v2/canister/not-a-principal/call', 'x')).status).toBe(400);
    expect((await post(devnet, '/api/v9/canister/aaaaa-aa/call', 'x')).status).toBe(404);
    expect((await post(devnet, '/api/v4/canister/aaaaa-aa/query', 'x')).status).toBe(404);
    expect((await fetch(new URL(callPath(), devnet.server.url))).status).toBe(405);
    const actor = await devnet.actor();
    expect(await actor.greet('still here')).toBe('Hello, still here!');
  });

  it('refuses every single-byte corruption of a valid envelope with a 4xx, never a 5xx', async () => {
    const envelope = await signEnvelope(Ed25519KeyIdentity.generate(), callContent({ method_name: 'greet' }));
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const executed = devnet.env.updatesExecuted;
    for (let i = 0; i < 150; i++) {
      const corrupted = Uint8Array.from(envelope);
      const at = Math.floor(random() * corrupted.length);
      corrupted[at] = ((corrupted[at] as number) + 1 + Math.floor(random() * 255)) % 256;
      const response = await post(devnet, callPath(), corrupted);
      expect(response.status, `byte ${at}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `byte ${at}`).toBeLessThan(500);
      await response.text();
    }
    expect(devnet.env.updatesExecuted).toBe(executed);
  });

  it('refuses bodies above the size limit with 413', async () => {
    const env = new TestExecutionEnvironment();
    const server = await startHttpServer({ env, maxBodyBytes: 1024 });
    try {
      const response = await fetch(new URL(`/api/v2/canister/${env.canisterId.toText()}/call`, server.url), {
        method: 'POST',
        body: new Uint8Array(4096),
      });
      expect(response.status).toBe(413);
      expect((await fetch(new URL('/api/v2/status', server.url))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 500 when the engine throws on a query, certifies an IC0504 reject for an update, keeps serving', async () => {
    const env = new TestExecutionEnvironment();
    env.query = () => Promise.reject(new Error('engine exploded'));
    const server = await startHttpServer({ env });
    try {
      const envelope = await signEnvelope(new AnonymousIdentity(), {
        request_type: 'query',
        canister_id: env.canisterId,
        method_name: 'greet',
        arg: new Uint8Array(IDL.encode([IDL.Text], ['x'])),
        ingress_expiry: ingressExpiry(60_000),
      });
      const response = await fetch(new URL(`/api/v2/canister/${env.canisterId.toText()}/query`, server.url), { method: 'POST', body: new Uint8Array(envelope) });
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('engine exploded');
      expect((await fetch(new URL('/api/v2/status', server.url))).status).toBe(200);
      // A failed update still settles its request status, as a certified reject.
      env.update = () => Promise.reject(new Error('engine exploded again'));
      const call = await fetch(new URL(`/api/v3/canister/${env.canisterId.toText()}/call`, server.url), {
        method: 'POST',
        body: new Uint8Array(await signEnvelope(Ed25519KeyIdentity.generate(), { ...callContent(), canister_id: env.canisterId })),
      });
      expect(call.status).toBe(200);
      expect(Cbor.decode<{ status: string }>(new Uint8Array(await call.arrayBuffer())).status).toBe('replied');
      const [record] = server.certifier.requestStatuses.records();
      expect(record?.status).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0504' });
    } finally {
      await server.close();
    }
  });
});

/**
 * Test helpers for the HTTP interface tests: a devnet (fake engine + real HTTP interface) on port 0, agents
 * with verification on that record the URLs they fetch, extra identities (secp256k1, which
 * @dfinity/identity 3.x no longer ships; one that forges signatures; one that lies about its principal),
 * and a way to sign an envelope by hand, as a gateway relaying a client's request would hold it.
 */
import { Actor, Cbor, HttpAgent, SignIdentity, type ActorSubclass, type Identity, type PublicKey, type Signature } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, hexToBytes } from '@noble/hashes/utils';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../src/http/http-server';
import { Certifier } from '../src/state/certifier';
import { testCanisterIdl, TestExecutionEnvironment, type TestCanister } from './http-test-canister';

/** A running test devnet. */
export interface TestDevnet {
  readonly env: TestExecutionEnvironment;
  readonly certifier: Certifier;
  readonly server: HttpServerHandle;
  /** Every URL path agents of this devnet fetched, in order. */
  readonly fetched: string[];
  /** An agent with root key fetching and query signature checks on, never retrying. */
  agent(identity?: Identity): Promise<HttpAgent>;
  /** The test canister's actor for `identity`, or for `canisterId` when given. */
  actor(identity?: Identity, canisterId?: Principal): Promise<ActorSubclass<TestCanister>>;
}

/** Starts the fake engine behind the real HTTP interface. Close `server` after use. */
export async function startTestDevnet(options: Omit<HttpServerOptions, 'env' | 'certifier'> = {}): Promise<TestDevnet> {
  const env = new TestExecutionEnvironment();
  const certifier = new Certifier({ state: env });
  env.dataCertificate = (id) => certifier.dataCertificate(id);
  const server = await startHttpServer({ ...options, env, certifier });
  const fetched: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    fetched.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return fetch(input, init);
  };
  const agent = (identity?: Identity): Promise<HttpAgent> =>
    HttpAgent.create({
      host: server.url,
      ...(identity && { identity }),
      fetch: recordingFetch,
      shouldFetchRootKey: true,
      verifyQuerySignatures: true,
      retryTimes: 0,
    });
  return {
    env,
    certifier,
    server,
    fetched,
    agent,
    actor: async (identity, canisterId) =>
      Actor.createActor<TestCanister>(testCanisterIdl, { agent: await agent(identity), canisterId: canisterId ?? env.canisterId }),
  };
}

const SECP256K1_SPKI_PREFIX = hexToBytes('3056301006072a8648ce3d020106052b8104000a034200');

/** A secp256k1 identity (what `@dfinity/identity-secp256k1` provides): DER SPKI key, `r || s` over SHA-256. */
export class Secp256k1TestIdentity extends SignIdentity {
  readonly #secret = secp256k1.utils.randomPrivateKey();
  readonly #der = concatBytes(SECP256K1_SPKI_PREFIX, secp256k1.getPublicKey(this.#secret, false));

  getPublicKey(): PublicKey {
    return { toDer: () => this.#der };
  }

  async sign(blob: Uint8Array): Promise<Signature> {
    return secp256k1.sign(sha256(blob), this.#secret).toCompactRawBytes() as Signature;
  }
}

/** An Ed25519 identity whose signatures are garbage: every request it sends carries a forged signature. */
export class ForgingIdentity extends SignIdentity {
  readonly #inner = Ed25519KeyIdentity.generate();

  getPublicKey(): PublicKey {
    return this.#inner.getPublicKey();
  }

  async sign(blob: Uint8Array): Promise<Signature> {
    const signature = new Uint8Array(await this.#inner.sign(blob));
    signature[0] = (signature[0] as number) ^ 0xff;
    return signature as Signature;
  }
}

/** Signs correctly with its own key but claims to be `claimed` in `content.sender`. */
export class ImpostorIdentity extends SignIdentity {
  readonly #inner = Ed25519KeyIdentity.generate();

  constructor(private readonly claimed: Principal) {
    super();
  }

  override getPrincipal(): Principal {
    return this.claimed;
  }

  getPublicKey(): PublicKey {
    return this.#inner.getPublicKey();
  }

  sign(blob: Uint8Array): Promise<Signature> {
    return this.#inner.sign(blob);
  }
}

/** Content fields of a hand-built request; `sender` defaults to the identity's principal. */
export type EnvelopeContent = Record<string, unknown> & { request_type: 'call' | 'query' | 'read_state' };

/** Signs `content` with `identity` exactly as the agent does and CBOR-encodes the envelope. */
export async function signEnvelope(identity: Identity, content: EnvelopeContent): Promise<Uint8Array> {
  const body = { sender: identity.getPrincipal(), ...content };
  const signed = (await identity.transformRequest({
    request: { method: 'POST', headers: {} },
    endpoint: content.request_type === 'read_state' ? 'read_state' : content.request_type,
    body,
  } as never)) as { body: unknown };
  return Cbor.encode(signed.body);
}

/** `ingress_expiry` `offsetMs` from now, in ns, rounded to the second as agents do. */
export function ingressExpiry(offsetMs: number): bigint {
  return BigInt(Math.floor((Date.now() + offsetMs) / 1000)) * 1_000_000_000n;
}

/** POSTs `body` to `path` of the devnet. */
export function post(devnet: TestDevnet, path: string, body: Uint8Array | string): Promise<Response> {
  return fetch(new URL(path, devnet.server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/cbor' },
    body: typeof body === 'string' ? body : new Uint8Array(body), // an ArrayBuffer-backed copy, as BodyInit wants
  });
}

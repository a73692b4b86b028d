import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { IC_RESPONSE_DOMAIN_SEPARATOR } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import { queryResponseHash, type QueryAnswer } from './query-response-hash';

/** One node's signature on a query answer, as the IC sends it. */
export interface NodeSignature {
  timestamp: bigint;
  signature: Uint8Array;
  /** The signing node's principal bytes. */
  identity: Uint8Array;
}

/** Options of {@link QuerySignatureVerifier}. */
export interface QuerySignatureVerifierOptions {
  /**
   * The DER Ed25519 keys of the nodes of `canisterId`'s subnet, by node principal text (what agent-js's
   * `fetchSubnetKeys` reads from a certified `read_state`).
   */
  fetchNodeKeys(canisterId: Principal): Promise<ReadonlyMap<string, Uint8Array>>;
  /**
   * How long fetched node keys are used before they are fetched again (a failed check refetches at once).
   * @default 300_000 (agent-js's figure)
   */
  keysTtlMs?: number;
  /**
   * Oldest signature timestamp accepted, against `now()`: an older answer may be a replay.
   * @default 300_000 (the IC's ingress expiry window, as agent-js)
   */
  maxAgeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

interface SubnetKeys {
  /** Verification keys by node principal bytes (hex). */
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}

const DOMAIN = Buffer.from(IC_RESPONSE_DOMAIN_SEPARATOR);

/**
 * Checks the node signatures of query answers as agent-js does with `verifyQuerySignatures`, with Node's
 * Ed25519 (an idle gateway spent a quarter of its CPU in the pure-JS verification): every signature must come
 * from a node of the canister's subnet, verify over the answer's hash, and be recent. Node keys are fetched
 * per canister, cached, and fetched again once when a signature does not check (the subnet's nodes changed).
 */
export class QuerySignatureVerifier {
  readonly #options: Required<QuerySignatureVerifierOptions>;
  readonly #subnets = new Map<string, SubnetKeys>();
  readonly #fetching = new Map<string, Promise<SubnetKeys>>();

  constructor(options: QuerySignatureVerifierOptions) {
    this.#options = { keysTtlMs: 300_000, maxAgeMs: 300_000, now: Date.now, ...options };
  }

  /**
   * Resolves when `response` is signed as it must be.
   * @throws GatewayError `POLL_FAILED` when it is unsigned, stale, signed by an unknown node or with a bad
   *   signature, or when the node keys cannot be fetched.
   */
  async verify(canisterId: Principal, answer: QueryAnswer, signatures: readonly NodeSignature[] | undefined): Promise<void> {
    if (signatures === undefined || signatures.length === 0) throw failure('the query answer carries no node signature');
    const now = this.#options.now();
    for (const { timestamp } of signatures) {
      if (now - Number(timestamp / 1_000_000n) > this.#options.maxAgeMs) {
        throw failure(`a node signature is older than ${this.#options.maxAgeMs} ms (timestamp ${timestamp} ns)`);
      }
    }
    const canisterText = canisterId.toText();
    let subnet = this.#subnets.get(canisterText);
    if (subnet === undefined || now - subnet.fetchedAt > this.#options.keysTtlMs) subnet = await this.#fetch(canisterId);
    let bad = firstBadSignature(subnet, signatures, answer);
    if (bad !== undefined && subnet.fetchedAt < now) {
      // Keys fetched before this answer may miss a node that joined since: fetch once more, as agent-js does.
      subnet = await this.#fetch(canisterId);
      bad = firstBadSignature(subnet, signatures, answer);
    }
    if (bad !== undefined) throw failure(bad);
  }

  #fetch(canisterId: Principal): Promise<SubnetKeys> {
    const canisterText = canisterId.toText();
    let pending = this.#fetching.get(canisterText);
    if (pending === undefined) {
      const fetchedAt = this.#options.now();
      pending = this.#options
        .fetchNodeKeys(canisterId)
        .then(
          (nodeKeys) => {
            const subnet: SubnetKeys = { keys: importKeys(nodeKeys), fetchedAt };
            this.#subnets.set(canisterText, subnet);
            return subnet;
          },
          (error: unknown) => {
            throw new GatewayError(ErrorCode.PollFailed, `cannot fetch the subnet's node keys: ${describeError(error)}`, { cause: error });
          },
        )
        .finally(() => this.#fetching.delete(canisterText));
      this.#fetching.set(canisterText, pending);
    }
    return pending;
  }
}

/** What is wrong with the first signature that does not check, or undefined when all do. */
function firstBadSignature(subnet: SubnetKeys, signatures: readonly NodeSignature[], answer: QueryAnswer): string | undefined {
  for (const { identity, signature, timestamp } of signatures) {
    const key = subnet.keys.get(Buffer.from(identity).toString('hex'));
    if (key === undefined) return `node ${nodeText(identity)} is not a node of the canister's subnet`;
    const message = Buffer.concat([DOMAIN, queryResponseHash(answer, timestamp)]);
    if (!verify(null, message, key, signature)) return `the signature of node ${nodeText(identity)} does not verify`;
  }
  return undefined;
}

function importKeys(nodeKeys: ReadonlyMap<string, Uint8Array>): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const [nodeId, der] of nodeKeys) {
    // A node key that is not an Ed25519 SPKI is left out: that node's signatures are then refused.
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      continue;
    }
    if (key.asymmetricKeyType === 'ed25519') keys.set(Principal.fromText(nodeId).toHex().toLowerCase(), key);
  }
  return keys;
}

function nodeText(identity: Uint8Array): string {
  try {
    return Principal.fromUint8Array(identity).toText();
  } catch (error) {
    return `<${describeError(error)}>`;
  }
}

function failure(why: string): GatewayError {
  return new GatewayError(ErrorCode.PollFailed, `query signature check failed: ${why}`);
}

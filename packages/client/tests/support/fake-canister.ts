/**
 * A fake certifying canister for client tests: it queues outgoing messages the way the ic-ws canister
 * library does (a CertifiedMap of sha256(WebsocketMessage bytes) under ic-ws-protocol's `CERTIFIED_LABEL`,
 * keys from `formatOutgoingKey`), and a fake subnet signs real IC certificates over its certified data with a
 * BLS key made here. The client verifies them with the unmodified agent-js code paths.
 */
import { Cbor } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CertifiedMap,
  certifiedMessageHash,
  certifiedMessagesRootHash,
  compareBytes,
  encodeCanisterRanges,
  encodeMessagesWitness,
  encodeServiceMessageContent,
  encodeWebsocketMessage,
  formatOutgoingKey,
  labeledForest,
  leaf,
  prunePaths,
  reconstruct,
  type CanisterMessageFrame,
  type ClientKey,
  type HashTree,
  type LabelInput,
  type WebsocketMessage,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { bls12_381 } from './noble';

const DER_PREFIX = Uint8Array.from(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100'.match(/../g)!.map((h) => parseInt(h, 16)),
);

/** A subnet key pair: certificates signed with `secretKey` verify against `rootKey` (DER, 133 bytes). */
export interface TestSubnet {
  secretKey: Uint8Array;
  rootKey: Uint8Array;
}

/** A fresh random root key. */
export function createTestSubnet(): TestSubnet {
  const secretKey = bls12_381.utils.randomPrivateKey();
  const publicKey = bls12_381.getPublicKeyForShortSignatures(secretKey);
  const rootKey = new Uint8Array(DER_PREFIX.length + publicKey.length);
  rootKey.set(DER_PREFIX, 0);
  rootKey.set(publicKey, DER_PREFIX.length);
  return { secretKey, rootKey };
}

function leb128(value: bigint): Uint8Array {
  const out: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value !== 0n) byte |= 0x80;
    out.push(byte);
  } while (value !== 0n);
  return Uint8Array.from(out);
}

/** `"\x0Dic-state-root" + root hash`: what the subnet signs. */
function stateRootMessage(tree: HashTree): Uint8Array {
  const sep = new TextEncoder().encode('\x0Dic-state-root');
  const root = reconstruct(tree);
  const msg = new Uint8Array(sep.length + root.length);
  msg.set(sep, 0);
  msg.set(root, sep.length);
  return msg;
}

function timeLeaf(timeMs: number): HashTree {
  return leaf(leb128(BigInt(timeMs) * 1_000_000n));
}

/** A certificate `{ tree, signature }` whose tree holds `time` and `canister/<id>/certified_data`. */
export function makeCertificate(subnet: TestSubnet, canisterId: Principal, certifiedData: Uint8Array, timeMs = Date.now()): Uint8Array {
  const tree = certifiedDataTree(canisterId, certifiedData, timeMs);
  return Cbor.encode({ tree, signature: bls12_381.signShortSignature(stateRootMessage(tree), subnet.secretKey) });
}

function certifiedDataTree(canisterId: Principal, certifiedData: Uint8Array, timeMs: number): HashTree {
  return labeledForest([
    ['canister', labeledForest([[canisterId.toUint8Array(), labeledForest([['certified_data', leaf(certifiedData)]])]])],
    ['time', timeLeaf(timeMs)],
  ]);
}

/** A subnet delegation as certificates carry it: the root key certifies the subnet's key and canister ranges. */
export interface TestDelegation {
  subnet_id: Uint8Array;
  certificate: Uint8Array;
}

/**
 * How a test delegation carries its canister ranges (see protocol's canister-ranges.ts): `flat` as the
 * deprecated endpoints do, `tree` as `/api/v3/.../query` does (one shard per range, labelled with its low end,
 * every shard but the one selected for `treeCanister` pruned, the flat leaf pruned), `both` as the NNS issues it
 * (`flatRanges` may make the flat leaf disagree), `none` with both pruned.
 */
export interface DelegationShape {
  /** @default 'flat' */
  format?: 'flat' | 'tree' | 'both' | 'none';
  /** Tree format: reveal the shard with the greatest label not above this id, as the replica does. @default none revealed */
  treeCanister?: Principal;
  /** The flat leaf's ranges in `both`. @default the delegation's ranges */
  flatRanges?: readonly (readonly [Principal, Principal])[];
}

/** The delegation from `root` to `subnet`; one delegation serves every certificate of the subnet, as on mainnet. */
export function makeDelegation(
  root: TestSubnet,
  subnet: TestSubnet,
  subnetId: Principal,
  canisterRanges: readonly (readonly [Principal, Principal])[],
  timeMs = Date.now(),
  shape: DelegationShape = {},
): TestDelegation {
  const format = shape.format ?? 'flat';
  const sid = subnetId.toUint8Array();
  const shards = canisterRanges.map(([low, high]) => [low.toUint8Array(), leaf(encodeCanisterRanges([[low, high]]))] as const);
  const fullTree = labeledForest([
    ['canister_ranges', labeledForest([[sid, labeledForest(shards)]])],
    [
      'subnet',
      labeledForest([
        [
          sid,
          labeledForest([
            ['canister_ranges', leaf(encodeCanisterRanges(shape.flatRanges ?? canisterRanges))],
            ['public_key', leaf(subnet.rootKey)],
          ]),
        ],
      ]),
    ],
    ['time', timeLeaf(timeMs)],
  ]);
  const paths: LabelInput[][] = [['subnet', sid, 'public_key'], ['time']];
  if (format === 'flat' || format === 'both') paths.push(['subnet', sid, 'canister_ranges']);
  if ((format === 'tree' || format === 'both') && shape.treeCanister !== undefined) {
    const id = shape.treeCanister.toUint8Array();
    const selected = shards.filter(([label]) => compareBytes(label, id) <= 0).at(-1);
    if (selected !== undefined) paths.push(['canister_ranges', sid, selected[0]]);
  }
  const delegationTree = prunePaths(fullTree, paths);
  const certificate = Cbor.encode({
    tree: delegationTree,
    signature: bls12_381.signShortSignature(stateRootMessage(fullTree), root.secretKey),
  });
  return { subnet_id: sid, certificate };
}

/** A certificate signed by `subnet`'s key, carrying `delegation` (from {@link makeDelegation}). */
export function makeCertificateWithDelegation(
  subnet: TestSubnet,
  delegation: TestDelegation,
  canisterId: Principal,
  certifiedData: Uint8Array,
  timeMs = Date.now(),
): Uint8Array {
  const tree = certifiedDataTree(canisterId, certifiedData, timeMs);
  return Cbor.encode({ tree, signature: bls12_381.signShortSignature(stateRootMessage(tree), subnet.secretKey), delegation });
}

/**
 * A certificate signed by a subnet key, with the delegation from the root key that mainnet certificates
 * carry: the root certifies the subnet's public key and the canister ranges it may certify for.
 */
export function makeDelegatedCertificate(
  root: TestSubnet,
  subnet: TestSubnet,
  subnetId: Principal,
  canisterRanges: readonly (readonly [Principal, Principal])[],
  canisterId: Principal,
  certifiedData: Uint8Array,
  timeMs = Date.now(),
): Uint8Array {
  return makeCertificateWithDelegation(subnet, makeDelegation(root, subnet, subnetId, canisterRanges, timeMs), canisterId, certifiedData, timeMs);
}

/** Options of one batch. */
export interface BatchOptions {
  /** Certificate time, ms. @default Date.now() */
  timeMs?: number;
  /** Sign with another subnet's key (a forged certificate). */
  subnet?: TestSubnet;
}

/** The fake canister's outgoing queue for one gateway. */
export class FakeCanisterOutbox {
  private readonly map = new CertifiedMap();
  private readonly contents = new Map<string, Uint8Array>();
  private nextNonce = 0n;

  constructor(
    readonly subnet: TestSubnet,
    readonly canisterId: Principal,
    readonly gatewayPrincipal: Principal,
  ) {}

  /** Queues `message` (certifies its exact CBOR bytes) and returns its key. */
  queue(message: WebsocketMessage): string {
    return this.queueBytes(encodeWebsocketMessage(message));
  }

  /** Queues arbitrary content bytes (for tests of undecodable content) and returns the key. */
  queueBytes(content: Uint8Array): string {
    const key = formatOutgoingKey(this.gatewayPrincipal, this.nextNonce++);
    this.map.set(key, certifiedMessageHash(content));
    this.contents.set(key, content);
    return key;
  }

  /** Queues a service message for `clientKey`. */
  queueService(clientKey: ClientKey, sequenceNum: bigint, content: WebsocketServiceMessageContent): string {
    return this.queue(message(clientKey, sequenceNum, true, encodeServiceMessageContent(content)));
  }

  /** Queues an app message (`value` encoded with `idl`) for `clientKey`. */
  queueApp<T>(clientKey: ClientKey, sequenceNum: bigint, idl: IDL.Type<T>, value: T): string {
    return this.queue(message(clientKey, sequenceNum, false, IDL.encode([idl], [value])));
  }

  /** The certified data the canister would set now. */
  certifiedData(): Uint8Array {
    return certifiedMessagesRootHash(this.map);
  }

  /** Frames for `keys`, sharing one certificate and one witness, as one `ws_get_messages` reply. */
  batch(keys: readonly string[], options: BatchOptions = {}): CanisterMessageFrame[] {
    const cert = makeCertificate(options.subnet ?? this.subnet, this.canisterId, this.certifiedData(), options.timeMs);
    const tree = encodeMessagesWitness(this.map, keys);
    return keys.map((key) => ({ key, content: this.contents.get(key)!, cert, tree }));
  }
}

/** A WebsocketMessage with the current time. */
export function message(clientKey: ClientKey, sequenceNum: bigint, isService: boolean, content: Uint8Array): WebsocketMessage {
  return {
    client_key: clientKey,
    sequence_num: sequenceNum,
    timestamp: BigInt(Date.now()) * 1_000_000n,
    is_service_message: isService,
    content,
  };
}

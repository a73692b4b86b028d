import { Principal } from '@dfinity/principal';
import { bytesToHex, concatBytes } from '@noble/hashes/utils';
import {
  cborEncode,
  ErrorCode,
  IcWsError,
  prunePaths,
  pruned,
  reconstruct,
  type HashTree,
  type LabelInput,
} from 'ic-ws-protocol';
import { IC_STATE_ROOT_DOMAIN } from '../crypto/domain-separator';
import { NodeKey } from '../crypto/node-key';
import { canisterIdRange } from '../scheduling/canister-id';
import { RootKey } from '../crypto/root-key';
import { RequestStatusStore } from './request-status-store';
import { FLAT_RANGES, NnsDelegation, type CanisterRangesFilter } from './nns-delegation';
import { canisterSubtree, stateTree, subnetSubtree, timeSubtree, type SubnetDescription } from './state-tree';

/** What the certifier reads from the execution environment. */
export interface CertifiedStateSource {
  canisterIds(): Principal[];
  certifiedData(id: Principal): Uint8Array;
  /** Current time, ns since the epoch. */
  now(): bigint;
}

/** Options of {@link Certifier}. */
export interface CertifierOptions {
  /** Canister state and clock; called lazily, so it may forward to an environment created later. */
  readonly state: CertifiedStateSource;
  /** @default a fresh random BLS root key */
  readonly rootKey?: RootKey;
  /**
   * Certify as a mainnet application subnet: the state is signed by this subnet key, not the root key, and
   * every certificate carries a `delegation` from the root key to the subnet (its id, public key and canister
   * ranges, in a certificate the root key signed), as the IC's app subnets do. Absent, the devnet is the root
   * subnet and certificates carry no delegation (as dfx's local replica). @default undefined
   */
  readonly subnetKey?: RootKey;
  /** The nodes that sign query responses. @default one fresh random node */
  readonly nodeKeys?: readonly NodeKey[];
  /** @default {@link DEFAULT_CANISTER_RANGES} */
  readonly canisterRanges?: readonly (readonly [Principal, Principal])[];
  /** How long completed call statuses stay readable, ns. @default 5 minutes */
  readonly requestStatusRetentionNs?: bigint;
  /**
   * A certified round older than this (IC time) is replaced by a fresh one on the next read even when nothing
   * changed, as a replica keeps making rounds while idle, so certified time stays current. @default 1000
   */
  readonly maxRoundAgeMs?: number;
}

/** Defaults of {@link CertifierOptions}. */
export const CERTIFIER_DEFAULTS = { maxRoundAgeMs: 1000 } as const;

/** The canister ids the execution engine allocates. */
export const DEFAULT_CANISTER_RANGES: readonly (readonly [Principal, Principal])[] = [canisterIdRange()];

/** One certified state: what every certificate handed out until the next round is cut from. */
export interface CertifiedRound {
  /** 1 for the first round, then one more per round. */
  readonly height: number;
  /** The certified `time`, ns. */
  readonly time: bigint;
  /** The root hash the signature covers. */
  readonly rootHash: Uint8Array;
  /** BLS signature over `"\x0Dic-state-root" || rootHash`. */
  readonly signature: Uint8Array;
}

interface RoundState extends CertifiedRound {
  readonly timeTree: HashTree;
  readonly canisterTree: HashTree;
  readonly canisterHash: Uint8Array;
  readonly requestStatusVersion: number;
  readonly requestStatusHash: Uint8Array;
  /** Data certificates handed out in this round, by ranges format and canister id (hex): the same bytes for every query. */
  readonly dataCertificates: Map<string, Uint8Array>;
}

const NS_PER_MS = 1_000_000n;

/**
 * Certifies the devnet's state in rounds, as a replica does: a round snapshots the state tree (`time`,
 * `canister`, `request_status`, `subnet`) and signs its root hash once with the root key (or, as an
 * application subnet, with the subnet key, every certificate then carrying the root key's delegation); every certificate
 * until the next round (read_state answers, sync call answers, `data_certificate` in queries) reveals the
 * paths asked for in that one signed tree, so equal requests get equal bytes. A new round is certified when a
 * certificate is asked for and the state changed since the last one (a call completed, certified data or
 * the canister set changed) or the last one is older than `maxRoundAgeMs`. Also owns the request statuses.
 */
export class Certifier {
  readonly rootKey: RootKey;
  readonly nodeKeys: readonly NodeKey[];
  /** The node that signs query responses (the first of `nodeKeys`). */
  readonly signingNode: NodeKey;
  readonly subnet: SubnetDescription;
  /** The root key's delegation to this subnet (subnet key mode), or undefined (root subnet: no delegation). */
  readonly delegation: NnsDelegation | undefined;
  readonly requestStatuses: RequestStatusStore;
  /** The key that signs the state: the subnet key with a delegation, else the root key. */
  readonly #stateKey: RootKey;
  readonly #state: CertifiedStateSource;
  readonly #subnetTree: HashTree;
  readonly #maxRoundAgeNs: bigint;
  #round: RoundState | undefined;

  constructor(options: CertifierOptions) {
    this.#state = options.state;
    this.rootKey = options.rootKey ?? RootKey.create();
    this.nodeKeys = options.nodeKeys ?? [NodeKey.create()];
    const signingNode = this.nodeKeys[0];
    if (!signingNode) throw new IcWsError(ErrorCode.InvalidOptions, 'Certifier: nodeKeys must hold at least one node key');
    const maxRoundAgeMs = options.maxRoundAgeMs ?? CERTIFIER_DEFAULTS.maxRoundAgeMs;
    if (!Number.isFinite(maxRoundAgeMs) || maxRoundAgeMs < 0) {
      throw new IcWsError(ErrorCode.InvalidOptions, `Certifier: maxRoundAgeMs must be a non-negative number, got ${maxRoundAgeMs}`);
    }
    this.#maxRoundAgeNs = BigInt(Math.round(maxRoundAgeMs)) * NS_PER_MS;
    this.signingNode = signingNode;
    this.#stateKey = options.subnetKey ?? this.rootKey;
    this.subnet = {
      // Without a delegation, agents take the subnet id to be the self-authenticating id of the root key; an
      // application subnet's id is, likewise, that of its own key.
      subnetId: Principal.selfAuthenticating(this.#stateKey.der),
      publicKeyDer: this.#stateKey.der,
      canisterRanges: options.canisterRanges ?? DEFAULT_CANISTER_RANGES,
      nodes: this.nodeKeys.map((key) => ({ nodeId: key.nodeId, publicKeyDer: key.der })),
    };
    this.#subnetTree = subnetSubtree(this.subnet);
    this.delegation = options.subnetKey === undefined ? undefined : new NnsDelegation(this.subnet, this.rootKey, timeSubtree(this.#state.now()));
    this.requestStatuses = new RequestStatusStore({
      now: () => this.#state.now(),
      ...(options.requestStatusRetentionNs !== undefined && { retentionNs: options.requestStatusRetentionNs }),
    });
  }

  /** Current time of the certified state, ns. */
  now(): bigint {
    return this.#state.now();
  }

  /** The round certificates are cut from now: the last one, or a new one if the state moved on. */
  currentRound(): CertifiedRound {
    return this.#currentRound();
  }

  /**
   * A CBOR certificate `{tree, signature}` of the current round revealing `paths` (plus `time`, always) and
   * pruning everything else. Paths that lead nowhere are proven absent. As an application subnet, the
   * certificate carries the delegation with the canister ranges `ranges` reveals (the endpoint decides, as on
   * a replica: see {@link CanisterRangesFilter}).
   */
  certify(paths: readonly (readonly LabelInput[])[], ranges: CanisterRangesFilter = FLAT_RANGES): Uint8Array {
    const round = this.#currentRound();
    const wanted = [['time'], ...paths];
    let requestStatus: HashTree = pruned(round.requestStatusHash);
    const requestIds: LabelInput[] = [];
    let allRequests = false;
    for (const path of wanted) {
      if (path.length === 0) allRequests = true;
      else if (isLabel(path[0], 'request_status')) {
        if (path[1] === undefined) allRequests = true;
        else requestIds.push(path[1]);
      }
    }
    // The live statuses are the round's: #currentRound certified a new round had they changed.
    if (allRequests) requestStatus = this.requestStatuses.fullTree();
    else if (requestIds.length > 0) requestStatus = this.requestStatuses.witness(requestIds);
    const tree = stateTree({ time: round.timeTree, canister: round.canisterTree, requestStatus, subnet: this.#subnetTree });
    const certificate = { tree: prunePaths(tree, wanted), signature: round.signature };
    const delegation = this.delegation?.delegation(ranges);
    return cborEncode(delegation ? { ...certificate, delegation } : certificate, { selfDescribe: true });
  }

  /**
   * The certificate a canister's `data_certificate` returns: `time` and its own `certified_data`. Every query
   * of one canister in one round, through one endpoint version, gets the very same bytes, so a client's
   * certificate cache hits as on the IC. `ranges`: the delegation's canister ranges as the query endpoint
   * gives them, `flat` (`/api/v2/.../query`) or `tree` for this canister (`/api/v3/.../query`; dfinity/ic
   * http_endpoints/public query.rs).
   */
  dataCertificate(canisterId: Principal, ranges: 'flat' | 'tree' = 'flat'): Uint8Array {
    const round = this.#currentRound();
    const key = `${ranges}:${bytesToHex(canisterId.toUint8Array())}`;
    let certificate = round.dataCertificates.get(key);
    if (certificate === undefined) {
      const filter: CanisterRangesFilter = ranges === 'tree' ? { format: 'tree', canisterId } : FLAT_RANGES;
      certificate = this.certify([['canister', canisterId.toUint8Array(), 'certified_data']], filter);
      round.dataCertificates.set(key, certificate);
    }
    return certificate;
  }

  #currentRound(): RoundState {
    const now = this.#state.now();
    const canisterTree = this.#canisterTree();
    const canisterHash = reconstruct(canisterTree);
    const round = this.#round;
    if (
      round !== undefined &&
      round.requestStatusVersion === this.requestStatuses.version &&
      sameBytes(round.canisterHash, canisterHash) &&
      now - round.time <= this.#maxRoundAgeNs
    ) {
      return round;
    }
    // Forgetting expired statuses changes the tree, so it happens only when a round is certified anyway.
    this.requestStatuses.forgetExpired();
    const timeTree = timeSubtree(now);
    const requestStatusHash = this.requestStatuses.rootHash();
    const rootHash = reconstruct(
      stateTree({ time: timeTree, canister: canisterTree, requestStatus: pruned(requestStatusHash), subnet: this.#subnetTree }),
    );
    const next: RoundState = {
      height: (round?.height ?? 0) + 1,
      time: now,
      rootHash,
      signature: this.#stateKey.sign(concatBytes(IC_STATE_ROOT_DOMAIN, rootHash)),
      timeTree,
      canisterTree,
      canisterHash,
      requestStatusVersion: this.requestStatuses.version,
      requestStatusHash,
      dataCertificates: new Map(),
    };
    this.#round = next;
    return next;
  }

  #canisterTree(): HashTree {
    const canisters = this.#state.canisterIds().map((id) => ({ id, certifiedData: this.#state.certifiedData(id) }));
    return canisterSubtree(canisters);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function isLabel(label: LabelInput | undefined, text: string): boolean {
  if (typeof label === 'string') return label === text;
  if (!(label instanceof Uint8Array) || label.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (label[i] !== text.charCodeAt(i)) return false;
  return true;
}

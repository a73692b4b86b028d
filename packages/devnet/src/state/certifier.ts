import { Principal } from '@dfinity/principal';
import { concatBytes } from '@noble/hashes/utils';
import { cborEncode, ErrorCode, IcWsError, prunePaths, pruned, reconstruct, type HashTree, type LabelInput } from 'ic-ws-protocol';
import { IC_STATE_ROOT_DOMAIN } from '../crypto/domain-separator';
import { NodeKey } from '../crypto/node-key';
import { canisterIdRange } from '../scheduling/canister-id';
import { RootKey } from '../crypto/root-key';
import { RequestStatusStore } from './request-status-store';
import {
  canisterSubtree,
  requestStatusSubtree,
  stateTree,
  subnetSubtree,
  timeSubtree,
  type SubnetDescription,
} from './state-tree';

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
  /** The nodes that sign query responses. @default one fresh random node */
  readonly nodeKeys?: readonly NodeKey[];
  /** @default {@link DEFAULT_CANISTER_RANGES} */
  readonly canisterRanges?: readonly (readonly [Principal, Principal])[];
  /** How long completed call statuses stay readable, ns. @default 5 minutes */
  readonly requestStatusRetentionNs?: bigint;
}

/** The canister ids the execution engine allocates. */
export const DEFAULT_CANISTER_RANGES: readonly (readonly [Principal, Principal])[] = [canisterIdRange()];

/**
 * Signs the devnet's state: builds the state tree (`time`, `canister`, `request_status`, `subnet`),
 * prunes it to what a reader asked for and signs its root hash with the root key, producing the
 * `{tree, signature}` certificates agents verify. Also owns the request statuses of update calls.
 */
export class Certifier {
  readonly rootKey: RootKey;
  readonly nodeKeys: readonly NodeKey[];
  /** The node that signs query responses (the first of `nodeKeys`). */
  readonly signingNode: NodeKey;
  readonly subnet: SubnetDescription;
  readonly requestStatuses: RequestStatusStore;
  readonly #state: CertifiedStateSource;
  readonly #subnetTree: HashTree;
  #requestStatusCache: { version: number; tree: HashTree; hash: Uint8Array } | undefined;

  constructor(options: CertifierOptions) {
    this.#state = options.state;
    this.rootKey = options.rootKey ?? RootKey.create();
    this.nodeKeys = options.nodeKeys ?? [NodeKey.create()];
    const signingNode = this.nodeKeys[0];
    if (!signingNode) throw new IcWsError(ErrorCode.InvalidOptions, 'Certifier: nodeKeys must hold at least one node key');
    this.signingNode = signingNode;
    this.subnet = {
      // Without a delegation, agents take the subnet id to be the self-authenticating id of the root key.
      subnetId: Principal.selfAuthenticating(this.rootKey.der),
      publicKeyDer: this.rootKey.der,
      canisterRanges: options.canisterRanges ?? DEFAULT_CANISTER_RANGES,
      nodes: this.nodeKeys.map((key) => ({ nodeId: key.nodeId, publicKeyDer: key.der })),
    };
    this.#subnetTree = subnetSubtree(this.subnet);
    this.requestStatuses = new RequestStatusStore({
      now: () => this.#state.now(),
      ...(options.requestStatusRetentionNs !== undefined && { retentionNs: options.requestStatusRetentionNs }),
    });
  }

  /** Current time of the certified state, ns. */
  now(): bigint {
    return this.#state.now();
  }

  /**
   * A CBOR certificate `{tree, signature}` revealing `paths` (plus `time`, always) of the current state
   * and pruning everything else. Paths that lead nowhere are proven absent.
   */
  certify(paths: readonly (readonly LabelInput[])[]): Uint8Array {
    const wanted = [['time'], ...paths];
    const touchesRequests = wanted.some((path) => path.length === 0 || isLabel(path[0], 'request_status'));
    const tree = this.#fullTree(touchesRequests);
    const signature = this.rootKey.sign(concatBytes(IC_STATE_ROOT_DOMAIN, reconstruct(tree)));
    return cborEncode({ tree: prunePaths(tree, wanted), signature }, { selfDescribe: true });
  }

  /** The certificate a canister's `data_certificate` returns: `time` and its own `certified_data`. */
  dataCertificate(canisterId: Principal): Uint8Array {
    return this.certify([['canister', canisterId.toUint8Array(), 'certified_data']]);
  }

  // The request_status subtree can hold thousands of entries: when no path reads it, it goes in as one
  // pruned hash (same root hash), and its hash is only recomputed when the store changed.
  #fullTree(withRequests: boolean): HashTree {
    const records = this.requestStatuses.records(); // forgets expired entries first, bumping the version
    if (this.#requestStatusCache?.version !== this.requestStatuses.version) {
      const tree = requestStatusSubtree(records);
      this.#requestStatusCache = { version: this.requestStatuses.version, tree, hash: reconstruct(tree) };
    }
    const cache = this.#requestStatusCache;
    const canisters = this.#state.canisterIds().map((id) => ({ id, certifiedData: this.#state.certifiedData(id) }));
    return stateTree({
      time: timeSubtree(this.#state.now()),
      canister: canisterSubtree(canisters),
      requestStatus: withRequests ? cache.tree : pruned(cache.hash),
      subnet: this.#subnetTree,
    });
  }
}

function isLabel(label: LabelInput | undefined, text: string): boolean {
  if (typeof label === 'string') return label === text;
  if (!(label instanceof Uint8Array) || label.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (label[i] !== text.charCodeAt(i)) return false;
  return true;
}

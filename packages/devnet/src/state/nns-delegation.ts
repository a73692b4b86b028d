import { Principal } from '@dfinity/principal';
import { concatBytes } from '@noble/hashes/utils';
import {
  cborEncode,
  compareBytes,
  encodeCanisterRanges,
  labeledForest,
  leaf,
  prunePaths,
  reconstruct,
  type HashTree,
  type LabelInput,
} from 'ic-ws-protocol';
import { IC_STATE_ROOT_DOMAIN } from '../crypto/domain-separator';
import type { RootKey } from '../crypto/root-key';
import type { SubnetDescription } from './state-tree';

/** A subnet delegation as certificates carry it (a type, not an interface, so it stays CBOR-encodable). */
export type CertificateDelegation = { readonly subnet_id: Uint8Array; readonly certificate: Uint8Array };

/**
 * Which canister ranges a delegation reveals, as the replica chooses per endpoint (dfinity/ic
 * rs/http_endpoints/nns_delegation_manager, `CanisterRangesFilter`; public query.rs, read_state, call):
 * - `flat`: `/subnet/<sid>/canister_ranges` only: v2 query and read_state, v3 call.
 * - `tree`: the one `/canister_ranges/<sid>/<label>` shard whose label is the greatest not above `canisterId`,
 *   every other shard and the flat leaf pruned: v3 query and canister read_state, v4 call, for the effective
 *   canister id. No shard label at or below it: no ranges at all, as the replica does.
 * - `none`: no ranges: v3 subnet read_state.
 */
export type CanisterRangesFilter =
  | { readonly format: 'flat' }
  | { readonly format: 'tree'; readonly canisterId: Principal }
  | { readonly format: 'none' };

/** The filter of the deprecated endpoints, and of every certificate when none is named. */
export const FLAT_RANGES: CanisterRangesFilter = { format: 'flat' };

/**
 * The root key's certificate of one subnet as the NNS issues it, and the filtered copies replicas hand out.
 * The full certificate holds `time`, `subnet/<sid>/{canister_ranges, public_key}` and the sharded
 * `canister_ranges/<sid>/<label>` leaves; it is signed once (on the IC it changes only when the subnet does;
 * agents accept delegations up to 30 days old). Filtering prunes, so every copy verifies with the one
 * signature. Shards: one per canister range, labelled with the range's low end (the IC packs several ranges
 * into a shard; the label rule is the same).
 */
export class NnsDelegation {
  readonly #subnetId: Uint8Array;
  readonly #fullTree: HashTree;
  readonly #signature: Uint8Array;
  /** Shard labels, ascending. */
  readonly #shardLabels: Uint8Array[];
  readonly #byLabel = new Map<string, CertificateDelegation>();
  readonly #flat: CertificateDelegation;
  readonly #none: CertificateDelegation;

  constructor(subnet: SubnetDescription, rootKey: RootKey, timeTree: HashTree) {
    const { subnetId, canisterRanges, publicKeyDer } = subnet;
    this.#subnetId = subnetId.toUint8Array();
    const shards = canisterRanges.map((range) => [range[0].toUint8Array(), leaf(encodeCanisterRanges([range]))] as const);
    this.#shardLabels = shards.map(([label]) => label).sort(compareBytes);
    this.#fullTree = labeledForest([
      ['canister_ranges', labeledForest([[this.#subnetId, labeledForest(shards)]])],
      [
        'subnet',
        labeledForest([
          [
            this.#subnetId,
            labeledForest([
              ['canister_ranges', leaf(encodeCanisterRanges(canisterRanges))],
              ['public_key', leaf(publicKeyDer)],
            ]),
          ],
        ]),
      ],
      ['time', timeTree],
    ]);
    this.#signature = rootKey.sign(concatBytes(IC_STATE_ROOT_DOMAIN, reconstruct(this.#fullTree)));
    this.#flat = this.#filtered([['subnet', this.#subnetId, 'canister_ranges']]);
    this.#none = this.#filtered([]);
  }

  /** The delegation revealing what `filter` keeps (see {@link CanisterRangesFilter}). */
  delegation(filter: CanisterRangesFilter): CertificateDelegation {
    if (filter.format === 'flat') return this.#flat;
    if (filter.format === 'none') return this.#none;
    const id = filter.canisterId.toUint8Array();
    const label = this.#shardLabels.filter((candidate) => compareBytes(candidate, id) <= 0).at(-1);
    if (label === undefined) return this.#none;
    const key = Principal.fromUint8Array(label).toText();
    let delegation = this.#byLabel.get(key);
    if (delegation === undefined) {
      delegation = this.#filtered([['canister_ranges', this.#subnetId, label]]);
      this.#byLabel.set(key, delegation);
    }
    return delegation;
  }

  // Always `time` and the subnet's public key, as the replica's builder keeps them, plus `ranges`.
  #filtered(ranges: LabelInput[][]): CertificateDelegation {
    const tree = prunePaths(this.#fullTree, [['time'], ['subnet', this.#subnetId, 'public_key'], ...ranges]);
    return { subnet_id: this.#subnetId, certificate: cborEncode({ tree, signature: this.#signature }, { selfDescribe: true }) };
  }
}

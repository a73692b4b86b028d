/**
 * The benchmark's baseline: the smallest Azle canister, one update that does nothing. The ws methods' costs
 * are reported as multiples of its `noop`.
 */
import { update } from 'azle';

export default class {
  @update([])
  noop(): void {}
}

/**
 * The smallest Azle canister: one update that does nothing. Its `noop` is the "empty update" whose cost the
 * devnet's metering is checked against (a replica measures about 1.07-1.14 M instructions for Azle 0.33's
 * smallest calls).
 */
import { update } from 'azle';

export default class {
  @update([])
  noop(): void {}
}

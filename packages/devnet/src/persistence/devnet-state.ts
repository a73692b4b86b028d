/**
 * A devnet's persistent identity and state: opens (or creates) its state directory, makes the keys of a new
 * one, and reads back what an earlier run committed. Without a directory everything is fresh and in memory.
 */
import { bls12_381 } from '@noble/curves/bls12-381';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { Persister, type RestoredSubnet } from './persister';
import { StateDir, type DevnetKeys } from './state-dir';

/** Keys for a devnet, `rootKeySecret` taken as given when there is one. */
export function newDevnetKeys(rootKeySecret?: Uint8Array): DevnetKeys {
  return {
    rootKeySecret: rootKeySecret ?? bls12_381.utils.randomPrivateKey(),
    subnetKeySecret: bls12_381.utils.randomPrivateKey(),
    nodeKeySecrets: [ed25519.utils.randomPrivateKey()],
  };
}

/** A devnet's keys and, with a state directory, what to restore and who persists from now on. */
export interface DevnetState {
  readonly keys: DevnetKeys;
  readonly persisted?: { readonly persister: Persister; readonly restored: RestoredSubnet; readonly created: boolean };
}

/**
 * Opens the state directory `stateDir` (creating it with fresh keys, or `rootKeySecret`'s root key), or, with
 * none, makes fresh keys.
 * @throws IcWsError `INVALID_OPTIONS` when `rootKeySecret` differs from the directory's root key (the
 *   directory's certificates would no longer verify), `STATE_DIR_LOCKED`, `STATE_DIR_INVALID`.
 */
export function openDevnetState(stateDir: string | undefined, rootKeySecret: Uint8Array | undefined): DevnetState {
  if (stateDir === undefined) return { keys: newDevnetKeys(rootKeySecret) };
  const dir = StateDir.open(stateDir, () => newDevnetKeys(rootKeySecret));
  try {
    if (rootKeySecret !== undefined && bytesToHex(rootKeySecret) !== bytesToHex(dir.keys.rootKeySecret)) {
      throw new IcWsError(
        ErrorCode.InvalidOptions,
        `rootKeySecret differs from the root key of the state directory ${dir.path}; leave it out to keep the directory's key, or use a fresh directory`,
      );
    }
    const { persister, restored } = Persister.open(dir);
    return { keys: dir.keys, persisted: { persister, restored, created: dir.created } };
  } catch (error) {
    dir.close();
    throw error;
  }
}

import { Ed25519KeyIdentity } from '@dfinity/identity';

/** The localStorage key the identity is kept under. */
export const IDENTITY_STORAGE_KEY = 'ic-ws-chat:identity';

/**
 * This browser's identity: an Ed25519 key made on first visit and kept in `storage`, so a reload (or a
 * reconnection) is the same chat member with the same nickname. Every message is signed with it and the
 * canister sees its principal as the caller. A stored value that does not parse is replaced, not fatal.
 * (A real app would rather use Internet Identity; a local key keeps the demo self-contained.)
 */
export function loadOrCreateIdentity(storage: Pick<Storage, 'getItem' | 'setItem'>): Ed25519KeyIdentity {
  const stored = storage.getItem(IDENTITY_STORAGE_KEY);
  if (stored !== null) {
    try {
      return Ed25519KeyIdentity.fromJSON(stored);
    } catch (error) {
      console.warn('ic-ws chat: the stored identity does not parse, making a new one', error);
    }
  }
  const identity = Ed25519KeyIdentity.generate();
  storage.setItem(IDENTITY_STORAGE_KEY, JSON.stringify(identity.toJSON()));
  return identity;
}

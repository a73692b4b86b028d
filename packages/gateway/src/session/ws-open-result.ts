import { IDL } from '@dfinity/candid';
import { CanisterWsOpenResultIdl, type CanisterWsOpenResult } from 'ic-ws-protocol';

/**
 * The `Err` text of a `ws_open` reply, `null` for `Ok` — and `null` for a reply that is not a
 * `CanisterWsOpenResult` at all: then the canister speaks some dialect we do not know, and the open
 * timeout, not a guess, decides.
 */
export function wsOpenError(reply: Uint8Array): string | null {
  let values: unknown[];
  try {
    values = IDL.decode([CanisterWsOpenResultIdl], reply);
  } catch {
    // Not our type: see above.
    return null;
  }
  const result = values[0] as CanisterWsOpenResult | undefined;
  return result !== undefined && 'Err' in result ? result.Err : null;
}

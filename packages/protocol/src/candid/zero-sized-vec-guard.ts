import { CandidReader } from './candid-reader';
import { readTypeTable } from './candid-type-table';

/**
 * Throws `ProtocolError(CANDID_DECODE)` when `bytes` is not a Candid message whose type table can be read,
 * or when the table declares a vector of a zero-sized type (see `readTypeTable`: such a vector can abort the
 * process inside @dfinity/candid). Leaves every other check to `IDL.decode`.
 */
export function assertNoZeroSizedVectors(bytes: Uint8Array): void {
  readTypeTable(new CandidReader(bytes));
}

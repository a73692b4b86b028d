import { IDL } from '@dfinity/candid';

/**
 * The bytes `IDL.encode(types, values)` writes before the values, whatever the values: magic, type table and
 * argument types. Fast decoders compare incoming bytes with it ({@link hasCandidHeader}) to know the sender
 * encoded exactly these types. Each type is stood in for by one that encodes no value, so nothing needs a
 * sample value.
 */
export function candidTypeHeader(types: readonly IDL.Type[]): Uint8Array {
  const headerOnly = types.map(
    (type) =>
      Object.create(type, {
        covariant: { value: () => true },
        encodeValue: { value: () => new Uint8Array(0) },
      }) as IDL.Type,
  );
  return new Uint8Array(IDL.encode(headerOnly, types.map(() => null)));
}

/** True when `bytes` start with `header` (see {@link candidTypeHeader}). */
export function hasCandidHeader(bytes: Uint8Array, header: Uint8Array): boolean {
  if (bytes.length < header.length) return false;
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i]) return false;
  return true;
}

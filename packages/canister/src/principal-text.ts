import type { Principal } from '@dfinity/principal';

// Texts of the principals seen, by object: the same Principal object (a client's, held by its record) comes
// back on every message, and computing the text (base32 and a CRC in JavaScript) costs about 0.6 million
// instructions for a 29-byte principal in the canister's interpreter.
const texts = new WeakMap<Principal, string>();

/** `principal.toText()`, computed once per Principal object. */
export function principalText(principal: Principal): string {
  let text = texts.get(principal);
  if (text === undefined) {
    text = principal.toText();
    texts.set(principal, text);
  }
  return text;
}

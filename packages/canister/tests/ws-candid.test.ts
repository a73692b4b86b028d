/**
 * The Candid interface azle generates for a canister written with this library (from the ws-test build's
 * .did) matches protocol.md section 2, as protocol's `wsServiceDid` spells it, for the four ws_* methods.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { wsServiceDid } from 'ic-ws-protocol';
import { didMethodSignatures } from './support/did-signatures';
import { buildWsTestCanister } from './support/ws-test-canister';

const WS_METHODS = ['ws_open', 'ws_close', 'ws_message', 'ws_get_messages'];

describe('generated Candid', () => {
  it('the four ws_* methods of the built canister have exactly the protocol signatures', async () => {
    const { didPath } = await buildWsTestCanister();
    const generated = didMethodSignatures(await readFile(didPath, 'utf8'));
    const spec = didMethodSignatures(wsServiceDid('record { text : text; n : nat32 }'));
    for (const name of WS_METHODS) {
      expect(generated.get(name), name).toBeDefined();
      expect(generated.get(name), name).toBe(spec.get(name));
    }
    expect(spec.get('ws_get_messages')).toMatch(/ query$/);
    expect(spec.get('ws_message')).toContain('opt record{n:nat32;text:text}');
  }, 180_000);

  it('the normalizer tells different signatures apart', () => {
    const base = didMethodSignatures(wsServiceDid());
    const changed = didMethodSignatures(wsServiceDid().replace('client_nonce : nat64; gateway_principal', 'client_nonce : nat32; gateway_principal'));
    const notQuery = didMethodSignatures(wsServiceDid().replace('(CanisterWsGetMessagesResult) query', '(CanisterWsGetMessagesResult)'));
    expect(changed.get('ws_open')).not.toBe(base.get('ws_open'));
    expect(changed.get('ws_close')).toBe(base.get('ws_close'));
    expect(notQuery.get('ws_get_messages')).not.toBe(base.get('ws_get_messages'));
    // Field order and type names do not matter.
    const reordered = didMethodSignatures('service : { ws_close : (record { client_key : record { client_nonce : nat64; client_principal : principal } }) -> (variant { Err : text; Ok }) }');
    expect(reordered.get('ws_close')).toBe(base.get('ws_close'));
  });
});

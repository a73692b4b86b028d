import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  encodeClientRequestFrame,
  type ClientKey,
} from 'ic-ws-protocol';

/**
 * Client request frames for tests. Signatures are placeholders: the gateway never checks them (the IC
 * does), so the frames are exactly what the gateway's own checks see.
 */

/** A self-authenticating-looking principal derived from `seed` (not backed by a key). */
export function testPrincipal(seed: number): Principal {
  const der = new Uint8Array(44).fill(seed);
  return Principal.selfAuthenticating(der);
}

/** A canister id for tests. */
export function testCanisterId(index: number): Principal {
  return Principal.fromUint8Array(Uint8Array.of(0, 0, 0, 0, 0, 0, index >> 8, index & 0xff, 1, 1));
}

interface EnvelopeFields {
  canisterId: Principal;
  sender: Principal;
  methodName: string;
  arg: Uint8Array;
}

/** A client request frame around an envelope with the given content fields. */
export function requestFrame(fields: EnvelopeFields): Uint8Array {
  return encodeClientRequestFrame({
    envelope: {
      content: {
        request_type: 'call',
        canister_id: fields.canisterId,
        method_name: fields.methodName,
        arg: fields.arg,
        sender: fields.sender,
        // Five minutes from now, as agents set it (on the fake clock when a test fakes it).
        ingress_expiry: BigInt(Date.now() + 5 * 60_000) * 1_000_000n,
        nonce: Uint8Array.of(1, 2, 3),
      },
      sender_pubkey: new Uint8Array(44).fill(7),
      sender_sig: new Uint8Array(64).fill(9),
    },
  });
}

/** A `ws_open` request frame for `clientKey` naming `gatewayPrincipal`. */
export function openFrame(canisterId: Principal, clientKey: ClientKey, gatewayPrincipal: Principal): Uint8Array {
  const arg = IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: clientKey.client_nonce, gateway_principal: gatewayPrincipal }]);
  return requestFrame({ canisterId, sender: clientKey.client_principal, methodName: 'ws_open', arg: new Uint8Array(arg) });
}

/** A `ws_message` request frame from `clientKey` carrying `sequenceNum`. */
export function messageFrame(canisterId: Principal, clientKey: ClientKey, sequenceNum: bigint, sender = clientKey.client_principal): Uint8Array {
  const msg = { client_key: clientKey, sequence_num: sequenceNum, timestamp: 0n, is_service_message: false, content: new Uint8Array() };
  const arg = IDL.encode([CanisterWsMessageArgumentsIdl, IDL.Opt(IDL.Null)], [{ msg, message_id: [] }, []]);
  return requestFrame({ canisterId, sender, methodName: 'ws_message', arg: new Uint8Array(arg) });
}

/**
 * Gateway integration-test canister NOT built on ic-ws-canister (which refuses a reply budget above the IC's
 * limit): a hand-written `ws_get_messages` of the public stack's shape that queues one message bigger than
 * the IC's 3 MiB query reply limit, as a canister of the public CDK with big messages would. The replica
 * rejects its reply (IC0504); the gateway must report that clearly.
 */
import { IDL, msgCaller, query } from 'azle';

const ClientKey = IDL.Record({ client_principal: IDL.Principal, client_nonce: IDL.Nat64 });
const CanisterOutputMessage = IDL.Record({ client_key: ClientKey, key: IDL.Text, content: IDL.Vec(IDL.Nat8) });
const CanisterOutputCertifiedMessages = IDL.Record({
  messages: IDL.Vec(CanisterOutputMessage),
  cert: IDL.Vec(IDL.Nat8),
  tree: IDL.Vec(IDL.Nat8),
  is_end_of_queue: IDL.Bool,
});
const CanisterWsGetMessagesResult = IDL.Variant({ Ok: CanisterOutputCertifiedMessages, Err: IDL.Text });

/** The one queued message's content: 1 KiB over the IC's 3 MiB query reply limit. */
const CONTENT_BYTES = 3 * 1024 * 1024 + 1024;

export default class {
  @query([IDL.Record({ nonce: IDL.Nat64 })], CanisterWsGetMessagesResult)
  ws_get_messages(): unknown {
    // One message for a client of the calling gateway (the content is what matters: the reply's size).
    return {
      Ok: {
        messages: [
          {
            client_key: { client_principal: msgCaller(), client_nonce: 0n },
            key: 'big',
            content: new Uint8Array(CONTENT_BYTES).fill(7),
          },
        ],
        cert: new Uint8Array(),
        tree: new Uint8Array(),
        is_end_of_queue: true,
      },
    };
  }
}

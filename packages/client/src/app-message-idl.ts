import { IDL } from '@dfinity/candid';

/**
 * Reads the application's message type out of a canister's IDL factory: the protocol declares
 * `ws_message : (CanisterWsMessageArguments, opt AppMessage) -> (...)` precisely so that `AppMessage`
 * appears in the canister's Candid, and so in the factory dfx generates.
 *
 * @throws TypeError when the service has no `ws_message` or its second argument is not an `opt`.
 * @example
 * import { idlFactory } from './declarations/backend';
 * const AppMessage = appMessageIdlFromFactory(idlFactory);
 */
export function appMessageIdlFromFactory(factory: IDL.InterfaceFactory): IDL.Type {
  const service = factory({ IDL });
  if (!(service instanceof IDL.ServiceClass)) throw new TypeError('canisterIdlFactory does not return a service');
  const method = service._fields.find(([name]) => name === 'ws_message')?.[1];
  if (method === undefined) throw new TypeError('the canister interface has no ws_message method');
  const second = method.argTypes[1];
  if (!(second instanceof IDL.OptClass)) {
    throw new TypeError('ws_message has no second argument of type opt AppMessage');
  }
  return second._type;
}

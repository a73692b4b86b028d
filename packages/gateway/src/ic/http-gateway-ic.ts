import { Actor, HttpAgent, type ActorSubclass, type SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import {
  ErrorCode,
  wsServiceIdlFactory,
  type CanisterWsCloseArguments,
  type CanisterWsCloseResult,
  type CanisterWsGetMessagesResult,
} from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import type { RootKeySource } from '../options/resolve-gateway-options';
import type { GatewayIc } from './gateway-ic';
import { createGetMessagesQuery } from './get-messages-query';
import { createIcHttpPost } from './ic-http';
import { createHttpRelay } from './http-relay';
import { readRootKeyFile } from './root-key';
import { isTransientIcError } from './transient-error';

/** Options of {@link createHttpGatewayIc}. */
export interface HttpGatewayIcOptions {
  icUrl: URL;
  identity: SignIdentity;
  /**
   * `fetch` for every IC request, polls included.
   * @default keep-alive `http`/`https` for polls (see `createIcHttpPost`), `globalThis.fetch` for the rest
   */
  fetch?: typeof fetch;
  rootKey: RootKeySource;
  /** Timeout of every HTTP request to the IC (a relayed call, a poll, a `ws_close`, a status check). */
  requestTimeoutMs: number;
  /** The query endpoint polls go through (see `GatewayOptions.pollQueryApiVersion`). @default 2 */
  pollQueryApiVersion?: 2 | 3;
}

interface WsActor {
  ws_close(args: CanisterWsCloseArguments): Promise<CanisterWsCloseResult>;
}

/**
 * The production {@link GatewayIc}: relays over plain `fetch`, polls with the gateway's identity through
 * `createGetMessagesQuery` (its own lean query path: signed as agent-js signs, posted over keep-alive
 * `http`, query signatures checked with Node's Ed25519, replies read by the dedicated decoder) and closes
 * through @dfinity/agent.
 *
 * @throws GatewayError `ROOT_KEY_UNAVAILABLE` when the root key file cannot be read. A root key to fetch is
 *   fetched on first use, so the IC may come up after the gateway.
 */
export async function createHttpGatewayIc(options: HttpGatewayIcOptions): Promise<GatewayIc> {
  const rootKey = await loadRootKey(options);
  // createSync: with `shouldFetchRootKey` the agent fetches the key on first use (and again after a
  // failure), so a gateway can start before its IC and report it on /readyz instead of exiting.
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timedFetch = fetchWithTimeout(fetchFn, options.requestTimeoutMs);
  const agent = HttpAgent.createSync({
    host: options.icUrl.toString(),
    identity: options.identity,
    // The agent sets no timeout of its own: a black-holed request would hang a ws_close for good.
    fetch: timedFetch,
    // The agent makes no poll (createGetMessagesQuery does); its other queries need no node signature check.
    verifyQuerySignatures: false,
    // The poller has its own backoff; agent retries would only multiply the wait.
    retryTimes: 0,
    shouldFetchRootKey: options.rootKey.kind === 'fetch',
    ...(rootKey ? { rootKey } : {}),
  });
  const getMessages = createGetMessagesQuery({
    post: createIcHttpPost({ icUrl: options.icUrl, timeoutMs: options.requestTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    identity: options.identity,
    apiVersion: options.pollQueryApiVersion ?? 2,
    fetchNodeKeys: async (canisterId) => {
      // A certified read_state of the subnet (the agent fetches the root key first when it must).
      const status = await agent.fetchSubnetKeys(canisterId.toText());
      if (status === undefined) throw new Error(`the IC's read_state answer for ${canisterId.toText()} names no subnet`);
      return status.nodeKeys;
    },
  });
  const relay = createHttpRelay({ icUrl: options.icUrl, fetch: fetchFn, timeoutMs: options.requestTimeoutMs });
  const actors = new Map<string, ActorSubclass<WsActor>>();
  const actorOf = (canisterId: Principal): ActorSubclass<WsActor> => {
    let actor = actors.get(canisterId.toText());
    if (!actor) {
      actor = Actor.createActor<WsActor>(wsServiceIdlFactory(), { agent, canisterId });
      actors.set(canisterId.toText(), actor);
    }
    return actor;
  };
  return {
    relayCall: relay,
    async getMessages(canisterId, nonce) {
      let result: CanisterWsGetMessagesResult;
      try {
        result = await getMessages(canisterId, nonce);
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages failed: ${describeError(error)}`, { cause: error, transient: isTransientIcError(error) });
      }
      if ('Err' in result) throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages returned Err: ${result.Err}`);
      return result.Ok;
    },
    async wsClose(canisterId, clientKey) {
      let result: CanisterWsCloseResult;
      try {
        result = await actorOf(canisterId).ws_close({ client_key: clientKey });
      } catch (error) {
        throw new GatewayError(ErrorCode.WsCloseFailed, `ws_close failed: ${describeError(error)}`, { cause: error, transient: isTransientIcError(error) });
      }
      if ('Err' in result) throw new GatewayError(ErrorCode.WsCloseFailed, `ws_close returned Err: ${result.Err}`);
    },
    async checkStatus() {
      try {
        if (agent.rootKey === null) await agent.fetchRootKey();
        else await agent.status();
      } catch (error) {
        throw new GatewayError(ErrorCode.PollFailed, `IC status check failed: ${describeError(error)}`, { cause: error });
      }
    },
  };
}

async function loadRootKey(options: HttpGatewayIcOptions): Promise<Uint8Array | undefined> {
  switch (options.rootKey.kind) {
    case 'given':
      return options.rootKey.key;
    case 'file':
      return readRootKeyFile(options.rootKey.path);
    case 'fetch':
    case 'mainnet':
      // `fetch` is done after the agent exists; `mainnet` is the agent's built-in key.
      return undefined;
  }
}

/** `fetch` whose every request is aborted after `timeoutMs` (combined with the caller's own signal, if any). */
export function fetchWithTimeout(fetchFn: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetchFn(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
}

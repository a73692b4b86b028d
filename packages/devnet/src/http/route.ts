import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { RequestError } from './request-error';

/** An endpoint of the IC HTTP interface, parsed from method and URL path. */
export type Route =
  | { readonly kind: 'status' }
  | { readonly kind: 'query'; readonly version: 2 | 3; readonly canisterId: Principal }
  | { readonly kind: 'call'; readonly version: 2 | 3 | 4; readonly canisterId: Principal }
  | { readonly kind: 'read_state'; readonly version: 2 | 3; readonly target: 'canister' | 'subnet'; readonly id: Principal };

// /api/v<version>/<canister|subnet>/<principal>/<endpoint>
const ENDPOINT = /^\/api\/v([234])\/(canister|subnet)\/([^/]+)\/(query|call|read_state)$/;

/**
 * Maps a request line to its endpoint: `GET /api/v2/status`; `POST` v2 and v3 query and read_state
 * (canister and subnet); `POST` v2, v3 and v4 call. Unknown paths are 404, a wrong method is 405 and an
 * unparsable principal is 400, each as a `RequestError`.
 */
export function parseRoute(method: string | undefined, url: string | undefined): Route {
  const path = (url ?? '').split('?')[0] ?? '';
  if (path === '/api/v2/status') {
    if (method !== 'GET' && method !== 'HEAD') throw wrongMethod(method, 'GET');
    return { kind: 'status' };
  }
  const match = ENDPOINT.exec(path);
  const [, versionText, scope, idText, endpoint] = match ?? [];
  const version = Number(versionText) as 2 | 3 | 4;
  const known =
    match !== null &&
    (scope === 'canister'
      ? endpoint === 'call' || version !== 4
      : endpoint === 'read_state' && version !== 4);
  if (!known || idText === undefined) {
    throw new RequestError(ErrorCode.HttpRouteNotFound, 404, `Not found: ${path.slice(0, 200)}`);
  }
  if (method !== 'POST') throw wrongMethod(method, 'POST');
  const id = parsePrincipal(idText, scope === 'canister' ? 'effective canister id' : 'effective subnet id');
  // v4 exists for calls only (`known` above).
  if (endpoint === 'query') return { kind: 'query', version: version as 2 | 3, canisterId: id };
  if (endpoint === 'call') return { kind: 'call', version, canisterId: id };
  return { kind: 'read_state', version: version as 2 | 3, target: scope === 'canister' ? 'canister' : 'subnet', id };
}

function parsePrincipal(text: string, what: string): Principal {
  try {
    return Principal.fromText(decodeURIComponent(text));
  } catch (error) {
    throw new RequestError(ErrorCode.RequestMalformed, 400, `Invalid ${what}: ${text.slice(0, 100)}`, { cause: error });
  }
}

function wrongMethod(method: string | undefined, allowed: string): RequestError {
  return new RequestError(ErrorCode.HttpRouteNotFound, 405, `Method ${method ?? '(none)'} not allowed, use ${allowed}`);
}

import type { InterfaceContext } from './interface-context';
import { cborAnswer, type HttpAnswer } from './http-answer';

/** The `impl_version` the devnet reports in `/api/v2/status`. */
export const DEVNET_IMPL_VERSION = 'ic-ws-devnet-0.1.0';

/** `GET /api/v2/status`: the root key agents fetch (`shouldFetchRootKey`) and the replica's health. */
export function handleStatus(context: InterfaceContext): HttpAnswer {
  return cborAnswer({
    ic_api_version: '0.18.0',
    impl_version: DEVNET_IMPL_VERSION,
    root_key: context.certifier.rootKey.der,
    replica_health_status: 'healthy',
  });
}

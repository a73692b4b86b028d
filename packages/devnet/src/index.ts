export { startDevnet, DEVNET_DEFAULTS, type Devnet, type DevnetOptions, type DeployArgs, type Deployed } from './start-devnet';
export { Subnet, type SubnetOptions, type SubnetLogEntry, type InstallArgs, type UpgradeArgs } from './scheduling/subnet';
export { Clock, type ClockMode, type ClockOptions } from './scheduling/clock';
export type { HeapRollbackMode } from './execution/heap-rollback';
export { describeExecution, type ExecutionStats } from './execution/execution-stats';
export type { ExecutionKind } from './execution/execution-context';
export type { ExecutionEnvironment, CallRequest, CallOutcome, CallCost, RejectCode } from './execution/types';
export { INSTRUCTION_LIMITS } from './execution/instruction-limits';
export { CYCLES_FEES } from './execution/cycles-fees';
export { MAX_REPLY_BYTES, MAX_QUERY_REPLY_BYTES } from './execution/execution-context';
export { MAX_INGRESS_BYTES } from './http/ingress-size';
export { canisterIdFromIndex, canisterIdRange } from './scheduling/canister-id';
export { startHttpServer, HTTP_SERVER_DEFAULTS, type HttpServerOptions, type HttpServerHandle } from './http/http-server';
export { Certifier, type CertifierOptions, type CertifiedStateSource } from './state/certifier';
export { RootKey } from './crypto/root-key';
export { NodeKey } from './crypto/node-key';
export {
  buildAzleCanister,
  type BuildAzleCanisterOptions,
  type BuiltAzleCanister,
} from './azle/build-canister';
export { startDev, type DevSession } from './dev/start-dev';
export {
  DEV_DEFAULT_PORTS,
  type DevOptions,
  type DevPorts,
  type DevConfig,
  type FrontendContext,
  type RunningFrontend,
  type StartFrontend,
} from './dev/dev-options';
export { findDevSession, type DevSessionInfo } from './dev/dev-session-file';
export { buildCanisters, type BuildCanistersOptions, type BuiltProjectCanister } from './dev/project-canisters';

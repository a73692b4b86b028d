export { startGateway, type GatewayHandle } from './start-gateway';
export { GATEWAY_DEFAULTS, type GatewayOptions } from './options/gateway-options';
export { GatewayError } from './gateway-error';
export type { GatewayIc } from './ic/gateway-ic';
export type { CallReply } from './ic/call-reply';
export { NodeEd25519Identity } from './ic/node-ed25519-identity';
export type { GatewayMetrics } from './observability/gateway-metrics';

#!/usr/bin/env node
import { parseGatewayCli } from './options/cli-flags';
import { GATEWAY_DEFAULTS } from './options/gateway-options';
import { gatewayVersion } from './package-version';
import { startGateway, type GatewayHandle } from './start-gateway';
import { describeError } from './gateway-error';

// The CLI only parses and calls startGateway; everything else lives in the library.
async function main(): Promise<void> {
  const request = parseGatewayCli(process.argv.slice(2), process.env);
  if (request.kind === 'help') {
    process.stdout.write(request.text);
    return;
  }
  if (request.kind === 'version') {
    process.stdout.write(`${gatewayVersion()}\n`);
    return;
  }
  // Signals are taken from the start: one that comes while the gateway starts stops it as soon as it runs.
  let gateway: GatewayHandle | undefined;
  let pending: string | undefined;
  const stop = (signal: string) => {
    if (gateway === undefined) {
      pending = signal;
      return;
    }
    process.stderr.write(`ic-ws-gateway: ${signal}, draining\n`);
    // close() is bounded by the drain timeout; this only guards against a hang we did not foresee.
    setTimeout(() => process.exit(1), (request.options.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs) + 5_000).unref();
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  gateway = await startGateway(request.options);
  if (pending !== undefined) stop(pending);
}

main().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? ` [${String(error.code)}]` : '';
  process.stderr.write(`ic-ws-gateway: ${describeError(error)}${code}\n`);
  process.exit(1);
});

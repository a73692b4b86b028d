#!/usr/bin/env node
import { parseGatewayCli } from './options/cli-flags';
import { GATEWAY_DEFAULTS } from './options/gateway-options';
import { gatewayVersion } from './package-version';
import { startGateway } from './start-gateway';
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
  const gateway = await startGateway(request.options);
  const stop = (signal: string) => {
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
}

main().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? ` [${String(error.code)}]` : '';
  process.stderr.write(`ic-ws-gateway: ${describeError(error)}${code}\n`);
  process.exit(1);
});

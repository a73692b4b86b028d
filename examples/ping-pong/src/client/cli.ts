#!/usr/bin/env node
/**
 * `pnpm --filter ic-ws-example-ping-pong start -- --pings 100`: sends pings, prints each round trip and a
 * summary. Only parses, calls `runPingPong` and prints; exit code 1 on failure.
 */
import { PING_PONG_HELP, parsePingPongCli } from './cli-options';
import { runPingPong } from './ping-pong-client';
import { PingPongError } from './ping-pong-error';
import { formatRttSummary } from './rtt-summary';

async function main(): Promise<void> {
  const request = parsePingPongCli(process.argv.slice(2), process.env);
  if (request.kind === 'help') {
    process.stdout.write(PING_PONG_HELP);
    return;
  }
  const { options } = request;
  const pings = options.pings ?? 0;
  console.log(`ping-pong: ${pings} pings to ${String(options.canisterId)} through ${options.gatewayUrl}`);
  const run = await runPingPong({
    ...options,
    onOpen: (openMs) => console.log(`connected in ${openMs.toFixed(1)} ms`),
    onPong: ({ sequence, rttMs }) => console.log(`pong ${sequence}/${pings}: ${rttMs.toFixed(1)} ms`),
  });
  console.log(formatRttSummary(run.summary));
}

main().catch((error: unknown) => {
  const code = error instanceof PingPongError ? error.code : 'FAILED';
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  console.error(`ping-pong failed [${code}]: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exitCode = 1;
});

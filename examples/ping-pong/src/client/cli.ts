#!/usr/bin/env node
/**
 * `npm start -- --pings 100`: sends pings, prints each round trip and a summary. Only parses, calls
 * `runPingPong` and prints; exit code 1 on failure.
 */
import { findDevSession } from 'ic-ws-devnet';
import { PING_PONG_HELP, parsePingPongCli } from './cli-options';
import { runPingPong } from './ping-pong-client';
import { PingPongError } from './ping-pong-error';
import { formatRttSummary } from './rtt-summary';

async function main(): Promise<void> {
  // Where `npm run dev` (in this folder or one above it) serves, as it wrote it to .ic-ws/dev.json.
  const request = parsePingPongCli(process.argv.slice(2), process.env, findDevSession(process.cwd())?.info);
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

/**
 * The block `ic-ws-devnet dev` prints once everything runs.
 */
import type { DevSessionInfo } from './dev-session-file';

/** The ready block: what to open, where each server is, the canister ids. */
export function readyBlock(name: string, info: DevSessionInfo, sessionFile: string): string {
  const rows: [string, string][] = [
    ['gateway (WebSocket)', info.gatewayUrl],
    ['devnet (IC HTTP API)', info.networkUrl],
    ...(info.adminUrl === null ? [] : ([['gateway metrics', `${info.adminUrl}/metrics`]] as [string, string][])),
    ['gateway principal', info.gatewayPrincipal],
    ...Object.entries(info.canisterIds).map(([canister, id]): [string, string] => [`canister ${canister}`, id]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const line = '─'.repeat(72);
  return [
    line,
    `  ${name} is running`,
    '',
    ...(info.frontendUrl === null ? ['  Clients connect with the values below (also in', `  ${sessionFile}).`] : [`  Open:  ${info.frontendUrl}/`]),
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '  Ctrl-C stops everything.',
    line,
    '',
  ].join('\n');
}

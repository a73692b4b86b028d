/**
 * `npm start -- [text]`: connects to the canister through the gateway, sends one text message, prints the
 * canister's verified answer and closes. Where to connect comes from the running `npm run dev`
 * (.ic-ws/dev.json), or from IC_WS_GATEWAY_URL, IC_WS_NETWORK_URL and IC_WS_CANISTER_ID.
 */
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IcWebSocket } from 'ic-ws-client';
import { findDevSession } from 'ic-ws-devnet';

const dev = findDevSession(process.cwd())?.info;
const setting = (variable: string, fromDev: string | undefined) => process.env[variable] || fromDev;
const gatewayUrl = setting('IC_WS_GATEWAY_URL', dev?.gatewayUrl);
const networkUrl = setting('IC_WS_NETWORK_URL', dev?.networkUrl);
const canisterId = setting('IC_WS_CANISTER_ID', dev?.canisterIds.minimal);
if (gatewayUrl === undefined || networkUrl === undefined || canisterId === undefined) {
  console.error('minimal: start `npm run dev` first (or set IC_WS_GATEWAY_URL, IC_WS_NETWORK_URL and IC_WS_CANISTER_ID)');
  process.exit(1);
}
const text = process.argv.slice(2).filter((arg) => arg !== '--').join(' ') || 'hello';

const ws = new IcWebSocket<string>({
  gatewayUrl,
  canisterId,
  networkUrl,
  identity: Ed25519KeyIdentity.generate(),
  appMessageIdl: IDL.Text,
  reconnect: false,
});
ws.onopen = () => {
  console.log(`connected to ${canisterId} through ${gatewayUrl}; sending "${text}"`);
  ws.send(text);
};
ws.onmessage = (event) => {
  console.log(`received (verified): ${event.data}`);
  ws.close();
};
ws.onclose = (event) => {
  if (event.code !== 1000) {
    console.error(`minimal: connection closed with ${event.code} ${event.reason}`);
    process.exitCode = 1;
  }
};

// Copied into a scaffolded chat project by templates.test.ts and run there with its own node_modules: a
// Node ic-ws-client posts to the chat that `npm run dev` serves and waits for its own post to come back,
// verified. The message type is the project's own (src/shared/chat-message.ts, loaded through its Vite).
import { readFileSync } from 'node:fs';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IcWebSocket } from 'ic-ws-client';
import { createServer } from 'vite';

const vite = await createServer({ root: process.cwd(), configFile: false, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
const { ChatMessageIdl } = await vite.ssrLoadModule('/src/shared/chat-message.ts');
await vite.close();

const dev = JSON.parse(readFileSync('.ic-ws/dev.json', 'utf8'));
const text = `from the tarballs at ${Date.now()}`;
const ws = new IcWebSocket({
  gatewayUrl: dev.gatewayUrl,
  canisterId: dev.canisterIds.chat,
  networkUrl: dev.networkUrl,
  identity: Ed25519KeyIdentity.generate(),
  appMessageIdl: ChatMessageIdl,
  reconnect: false,
});
ws.onopen = () => ws.send({ Post: { text, client_sent_at_ms: BigInt(Date.now()) } });
ws.onmessage = (event) => {
  if ('Posted' in event.data && event.data.Posted.text === text) {
    console.log(JSON.stringify({ posted: text }));
    ws.close();
  }
};
ws.onclose = (event) => {
  if (event.code !== 1000) {
    console.error(`closed with ${event.code} ${event.reason}`);
    process.exitCode = 1;
  }
};

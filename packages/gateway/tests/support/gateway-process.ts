import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import type { GatewayOptions } from '../../src/options/gateway-options';
import type { ChildRequest } from './gateway-process-child';

/** `startGateway` running in a child process (see `gateway-process-child.ts`). */
export interface GatewayProcess {
  url: string;
  adminUrl: string;
  principal: Principal;
  pid: number;
  /** Scripted IC only: queues `count` messages of `size` bytes for `clientKey` on `canisterId`. */
  enqueue(canisterId: Principal, clientKey: ClientKey, size: number, count: number): Promise<void>;
  /**
   * Runs a full garbage collection in the gateway; resolves with its RSS afterwards and its live memory (V8's
   * heap in use plus ArrayBuffer bytes: what the gateway holds, without memory the allocator keeps for reuse).
   */
  collectGarbage(): Promise<{ rss: number; live: number }>;
  /** A metric's value from `/metrics` (0 when absent). */
  metric(name: string, labels?: string): Promise<number>;
  /** Drains and exits. */
  close(): Promise<void>;
}

const childPath = fileURLToPath(new URL('./gateway-process-child.ts', import.meta.url));

/** Starts the gateway with `gateway` options, over a scripted IC when `scripted` is given. */
export async function startGatewayProcess(gateway: GatewayOptions, scripted?: { maxPerPoll: number }): Promise<GatewayProcess> {
  const child: ChildProcess = fork(childPath, [JSON.stringify({ gateway, scripted })], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const reply = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as T);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error(`the gateway process exited before answering '${type}'`)));
    });
  const ask = <T>(request: ChildRequest) => {
    const answer = reply<T>(request.type);
    child.send(request);
    return answer;
  };
  const ready = await reply<{ url: string; adminUrl: string; principal: string }>('ready');
  return {
    url: ready.url,
    adminUrl: ready.adminUrl,
    principal: Principal.fromText(ready.principal),
    pid: child.pid!,
    async enqueue(canisterId, clientKey, size, count) {
      await ask({ type: 'enqueue', canisterId: canisterId.toText(), clientPrincipal: clientKey.client_principal.toText(), clientNonce: String(clientKey.client_nonce), size, count });
    },
    async collectGarbage() {
      const { rss, live } = await ask<{ rss: number; live: number }>({ type: 'gc' });
      return { rss, live };
    },
    async metric(name, labels = '') {
      const text = await (await fetch(`${ready.adminUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
    async close() {
      child.send({ type: 'close' } satisfies ChildRequest);
      await exited;
    },
  };
}

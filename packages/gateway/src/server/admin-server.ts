import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { IcHealth } from '../observability/ic-health';
import type { HostPort } from '../options/host-port';
import { closeServer, listen, urlOf } from './listen';

/** A running admin server. */
export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The operator's endpoints: `GET /metrics` (Prometheus text), `GET /healthz` (the process is up) and
 * `GET /readyz` (200 while the IC answers and the gateway is not draining, 503 with the reason otherwise).
 * Bind it to loopback or a private interface: it is unauthenticated.
 */
export async function startAdminServer(address: HostPort, metrics: GatewayMetrics, health: IcHealth, log: Logger): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const reason = health.notReadyReason();
      res.writeHead(reason === null ? 200 : 503, { 'content-type': 'text/plain' }).end(reason === null ? 'ready\n' : `not ready: ${reason}\n`);
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => {
          log.error({ err: error }, 'metrics collection failed');
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  const bound = await listen(server, address, { what: 'admin server', setting: "--admin-listen (IC_WS_ADMIN_LISTEN; '' turns it off)" });
  return {
    url: urlOf('http', bound),
    close: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

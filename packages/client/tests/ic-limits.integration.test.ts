/**
 * A message over the IC's ingress limit, through the real stack (IcWebSocket, the real gateway, ic-ws-devnet
 * refusing it as a replica does): each party says clearly what happened. With the gateway's default frame limit
 * (2 MiB) the gateway refuses the frame itself (1009); with a larger one the envelope reaches the IC, which
 * answers 413, and the gateway passes the IC's reason on in the close.
 */
import { CloseCode, ErrorCode } from 'ic-ws-client';
import { describe, expect, it } from 'vitest';
import { useManualTestNetwork } from './support/manual-test-network';
import type { TestNetwork } from './support/test-network';

/** Over the IC's 2 MiB ingress limit once signed and Candid-encoded, under 4 MiB. */
const TOO_BIG_TEXT = 'x'.repeat(2 * 1024 * 1024 + 1024);

let net: TestNetwork;

useManualTestNetwork((started) => (net = started));

describe('a message over the IC ingress limit', () => {
  it('is refused by the IC (413) when the gateway relays it; the close and the client error carry the IC reason', async () => {
    const gateway = await net.startGateway({ maxPayload: 4 * 1024 * 1024 });
    const client = net.client({ gatewayUrl: gateway.url, reconnect: false });
    await client.nextOpen();
    client.ws.send({ text: TOO_BIG_TEXT, count: 1, tags: [] });
    const closed = await client.closed();
    expect(closed.code).toBe(CloseCode.RelayFailed);
    expect(closed.error?.code).toBe(ErrorCode.ConnectionLost);
    expect(closed.reason).toMatch(
      /^the gateway closed the connection \(\d+: ws_message rejected: IC answered HTTP 413: Message byte size \d+ is larger than the max allowed 2097152\.\)$/,
    );
  }, 60_000);

  it('is refused by the gateway itself under its default 2 MiB frame limit, and the client says so', async () => {
    const gateway = await net.startGateway();
    const client = net.client({ gatewayUrl: gateway.url, reconnect: false });
    await client.nextOpen();
    client.ws.send({ text: TOO_BIG_TEXT, count: 1, tags: [] });
    const closed = await client.closed();
    expect(closed.error?.code).toBe(ErrorCode.ConnectionLost);
    expect(closed.reason).toBe('the gateway closed the connection (1009: frame too large)');
  }, 60_000);
});

import { createServer } from 'node:net';
import { HttpAgent } from '@dfinity/agent';
import { describe, expect, it } from 'vitest';
import { readinessReason } from './readiness-reason';

/** A loopback port nothing listens on: bound to port 0, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('readinessReason', () => {
  it("turns @dfinity/agent's stack-laden fetch error into one line with the network cause", async () => {
    const agent = HttpAgent.createSync({ host: `http://127.0.0.1:${await closedPort()}`, retryTimes: 0 });
    const error = await agent.status().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/\n\s+at /); // the raw message holds a stack
    const reason = readinessReason(new Error(`IC status check failed: ${(error as Error).message}`, { cause: error }));
    expect(reason).not.toContain('\n');
    expect(reason).not.toContain('node_modules');
    expect(reason).toMatch(/^IC status check failed: .*fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
  });

  it('keeps a one-line message as it is and caps long ones', () => {
    expect(readinessReason(new Error('replica busy'))).toBe('replica busy');
    expect(readinessReason('plain text')).toBe('plain text');
    const wrapped = new Error('outer failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4943\n    at x (/abs/path.js:1:1)') });
    expect(readinessReason(wrapped)).toBe('outer failed (connect ECONNREFUSED 127.0.0.1:4943)');
    expect(readinessReason(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(300);
  });
});

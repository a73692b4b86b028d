import { describe, expect, it } from 'vitest';
import { readyBlock } from './ready-block';

const info = {
  gatewayUrl: 'ws://127.0.0.1:8080',
  networkUrl: 'http://127.0.0.1:4943',
  canisterIds: { chat: 'rwlgt-iiaaa-aaaaa-aaaaa-cai' },
  frontendUrl: 'http://127.0.0.1:5173',
  adminUrl: null,
  gatewayPrincipal: 'aaaaa-aa',
  rootKeyHex: '00',
};

describe('readyBlock', () => {
  it('names the project, the page to open, each server and canister, aligned', () => {
    const block = readyBlock('my-app', info, '.ic-ws/dev.json');
    expect(block).toContain('  my-app is running\n');
    expect(block).toContain('  Open:  http://127.0.0.1:5173/\n');
    expect(block).toContain('  gateway (WebSocket)   ws://127.0.0.1:8080\n');
    expect(block).toContain('  canister chat         rwlgt-iiaaa-aaaaa-aaaaa-cai\n');
    expect(block).not.toContain('metrics');
  });

  it('without a frontend, points clients at the session file', () => {
    const block = readyBlock('minimal', { ...info, frontendUrl: null, adminUrl: 'http://127.0.0.1:9000' }, '.ic-ws/dev.json');
    expect(block).toContain('  Clients connect with the values below (also in\n  .ic-ws/dev.json).\n');
    expect(block).toContain('  gateway metrics       http://127.0.0.1:9000/metrics\n');
  });
});

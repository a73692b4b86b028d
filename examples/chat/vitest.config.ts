import { defineConfig } from 'vitest/config';

// src/**: the chat's logic (room, history, page state) over the real ic-ws-canister core with a fake runtime.
// tests/chat-canister.test.ts: the azle-built canister on ic-ws-devnet (the build is cached; 10-20 s when
// the canister or a library changed).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 300_000,
  },
});

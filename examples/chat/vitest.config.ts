import { definePackageConfig } from '../../vitest.shared.ts';

// src/**: the chat's logic (room, history, page state) over the real ic-ws-canister core with a fake runtime.
// tests/chat-canister.test.ts: the azle-built canister on ic-ws-devnet (the build is cached; 10-20 s when
// the canister or the library changed). The browser test of the whole demo is in tests/e2e at the root.
export default definePackageConfig({ hookTimeout: 300_000 });

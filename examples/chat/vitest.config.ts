import { definePackageConfig } from '../../vitest.shared.ts';

// Unit tests of the chat's logic (room, history, client state); no canister build, no browser. The
// browser end-to-end test of the whole demo is in tests/e2e.
export default definePackageConfig();

import { definePackageConfig } from '../../vitest.shared.ts';

// Tests sit at the top of this package (it is all tests). Building the chat canister on a cold cache takes
// a while, and every message here is a real signed call and a real certified, BLS-verified reply.
export default definePackageConfig({ include: ['*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000 });

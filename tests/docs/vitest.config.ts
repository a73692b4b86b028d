import { definePackageConfig } from '../../vitest.shared.ts';

// One tsc run over every block (about 20 s: the examples pull in the packages' sources and @dfinity/*).
export default definePackageConfig({ include: ['*.test.ts'], testTimeout: 120_000 });

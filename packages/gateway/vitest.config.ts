import { configDefaults } from 'vitest/config';
import { definePackageConfig } from '../../vitest.shared.ts';

// Tests that measure time, throughput or memory (`*.serial.test.ts`) run after the others, one file at a
// time: other test files running beside them on the same cores would be part of what they measure.
const serial = ['tests/**/*.serial.test.ts'];

export default definePackageConfig({
  include: [],
  projects: [
    {
      extends: true,
      test: { name: 'gateway', include: ['src/**/*.test.ts', 'tests/**/*.test.ts'], exclude: [...configDefaults.exclude, ...serial], sequence: { groupOrder: 0 } },
    },
    { extends: true, test: { name: 'gateway-serial', include: serial, fileParallelism: false, sequence: { groupOrder: 1 } } },
  ],
});

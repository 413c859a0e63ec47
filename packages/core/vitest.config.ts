import { defineConfig } from 'vitest/config';

// Property tests run hundreds of fast-check cases; on a loaded 2-core CI machine the slowest took
// over 30 s, so the limit only catches a hang, not slowness (speed is `pnpm bench`'s job).
export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000 },
});

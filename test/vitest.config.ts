import { defineConfig } from 'vitest/config';

// Tests spawn the built CLI, real git and real tmux: generous timeouts, and files run in parallel
// processes (each test makes its own temp repositories and tmux sockets).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

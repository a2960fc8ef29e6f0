import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine. Most of a
    // file's time is spent waiting (nodes answering each other, child processes, the browser),
    // so two files at once on 2 cores roughly halve the wall time for the same CPU time
    // (docs/DEVELOPING.md, "Tests").
    maxWorkers: Math.max(2, availableParallelism() - 1),
    restoreMocks: true
  }
})

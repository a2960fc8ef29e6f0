import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// Node's on-disk compile cache for every process the tests start (the `lifelong` CLI, nodes killed
// with SIGKILL, README's walk): each loads the same few hundred modules, and from the cache in
// about half the CPU time. Inherited through the environment by the workers and their children.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'lifelong-test-compile-cache')

/** Test files that replace a module with `vi.mock` (they need a process of their own). */
export const MOCKS_MODULES = ['test/unit/services/portal/shares.test.ts']

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    // Long enough for a test whose few seconds of CPU are stretched by a machine shared many times
    // over (two cores, several suites at once); a timeout is never what a test asserts.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine. An
    // integration file spends part of its time waiting (nodes answering each other, child
    // processes, the browser), so one worker more than the cores keeps them busy: on 2 cores,
    // 3 workers ran the suite in 157 s where 2 took 183 s for the same CPU time (1.5 and 1.3
    // cores busy; docs/DEVELOPING.md, "Tests"). Each worker picks ports in a slice of its own
    // (test/helpers/ports.ts).
    maxWorkers: availableParallelism() + 1,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        // Unit tests start no nodes and leave nothing running: their files share a worker and
        // its loaded modules instead of starting a process each (a third less CPU here).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: MOCKS_MODULES, isolate: false }
      },
      {
        extends: true,
        // Integration files share their workers and loaded modules too: a fresh process per file
        // cost about 1.3 s of CPU each (loading libp2p, Fastify and the services again), half
        // of what a small file costs. A worker runs one file at a time and each file stops what
        // it started (its nodes in afterAll or onTestFinished, its browser, its child processes),
        // so one file's nodes never meet another's; ports are picked once per process
        // (test/helpers/ports.ts). test/unit/test-config.test.ts checks that no shared file
        // changes the environment, the working directory or a module (`vi.mock`).
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: MOCKS_MODULES, isolate: false }
      },
      {
        extends: true,
        // A file that replaces a module (`vi.mock`), which a worker that has loaded the module
        // already would not see, runs in a process of its own.
        test: { name: 'isolated', include: MOCKS_MODULES }
      }
    ]
  }
})

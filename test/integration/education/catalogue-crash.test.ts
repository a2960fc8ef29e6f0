/**
 * No state split across a crash: the institution node runs as a real child process
 * (`lifelong start`) and is killed with SIGKILL at four points of a `lifelong import catalogue`
 * of 801 offerings (three parts of one upload of the catalogue's 400 per part): when the first
 * part reaches the registry (nothing published), when the second does (during), right after the
 * registry committed the upload and before its answer reached the institution, and after the
 * import finished. The CLI says what may have been committed and that a re-run is safe; after a
 * restart the registry and the institution hold the same versions; a re-run changes nothing and
 * they still agree.
 *
 * What is real and why: the killed node is a child process, since kill -9 of a process (no stop,
 * no flush, the store as the crash left it) is what is tested, and it and the registry talk over
 * loopback TCP and keep LevelDB on disk. The restart and the re-run need no process of their own:
 * they are the same node (`createNode` on the same config and store) in this process, which
 * finishes the pending upload by itself when it starts, as `lifelong start` does. The first
 * import runs as an operator runs it (`lifelong import` in a process), the others through the
 * same program in this process.
 */
import { describe, it, expect, onTestFinished, vi } from 'vitest'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createNode, type LifelongNode } from '../../../src/node.ts'
import { silentLogger } from '../../../src/core/observability/logger.ts'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { EducationStore } from '../../../src/services/registry/education/store.ts'
import { LogStore } from '../../../src/store/log/store.ts'
import { PENDING_UPLOAD_KEY } from '../../../src/services/registry/education/catalogue.ts'
import { ORG, planTestFederation, spec, tempDir, REAL } from '../../helpers/federation.ts'
import { runCli, runCliInProcess, startCli, type RunningCli } from '../../helpers/cli.ts'
import { institution } from '../../helpers/education.ts'

// Two full parts and one more row: the upload has three parts (checked below at the registry).
const ROWS = 801
const HEADER = 'kind,localCode,localVersion,nameNb,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,relations,validFrom\n'

/** A catalogue of ROWS new courses, their codes distinct per scenario. */
function catalogueFile (dir: string, scenario: number): string {
  const rows = Array.from({ length: ROWS }, (_, i) => `course,K${scenario}X${String(i).padStart(4, '0')},1,Emne ${scenario}-${i},10,6,654121,0613,nb,A-F,2025H,,2024-08-01`)
  const file = join(dir, `catalogue-${scenario}.csv`)
  writeFileSync(file, HEADER + rows.join('\n') + '\n')
  return file
}

type KillPoint = 'first part' | 'second part' | 'after the registry commit' | 'after the import'

describe('a catalogue import killed at any point', () => {
  it('leaves the registry and the institution consistent after a restart, and a re-run converges', { timeout: 400_000 }, async () => {
    const plan = await planTestFederation([spec('registry', ['registry'], ORG.operator), spec('uio', ['institution'], ORG.a)], REAL)
    const [registryPlan, uioPlan] = plan.nodes as [typeof plan.nodes[0], typeof plan.nodes[0]]
    const registryNode: LifelongNode = await createNode(registryPlan.config)
    onTestFinished(async () => {
      await registryNode.stop()
    })
    await registryNode.start()
    const registry = registryNode.education!.registry!
    const uioInstitution = await registry.putInstitution(institution({ organisationNumber: ORG.a }))
    const devIssuer = join(plan.dir, 'dev-issuer.key')
    const dir = tempDir()

    let child: RunningCli | undefined
    let kill: KillPoint | undefined
    const killChild = (): void => {
      child?.child.kill('SIGKILL')
    }
    // The registry node is real and in this process: its staging and commit tell where the upload is.
    const staging = registryNode.education!.staging!
    const add = staging.add.bind(staging)
    // The number of parts of each upload the registry is sent: ROWS spans three.
    const partsSeen = new Set<number>()
    staging.add = (peer, uploadId, part, parts, changes) => {
      partsSeen.add(parts)
      if ((kill === 'first part' && part === 1) || (kill === 'second part' && part === 2)) killChild()
      return add(peer, uploadId, part, parts, changes)
    }
    const publish = registry.publish.bind(registry)
    registry.publish = async (...args) => {
      const result = await publish(...args)
      // Committed at the registry; the answer has not left yet.
      if (kill === 'after the registry commit') killChild()
      return result
    }

    /** The node that is killed: `lifelong start` in a child process. */
    const startInstitution = async (): Promise<RunningCli> => {
      child = await startCli(['start', '--config', uioPlan.configFile], `started ${uioPlan.spec.name}`, { timeoutMs: 60_000 })
      return child
    }
    /** The same node (config, keys, store) in this process, for the restart and the re-run. */
    let inProcess: LifelongNode | undefined
    onTestFinished(async () => {
      await inProcess?.stop()
    })
    const startInProcess = async (): Promise<LifelongNode> => {
      inProcess = await createNode(uioPlan.config, { logger: silentLogger() })
      await inProcess.start()
      return inProcess
    }
    const stopInProcess = async (): Promise<void> => {
      const node = inProcess!
      inProcess = undefined
      await node.stop()
    }
    // The first import as an operator runs it; the others through the same program in this
    // process (the institution node that is killed is a child process either way).
    let imports = 0
    const importFile = async (file: string) => {
      const args = ['import', 'catalogue', file, '--node', uioPlan.httpUrl, '--dev-issuer', devIssuer, '--no-progress']
      return imports++ === 0 ? await runCli(args, { timeoutMs: 120_000 }) : await runCliInProcess(args)
    }

    /** The versions of UiO's offerings at the registry and in UiO's own store (the node is stopped). */
    const versions = async (): Promise<{ registry: string[], institution: string[], pending: boolean }> => {
      const atRegistry = [...registry.store.offerings.values()].flat()
        .filter((v) => v.offering.owner === uioInstitution.institution.id)
        .map((v) => `${v.offering.id}#${v.seq}#${v.offering.localCode}#${v.offering.name.nb ?? ''}`).sort()
      const storage = await openStorage(uioPlan.config.dataDir)
      try {
        const store = new EducationStore({ store: storage.sublevel('education'), log: await LogStore.open({ storage }) })
        await store.load()
        const local = [...store.offerings.values()].flat().map((v) => `${v.offering.id}#${v.seq}#${v.offering.localCode}#${v.offering.name.nb ?? ''}`).sort()
        return { registry: atRegistry, institution: local, pending: await store.read(PENDING_UPLOAD_KEY) !== undefined }
      } finally {
        await storage.close()
      }
    }

    const points: KillPoint[] = ['first part', 'second part', 'after the registry commit', 'after the import']
    for (const [i, point] of points.entries()) {
      const file = catalogueFile(dir, i + 1)
      const before = (await versions()).registry.length
      const running = await startInstitution()
      kill = point
      partsSeen.clear()
      const result = await importFile(file)
      expect({ point, parts: [...partsSeen] }).toEqual({ point, parts: [3] })
      if (point === 'after the import') {
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout).toContain(`imported ${ROWS} offerings: ${ROWS} created`)
        killChild()
      } else {
        expect({ point, code: result.code }).toEqual({ point, code: 1 })
        expect(result.stderr).toMatch(/^error IMPORT_INTERRUPTED: /m)
        expect(result.stderr).toContain('The registry may have committed this file whole, or not at all')
        expect(result.stderr).toContain('Running the same import again is safe')
      }
      if (running.child.exitCode === null && running.child.signalCode === null) await once(running.child, 'exit')
      kill = undefined

      // Killed after the registry committed: the registry has the versions, the institution not yet.
      const killed = await versions()
      if (point === 'after the registry commit') {
        expect(killed.registry.length).toBe(before + ROWS)
        expect(killed.institution.length).toBeLessThan(killed.registry.length)
      }
      if (point !== 'after the import') expect({ point, pending: killed.pending }).toEqual({ point, pending: true })

      // The restarted node finishes what was pending by itself (its start resumes the upload,
      // retrying until the registry answers); then, stopped, both hold the same versions.
      const restarted = await startInProcess()
      if (killed.pending) {
        await vi.waitFor(async () => {
          expect(await restarted.education!.catalogue!.pendingUpload()).toBeUndefined()
        }, { timeout: 60_000, interval: 50 })
      }
      await stopInProcess()
      const after = await versions()
      expect({ point, pending: after.pending }).toEqual({ point, pending: false })
      expect(after.institution).toEqual(after.registry)
      expect(after.registry.length).toBe(before + ROWS)

      // A re-run of the same file changes nothing anywhere.
      await startInProcess()
      const again = await importFile(file)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stdout).toContain(`imported ${ROWS} offerings: 0 created, 0 updated, ${ROWS} unchanged`)
      await stopInProcess()
      expect(await versions()).toEqual(after)
    }
  })
})

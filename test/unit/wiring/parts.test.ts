/**
 * The composition root's parts: every role table (and every allowed combination of roles) lists
 * each part after the parts it needs, every part is in some table, and the machinery builds
 * parts in table order from only what they need, uses a caller's factory in a part's place,
 * and stops what it built when a later part cannot be built.
 */
import { describe, expect, it } from 'vitest'
import { ROLES, roleCombinationProblems, type Role } from '../../../src/core/federation/roles.ts'
import { partsOf, ROLE_PARTS, STANDBY_PARTS } from '../../../src/node.ts'
import { PART_DEFINITIONS } from '../../../src/wiring/definitions.ts'
import { buildParts, orderProblems, type PartDefinitions } from '../../../src/wiring/parts.ts'

/** Every set of roles a node may have. */
function allowedCombinations (): Role[][] {
  const out: Role[][] = []
  for (let mask = 1; mask < 1 << ROLES.length; mask++) {
    const roles = ROLES.filter((_r, i) => (mask & (1 << i)) !== 0)
    if (roleCombinationProblems(roles).length === 0) out.push(roles)
  }
  return out
}

describe('the role tables', () => {
  it('list every part after the parts it needs, for every allowed combination of roles', () => {
    const combinations = allowedCombinations()
    // institution, index, registry, accreditor, portal, admission, finance, and the operator's four combinations of index, registry and portal
    expect(combinations).toHaveLength(11)
    for (const roles of combinations) expect(orderProblems(partsOf(roles), PART_DEFINITIONS), roles.join('+')).toEqual([])
  })

  it('give every defined part to some role (or to a warm standby), and a combination the parts of each of its roles once', () => {
    const listed = new Set([...Object.values(ROLE_PARTS).flat(), ...STANDBY_PARTS])
    expect(Object.keys(PART_DEFINITIONS).filter((p) => !listed.has(p as never))).toEqual([])
    const operator = partsOf(['index', 'registry', 'portal'])
    expect(new Set(operator).size).toBe(operator.length)
    expect(operator).toEqual([...new Set([...ROLE_PARTS.index, ...ROLE_PARTS.registry, ...ROLE_PARTS.portal])])
    expect(partsOf(['portal', 'index'])).toEqual(partsOf(['index', 'portal']))
  })
})

interface Toy {
  store: { name: string, events: string[] }
  server: { name: string, handlers: string[], start: () => void, stop: () => void }
  absent: undefined
  service: { name: string, uses: string, start: () => void, afterStart: () => void, stop: () => void }
}

function toyDefinitions (events: string[], failService = false): PartDefinitions<Toy, { prefix: string }> {
  return {
    store: {
      needs: [],
      create: (core) => ({ name: `${core.prefix}store`, events }),
      lifecycle: () => ({
        stop: () => {
          events.push('store closed')
        }
      })
    },
    server: {
      needs: ['store'],
      create: (_core, parts) => ({
        name: 'server',
        handlers: [],
        start () {
          events.push(`server started with ${Object.keys(parts).join(',')}`)
        },
        stop () {
          events.push('server stopped')
        }
      })
    },
    absent: {
      needs: [],
      create: () => undefined,
      edges: () => {
        throw new Error('no edges for a part that is absent')
      }
    },
    service: {
      needs: ['server'],
      create: (_core, parts) => {
        if (failService) throw new Error('cannot build the service')
        return {
          name: 'service',
          uses: Object.keys(parts).join(','),
          start () {
            events.push('service started')
          },
          afterStart () {
            events.push('service after start')
          },
          stop () {
            events.push('service stopped')
          }
        }
      },
      edges: (_part, { given }) => ({ csrfTokens: async () => given ? 'given' : 'own' })
    }
  }
}

describe('building parts', () => {
  it('builds in table order from only the parts each needs; the lifecycle is the part\'s own or its definition\'s', async () => {
    const events: string[] = []
    const { parts, built } = await buildParts<Toy, { prefix: string }>(['store', 'server', 'absent', 'service'], toyDefinitions(events), {}, { prefix: 'p-' })
    expect(parts.store?.name).toBe('p-store')
    expect(parts.service?.uses).toBe('server')
    // A part the config leaves out has no lifecycle and no edges.
    expect(built.map((b) => b.name)).toEqual(['store', 'server', 'service'])
    for (const b of built) await b.lifecycle.start?.()
    for (const b of built) await b.lifecycle.afterStart?.()
    for (const b of [...built].reverse()) await b.lifecycle.stop?.()
    expect(events).toEqual(['server started with store', 'service started', 'service after start', 'service stopped', 'server stopped', 'store closed'])
    expect(await built[2]?.edges.csrfTokens?.({} as never)).toBe('own')
  })

  it('builds a part with the caller\'s factory at its place, which sees every part built before it and keeps the definition\'s edges', async () => {
    const events: string[] = []
    let seen: string[] = []
    const { parts, built } = await buildParts<Toy, { prefix: string }>(
      ['store', 'server', 'service'],
      toyDefinitions(events),
      {
        service: (_core, before) => {
          seen = Object.keys(before)
          return {
            name: 'a test\'s service',
            uses: 'nothing',
            start () {},
            afterStart () {},
            stop () {
              events.push('the test\'s service stopped')
            }
          }
        }
      },
      { prefix: '' }
    )
    expect(seen).toEqual(['store', 'server'])
    expect(parts.service?.name).toBe('a test\'s service')
    expect(await built[2]?.edges.csrfTokens?.({} as never)).toBe('given')
    await built[2]?.lifecycle.stop?.()
    expect(events).toEqual(['the test\'s service stopped'])
  })

  it('stops what it built, in reverse, when a part cannot be built, and refuses a table out of order', async () => {
    const events: string[] = []
    await expect(buildParts<Toy, { prefix: string }>(['store', 'server', 'service'], toyDefinitions(events, true), {}, { prefix: '' })).rejects.toThrow('cannot build the service')
    expect(events).toEqual(['server stopped', 'store closed'])
    await expect(buildParts<Toy, { prefix: string }>(['server', 'store'], toyDefinitions([]), {}, { prefix: '' }))
      .rejects.toMatchObject({ code: 'NODE_PARTS_OUT_OF_ORDER', message: expect.stringContaining('server needs store') })
  })
})

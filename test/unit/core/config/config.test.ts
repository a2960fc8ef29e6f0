import { describe, it, expect } from 'vitest'
import { parseConfig } from '../../../../src/core/config/config.ts'
import { roleCombinationProblems } from '../../../../src/core/federation/roles.ts'
import { ValidationError } from '../../../../src/core/errors.ts'
import { formatPublicKey, generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'

const operatorKey = formatPublicKey(generateSigningKey().publicKeyRaw)
const valid = () => ({
  name: 'Universitetet i Oslo',
  organisationNumber: '971035854',
  roles: ['institution'],
  dataDir: 'data/uio',
  federation: { id: 'no.lifelong.test', manifestFile: 'manifest.pb', operatorKeys: [operatorKey] }
})

function fieldsOf (input: unknown): Array<{ path: string, message: string }> {
  try {
    parseConfig(input, '/etc/lifelong')
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).code).toBe('CONFIG_INVALID')
    return (err as ValidationError).fields
  }
  throw new Error('expected CONFIG_INVALID')
}

describe('config', () => {
  it('fills defaults, resolves paths against the config directory and freezes the result', () => {
    const config = parseConfig(valid(), '/etc/lifelong', '/etc/lifelong/uio.json')
    expect(config.dataDir).toBe('/etc/lifelong/data/uio')
    expect(config.keyFile).toBe('/etc/lifelong/data/uio/node.key')
    expect(config.federation.manifestFile).toBe('/etc/lifelong/manifest.pb')
    expect(config.federation.operatorKeys[0]).toHaveLength(32)
    expect(config.rpc).toEqual({ maxMessageBytes: 4 * 1024 * 1024, maxConcurrentPerPeer: 64, deadlineMs: 10_000, clockSkewMs: 120_000 })
    expect(config.p2p.addressScope).toBe('public')
    expect(config.identifiers.allowSynthetic).toBe(false)
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.rpc)).toBe(true)
    expect(() => {
      ;(config as { name: string }).name = 'x'
    }).toThrow()
  })

  it('reports every bad field at once, each with its path', () => {
    const bad = {
      ...valid(),
      organisationNumber: '971035855',
      roles: ['institution', 'portal'],
      extra: true,
      p2p: { listen: ['not-a-multiaddr'], maxConnections: 0 },
      http: { port: 70000 },
      rpc: { deadlineMs: 'soon' },
      federation: { id: 'Bad Id', manifestFile: 'm.pb', operatorKeys: ['ed25519:short'] }
    }
    const fields = fieldsOf(bad)
    const paths = fields.map((f) => f.path).sort()
    expect(paths).toEqual([
      '/extra',
      '/federation/id',
      '/federation/operatorKeys/0',
      '/http/port',
      '/organisationNumber',
      '/p2p/listen/0',
      '/p2p/maxConnections',
      '/roles',
      '/rpc/deadlineMs'
    ])
    expect(fields.find((f) => f.path === '/organisationNumber')?.message).toMatch(/mod 11/)
    expect(fields.find((f) => f.path === '/roles')?.message).toMatch(/institution.*cannot be combined/)
  })

  it('fills in the portal\'s OIDC client (<issuer>/authorize and /token, client authentication by the secret file) and reports bad combinations', () => {
    const portal = (oidc: Record<string, unknown>): unknown => ({ ...valid(), roles: ['portal'], portal: { oidc: { issuer: 'https://idporten.example/', audience: 'portal', ...oidc } } })
    const withSecret = parseConfig(portal({ clientSecretFile: 'secrets/oidc' }), '/etc/lifelong').portal.oidc
    expect(withSecret).toEqual({
      issuer: 'https://idporten.example/',
      audience: 'portal',
      authorizationEndpoint: 'https://idporten.example/authorize',
      tokenEndpoint: 'https://idporten.example/token',
      clientAuth: 'client_secret_basic',
      clientSecretFile: '/etc/lifelong/secrets/oidc'
    })
    expect(parseConfig(portal({}), '/etc/lifelong').portal.oidc).toMatchObject({ clientAuth: 'none', tokenEndpoint: 'https://idporten.example/token' })
    expect(parseConfig(portal({ clientAuth: 'client_secret_post', clientSecretFile: '/s', tokenEndpoint: 'https://t.example/oauth/token' }), '/x').portal.oidc).toMatchObject({
      clientAuth: 'client_secret_post',
      clientSecretFile: '/s',
      tokenEndpoint: 'https://t.example/oauth/token'
    })
    expect(fieldsOf(portal({ clientAuth: 'client_secret_basic' }))).toEqual([{ path: '/portal/oidc/clientAuth', message: 'client_secret_basic needs clientSecretFile' }])
    expect(fieldsOf(portal({ clientAuth: 'client_secret_post' })).map((f) => f.path)).toEqual(['/portal/oidc/clientAuth'])
    expect(fieldsOf(portal({ clientAuth: 'none', clientSecretFile: '/s' })).map((f) => f.path)).toEqual(['/portal/oidc/clientSecretFile'])
    expect(fieldsOf(portal({ clientAuth: 'private_key_jwt' })).map((f) => f.path)).toEqual(['/portal/oidc/clientAuth'])
    expect(fieldsOf(portal({ clientSecret: 'inline' })).map((f) => f.path)).toEqual(['/portal/oidc/clientSecret'])
  })

  it('checks the workbench\'s OIDC client as the portal\'s: client authentication with its secret file, a public client without one', () => {
    const workbench = (oidc: Record<string, unknown>): unknown => ({
      ...valid(),
      workbench: { oidc: { issuer: 'https://login.uio.example', audience: 'workbench', ...oidc }, staff: [{ id: 'kari', name: 'Kari', subject: 's-1', roles: ['viewer'] }] }
    })
    expect(parseConfig(workbench({ clientSecretFile: 'secrets/wb' }), '/etc/lifelong').workbench?.oidc).toMatchObject({
      clientAuth: 'client_secret_basic',
      clientSecretFile: '/etc/lifelong/secrets/wb',
      tokenEndpoint: 'https://login.uio.example/token',
      subjectClaim: 'sub'
    })
    expect(fieldsOf(workbench({ clientAuth: 'client_secret_post' }))).toEqual([{ path: '/workbench/oidc/clientAuth', message: 'client_secret_post needs clientSecretFile' }])
    expect(fieldsOf(workbench({ clientAuth: 'none', clientSecretFile: '/s' })).map((f) => f.path)).toEqual(['/workbench/oidc/clientSecretFile'])
  })

  it('reads the oots section (paths absolute, limits filled in) and refuses it off a portal, with duplicate gateways or on the portal\'s own port', () => {
    const oots = { listen: { host: '127.0.0.1', port: 8443 }, tls: { certificateFile: 'oots.crt', keyFile: 'oots.key' }, gateways: [{ id: 'no-ap', name: 'Nasjonalt aksesspunkt', certificateFiles: ['gw.crt'] }] }
    const config = parseConfig({ ...valid(), roles: ['portal'], oots }, '/etc/lifelong')
    expect(config.oots?.tls).toEqual({ certificateFile: '/etc/lifelong/oots.crt', keyFile: '/etc/lifelong/oots.key' })
    expect(config.oots?.gateways[0]?.certificateFiles).toEqual(['/etc/lifelong/gw.crt'])
    expect(config.oots?.previewTtlSeconds).toBe(3600)
    expect(config.oots?.rateLimits.perGatewayPerMinute).toBe(600)
    expect(parseConfig({ ...valid(), roles: ['portal'] }, '/etc/lifelong').oots).toBeUndefined()
    expect(fieldsOf({ ...valid(), oots }).map((f) => f.path)).toEqual(['/oots'])
    expect(fieldsOf({ ...valid(), roles: ['portal'], oots: { ...oots, gateways: [...oots.gateways, ...oots.gateways] } }).map((f) => f.path)).toEqual(['/oots/gateways/1/id'])
    expect(fieldsOf({ ...valid(), roles: ['portal'], http: { port: 8443 }, oots }).map((f) => f.path)).toEqual(['/oots/listen'])
    expect(fieldsOf({ ...valid(), roles: ['portal'], oots: { ...oots, gateways: [] } }).map((f) => f.path)).toEqual(['/oots/gateways'])
  })

  it('reports missing required fields by name', () => {
    const paths = fieldsOf({ roles: ['portal'] }).map((f) => f.path).sort()
    expect(paths).toEqual(['/dataDir', '/federation', '/name', '/organisationNumber'])
  })

  it('refuses something that is not an object', () => {
    expect(fieldsOf('config').length).toBeGreaterThan(0)
    expect(fieldsOf(null).length).toBeGreaterThan(0)
  })

  it('checks role combinations', () => {
    expect(roleCombinationProblems(['index', 'registry', 'portal'])).toEqual([])
    expect(roleCombinationProblems(['institution'])).toEqual([])
    expect(roleCombinationProblems(['accreditor'])).toEqual([])
    expect(roleCombinationProblems([])).toEqual(['a node needs at least one role'])
    expect(roleCombinationProblems(['accreditor', 'registry'])).toEqual(['role "accreditor" cannot be combined with other roles'])
    expect(roleCombinationProblems(['index', 'index'])).toEqual(['role "index" is listed twice'])
    expect(roleCombinationProblems(['wizard'])[0]).toMatch(/unknown role "wizard"/)
  })
})

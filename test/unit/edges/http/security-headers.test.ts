import { describe, expect, it } from 'vitest'
import { pageCsp } from '../../../../src/edges/http/security-headers.ts'

/** The directives of a CSP header, by name. */
const directives = (csp: string): Record<string, string> => Object.fromEntries(csp.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]))

describe('the CSP of a page', () => {
  it('runs and fetches nothing unless the page says so; forms go to this origin, and to the sources a page names', () => {
    const plain = directives(pageCsp())
    expect(plain).toMatchObject({ 'default-src': '\'none\'', 'form-action': '\'self\'', 'frame-ancestors': '\'none\'' })
    expect(plain['script-src']).toBeUndefined()
    expect(plain['connect-src']).toBeUndefined()
    // The employer's page that waits for a wallet: its module from this origin, asking this origin.
    expect(directives(pageCsp({ scripts: true, fetches: true }))).toMatchObject({ 'script-src': '\'self\'', 'connect-src': '\'self\'', 'default-src': '\'none\'' })
    // The learner's consent to a wallet: the decision's redirect may lead to the wallet's redirect URI.
    expect(directives(pageCsp({ formAction: ['https://wallet.example', 'eudi-wallet:'] }))['form-action']).toBe('\'self\' https://wallet.example eudi-wallet:')
    expect(directives(pageCsp({ formAction: [] }))['form-action']).toBe('\'self\'')
  })
})

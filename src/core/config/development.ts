/**
 * The one audience of development tokens: the local federation's development issuer puts it in
 * the API tokens it signs (src/demo/dev-issuer.ts) and the nodes' `auth.issuers` entries expect
 * it, and the portal's development sign-in uses it as the portal's client ID and the ID tokens'
 * audience (src/services/portal/module.ts). Development only: no production config names it.
 */
export const DEV_AUDIENCE = 'lifelong-local-federation'

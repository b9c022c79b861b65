/**
 * End to end, in a real browser: Debian's Chromium, driven by playwright-core, opens the app
 * behind the local HTTP API gateway, is sent to sign in at a real OpenID Provider on loopback
 * (oidc-provider), comes back signed in, calls the orders API from the page (200 for a scope
 * the user holds, 403 for one they lack), signs out, and is refused afterwards.
 *
 * Chromium must be installed (`scripts/ensure-chromium.sh`): without it this test fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { startLoginDemo, type LoginDemo } from '../examples/src/login-demo.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let demo: LoginDemo | undefined
let browser: BrowserContext | undefined
let userDataDir: string | undefined
const gatewayLog: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser test needs Debian's chromium. Install it with scripts/ensure-chromium.sh (apt-get install -y chromium).`,
    )
  }
  // The demo's app, gateway and provider: what `npm run demo:serve` serves.
  demo = await startLoginDemo({ log: (line) => gatewayLog.push(line) })
  userDataDir = mkdtempSync(join(tmpdir(), 'middy-auth-chromium-'))
  browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  await browser.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url())
    // Loopback only: the provider's development pages link web fonts, which are not fetched.
    return hostname === '127.0.0.1' ? route.continue() : route.abort()
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await demo?.close()
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
})

/** `fetch` from the page: same origin, with the browser's cookies, as the app's own script would. */
const fetchFromPage = (page: Page, method: string, path: string) =>
  page.evaluate(
    async ([m, p]) => {
      const response = await fetch(p as string, { method: m as string })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    },
    [method, path],
  )

test('a user signs in through the provider, calls the API from the page, is refused a scope they lack, signs out and is refused afterwards', async () => {
  const page = await (browser as BrowserContext).newPage()
  const base = (demo as LoginDemo).gateway.url
  const issuer = (demo as LoginDemo).provider.issuer

  // Open the app: nobody is signed in, so its page sends the browser to sign in, and the login
  // route to the provider.
  await page.goto(`${base}/app`)
  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'))
  await page.locator('input[name="login"]').fill('alice')
  await page.locator('input[name="password"]').fill('any password')
  await page.locator('button[type="submit"]').click()
  // Consent to the scopes the app asked for.
  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'))
  expect(await page.locator('input[name="prompt"]').getAttribute('value')).toBe('consent')
  await page.locator('button[type="submit"]').click()

  // Back at the app, signed in: the callback redirected to returnTo.
  await page.waitForURL(`${base}/app`)
  await page.locator('#who', { hasText: 'Signed in as alice' }).waitFor()
  const cookies = await (browser as BrowserContext).cookies(base)
  const session = cookies.find((c) => c.name === '__Host-session')
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
  expect(cookies.map((c) => c.name)).not.toContain('__Host-login')
  // HttpOnly: the page's script cannot see the session.
  expect(await page.evaluate('document.cookie')).toBe('')

  // The API, from the page: a scope alice holds, then one she was not granted.
  expect(await fetchFromPage(page, 'GET', '/api/orders')).toEqual({ status: 200, body: { subject: 'alice', result: 'the orders' } })
  const refused = await fetchFromPage(page, 'DELETE', '/api/orders')
  expect(refused.status).toBe(403)
  expect(refused.body.error).toBe('insufficient_scope')

  // Sign out: the app's form posts to /auth/logout, the provider asks for confirmation, and
  // sends the browser back to the app's signed-out page.
  await page.locator('#logout').click()
  await page.waitForURL((url) => url.origin === issuer)
  await page.locator('button[name="logout"]').click()
  await page.waitForURL(`${base}/`)
  await page.locator('#who', { hasText: 'Signed out.' }).waitFor()
  expect((await (browser as BrowserContext).cookies(base)).map((c) => c.name)).not.toContain('__Host-session')

  // Refused afterwards.
  const after = await fetchFromPage(page, 'GET', '/api/orders')
  expect(after).toEqual({ status: 401, body: { error: 'login_required', error_description: 'Sign-in required' } })
  expect(gatewayLog).toEqual([])
}, 60_000)

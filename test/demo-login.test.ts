import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { formatLoginTour, runLoginTour, startLoginDemo, type LoginDemo } from '../examples/src/login-demo.js'

/** The demo's browser sign-in tour, over real HTTP: the login app behind the local gateway and a loopback OpenID Provider. */
let demo: LoginDemo
const gatewayLog: string[] = []
beforeAll(async () => {
  demo = await startLoginDemo({ log: (line) => gatewayLog.push(line) })
})
afterAll(() => demo?.close())

test("the demo's sign-in tour gets the expected answer for every request, from signed out to signed out", async () => {
  const steps = await runLoginTour(demo)
  expect(steps.map((s) => [s.request.split(' ')[0], s.status])).toEqual([
    ['GET', 401],
    ['GET', 302],
    ['GET', 302],
    ['GET', 302],
    ['GET', 200],
    ['GET', 200],
    ['DELETE', 403],
    ['DELETE', 403],
    ['POST', 302],
    ['GET', 401],
  ])
  expect(steps.every((s) => s.ok)).toBe(true)
  const table = formatLoginTour(steps)
  expect(table).toContain('cookies -__Host-login __Host-session')
  expect(table).toContain('insufficient_scope')
  expect(table).toContain('access_denied')
  expect(table).toContain(`→ ${demo.provider.issuer}/session/end?…  cookies -__Host-session`)
  expect(gatewayLog).toEqual([])
})

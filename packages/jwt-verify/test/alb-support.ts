import { afterAll, beforeAll } from '@jest/globals'
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadFixture } from '../../../test/support/fixtures.js'

export const REGION = 'us-east-1'
export const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188'
export const OTHER_ARN = 'arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/not-mine/0123456789abcdef'
export const CLIENT = '3nkoep4151b7umeggnottc30u9'
export const IDP = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example'
export const NOW = 1_800_000_000
export const SUBJECT = 'd2f50444-0041-7036-aea2-a955fca33d37'

/** The real event shape: an ALB with an OIDC action in front of the function. */
export const fixture = loadFixture('alb-oidc.json') as {
  headers: Record<string, string>
}

/** The fixture with these headers set (`undefined` removes one). */
export const albEventWith = (data: string, extra: Record<string, string | undefined> = {}) => {
  const headers: Record<string, string> = { ...fixture.headers, 'x-amzn-oidc-data': data }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete headers[name]
    else headers[name] = value
  }
  return { ...fixture, headers }
}

/** base64url as the load balancer emits it: padded with `=` to a multiple of 4. */
export const padded = (bytes: Buffer): string => {
  const text = bytes.toString('base64url')
  return text + '='.repeat((4 - (text.length % 4)) % 4)
}

export interface Signing {
  key: KeyObject
  kid: string
  header?: Record<string, unknown>
  payload?: Record<string, unknown>
  pad?: boolean
}

/** A token as an ALB makes it: ES256, raw r||s signature, over the padded segments. */
export const albToken = ({ key, kid, header = {}, payload = {}, pad = true }: Signing): string => {
  const encode = (bytes: Buffer) => (pad ? padded(bytes) : bytes.toString('base64url'))
  const head = encode(Buffer.from(JSON.stringify({ typ: 'JWT', kid, alg: 'ES256', iss: IDP, client: CLIENT, signer: ARN, exp: NOW + 120, ...header })))
  const body = encode(Buffer.from(JSON.stringify({ sub: SUBJECT, email: 'alice@example.com', exp: NOW + 120, iss: IDP, ...payload })))
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' })
  return `${head}.${body}.${encode(signature)}`
}

export const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })

/**
 * The regional key endpoint on loopback: `GET /<kid>` answers the PEM, 403 for an unknown kid
 * (as the real one does), or the status set with `failWith`. Records the kids asked for.
 */
export const startAlbKeyServer = async (pems: ReadonlyMap<string, string>) => {
  const state = { fetched: [] as string[], failWith: undefined as number | undefined }
  const server = createServer((req, res) => {
    const id = (req.url ?? '').slice(1)
    state.fetched.push(id)
    const pem = pems.get(id)
    if (state.failWith !== undefined || pem === undefined) {
      res.writeHead(state.failWith ?? 403).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(pem)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    state,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * One load balancer's signing key under a fresh `kid`, and the key endpoint that publishes it,
 * started before the tests of the enclosing `describe` and stopped after them. `endpoint()` is
 * read once it runs (in a test or a hook).
 */
export const albSigner = () => {
  const signing = keyPair()
  const kid = randomUUID()
  let keyServer: Awaited<ReturnType<typeof startAlbKeyServer>> | undefined
  beforeAll(async () => {
    keyServer = await startAlbKeyServer(new Map([[kid, signing.publicKey.export({ type: 'spki', format: 'pem' }) as string]]))
  })
  afterAll(() => keyServer?.close())
  return { signing, kid, endpoint: () => (keyServer as NonNullable<typeof keyServer>).endpoint }
}

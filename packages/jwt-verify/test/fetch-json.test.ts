import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { assertFetchableUrl, fetchJson, fetchText, isLoopbackUrl } from '../src/fetch-json.js'

// One loopback server; each test sets what the next requests get.
let server: Server
let base: string
let handle: (req: IncomingMessage, res: ServerResponse) => void
const hits: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '')
    handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

beforeEach(() => {
  hits.length = 0
})

const json =
  (body: unknown, status = 200) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

describe('fetchJson', () => {
  test('GETs and parses JSON from a loopback http: server', async () => {
    handle = (req, res) => {
      expect(req.method).toBe('GET')
      expect(req.headers.accept).toBe('application/json')
      json({ keys: [{ kid: 'a' }] })(req, res)
    }
    await expect(fetchJson(`${base}/jwks?x=1`, { timeoutMs: 1000 })).resolves.toEqual({ keys: [{ kid: 'a' }] })
    expect(hits).toEqual(['/jwks?x=1'])
  })

  test.each([500, 404, 204, 201])('rejects HTTP %i', async (status) => {
    handle = json({ keys: [] }, status)
    await expect(fetchJson(`${base}/jwks`, { timeoutMs: 1000 })).rejects.toThrow(`expected HTTP 200, got ${status}`)
  })

  test('does not follow redirects', async () => {
    handle = (req, res) => {
      if (req.url === '/jwks') res.writeHead(302, { location: `${base}/elsewhere` }).end()
      else json({ keys: [] })(req, res)
    }
    await expect(fetchJson(`${base}/jwks`, { timeoutMs: 1000 })).rejects.toThrow('got 302')
    expect(hits).toEqual(['/jwks'])
  })

  test('rejects a body that is not JSON, without quoting it', async () => {
    handle = (_req, res) => res.writeHead(200).end('<html>secret-looking body</html>')
    const error = await fetchJson(`${base}/jwks`, { timeoutMs: 1000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain('not JSON')
    expect((error as Error).message).toContain(`${base}/jwks`)
    expect((error as Error).message).not.toContain('secret-looking')
  })

  test('the timeout covers a server that never answers', async () => {
    handle = () => {} // accepts the request, never responds
    const started = Date.now()
    await expect(fetchJson(`${base}/hang`, { timeoutMs: 200 })).rejects.toThrow('timed out after 200 ms')
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(elapsed).toBeLessThan(2000)
  })

  test('the timeout covers a body that trickles in', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"keys":[')
      const timer = setInterval(() => res.write(' '), 50)
      res.on('close', () => clearInterval(timer))
    }
    await expect(fetchJson(`${base}/slow`, { timeoutMs: 300 })).rejects.toThrow('timed out')
  })

  test('rejects a body larger than maxBytes, declared or streamed', async () => {
    const big = JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) })
    handle = (_req, res) => res.writeHead(200, { 'content-length': Buffer.byteLength(big) }).end(big)
    await expect(fetchJson(`${base}/big`, { timeoutMs: 2000 })).rejects.toThrow('exceeds 524288')

    handle = (_req, res) => {
      res.writeHead(200) // chunked: no content-length to check up front
      res.write(big.slice(0, 1000))
      res.end(big.slice(1000))
    }
    await expect(fetchJson(`${base}/big-chunked`, { timeoutMs: 2000 })).rejects.toThrow('exceeds 524288')

    handle = json({ keys: [], pad: 'x'.repeat(200) })
    await expect(fetchJson(`${base}/small-limit`, { timeoutMs: 2000, maxBytes: 100 })).rejects.toThrow('exceeds 100')
    await expect(fetchJson(`${base}/ok-limit`, { timeoutMs: 2000, maxBytes: 1000 })).resolves.toMatchObject({ keys: [] })
  })

  test('rejects when the signal aborts', async () => {
    handle = () => {}
    const controller = new AbortController()
    const pending = fetchJson(`${base}/hang`, { timeoutMs: 5000, signal: controller.signal })
    setTimeout(() => controller.abort(new Error('shutting down')), 20)
    await expect(pending).rejects.toThrow('aborted')
    await expect(fetchJson(`${base}/jwks`, { timeoutMs: 5000, signal: AbortSignal.abort() })).rejects.toThrow()
  })

  test('a signal that aborts while node:https loads rejects before anything is sent', async () => {
    handle = json({ keys: [] })
    const controller = new AbortController()
    const { signal } = controller
    // Aborts right after fetchJson's first check, before the exchange resumes with the module.
    const check = signal.throwIfAborted.bind(signal)
    signal.throwIfAborted = () => {
      check()
      controller.abort(new Error('shutting down'))
    }
    const error = await fetchJson(`${base}/jwks`, { timeoutMs: 1000, signal }).catch((e: unknown) => e)
    expect((error as Error).message).toBe(`GET ${base}/jwks: aborted`)
    expect((error as Error).cause).toEqual(new Error('shutting down'))
    expect(hits).toEqual([])
  })

  test('retries once on a kept-alive socket that the server closed while idle', async () => {
    handle = json({ n: 1 })
    await expect(fetchJson(`${base}/jwks`, { timeoutMs: 1000 })).resolves.toEqual({ n: 1 })
    for (let i = 0; i < 5; i++) {
      server.closeAllConnections() // the pooled socket is dead, the client does not know yet
      await expect(fetchJson(`${base}/jwks`, { timeoutMs: 1000 })).resolves.toEqual({ n: 1 })
    }
  })

  test('keeps the connection for the next request, or closes it with keepAlive: false', async () => {
    const sockets: Socket[] = []
    handle = (req, res) => {
      sockets.push(req.socket)
      json({ connection: req.headers.connection ?? null })(req, res)
    }
    await fetchJson(`${base}/a`, { timeoutMs: 1000 })
    await expect(fetchJson(`${base}/b`, { timeoutMs: 1000 })).resolves.toEqual({ connection: 'keep-alive' })
    expect(sockets[1]).toBe(sockets[0])
    await expect(fetchJson(`${base}/c`, { timeoutMs: 1000, keepAlive: false })).resolves.toEqual({ connection: 'close' })
    await expect(fetchJson(`${base}/d`, { timeoutMs: 1000, keepAlive: false })).resolves.toEqual({ connection: 'close' })
    expect(sockets[3]).not.toBe(sockets[2])
    for (const socket of sockets.slice(2)) if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve))
  })

  test('a body that is not JSON still leaves the kept-alive connection to the next request', async () => {
    const sockets: Socket[] = []
    handle = (req, res) => {
      sockets.push(req.socket)
      if (req.url === '/text') res.end('not json')
      else json({ ok: true })(req, res)
    }
    await expect(fetchJson(`${base}/text`, { timeoutMs: 1000 })).rejects.toThrow('body is not JSON')
    await expect(fetchJson(`${base}/jwks`, { timeoutMs: 1000 })).resolves.toEqual({ ok: true })
    expect(sockets).toHaveLength(2)
    expect(sockets[1]).toBe(sockets[0])
  })

  test('keepAlive: false goes with a POST body and its own headers', async () => {
    handle = (req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () =>
        json({ body, type: req.headers['content-type'], length: req.headers['content-length'], connection: req.headers.connection })(req, res),
      )
    }
    const text = await fetchText(`${base}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=é',
      timeoutMs: 1000,
      keepAlive: false,
    })
    expect(JSON.parse(text)).toEqual({ body: 'token=é', type: 'application/x-www-form-urlencoded', length: '8', connection: 'close' })
  })

  test('rejects a request node:http refuses to send, naming the URL, without sending anything', async () => {
    handle = json({})
    const error = await fetchText(`${base}/introspect`, { headers: { 'x-bad': 'line\nbreak' }, timeoutMs: 1000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(new RegExp(`^GET ${base}/introspect: Invalid character in header content`))
    expect((error as Error).cause).toMatchObject({ code: 'ERR_INVALID_CHAR' })
    expect(hits).toEqual([])
  })

  test('rejects a connection error', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(fetchJson(`http://127.0.0.1:${port}/jwks`, { timeoutMs: 1000 })).rejects.toThrow('ECONNREFUSED')
  })

  test.each(['http://example.com/jwks', 'ftp://127.0.0.1/jwks', 'not a url', 'file:///etc/passwd'])('refuses %s without any request', async (url) => {
    await expect(fetchJson(url, { timeoutMs: 1000 })).rejects.toThrow(TypeError)
    expect(hits).toEqual([])
  })
})

describe('isLoopbackUrl', () => {
  test.each([
    ['http://127.0.0.1/', true],
    ['http://127.1.2.3:8080/jwks', true],
    ['http://127.1/', true], // the URL parser normalizes it to 127.0.0.1
    ['http://localhost:3000/', true],
    ['http://LOCALHOST/', true],
    ['http://[::1]:3000/', true],
    ['http://127.0.0.1.example.com/', false],
    ['http://localhost.example.com/', false],
    ['http://128.0.0.1/', false],
    ['http://10.0.0.1/', false],
    ['http://[::2]/', false],
    ['http://[::ffff:10.0.0.1]/', false],
    ['http://example.com/', false],
    ['http://0.0.0.0/', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackUrl(new URL(url))).toBe(expected)
  })
})

describe('assertFetchableUrl', () => {
  test('returns the parsed https: or loopback http: URL', () => {
    expect(assertFetchableUrl('https://issuer.example.com/jwks', 'jwksUri').host).toBe('issuer.example.com')
    expect(assertFetchableUrl('http://127.0.0.1:9000/jwks', 'jwksUri').port).toBe('9000')
  })

  test.each(['http://issuer.example.com/jwks', 'ftp://issuer.example.com/', 'issuer.example.com/jwks', '', 'javascript:alert(1)'])(
    'throws a TypeError naming the option for %j',
    (url) => {
      expect(() => assertFetchableUrl(url, 'jwksUri')).toThrow(TypeError)
      expect(() => assertFetchableUrl(url, 'jwksUri')).toThrow(`jwksUri must be an https: URL (http: only for loopback hosts): ${url}`)
    },
  )
})

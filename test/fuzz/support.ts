/**
 * What every fuzz test shares: the seed and run counts (fixed in CI, set by `npm run fuzz` for
 * long runs), the AuthError contract of docs/design.md#denials written out independently of
 * core's code, and hostile values to put anywhere in an event.
 */
import { expect } from '@jest/globals'
import fc from 'fast-check'
import type { Response } from '../support/protect.js'

const envNumber = (name: string): number | undefined => {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${JSON.stringify(text)}`)
  return value
}

/** The seed of every property: fixed, so CI runs the same cases every time. */
export const FUZZ_SEED = envNumber('FUZZ_SEED') ?? 20261204
/** Set by `npm run fuzz -- --runs N`: N cases in all, shared among the properties below. */
const FUZZ_RUNS = envNumber('FUZZ_RUNS')
/** A counterexample's path (`npm run fuzz -- --seed S --path P --test NAME` replays it). */
const FUZZ_PATH = process.env.FUZZ_PATH || undefined

/**
 * Every property of the suite and its runs in CI (`npm test`), which is also its share of a long
 * run's `FUZZ_RUNS`: the suite's whole budget is in this one table.
 */
const ciRuns = {
  tokens: 1200,
  'tokens:authorizer': 600,
  'events:jwt': 400,
  'events:gateway': 400,
  'events:iam': 400,
  'events:authorizer': 400,
  'events:session': 300,
  'events:introspection': 300,
  'models:scopes': 400,
  'models:rbac': 600,
  'models:routes': 500,
  'models:authorizer-context': 400,
  'models:introspection': 150,
  'models:iam': 500,
  'models:session': 300,
} as const
const ciTotal = Object.values(ciRuns).reduce((sum, runs) => sum + runs, 0)

/** Long runs have no time limit worth stating here; CI runs stay well under Jest's default. */
export const FUZZ_TIMEOUT_MS = FUZZ_RUNS === undefined ? 60_000 : 3_600_000

/**
 * fast-check's parameters for one property of the table: its CI runs, or its share of
 * `FUZZ_RUNS`. A failure's message ends with `{ seed, path }`, which `npm run fuzz` prints as a
 * command that replays it.
 */
export const fuzzParameters = <T>(property: keyof typeof ciRuns): fc.Parameters<T> => ({
  seed: FUZZ_SEED,
  numRuns: FUZZ_RUNS === undefined ? ciRuns[property] : Math.max(1, Math.round((FUZZ_RUNS * ciRuns[property]) / ciTotal)),
  ...(FUZZ_PATH === undefined ? {} : { path: FUZZ_PATH, endOnFailure: true }),
})

/**
 * Asserts that a property's generators reached both sides (accepts and refusals), at least
 * `minimum` times each, or the property proves little. A replay runs one case: nothing to check.
 */
export const expectBothSides = (counts: { accepted: number; refused: number }, minimum = 1): void => {
  if (FUZZ_PATH !== undefined) return
  expect(counts.accepted).toBeGreaterThanOrEqual(minimum)
  expect(counts.refused).toBeGreaterThanOrEqual(minimum)
}

// -------------------------------------------------------------------------------------------
// The AuthError contract (docs/design.md#denials), as a client sees it
// -------------------------------------------------------------------------------------------

type Challenge = 'bare' | 'error' | 'none'

/** Status and challenge of each code that bad input may get (503 is never bad input's answer). */
const contract: Record<string, { status: number; challenge: Challenge }> = {
  missing_token: { status: 401, challenge: 'bare' },
  missing_credentials: { status: 401, challenge: 'none' },
  invalid_request: { status: 400, challenge: 'error' },
  invalid_token: { status: 401, challenge: 'error' },
  insufficient_scope: { status: 403, challenge: 'error' },
  access_denied: { status: 403, challenge: 'none' },
  login_required: { status: 401, challenge: 'none' },
}

const headerNamed = (headers: Record<string, unknown> | undefined, name: string): string | undefined => {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)
  return entry === undefined ? undefined : String(entry[1])
}

/** Printable ASCII without `"` and `\`: what a challenge's attribute values may hold. */
const attributeValue = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/**
 * Asserts that a refusal keeps the contract: a 4xx with one of the table's codes, the body
 * exactly `{ error, error_description }`, the challenge the table gives that code, and none of
 * `secrets` (the token, its parts, key ids, claim values) nor a stack anywhere a client sees.
 * Returns the code.
 */
export const expectRefusal = (response: Response, secrets: readonly string[] = []): string => {
  expect(response.statusCode).toBeGreaterThanOrEqual(400)
  expect(response.statusCode).toBeLessThan(500)
  const body = JSON.parse(response.body ?? '') as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
  const code = body.error as string
  expect(typeof body.error_description).toBe('string')
  const rule = contract[code]
  if (rule === undefined) throw new Error(`not a code of the contract: ${code}`)
  expect(response.statusCode).toBe(rule.status)

  const challenge = headerNamed(response.headers, 'www-authenticate')
  if (rule.challenge === 'none') expect(challenge).toBeUndefined()
  else {
    expect(challenge).toMatch(/^Bearer realm="[^"]*"/)
    const attributes = [...challenge!.matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, name, value]) => [name, value] as const)
    for (const [, value] of attributes) expect(value).toMatch(attributeValue)
    const error = attributes.find(([name]) => name === 'error')?.[1]
    if (rule.challenge === 'bare') expect(error).toBeUndefined()
    else expect(error).toBe(code)
    if (code === 'insufficient_scope') expect(attributes.some(([name]) => name === 'scope')).toBe(true)
  }

  const visible = `${response.body}\n${JSON.stringify(response.headers ?? {})}`
  expect(visible).not.toMatch(/\n\s+at |Error:|TypeError/)
  for (const secret of secrets) if (secret.length >= 6) expect(visible).not.toContain(secret)
  return code
}

// -------------------------------------------------------------------------------------------
// Reference models of a verified token's claims (written apart from core's readers)
// -------------------------------------------------------------------------------------------

/** The scopes of a token's `scope` claim (docs/design.md#one-scope-rule): a list, or whitespace-separated. */
export const scopesOf = (claim: unknown): string[] =>
  typeof claim === 'string' ? claim.split(/\s+/).filter(Boolean) : Array.isArray(claim) ? claim.filter((s) => typeof s === 'string' && s !== '') : []

/** A verified token's list claim (roles, groups): a list of names, or a string that is ONE name. */
export const rolesOf = (claim: unknown): string[] =>
  typeof claim === 'string' ? (claim === '' ? [] : [claim]) : Array.isArray(claim) ? claim.filter((r) => typeof r === 'string' && r !== '') : []

// -------------------------------------------------------------------------------------------
// Hostile values and event mutations
// -------------------------------------------------------------------------------------------

/** Anything a wrongly typed field could hold, the awkward cases first. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    0,
    -1,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    true,
    false,
    [],
    {},
    [null],
    ['a', 'b'],
    { __proto__: null },
    'null',
    '[]',
    '{}',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.integer(),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()), { maxKeys: 3 }),
)

/** Every path to a value in a JSON-like object, objects and arrays included. */
const pathsOf = (value: unknown, prefix: readonly (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
  if (value === null || typeof value !== 'object') return out
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key]
    out.push(path)
    pathsOf(child, path, out)
  }
  return out
}

/** One change to an event: a field set to a hostile value, or removed. */
export interface EventEdit {
  pick: number
  value: unknown
  remove: boolean
}

export const eventEdit: fc.Arbitrary<EventEdit> = fc.record({ pick: fc.nat(), value: hostileValue, remove: fc.boolean() })

/**
 * The event with each edit applied in turn to one of its fields at the time (found anew after
 * each edit, so a replaced object's fields are gone): set to a hostile value, or removed.
 */
export const applyEdits = <T>(event: T, edits: readonly EventEdit[]): T => {
  const copy = structuredClone(event) as Record<string, unknown>
  for (const edit of edits) {
    const paths = pathsOf(copy)
    if (paths.length === 0) break
    const path = paths[edit.pick % paths.length]!
    let parent: any = copy
    for (const key of path.slice(0, -1)) parent = parent[key]
    const last = path[path.length - 1]!
    if (edit.remove && !Array.isArray(parent)) delete parent[last]
    // A copy each time: the same constant placed twice, then edited, would make a cycle.
    else parent[last] = structuredClone(edit.value)
  }
  return copy as T
}

/**
 * Structural changes attackers and odd integrations produce, each by name: no headers, `null`
 * headers, the Authorization header in `multiValueHeaders` (once or twice, any case), no
 * `requestContext`, a `requestContext` of the wrong type.
 */
export const shapeChange = fc.constantFrom(
  'none',
  'headers-null',
  'headers-missing',
  'headers-array',
  'multi-value-copy',
  'multi-value-twice',
  'multi-value-null',
  'header-upper-case',
  'header-twice-in-cases',
  'request-context-missing',
  'request-context-null',
  'request-context-string',
  'cookies-string',
  'query-null',
)
export type ShapeChange = typeof shapeChange extends fc.Arbitrary<infer T> ? T : never

/** Applies a {@link shapeChange} to a copy of the event; `authorization` is the header's value. */
export const changeShape = (event: Record<string, any>, change: ShapeChange, authorization: string | undefined): Record<string, any> => {
  const copy = structuredClone(event)
  switch (change) {
    case 'headers-null':
      copy.headers = null
      break
    case 'headers-missing':
      delete copy.headers
      break
    case 'headers-array':
      copy.headers = authorization === undefined ? [] : [authorization]
      break
    case 'multi-value-copy':
      copy.multiValueHeaders = { ...copy.multiValueHeaders, Authorization: authorization === undefined ? [] : [authorization] }
      break
    case 'multi-value-twice':
      copy.multiValueHeaders = { ...copy.multiValueHeaders, authorization: authorization === undefined ? [] : [authorization, authorization] }
      break
    case 'multi-value-null':
      copy.multiValueHeaders = null
      break
    case 'header-upper-case':
      if (copy.headers && authorization !== undefined) {
        for (const key of Object.keys(copy.headers)) if (key.toLowerCase() === 'authorization') delete copy.headers[key]
        copy.headers.AUTHORIZATION = authorization
      }
      break
    case 'header-twice-in-cases':
      if (copy.headers && authorization !== undefined) copy.headers = { ...copy.headers, Authorization: authorization, authorization }
      break
    case 'request-context-missing':
      delete copy.requestContext
      break
    case 'request-context-null':
      copy.requestContext = null
      break
    case 'request-context-string':
      copy.requestContext = 'requestContext'
      break
    case 'cookies-string':
      copy.cookies = 'session=1'
      break
    case 'query-null':
      copy.queryStringParameters = null
      copy.multiValueQueryStringParameters = null
      break
  }
  return copy
}

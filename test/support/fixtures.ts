import { readFileSync } from 'node:fs'

/** The real AWS events of `../shared/fixtures/aws-events/`, beside the repository. */
const fixturesDir = new URL('../../../shared/fixtures/aws-events/', import.meta.url)

/**
 * A fresh copy of a fixture event (tests may mutate it).
 *
 * @example
 * ```ts
 * const event = loadFixture('http-v2-jwt.json')
 * ```
 */
export const loadFixture = <T = Record<string, any>>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as T

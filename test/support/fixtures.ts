import { readFileSync } from 'node:fs'

/** The AWS events of `test/fixtures/aws-events/` (their provenance is in its `SOURCES.md`). */
const fixturesDir = new URL('../fixtures/aws-events/', import.meta.url)

/**
 * A fresh copy of a fixture event (tests may mutate it).
 *
 * @example
 * ```ts
 * const event = loadFixture('http-v2-jwt.json')
 * ```
 */
export const loadFixture = <T = Record<string, any>>(name: string): T => JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as T

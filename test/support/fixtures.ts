import { readdirSync, readFileSync } from 'node:fs'

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

/**
 * The names of every fixture (`http-v2-jwt.json`, …), the authorizer responses included: tests
 * that want request events only filter out `authorizer-response*`.
 *
 * @example
 * ```ts
 * const requestEvents = fixtureNames().filter((name) => !name.startsWith('authorizer-response'))
 * ```
 */
export const fixtureNames = (): string[] => readdirSync(fixturesDir).filter((name) => name.endsWith('.json'))

// @swc/jest emits ES modules where Jest loads them as such (our .ts files, imported) and CommonJS
// where a CommonJS package requires one (jwks-rsa requiring jose): Jest on Node 22 cannot
// require() an ES module itself, which Node 24.9+ can. So jose is transformed, not ignored.
import { readdirSync } from 'node:fs'

const packages = readdirSync(new URL('./packages/', import.meta.url))
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2023' } }]

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts', '<rootDir>/examples/services/*/test/**/*.test.ts'],
  // Sibling packages resolve to their TypeScript sources, not to dist/: a test runs the code as it
  // is now (no stale build), and coverage counts each line once, in src/.
  moduleNameMapper: {
    '^@middy-auth/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@middy-auth/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '/node_modules/jose/.+\\.js$': swc('ecmascript'),
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 20000,
  // Coverage is read from V8 through the source maps, so each line of packages/*/src counts once.
  coverageProvider: 'v8',
  collectCoverageFrom: [
    'packages/*/src/**/*.ts',
    // Type-only modules: TypeScript erases them, so there is no line in them to run.
    '!packages/jwt-verify/src/issuer-config.ts',
    '!packages/testing/src/events/options.ts',
    '!packages/core/src/middy-request.ts',
    '!packages/rbac/src/rules.ts',
    '!packages/jwt-verify/src/extension-types.ts',
    '!packages/oauth-scope/src/extension-types.ts',
    '!packages/rbac/src/extension-types.ts',
  ],
  coverageReporters: [['text', { skipFull: true }], 'text-summary', 'json-summary'],
  // A directory's threshold applies to all its files together: one line per package.
  coverageThreshold: Object.fromEntries(packages.map((name) => [`./packages/${name}/src/`, { lines: 95, branches: 90 }])),
}

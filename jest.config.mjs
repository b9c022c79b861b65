// @swc/jest emits ES modules where Jest loads them as such (our .ts files, imported) and CommonJS
// where a CommonJS package requires one (jwks-rsa requiring jose): Jest on Node 22 cannot
// require() an ES module itself, which Node 24.9+ can. So jose is transformed, not ignored.
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2023' } }]

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '/node_modules/jose/.+\\.js$': swc('ecmascript'),
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 20000,
}

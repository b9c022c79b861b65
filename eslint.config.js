import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Packages are imported by their names and the subpaths their `exports` list, never by their
// files: a deep import runs code the published package may not ship (src/), or a stale build
// (dist/), and couples two packages' insides.
const deepImports = {
  patterns: [
    {
      regex: '^@middy-auth/[^/]+/(src|dist)(/|$)',
      message: "Import the package by its name or a subpath its exports list ('@middy-auth/jwt-verify/jwks-rsa'), never its src/ or dist/.",
    },
    {
      regex: '^(\\.\\./)+packages/[a-z-]+/(src|dist)(/|$)',
      message: "Import the package by its name ('@middy-auth/core'), never by a relative path into its src/ or dist/.",
    },
    {
      regex: '^(\\.\\./){2,}[a-z-]+/(src|dist)(/|$)',
      message: "Import another package by its name ('@middy-auth/core'), never by a relative path into its src/ or dist/.",
    },
  ],
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.bench-out/**', '.doc-snippets/**', 'api-reference/**', 'test/pack/fixture/**'] },
  js.configs.recommended,
  // Type-aware: each TypeScript file is linted with the program of its tsconfig (the packages'
  // sources, the examples, the tests), so the rules see the types `tsc` sees. Run after `tsc -b`
  // (as `npm test` does): the tests see sibling packages through their built declarations.
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './examples/tsconfig.json', './tsconfig.test.json', './bench/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': ['error', deepImports],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Numbers and booleans read well in messages; objects, `unknown` and `undefined` still do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `(request) => void list.push(x)`, `() => fail()` and `if (…) return send(res, 404)` in a
      // function that returns nothing are how this codebase writes callbacks and early returns.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
      // Options and events come from JavaScript callers, JSON and API Gateway, whatever their
      // TypeScript types say: the checks this rule calls unnecessary are the validation of
      // untrusted input (a `null` header map, a number where a string is typed), which security
      // middleware must keep.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // For the same reason: `isNew !== true` on what a caller's replay store answered, or
      // `check(permission) === true` on a caller's permission check, fails closed when a
      // JavaScript implementation answers a truthy non-boolean (Redis's 'OK'); `!isNew` would
      // accept it.
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // `String(value)` of an unknown value in the message of a configuration error, or of a header
      // value, is meant: an object prints as [object Object], which still says what was wrong.
      '@typescript-eslint/no-base-to-string': 'off',
      // Middy's types are spelt out in full where a handler's type is declared (event, result,
      // error, context), so a reader sees the context without looking up Middy's defaults.
      '@typescript-eslint/no-unnecessary-type-arguments': 'off',
      // `void | Promise<void>`: a hook that stays synchronous on the warm path (no microtask per
      // request) and returns a Promise only when it must wait, which is the point of the type.
      '@typescript-eslint/no-invalid-void-type': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read parsed JSON bodies and build hostile events by hand: `any` is the point there,
      // and `expect` checks what the types would.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A Middy handler is an async function by contract, with an `await` or not.
      '@typescript-eslint/require-await': 'off',
      // Tests cast hand-built and hostile events (`as never`) to send what the handler's types
      // would refuse, and assert the shape of what Middy answers.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Tests delete headers and claims by name to build the malformed inputs they send.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Reports a claim named `sub` in an object literal as String.prototype.sub.
      '@typescript-eslint/no-deprecated': 'off',
      // Test helpers type what they load by a type parameter (`loadFixture<Event>()`), read indexes
      // that may be absent (`noUncheckedIndexedAccess`), spread ASCII alphabets, and coerce with
      // String() in assertions; tidying them would not make a test find more.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // A test's rejection handler reads the AuthError it expects.
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
    },
  },
  {
    // The packages a cold start loads (jwt-verify and what it and the budgeted full stack stand
    // on): V8 parses an arrow function held in a variable in full when the code around it is
    // parsed (at import, for one at a module's top level), where a `function` is only pre-parsed
    // until its first call. Measured, docs/performance.md#cold-start: block-bodied functions
    // declared with `function` took a cold start's CPU time from 1.019x to 1.008x of the same
    // handler with aws-jwt-verify (lean entry; root 1.055x to 1.03x). Expression arrows and
    // callbacks stay: as `function`s they measured no better, for 2.3 KB.
    files: ['packages/{core,jwt-verify,oauth-scope,rbac}/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "VariableDeclarator > ArrowFunctionExpression[body.type='BlockStatement']",
          message:
            'Declare a block-bodied function with `function` (a typed one: `const f: T = function (…) {…}`): V8 parses an arrow in full at import (docs/performance.md#cold-start).',
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
)

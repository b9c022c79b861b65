/** A configuration `TypeError` of the suite, with the `cause` every factory gives it. */
export type ConfigTypeError = TypeError & { cause?: { package?: string; option?: string } }

/**
 * What a factory threw at cold start: the error, or `undefined` when it built. For tests that
 * assert on the message and the `cause` of a configuration error.
 *
 * @example
 * ```ts
 * expect(thrown(() => oauthScope({ routes }))?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'routes' })
 * ```
 */
export const thrown = (build: () => unknown): ConfigTypeError | undefined => {
  try {
    build()
    return undefined
  } catch (error) {
    return error as ConfigTypeError
  }
}

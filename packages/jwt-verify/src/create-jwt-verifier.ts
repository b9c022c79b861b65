import { compileJwtVerifier, verifierOutsideMiddy, type JwtVerifier } from './jwt-verifier.js'
import { everyExtension } from './every-extension.js'
import type { JwtVerifyOptions } from './options.js'

/**
 * The verification of `jwtVerify()` without Middy: for SQS consumers, WebSocket messages,
 * Lambda@Edge or your own framework. Takes the same options (checked at once: a `TypeError`
 * for any that can never work) and starts loading keys at once.
 *
 * @example
 * ```ts
 * import { createJwtVerifier } from '@middy-auth/jwt-verify'
 * import type { SQSEvent } from 'aws-lambda'
 *
 * const verifier = createJwtVerifier({ issuers: [{ issuer: 'https://auth.example.com/', audience: 'jobs' }] })
 *
 * export const handler = async (event: SQSEvent) => {
 *   for (const record of event.Records) {
 *     const auth = await verifier.verifyToken(record.messageAttributes.token?.stringValue ?? '')
 *     console.log(auth.subject)
 *   }
 * }
 * ```
 */
export const createJwtVerifier = (options: JwtVerifyOptions): JwtVerifier => verifierOutsideMiddy(compileJwtVerifier(options, everyExtension))

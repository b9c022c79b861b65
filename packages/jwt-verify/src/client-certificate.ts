import { hash, X509Certificate } from 'node:crypto'
import type { AnyEvent } from '@middy-auth/core'
import { asRecord, asText } from '@middy-auth/core/internal'

/**
 * The PEM of the client certificate API Gateway passes with mutual TLS:
 * `requestContext.identity.clientCert` on REST (and REST REQUEST authorizers),
 * `requestContext.authentication.clientCert` on HTTP API (and its authorizers).
 */
function clientCertificatePem(event: AnyEvent): string | undefined {
  const requestContext = asRecord(asRecord(event)?.requestContext)
  const cert = asRecord(asRecord(requestContext?.authentication)?.clientCert) ?? asRecord(asRecord(requestContext?.identity)?.clientCert)
  return asText(cert?.clientCertPem)
}

/** Thumbprints by PEM: a client sends the same certificate on every request, parsed once. */
const thumbprints = new Map<string, string | null>()
const MAX_CACHED = 1000

/**
 * RFC 8705 §3.1's `x5t#S256` of a certificate: base64url of the SHA-256 of its DER. `undefined`
 * when the PEM is not one certificate `node:crypto` can parse.
 *
 * @example
 * ```ts
 * import { certificateThumbprint } from '@middy-auth/jwt-verify/keys'
 * certificateThumbprint(pem) // 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0'
 * ```
 */
export function certificateThumbprint(pem: string): string | undefined {
  const cached = thumbprints.get(pem)
  if (cached !== undefined) return cached ?? undefined
  let thumbprint: string | null
  try {
    thumbprint = hash('sha256', new X509Certificate(pem).raw, 'base64url')
  } catch {
    thumbprint = null
  }
  if (thumbprints.size >= MAX_CACHED) thumbprints.delete(thumbprints.keys().next().value as string)
  thumbprints.set(pem, thumbprint)
  return thumbprint ?? undefined
}

/** The `x5t#S256` thumbprint of the request's client certificate, or `undefined` when there is none (or it cannot be parsed). */
export function clientCertificateThumbprint(event: AnyEvent): string | undefined {
  const pem = clientCertificatePem(event)
  return pem === undefined ? undefined : certificateThumbprint(pem)
}

/** A SHA-256 thumbprint (base64url), as `cnf.jkt` and `cnf["x5t#S256"]` carry one. */
export const thumbprint = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

/**
 * `cnf` claims that bind a token to a key or a certificate, or could be taken to (RFC 7800,
 * RFC 8705, RFC 9449), and malformed ones: a verifier that does not check bindings must refuse
 * every one of these, as a bearer token and on a cache hit alike.
 */
export const boundConfirmations: Array<[name: string, cnf: unknown]> = [
  ['DPoP-bound (cnf.jkt)', { jkt: thumbprint }],
  ['certificate-bound (cnf.x5t#S256)', { 'x5t#S256': thumbprint }],
  ['bound to both', { jkt: thumbprint, 'x5t#S256': thumbprint }],
  ['bound to a key we cannot check (cnf.jwk)', { jwk: { kty: 'EC' } }],
  ['bound by kid', { kid: 'k1' }],
  ['cnf null', null],
  ['cnf a string', thumbprint],
  ['cnf a list', [thumbprint]],
  ['a jkt of the wrong type', { jkt: 42 }],
]

/** base64url (RFC 4648 §5, no padding) of a UTF-8 string or of bytes. */
export function base64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url')
}

/** Decodes base64url (padding tolerated) to a UTF-8 string. */
export function fromBase64url(input: string): string {
  return Buffer.from(input, 'base64url').toString('utf8')
}

/**
 * IAM-style wildcard patterns (`*`: any run of characters, `?`: one character), matched without
 * backtracking: a pattern is literal pieces between `*`s, and the leftmost place each piece fits
 * is always a right place for it, so the text is scanned once per piece and never re-tried.
 * Time grows with text × piece length, never with the number of `*`s (a regular expression with
 * several `.*` can take seconds on a 64-character text).
 */

function pieceFitsAt(piece: string, text: string, at: number): boolean {
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i)
    if (p !== 63 /* ? */ && p !== text.charCodeAt(at + i)) return false
  }
  return true
}

/** The first index from `from` at which `piece` fits, or -1. */
function findPiece(piece: string, text: string, from: number): number {
  if (!piece.includes('?')) return text.indexOf(piece, from)
  for (let at = from; at + piece.length <= text.length; at++) if (pieceFitsAt(piece, text, at)) return at
  return -1
}

/**
 * Whether `text` matches the wildcard `pattern` as a whole: `*` stands for any run of characters
 * (none included), `?` for exactly one; every other character for itself, case-sensitive. As
 * IAM evaluates a policy's `Resource` against an ARN.
 *
 * @example
 * ```ts
 * matchesWildcard('GET/orders/*', 'GET/orders/42/items') // true
 * matchesWildcard('arn:aws:sts::*:assumed-role/Admin/?ob', 'arn:aws:sts::123456789012:assumed-role/Admin/bob') // true
 * ```
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const pieces = pattern.split('*')
  const first = pieces[0] as string
  if (pieces.length === 1) return first.length === text.length && pieceFitsAt(first, text, 0)
  const last = pieces[pieces.length - 1] as string
  if (first.length + last.length > text.length) return false
  if (!pieceFitsAt(first, text, 0) || !pieceFitsAt(last, text, text.length - last.length)) return false
  // The middle pieces, each at the leftmost place after the previous one, before the last piece.
  let at = first.length
  const end = text.length - last.length
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] as string
    const found = findPiece(piece, text, at)
    if (found === -1 || found + piece.length > end) return false
    at = found + piece.length
  }
  return true
}

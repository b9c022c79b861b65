/**
 * `[, ...items]`: a list with a hole first, as JavaScript configuration can write it
 * (`[, 'scp']`). `every()` and `some()` skip holes, so option checks that use them alone let one
 * through: the configuration tests build such lists with this.
 */
export const afterHole = (...items: unknown[]): unknown[] => {
  const list: unknown[] = new Array(1)
  list.push(...items)
  return list
}

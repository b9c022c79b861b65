// Where the bench writes its raw results and bundles (ignored by git).
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..')
export const outDir = join(root, '.bench-out')

/**
 * The `resourceMetadata` option, checked: the code of the `resourceMetadataChallenge` extension
 * (core's check of the URL, shared with jwt-verify).
 */
import { resourceMetadataProblem } from '@middy-auth/core/internal'
import { fail } from './requirements.js'

/** `resourceMetadata` (given), checked: the URL every challenge names, or the `TypeError` that says what is wrong. */
export function readResourceMetadata(resourceMetadata: unknown): string {
  const problem = resourceMetadataProblem(resourceMetadata)
  if (problem) throw fail('resourceMetadata', problem)
  return resourceMetadata as string
}

/**
 * The `resourceMetadata` option, checked: the code of the `resourceMetadataChallenge` extension
 * (core's check of the URL, shared with jwt-verify).
 */
import { readResourceMetadata as readResourceMetadataOf } from '@middy-auth/core/internal'
import { fail } from './requirements.js'

/** `resourceMetadata` (given), checked: the URL every challenge names, or the `TypeError` that says what is wrong. */
export const readResourceMetadata = (resourceMetadata: unknown): string => readResourceMetadataOf(resourceMetadata, fail)

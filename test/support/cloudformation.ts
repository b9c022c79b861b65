// Reads the examples' AWS SAM templates for the checks of test/services.test.ts and the
// services' own tests: YAML with CloudFormation's short-form intrinsic functions.
import { readFileSync } from 'node:fs'
import { parseDocument, type ScalarTag } from 'yaml'

/** A template as these checks see it; `!Ref X` becomes `{ Ref: 'X' }`, `!GetAtt X.Arn` `{ 'Fn::GetAtt': 'X.Arn' }`, … */
export interface Template {
  AWSTemplateFormatVersion?: string
  Transform?: string | string[]
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string }>
  Globals?: { Function?: Record<string, unknown> }
  Resources: Record<string, { Type: string; Metadata?: Record<string, any>; Properties?: Record<string, any> }>
  Outputs?: Record<string, { Value: unknown }>
}

const longName = (tag: string) => (tag === '!Ref' || tag === '!Condition' ? tag.slice(1) : `Fn::${tag.slice(1)}`)

/** The scalar forms (`!Ref Name`, `!GetAtt Name.Arn`, `!Sub 'text'`). */
const scalarForms: ScalarTag[] = ['!Ref', '!Condition', '!GetAtt', '!Sub', '!ImportValue', '!Base64', '!GetAZs'].map((tag) => ({
  tag,
  resolve: (value: string) => ({ [longName(tag)]: value }),
}))

/** The sequence forms, read as their lists. */
const sequenceForms = new Set(['!Join', '!If', '!Select', '!Split', '!FindInMap', '!Equals', '!Not', '!And', '!Or', '!Cidr', '!Sub', '!GetAtt'])

/** Parses a template; throws on a YAML error, a duplicate key, or a tag CloudFormation does not know. */
export function readTemplate(path: string | URL): Template {
  const document = parseDocument(readFileSync(path, 'utf8'), { customTags: scalarForms, uniqueKeys: true, merge: false })
  const problems = [
    ...document.errors.map((error) => error.message),
    ...document.warnings.map((warning) => warning.message).filter((message) => ![...sequenceForms].some((tag) => message.includes(`Unresolved tag: ${tag}`))),
  ]
  if (problems.length > 0) throw new Error(`${String(path)}:\n${problems.join('\n')}`)
  return document.toJS() as Template
}

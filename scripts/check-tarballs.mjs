#!/usr/bin/env node
// Lints packed packages as npm would publish them: publint (strict: warnings fail too) and
// Are the Types Wrong (every entry point of `exports`, under Node's ESM resolution and bundlers;
// the packages are ESM only, so CommonJS `require` and node10 resolution are out of scope, as
// attw's `esm-only` profile says).
//
//   npm pack --workspaces --pack-destination /tmp/packs && node scripts/check-tarballs.mjs /tmp/packs/*.tgz
//
// test/pack.test.ts runs it on the tarballs it packs. Exit status: 0 when every tarball is clean,
// 1 when one is not (each problem printed), 2 when the check itself could not run.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { problemAffectsResolutionKind } from '@arethetypeswrong/core/problems'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

/** The resolutions an ESM-only package must pass (attw's `esm-only` profile ignores node10 and node16-cjs). */
const requiredResolutions = ['node16-esm', 'bundler']

const checkTarball = async (path) => {
  const data = readFileSync(path)
  const problems = []

  const lint = await publint({ pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) }, strict: true })
  for (const message of lint.messages) {
    problems.push(`publint ${message.type} ${message.code}: ${formatMessage(message, lint.pkg, { color: false }) ?? ''}`)
  }

  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(data)))
  if (!analysis.types) problems.push('attw: the package ships no types')
  else {
    for (const problem of analysis.problems) {
      const affected = requiredResolutions.filter((kind) => problemAffectsResolutionKind(problem, kind, analysis))
      if (affected.length > 0) problems.push(`attw ${problem.kind} (${affected.join(', ')}): ${JSON.stringify(problem)}`)
    }
  }
  const entrypoints = analysis.types ? Object.keys(analysis.entrypoints) : []
  return { name: `${analysis.packageName}@${analysis.packageVersion}`, entrypoints, problems }
}

const tarballs = process.argv.slice(2)
if (tarballs.length === 0) {
  console.error('usage: node scripts/check-tarballs.mjs <package.tgz>...')
  process.exit(2)
}

let failed = false
for (const path of tarballs) {
  const { name, entrypoints, problems } = await checkTarball(path)
  if (problems.length === 0) console.log(`ok ${name} (${basename(path)}): ${entrypoints.join(' ')}`)
  else {
    failed = true
    console.log(`not ok ${name} (${basename(path)})\n  ${problems.join('\n  ')}`)
  }
}
process.exit(failed ? 1 : 0)

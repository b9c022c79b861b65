#!/usr/bin/env node
// The software bill of materials of each package: what installing it alone brings into an
// application at run time (its dependencies and theirs; its peers, @middy/core first, are the
// application's own choice and left out). Packs every package (prepack builds), installs each tarball into a fresh project,
// runs `npm sbom` there, writes .sbom/<package>.cdx.json (CycloneDX; .sbom/ is gitignored) and
// prints one line per package. docs/security.md says why each runtime dependency is there.
//
//   npm run sbom
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, '.sbom')
const tmp = mkdtempSync(join(tmpdir(), 'middy-auth-sbom-'))
const npm = (args, cwd) => {
  try {
    return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${error.stderr ?? error.message}`, { cause: error })
  }
}

try {
  const dirs = readdirSync(join(root, 'packages')).sort()
  const packed = JSON.parse(
    ((s) => s.slice(s.indexOf('[')))(npm(['pack', ...dirs.flatMap((dir) => ['--workspace', `packages/${dir}`]), '--pack-destination', tmp, '--json'], root)),
  )
  const tarballOf = new Map(packed.map((entry) => [entry.name, join(tmp, entry.filename)]))
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir)

  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))
    const { name } = manifest
    const project = join(tmp, dir)
    mkdirSync(project)
    // Our other packages as the registry would serve them, were they published.
    const overrides = Object.fromEntries([...tarballOf].filter(([other]) => other !== name).map(([other, path]) => [other, `file:${path}`]))
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: `sbom-${dir}`, version: '0.0.0', private: true, dependencies: { [name]: `file:${tarballOf.get(name)}` }, overrides }),
    )
    npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project)
    const sbom = npm(['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'library', '--omit=dev'], project)
    writeFileSync(join(outDir, `${dir}.cdx.json`), sbom)
    // npm flags a package reachable through a peer (as @middy/util is through @middy/core) as a
    // peer, so the runtime set is read from the dependency graph instead: everything reachable
    // from the package without passing through one of its peers.
    const bom = JSON.parse(sbom)
    const idOf = new Map(
      bom.components.map((component) => [component['bom-ref'], `${component.group ? `${component.group}/` : ''}${component.name}@${component.version}`]),
    )
    const edges = new Map(bom.dependencies.map((entry) => [entry.ref, entry.dependsOn ?? []]))
    const peers = Object.keys(manifest.peerDependencies ?? {})
    const start = [...idOf].find(([, id]) => id.startsWith(`${name}@`))[0]
    const reached = new Set()
    const visit = (ref) => {
      for (const next of edges.get(ref) ?? []) {
        const id = idOf.get(next)
        if (!id || reached.has(id) || peers.some((peer) => id.startsWith(`${peer}@`))) continue
        reached.add(id)
        visit(next)
      }
    }
    visit(start)
    const components = [...reached].sort()
    console.log(`${name}: ${components.length === 0 ? 'no runtime dependency' : components.join(', ')}`)
  }
  console.log(`CycloneDX documents in ${outDir}`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

/** The project's own TypeScript sources, for tests that check a rule across src/ (one YAML module, execa only). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of src/ (with a trailing slash). */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The files under src/ whose text matches `pattern`, as paths relative to src/ (e.g. `store/yaml-file.ts`), sorted. */
export function sourcesMatching(pattern: RegExp): string[] {
  return walk(SRC)
    .filter((f) => pattern.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f))
    .sort();
}

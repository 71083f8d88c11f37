/**
 * Imported by the end-to-end test files: fails them up front when the CLI they would spawn is older than
 * the sources, so a forgotten `npm run build` cannot make them test stale code. bin/agent-team.js runs
 * dist/bundle/agent-team.cjs when it exists, else dist/cli/main.js.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestSource(dir: string): { path: string; mtime: number } {
  let newest = { path: '', mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? { path, mtime: statSync(path).mtimeMs } : newest;
    if (candidate.mtime > newest.mtime) newest = candidate;
  }
  return newest;
}

beforeAll(() => {
  const bundle = join(ROOT, 'dist/bundle/agent-team.cjs');
  const entry = existsSync(bundle) ? bundle : join(ROOT, 'dist/cli/main.js');
  if (!existsSync(entry)) throw new Error('the CLI is not built: run `npm run build` (or `npm test`, which builds first)');
  const built = statSync(entry).mtimeMs;
  const source = newestSource(join(ROOT, 'src'));
  if (source.mtime > built) {
    throw new Error(`stale build: ${source.path} is newer than ${entry}; run \`npm run build\`${entry === bundle ? ' (it must also rebuild dist/bundle)' : ''}`);
  }
});

/**
 * Issue 13: no module-level mutable state outside a documented cache. Every top-level `let`, and every
 * top-level `const` holding a Map, Set, WeakMap or array, in src/ carries a doc comment (on it, or on the
 * group of declarations it starts) that calls it a cache, or says why it is process-wide (exit hooks,
 * signals, the entry point's own invocation).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const LET = /^(?:export )?let (\w+)/;
const COLLECTION = /^(?:export )?const (\w+)(?::[^=]+)? = (?:new (?:Map|Set|WeakMap)\b|\[)/;
const DECLARATION = /^(?:export )?(?:let|const) /;
const DOCUMENTED = /\bcache\b|process-wide/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** The doc comment above line `i`, skipping the declarations of the same group; '' when none. */
function commentAbove(lines: string[], i: number): string {
  let j = i - 1;
  while (j >= 0 && DECLARATION.test(lines[j] ?? '')) j--;
  if (!(lines[j] ?? '').trimEnd().endsWith('*/')) return '';
  const end = j;
  while (j >= 0 && !(lines[j] ?? '').trimStart().startsWith('/**')) j--;
  return lines.slice(Math.max(j, 0), end + 1).join('\n');
}

/** Whether `line` declares module-level mutable state: a `let`, or a Map/Set/array that `text` changes. */
function mutable(line: string, text: string): boolean {
  if (LET.test(line)) return true;
  const name = COLLECTION.exec(line)?.[1];
  return name !== undefined && new RegExp(`\\b${name}\\.(?:set|add|delete|clear|push|pop|shift|unshift|splice)\\(`).test(text);
}

/** `file:line: declaration` for every undocumented module-level mutable binding in `text`. */
function undocumentedState(file: string, text: string): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => (mutable(line, text) && !DOCUMENTED.test(commentAbove(lines, i)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('module-level state', () => {
  it('finds an undocumented one (the check can fail)', () => {
    expect(undocumentedState('x.ts', 'let counter = 0;\n/** Cache: parsed files. */\nconst parsed = new Map<string, string>();\n')).toEqual(['x.ts:1: let counter = 0;']);
    expect(undocumentedState('x.ts', '/** Names. */\nconst seen = new Set<string>();\nexport const note = (n: string) => seen.add(n);\n/** Fixed. */\nconst NAMES = new Set([1]);\n')).toEqual(['x.ts:2: const seen = new Set<string>();']);
    expect(undocumentedState('x.ts', '/** Process-wide: the exit hook. */\nlet installed = false;\nlet depth = 0;\n')).toEqual([]);
  });

  it('every module-level mutable binding in src/ is a documented cache or process-wide', () => {
    const found = sourceFiles(SRC).flatMap((f) => undocumentedState(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});

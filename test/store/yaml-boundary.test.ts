/**
 * One module reads and writes YAML: src/store/yaml-file.ts (bounded reads, the alias limit, duplicate
 * keys refused, YAML 1.2 core schema, positions for messages). Everything else goes through it, so those
 * rules hold for every file the tool reads; `js-yaml` (kept for speed on large run-states, see
 * bench/README.md) stays behind it. The behaviour tests below are what the rule buys for role.yaml,
 * SKILL.md front matter and change.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../src/errors.js';
import { createChange, listChanges, setChangeStatus } from '../../src/worker/changes.js';
import { roleAt } from '../../src/worker/roles.js';
import { tempDir, writeFile } from '../helpers/repo.js';
import { sourcesMatching } from '../helpers/sources.js';

/** Value imports (not `import type`) of `yaml` or `js-yaml`, static or dynamic. */
const YAML_IMPORT = /(?:^|\n)\s*import\s+(?!type\b)[^;]*?from\s+'(?:js-)?yaml'|import\(\s*'(?:js-)?yaml'\s*\)/;

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function temp(): string {
  const t = tempDir('agent-team-yaml-');
  cleanup = t.cleanup;
  return t.dir;
}

describe('the YAML boundary', () => {
  it('only src/store/yaml-file.ts imports a YAML library', () => {
    expect(sourcesMatching(YAML_IMPORT)).toEqual(['store/yaml-file.ts']);
  });

  it('role descriptions are read with the core schema: a date-like description stays the text written', () => {
    const dir = temp();
    writeFile(dir, 'a/system.md', 'prompt\n');
    writeFile(dir, 'a/references/role.yaml', 'description: 2026-03-13\n');
    writeFile(dir, 'b/SKILL.md', '---\nname: b\ndescription: 2026-03-14\n---\nbody\n');
    expect(roleAt('a', 'project', join(dir, 'a'))?.description).toBe('2026-03-13');
    expect(roleAt('b', 'project', join(dir, 'b'))?.description).toBe('2026-03-14');
  });

  it('a role.yaml with duplicate keys or an alias bomb loses only its description', () => {
    const dir = temp();
    writeFile(dir, 'a/system.md', 'prompt\n');
    writeFile(dir, 'a/references/role.yaml', 'description: one\ndescription: two\n');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'description: *i'].join('\n');
    writeFile(dir, 'b/system.md', 'prompt\n');
    writeFile(dir, 'b/references/role.yaml', `${bomb}\n`);
    expect(roleAt('a', 'project', join(dir, 'a'))).toMatchObject({ name: 'a', hasSystem: true, description: undefined });
    expect(roleAt('b', 'project', join(dir, 'b'))).toMatchObject({ name: 'b', hasSystem: true, description: undefined });
  });

  it('setChangeStatus refuses a change.yaml that is not YAML or not a mapping (exit 2, file:line:col) and leaves it as it was', () => {
    const worktree = temp();
    const change = createChange(worktree, { description: 'Add login', assignedTo: 'dev-001' });
    const file = join(change.dir, 'change.yaml');
    for (const text of ['name: x\nstatus: [unclosed\n', '- a list\n- not a change\n', 'status: one\nstatus: two\n']) {
      writeFile(change.dir, 'change.yaml', text);
      let error: unknown;
      try {
        setChangeStatus(worktree, change.relativeDir, 'done');
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(UnreadableFileError);
      expect(error, text).toMatchObject({ exitCode: 2, file });
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
    writeFile(change.dir, 'change.yaml', 'name: x\nstatus: [unclosed\n');
    expect(() => setChangeStatus(worktree, change.relativeDir, 'done')).toThrow(/change\.yaml: invalid YAML at \d+:\d+/);
  });

  it('listChanges lists a change.yaml with duplicate keys or a list as unreadable, and reads date-like fields as text', () => {
    const worktree = temp();
    const a = createChange(worktree, { description: 'first', assignedTo: 'dev-001', now: new Date(2026, 0, 1) });
    const b = createChange(worktree, { description: 'second', assignedTo: 'dev-001', now: new Date(2026, 0, 2) });
    const c = createChange(worktree, { description: 'third', assignedTo: 'dev-001', now: new Date(2026, 0, 3) });
    writeFile(a.dir, 'change.yaml', 'status: done\nstatus: assigned\n');
    writeFile(b.dir, 'change.yaml', '- status: done\n');
    writeFile(c.dir, 'change.yaml', 'status: assigned\ndescription: 2026-03-13\n');
    expect(listChanges(worktree).map((x) => `${x.status}:${x.description}`)).toEqual(['unreadable:', 'unreadable:', 'assigned:2026-03-13']);
  });
});

/** Options every command shares: `--json` is declared once (src/cli/options.ts) and every command has it. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeProgram } from '../../src/cli/program.js';

/** Every command that runs something (a leaf of the tree), with its path. */
function leaves(cmd: Command, path: string[] = []): Array<[string, Command]> {
  if (cmd.commands.length === 0) return [[path.join(' '), cmd]];
  return cmd.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

describe('shared options', () => {
  const all = leaves(makeProgram());

  it('the tree has the commands of every group', () => {
    const paths = all.map(([p]) => p);
    expect(paths).toEqual(expect.arrayContaining(['workflow validate', 'workflow state start', 'worker create', 'skill install']));
  });

  it.each(all.map(([p, c]) => [p, c] as const))('%s accepts --json, described', (_path, cmd) => {
    const json = cmd.options.find((o) => o.long === '--json');
    expect(json).toBeDefined();
    expect(json?.description).toMatch(/json|JSON|\{/);
  });
});

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

describe('the tree built for one command line (start-up: only what the words name)', () => {
  const whole = leaves(makeProgram());
  const workflowLeaves = whole.filter(([p]) => p.startsWith('workflow '));

  it.each(workflowLeaves.map(([p, c]) => [p, c] as const))('%s: only that command is built, with the same help as in the whole tree', (path, cmd) => {
    const built = leaves(makeProgram([...path.split(' '), 'file.yaml', 'value']));
    expect(built.map(([p]) => p)).toEqual([path]);
    expect(built[0]![1].helpInformation()).toBe(cmd.helpInformation());
  });

  it('help, a typo or no subcommand builds the whole group, so commander can list and suggest', () => {
    const inWorkflow = workflowLeaves.map(([p]) => p);
    expect(leaves(makeProgram(['workflow'])).map(([p]) => p)).toEqual(inWorkflow);
    expect(leaves(makeProgram(['workflow', 'valdate'])).map(([p]) => p)).toEqual(inWorkflow);
    expect(leaves(makeProgram(['workflow', 'help', 'state'])).map(([p]) => p)).toEqual(inWorkflow);
    expect(leaves(makeProgram(['workflow', 'state', 'strat'])).map(([p]) => p)).toEqual(inWorkflow.filter((p) => p.startsWith('workflow state ')));
    expect(leaves(makeProgram(['workflo'])).map(([p]) => p)).toEqual(whole.map(([p]) => p));
  });
});

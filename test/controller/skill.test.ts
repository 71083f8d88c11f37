/**
 * The checker behind "the skill text and the CLI agree" (skill-table.ts): it reads the skill's command
 * table, takes printed lines apart with the CLI's own command tree, and reports what the skill does not
 * teach. These tests prove it can fail (unknown command, untaught flag, a row removed from the skill),
 * and check the other direction: every row of the table is a real command with real flags.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeProgram } from '../../src/cli/program.js';
import { agentTeam } from '../../src/workflow/shell-quote.js';
import { expectTaught, parsePrinted, shellWords, SKILL, skillRows, untaught } from './skill-table.js';

describe('the skill command table checker', () => {
  it('reads every row of the command table with its subcommand path and flags', () => {
    const rows = skillRows();
    const paths = rows.map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'workflow state next',
        'workflow run',
        'worker create',
        'worker open',
        'workflow state start',
        'worker assign',
        'workflow state wait',
        'workflow state complete',
        'workflow state confirm',
        'workflow state block',
        'worker merge',
        'reply',
      ]),
    );
    expect(rows.find((r) => r.path === 'workflow state wait')?.flags.sort()).toEqual(['--node', '--reason', '--worker']);
    expect(rows.find((r) => r.path === 'workflow run')?.flags.sort()).toEqual(['--json', '--timeout', '--wait', '--yes']);
  });

  it('takes printed lines apart with the CLI tree, quotes and all', () => {
    const line = agentTeam('workflow', 'state', 'complete', '.agents/workflow/runs/x/a b.yaml', '--node', 'n1', '--summary', "it's done; $HOME `x`\nline 2");
    expect(shellWords(line)).toEqual(['agent-team', 'workflow', 'state', 'complete', '.agents/workflow/runs/x/a b.yaml', '--node', 'n1', '--summary', "it's done; $HOME `x`\nline 2"]);
    expect(parsePrinted(line)).toMatchObject({ path: 'workflow state complete', flags: ['--node', '--summary'], leaf: true });
    expect(parsePrinted('agent-team worker create qa --yes')).toMatchObject({ path: 'worker create', flags: ['--yes'], leaf: true });
  });

  it('refuses lines that are not safe to paste into a shell', () => {
    expect(() => shellWords('agent-team reply dev-001 done; rm -rf x')).toThrow(/metacharacter/);
    expect(() => shellWords("agent-team reply dev-001 'open")).toThrow(/unterminated/);
    expect(() => shellWords('agent-team reply dev-001 "$(id)"')).toThrow(/expansion/);
  });

  it('reports commands and flags the skill does not teach', () => {
    expect(untaught('agent-team worker merge dev-001')).toEqual([]);
    expect(untaught('agent-team worker merge dev-001 --squash')).toEqual([expect.stringContaining('does not show --squash')]);
    expect(untaught('agent-team worker frobnicate dev-001')).toEqual([expect.stringContaining('not a command')]);
    expect(untaught('agent-team workflow state')).toEqual([expect.stringContaining('not a command')]);
    expect(untaught('agent-team init')).toEqual([expect.stringContaining('has no "agent-team init"')]);
    expect(untaught('agent-team worker delete dev-001 --force')).toEqual([expect.stringContaining('does not show --force')]);
    const withoutMerge = readFileSync(SKILL, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('| `agent-team worker merge'))
      .join('\n');
    expect(untaught('agent-team worker merge dev-001', skillRows(withoutMerge))).toHaveLength(1);
    expect(() => expectTaught({ commands: ['agent-team worker merge dev-001 --squash'] })).toThrow();
    expect(() => expectTaught({ choices: [{ command: 'agent-team workflow state complete f --node n --next-node m' }] })).toThrow();
  });

  it('teaches only real commands with real flags (the other direction)', () => {
    const program = makeProgram();
    for (const row of skillRows()) {
      let cmd: Command = program;
      for (const word of row.path.split(' ')) {
        const sub = cmd.commands.find((c) => c.name() === word);
        expect(sub, `${row.text}: no command ${word}`).toBeDefined();
        cmd = sub as Command;
      }
      expect(cmd.commands, `${row.text} is a command group`).toHaveLength(0);
      const options = new Set(cmd.options.map((o) => o.long));
      for (const flag of row.flags) expect(options.has(flag), `${row.text}: agent-team ${row.path} has no ${flag}`).toBe(true);
    }
  });
});

/**
 * Go spellings (issue 10, item 6): the flags and positionals of the Go CLI are accepted with the Go
 * meaning. First a table of argv → what the handler receives (read through the CLI's own command tree,
 * actions replaced), one row per spelling next to the long form it must equal; then the built CLI with
 * each spelling on a real repository (headless process backend, the scripted stand-in agent).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOverrideDeep, makeProgram } from '../../src/cli/program.js';
import { cli } from '../helpers/cli.js';
import { makeTeam, AGENT, workerYaml, type Team } from '../controller/support.js';
import '../workflow/fresh-build.js';

/** Parses `argv` with the CLI's tree and returns the leaf's operands and options (no handler runs). */
async function parsed(argv: string[]): Promise<{ args: unknown[]; opts: Record<string, unknown> }> {
  const program = makeProgram();
  exitOverrideDeep(program, { writeOut: () => undefined, writeErr: () => undefined });
  let out: { args: unknown[]; opts: Record<string, unknown> } | undefined;
  const visit = (c: Command) => {
    c.action((...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      out = { args: params.slice(0, -2), opts: cmd.opts() };
    });
    c.commands.forEach(visit);
  };
  program.commands.forEach(visit);
  await program.parseAsync(['node', 'agent-team', ...argv]);
  if (!out) throw new Error(`no command ran for ${argv.join(' ')}`);
  return out;
}

describe('Go spellings parse to the Go meaning', () => {
  it.each([
    [['worker', 'create', 'dev', '--fresh'], { args: ['dev', undefined], opts: { fresh: true } }],
    [['worker', 'create', 'dev', 'codex'], { args: ['dev', 'codex'], opts: {} }],
    [['worker', 'open', 'dev-001', '-w'], { args: ['dev-001'], opts: { newWindow: true } }],
    [['worker', 'assign', 'dev-001', 'Do it', '-m', 'opus'], { args: ['dev-001', 'Do it', undefined], opts: { model: 'opus' } }],
    [['worker', 'assign', 'dev-001', 'Do it', '--model', 'opus'], { args: ['dev-001', 'Do it', undefined], opts: { model: 'opus' } }],
    [['worker', 'assign', 'dev-001', 'Do it', '-d', 'design.md'], { args: ['dev-001', 'Do it', undefined], opts: { design: 'design.md' } }],
    [['worker', 'assign', 'dev-001', 'Do it', '-p', 'proposal.md'], { args: ['dev-001', 'Do it', undefined], opts: { proposal: 'proposal.md' } }],
    [['worker', 'assign', 'dev-001', 'Do it', '-w'], { args: ['dev-001', 'Do it', undefined], opts: { newWindow: true } }],
    [['worker', 'assign', 'dev-001', 'Do it', 'codex'], { args: ['dev-001', 'Do it', 'codex'], opts: {} }],
  ])('%j', async (argv, expected) => {
    expect(await parsed(argv)).toEqual(expected);
  });

  it('-v and -V print the version like --version', () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    for (const flag of ['-v', '-V', '--version']) {
      const r = cli([flag], { cwd: process.cwd() });
      expect(r, flag).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });
});

describe('Go spellings on a real repository', () => {
  let team: Team;
  beforeAll(async () => {
    const launch = `"node ${AGENT} --playbook /dev/null --log /dev/null"`;
    team = await makeTeam({
      backend: 'process',
      workflows: {},
      playbook: [],
      files: {
        '.agents/config.yaml': `default_provider: scripted\nproviders:\n    scripted: ${launch}\n    scripted2: ${launch}\n`,
        'proposal.md': 'The proposal\n',
        'design.md': 'The design\n',
      },
    });
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('worker create <role> [provider] and --fresh', () => {
    expect(team.ok(['worker', 'create', 'dev', '--fresh'])).toMatchObject({ worker_id: 'dev-001', provider: 'scripted' });
    expect(team.ok(['worker', 'create', 'dev', 'scripted2'])).toMatchObject({ worker_id: 'dev-002', provider: 'scripted2' });
    expect(workerYaml(team, 'dev-002')).toMatch(/provider: "?scripted2"?/);
    const both = team.at(['worker', 'create', 'dev', 'scripted2', '--provider', 'scripted', '--json']);
    expect(both.code).toBe(2);
    expect(team.at(['worker', 'create', 'dev', 'nope', '--json']).code).toBe(2);
  });

  it('worker open -w', () => {
    expect(team.ok(['worker', 'open', 'dev-001', '-w'])).toMatchObject({ ok: true, id: 'dev-001' });
  });

  it('worker assign <id> <description> [provider] -m -p -d -w', () => {
    const r = team.ok(['worker', 'assign', 'dev-002', 'Write the greeting file', 'scripted', '-m', 'big', '-p', 'proposal.md', '-d', 'design.md', '-w']);
    expect(r).toMatchObject({ ok: true, id: 'dev-002', opened: { id: 'dev-002' } });
    const yaml = workerYaml(team, 'dev-002');
    expect(yaml).toMatch(/provider: "?scripted"?\n/);
    expect(yaml).toMatch(/default_model: "?big"?/);
    const changes = join(team.root, '.worktrees/dev-002/.tasks/changes');
    const [change] = readdirSync(changes);
    expect(readFileSync(join(changes, change as string, 'proposal.md'), 'utf8')).toContain('The proposal');
    expect(readFileSync(join(changes, change as string, 'design.md'), 'utf8')).toContain('The design');
  });
});

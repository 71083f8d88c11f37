/**
 * The skill says what a real controller needs, in step with the CLI (issue 10, item 7): every
 * `agent-team …` command line SKILL.md shows — in code spans, in the command table, in code blocks —
 * names a real command, only its real options, and a number of operands the command accepts
 * (placeholders such as `<state-file>` count as one word, `[…]` parts are included). The skill covers
 * starting (roles, presets, role flags), the wait loop, replies, each kind, asking the person and
 * cleaning up. The README says how to put agent-team on PATH, and the package ships its LICENSE.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeProgram } from '../../src/cli/program.js';
import { SKILL, shellWords } from './skill-table.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skill = readFileSync(SKILL, 'utf8');

/** Every `agent-team …` line of `markdown`: inline code spans and lines of fenced blocks. */
export function commandLines(markdown: string): string[] {
  const lines = new Set<string>();
  for (const m of markdown.matchAll(/`(agent-team [^`]+)`/g)) lines.add((m[1] as string).trim());
  for (const block of markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    for (const l of (block[1] as string).split('\n')) if (l.trim().startsWith('agent-team ')) lines.add(l.trim().replace(/\s+#.*$/, ''));
  }
  return [...lines];
}

/** Problems with one shown line: unknown command or option, wrong number of operands. */
export function checkLine(line: string, program: Command = makeProgram()): string[] {
  // placeholders are one word; optional parts are shown with their contents
  const words = shellWords(line.replace(/\[|\]/g, '').replace(/<[^<>]+>/g, 'x'));
  let cmd = program;
  let i = 1;
  for (; i < words.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === words[i]);
    if (!sub) break;
    cmd = sub;
  }
  if (cmd === program || cmd.commands.length) return [`${line}: not a command`];
  const problems: string[] = [];
  let operands = 0;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (!w.startsWith('-') || w === '-') {
      operands++;
      continue;
    }
    const option = cmd.options.find((o) => o.long === w.split('=')[0] || o.short === w);
    if (!option) problems.push(`${line}: agent-team ${cmd.name()} has no option ${w}`);
    else if ((option.required || option.optional) && !w.includes('=')) i++;
  }
  const args = cmd.registeredArguments;
  const min = args.filter((a) => a.required).length;
  if (operands < min || operands > args.length) problems.push(`${line}: ${operands} operand(s), ${cmd.name()} takes ${min}..${args.length}`);
  return problems;
}

describe('the skill shows only command lines that parse and exist', () => {
  it('finds the lines, including the loop and the start', () => {
    const lines = commandLines(skill);
    expect(lines.length).toBeGreaterThan(25);
    expect(lines).toEqual(expect.arrayContaining([
      'agent-team workflow run <state-file> --wait --json',
      'agent-team role create qa --description "Writes and runs the acceptance tests"',
      'agent-team workflow create feature --preset dev-first --create-roles',
    ]));
  });

  it('every line is a real command with real options and operands', () => {
    const program = makeProgram();
    expect(commandLines(skill).flatMap((l) => checkLine(l, program))).toEqual([]);
  });

  it('the checker catches what it must', () => {
    expect(checkLine('agent-team workflow run x --wiat')).toEqual([expect.stringContaining('no option --wiat')]);
    expect(checkLine('agent-team worker frob x')).toEqual([expect.stringContaining('not a command')]);
    expect(checkLine('agent-team reply x')).toEqual([expect.stringContaining('operand')]);
    expect(checkLine('agent-team workflow state next <state-file> extra')).toEqual([expect.stringContaining('operand')]);
    expect(() => checkLine('agent-team workflow state confirm f --node n --outcome a|b')).toThrow(/metacharacter/);
  });

  it('covers what a controller needs', () => {
    for (const topic of ['## Start', 'role create', '--preset', '--cto-role', '--create-roles', 'requirement', '--wait', 'timed_out', '## Where replies arrive', 'needs-input', '## When to ask the person', '## Cancel and clean up', 'worker delete']) {
      expect(skill, topic).toContain(topic);
    }
    for (const kind of ['decide', 'confirm', 'wait', 'blocked', 'act', 'completed']) expect(skill, kind).toContain(`\`${kind}\``);
  });
});

describe('packaging and PATH', () => {
  it('ships an MIT LICENSE, as package.json says', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(existsSync(`${ROOT}LICENSE`)).toBe(true);
    expect(readFileSync(`${ROOT}LICENSE`, 'utf8')).toMatch(/^MIT License\n/);
  });

  it('the README says how to put agent-team on PATH outside this repository', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = readme.split(/^### /m).find((s) => s.startsWith('Put `agent-team` on PATH')) ?? '';
    expect(section).toContain('npm link');
    expect(section).toContain('npx agent-team');
    expect(section).toContain('agent-team --version');
  });
});

/**
 * The skill and the CLI must agree: every command line `workflow state next` prints (commands, choices,
 * then) must be one skills/agent-team/SKILL.md teaches in its command table — the same subcommand path
 * and only flags that the table's row for that path shows. The subcommand path of a printed line is read
 * with the CLI's own command tree (commander), not with the skill, so a command the skill lacks is caught.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { expect } from 'vitest';
import { makeProgram } from '../../src/cli/program.js';

/** Absolute path of the controller skill. */
export const SKILL = fileURLToPath(new URL('../../skills/agent-team/SKILL.md', import.meta.url));

/** One row of the skill's command table: `agent-team <path…> <args> --flags`. */
export interface SkillRow {
  text: string;
  path: string;
  flags: string[];
}

/** The rows of the "Commands you will run" table of `markdown` (SKILL.md). */
export function skillRows(markdown = readFileSync(SKILL, 'utf8')): SkillRow[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Commands you will run')) ?? '';
  const rows: SkillRow[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*`(agent-team [^`]*)`\s*\|/.exec(line);
    if (!m) continue;
    const text = m[1] as string;
    const words = text.split(/\s+/).slice(1);
    const path: string[] = [];
    for (const w of words) {
      if (!/^[a-z][a-z-]*$/.test(w)) break;
      path.push(w);
    }
    rows.push({ text, path: path.join(' '), flags: [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])] });
  }
  return rows;
}

/** A printed command line taken apart: its subcommand path (per the CLI's tree) and its flags. */
export interface PrintedCommand {
  line: string;
  path: string;
  flags: string[];
  /** Whether the path ends at a runnable command (no further subcommands). */
  leaf: boolean;
}

const program = makeProgram();

/** Parses `line` (`agent-team …`, shell-quoted). Throws when it does not start with `agent-team` or is not valid shell. */
export function parsePrinted(line: string): PrintedCommand {
  const words = shellWords(line);
  if (words[0] !== 'agent-team') throw new Error(`not an agent-team command: ${line}`);
  let cmd: Command = program;
  const path: string[] = [];
  for (const w of words.slice(1)) {
    const sub = cmd.commands.find((c) => c.name() === w);
    if (!sub) break;
    cmd = sub;
    path.push(w);
  }
  const flags = [...new Set(words.filter((w) => w.startsWith('--')).map((w) => w.split('=')[0] as string))];
  return { line, path: path.join(' '), flags, leaf: cmd.commands.length === 0 && path.length > 0 };
}

/** Problems with one printed line against the skill's rows (empty when the skill teaches it). */
export function untaught(line: string, rows: SkillRow[] = skillRows()): string[] {
  const printed = parsePrinted(line);
  if (!printed.leaf) return [`${line}: "agent-team ${printed.path}" is not a command of the CLI`];
  const mine = rows.filter((r) => r.path === printed.path);
  if (mine.length === 0) return [`${line}: the skill's command table has no "agent-team ${printed.path}"`];
  const taught = new Set(mine.flatMap((r) => r.flags));
  return printed.flags.filter((f) => !taught.has(f)).map((f) => `${line}: the skill's row for "agent-team ${printed.path}" does not show ${f}`);
}

/** Every command line of a `next` document: commands, choices, then, and the reply_template. */
export function printedLines(step: { commands?: string[]; choices?: { command: string }[]; then?: string[]; reply_template?: string | null }): string[] {
  return [...(step.commands ?? []), ...(step.choices ?? []).map((c) => c.command), ...(step.then ?? []), ...(step.reply_template ? [step.reply_template] : [])];
}

/** Subcommand paths of every line checked so far (for coverage assertions): a test file that asserts on them clears them in its beforeAll, since e2e test files may share one process. */
export const seenPaths = new Set<string>();

/** Asserts that every command line of `step` is taught by the skill (see module comment). */
export function expectTaught(step: { commands?: string[]; choices?: { command: string }[]; then?: string[]; reply_template?: string | null }): void {
  const rows = skillRows();
  const problems: string[] = [];
  for (const line of printedLines(step)) {
    problems.push(...untaught(line, rows));
    seenPaths.add(parsePrinted(line).path);
  }
  expect(problems, 'printed commands the skill does not teach').toEqual([]);
}

/**
 * Splits a POSIX shell line into words (single quotes, double quotes, backslashes). Throws on an
 * unquoted shell metacharacter: a printed command must be safe to paste into a shell as is.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '$' && line[i + 1] === "'") {
      // bash's ANSI-C quoting, which agent-team uses for text holding a newline or another control character
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'" };
      let j = i + 2;
      for (; j < line.length && line[j] !== "'"; j++) {
        if (line[j] !== '\\') word += line[j];
        else if (line[j + 1] === 'x') {
          word += String.fromCharCode(Number.parseInt(line.slice(j + 2, j + 4), 16));
          j += 3;
        } else {
          const e = escapes[line[j + 1] ?? ''];
          if (e === undefined) throw new Error(`unknown escape \\${line[j + 1] ?? ''} in $'…' in: ${line}`);
          word += e;
          j++;
        }
      }
      if (j >= line.length) throw new Error(`unterminated $' in: ${line}`);
      i = j;
      inWord = true;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j++;
        else if ('$`'.includes(line[j] as string)) throw new Error(`expansion inside double quotes in: ${line}`);
        word += line[j];
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      i = j;
      inWord = true;
    } else if (c === '\\') {
      word += line[i + 1] ?? '';
      i++;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('|&;<>()$`*?[]{}!'.includes(c) || ('#~'.includes(c) && !inWord)) {
      throw new Error(`unquoted shell metacharacter ${JSON.stringify(c)} in: ${line}`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

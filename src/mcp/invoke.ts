/**
 * Runs one agent-team command in-process through the CLI's own command tree (same parsing, defaults,
 * choices and handlers as `agent-team … --json`) and returns what the CLI would print with `--json`:
 * the JSON document and the exit code, or the error document of a failure (src/cli/error-document.ts).
 */
import { CommanderError } from 'commander';
import { errorDocument } from '../cli/error-document.js';
import { captureResults } from '../cli/lazy.js';
import type { CommandResult } from '../cli/output.js';
import { exitOverrideDeep, makeProgram } from '../cli/program.js';
import { EXIT, type ExitCode } from '../errors.js';

/** What a command produced: the `--json` document, the exit code, and stderr's warnings. */
export interface Invocation {
  json: unknown;
  exitCode: ExitCode;
  warnings: string[];
}

const silent = { writeOut: () => undefined, writeErr: () => undefined };

/** One command line, taken apart: the subcommand path, option words, then operands (after `--`). */
export interface CommandLine {
  /** e.g. `['workflow', 'state', 'next']`. */
  path: string[];
  /** e.g. `['--node', 'build', '--force']`. */
  options?: string[];
  /** Positional arguments; passed after `--`, so a message starting with `-` stays a message. */
  operands?: string[];
}

/**
 * Runs `agent-team <path…> <options…> --json -- <operands…>` in this process. Never throws for a failing
 * command: a refused transition is `{ ok: false, error }` with exit 1, a usage error exit 2 (`usage`).
 */
export async function invokeCommand(line: CommandLine): Promise<Invocation> {
  const words = [...line.path, ...(line.options ?? []), '--json', '--', ...(line.operands ?? [])];
  const program = makeProgram(line.path);
  exitOverrideDeep(program, silent);
  let result: CommandResult | undefined;
  try {
    await captureResults(
      (r) => {
        result = r;
      },
      () => program.parseAsync(['node', 'agent-team', ...words]),
    );
  } catch (err) {
    if (err instanceof CommanderError) {
      return { json: { ok: false, error: { code: 'usage', message: err.message.replace(/^error: /, '') } }, exitCode: EXIT.usage, warnings: [] };
    }
    const doc = errorDocument(err);
    return { json: doc.json, exitCode: doc.exitCode, warnings: [] };
  }
  if (!result) return { json: { ok: false, error: { code: 'usage', message: `agent-team ${line.path.join(' ')} is not a command` } }, exitCode: EXIT.usage, warnings: [] };
  return { json: result.json, exitCode: result.exitCode ?? EXIT.ok, warnings: result.warnings ?? [] };
}

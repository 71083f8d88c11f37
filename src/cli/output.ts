/**
 * What a handler returns and how the CLI prints it: data on stdout (exactly one JSON document with
 * `--json`), messages on stderr, colour only on a TTY and never with NO_COLOR.
 */
import { EXIT, type ExitCode } from '../errors.js';

/** What every handler returns: `json` for `--json`, `text` for people, and an exit code (default 0). */
export interface CommandResult {
  json: unknown;
  text: string;
  exitCode?: ExitCode;
  /** Messages for stderr (both modes), e.g. "template changed since init". */
  warnings?: string[];
}

/** Options every command accepts. */
export interface CommonOptions {
  json?: boolean;
}

/** Whether stdout/stderr may carry ANSI colour: FORCE_COLOR on, NO_COLOR off, else only on a TTY. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;

/** Wraps `text` in an ANSI style when colour is enabled for `stream`. */
export function paint(style: keyof typeof codes, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  if (!colorEnabled(stream)) return text;
  const [open, close] = codes[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Prints a handler's result and returns its exit code. */
export function render(result: CommandResult, options: CommonOptions): ExitCode {
  for (const w of result.warnings ?? []) process.stderr.write(`${paint('yellow', 'warning:', process.stderr)} ${w}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text !== '') process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  return result.exitCode ?? EXIT.ok;
}

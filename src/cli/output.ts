/**
 * What a handler returns and how the CLI prints it: data on stdout (exactly one JSON document with
 * `--json`), messages on stderr, colour only on a TTY and never with NO_COLOR.
 */
import { fstatSync, writeSync } from 'node:fs';
import type { ChalkInstance } from 'chalk';
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

/** A stream to colour-check: a Node stream, or a file descriptor (1 stdout, 2 stderr). */
export type OutputStream = NodeJS.WriteStream | 1 | 2;

/**
 * Whether `fd` is a terminal, without touching `process.stdout`/`stderr` (their getters build a
 * net.Socket or tty.WriteStream, which costs start-up time a controller pays on every command).
 */
function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false; // pipes and files: the common, cheap case
  } catch {
    return false;
  }
  return (fd === 2 ? process.stderr : process.stdout).isTTY === true; // a character device: tell a TTY from /dev/null
}

/** Whether stdout/stderr may carry ANSI colour: FORCE_COLOR on, NO_COLOR off, else only on a TTY. */
export function colorEnabled(stream: OutputStream = 1): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return typeof stream === 'number' ? isTerminal(stream) : stream.isTTY === true;
}

const waitCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes `text` to file descriptor 1 (stdout) or 2 (stderr) synchronously and completely. Direct
 * `fs.writeSync` rather than `process.stdout.write`: same ordering on Linux (where pipe and TTY
 * writes are synchronous anyway) without building the stream objects. Retries while a non-blocking
 * pipe is full; a closed reader (EPIPE, e.g. `| head`) ends the output quietly.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(waitCell, 0, 0, 1);
      else if (code === 'EPIPE') return;
      else throw err;
    }
  }
}

/** The SGR codes (open, close) of the styles {@link paint} uses, as chalk emits them at level 1. */
const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;

/**
 * The chalk instance (16 colours), loaded by {@link loadColour} only when colour is on: chalk's colour
 * detection loads `tty`, `net` and `stream` at import (~2 ms a command, measured), which no pipe needs.
 * The one cache of this module; set once per process.
 */
let chalk: ChalkInstance | undefined;

/**
 * Loads chalk when colour is enabled on stdout or stderr ({@link colorEnabled}); a no-op otherwise.
 * `runCli` awaits it before parsing, so every {@link paint} of a command can colour.
 */
export async function loadColour(): Promise<void> {
  if (chalk !== undefined || !(colorEnabled(1) || colorEnabled(2))) return;
  const { Chalk } = await import('chalk');
  chalk = new Chalk({ level: 1 });
}

/**
 * Wraps `text` in an ANSI style (chalk, 16 colours) when colour is enabled for `stream` ({@link colorEnabled}).
 * Plain text until {@link loadColour} has run (it has in every command; an in-process caller that wants
 * colour awaits it first).
 */
export function paint(style: keyof typeof codes, text: string, stream: OutputStream = 1): string {
  return chalk !== undefined && colorEnabled(stream) ? chalk[style](text) : text;
}

/**
 * Control characters a terminal would act on: C0 (but tab and newline), DEL, C1 (0x80–0x9f: 8-bit CSI,
 * OSC…), and the Unicode bidirectional overrides that reorder what is shown.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The exact SGR sequences {@link paint} emits; only these ESC sequences survive {@link escapeControl} in coloured output. */
const SGR_OR_CONTROL = new RegExp(`(\u001b\\[(?:${[...new Set(Object.values(codes).flat())].join('|')})m)|${CONTROL.source}`, 'g');

/**
 * `text` with every control character shown as an escape (`\x1b`, `\r`, `\u202e`) instead of sent to
 * the terminal, so a stored field (a reason, a summary, a check's output) can never clear the screen,
 * set the title or write the clipboard (OSC 52). Tab and newline stay; with `keepColour`, the colour
 * sequences {@link paint} itself adds stay too (a field that imitates one only changes a colour).
 */
export function escapeControl(text: string, keepColour = false): string {
  const show = (c: string) => {
    const n = c.charCodeAt(0);
    if (n === 0x0d) return '\\r';
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  };
  if (!keepColour) return text.replace(CONTROL, show);
  return text.replace(SGR_OR_CONTROL, (m, sgr: string | undefined) => sgr ?? show(m));
}

/**
 * A JSON document with C1 controls, DEL and bidi overrides escaped too (`JSON.stringify` escapes only
 * C0), so `--json` output shown in a terminal is inert as well. Still valid JSON, same value.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes a message line to stderr with control characters escaped (see {@link escapeControl}). */
export function writeMessage(text: string): void {
  writeOut(2, `${escapeControl(text, colorEnabled(2))}\n`);
}

/** Prints a handler's result and returns its exit code. Text output never carries control characters from data. */
export function render(result: CommandResult, options: CommonOptions): ExitCode {
  for (const w of result.warnings ?? []) writeOut(2, `${paint('yellow', 'warning:', 2)} ${escapeControl(w)}\n`);
  if (options.json) writeOut(1, `${toJsonText(result.json)}\n`);
  else if (result.text !== '') {
    const text = escapeControl(result.text, colorEnabled(1));
    writeOut(1, text.endsWith('\n') ? text : `${text}\n`);
  }
  return result.exitCode ?? EXIT.ok;
}

/**
 * A deep copy of `value` whose object keys are snake_case (`paneId` → `pane_id`), so every `--json`
 * document uses the file formats' naming. Only for domain results whose keys are field names, never
 * for maps keyed by user data (node ids, worker ids).
 */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
}

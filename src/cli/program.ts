/**
 * The CLI program: commander wiring, lazy handler loading and the single error funnel that maps every
 * error to a message (stderr), a JSON error document (stdout, with --json) and an exit code:
 * 0 ok, 1 operation failed, 2 usage error or unreadable input, 130 interrupted.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AgentTeamError, EXIT, osError, type ExitCode } from '../errors.js';
import { setLockWaitReporter } from '../store/lock.js';
import { makeWorkflowCommand } from './commands/workflow.js';
import { makeMcpCommand } from './commands/mcp.js';
import { makeSkillCommand } from './commands/skill.js';
import { makeDoctorCommand } from './commands/doctor.js';
import { makeTrustCommand } from './commands/trust.js';
import { makeWorkerCommand, makeWorkerCommands } from './commands/worker.js';
import { errorDocument } from './error-document.js';
import { Program } from './lazy.js';
import { escapeControl, loadColour, paint, toJsonText, writeMessage, writeOut } from './output.js';
import { hintLabel } from './hint-label.js';

/** The package version, inlined by scripts/bundle.js (esbuild `define`); undefined in the unbundled build. */
declare const AGENT_TEAM_VERSION: string | undefined;

/** package.json's `version`: inlined in the bundle; read from package.json when the unbundled build or a test builds a program. */
function packageVersion(): string {
  if (typeof AGENT_TEAM_VERSION === 'string') return AGENT_TEAM_VERSION;
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Builds the command tree (no handler is imported until its command runs). With `words` (the operands of
 * the command line, e.g. `['workflow', 'state', 'start', 'run.yaml']`), only what they name is built when
 * it is in one of the big groups: the group, and inside `workflow` only the named subcommand (see
 * makeWorkflowCommand). Commander then dispatches exactly as with the whole tree, and a controller's every
 * call skips building ~60 unrelated options. Help, typos and unknown names get the whole tree.
 */
export function makeProgram(words: readonly string[] = []): Program {
  const group = words[0];
  const program = new Program('agent-team')
    .description('Run a team of AI coding agents through a workflow: templates, run-states, workers in git worktrees and terminal panes.')
    .version(packageVersion(), '-v, --version', 'output the version number (-V works too)')
    .option('--debug', 'print stack traces for errors')
    .showSuggestionAfterError(true)
    .exitOverride();
  if (group === 'workflow') program.addCommand(makeWorkflowCommand(words.slice(1)));
  else if (group === 'worker') program.addCommand(makeWorkerCommand());
  else {
    program.addCommand(makeWorkflowCommand());
    for (const cmd of makeWorkerCommands()) program.addCommand(cmd);
    program.addCommand(makeSkillCommand());
    program.addCommand(makeDoctorCommand());
    program.addCommand(makeTrustCommand());
    program.addCommand(makeMcpCommand());
  }
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 operation failed (invalid workflow, refused transition, merge conflict), 2 usage error or unreadable input, 130 interrupted.',
  );
  return program;
}

/** Where commander writes its help, version and usage text (see {@link exitOverrideDeep}). */
interface OutputConfig {
  writeOut: (s: string) => void;
  writeErr: (s: string) => void;
}

/**
 * Commander's help, version and usage errors go through {@link writeOut}, like everything else. With
 * `held` (the `--json` case), help and version text is collected in `held.text` instead, to be printed as
 * one JSON document (`{ok, help}` / `{ok, version}`) so stdout stays machine-readable.
 */
function cliOutput(held?: { text: string }): OutputConfig {
  return {
    writeOut: (s: string) => (held ? void (held.text += s) : writeOut(1, s)),
    writeErr: (s: string) => writeOut(2, s),
  };
}

/**
 * Applies `exitOverride` (errors are thrown as CommanderError, never `process.exit`) and an output
 * config (default: the CLI's) to every subcommand; commander applies them to the root only.
 */
export function exitOverrideDeep(cmd: Command, output: OutputConfig = cliOutput()): void {
  cmd.exitOverride();
  cmd.configureOutput(output);
  for (const sub of cmd.commands) exitOverrideDeep(sub, output);
}

/**
 * One CLI invocation's progress, shared with the entry point's signal handler (src/cli/main.ts):
 * `reported` turns true once the command's outcome (its result, or its error) has been printed. From then
 * on an interrupt changes nothing: the process is only exiting, and a second document or exit 130 would
 * contradict what was printed (issue 11: a written transition reported "interrupted").
 */
export interface CliOutcome {
  reported: boolean;
}

/**
 * Runs the CLI with `argv` (as process.argv) and returns the exit code; prints everything itself and
 * sets `outcome.reported` once it has printed the outcome.
 */
export async function runCli(argv: string[] = process.argv, outcome: CliOutcome = { reported: false }): Promise<ExitCode> {
  // `-v` is the Go (cobra) spelling of --version; `-V` was ours and stays: both before any command word.
  const firstWord = argv.findIndex((a, i) => i >= 2 && !a.startsWith('-'));
  argv = argv.map((a, i) => (a === '-V' && i >= 2 && (firstWord < 0 || i < firstWord) ? '-v' : a));
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const program = makeProgram(argv.slice(2).filter((a) => !a.startsWith('-'))); // root options take no values
  const held = json ? { text: '' } : undefined;
  exitOverrideDeep(program, cliOutput(held));
  await loadColour();
  // Someone waiting for another process's lock is told whom it waits for (the store never prints).
  setLockWaitReporter((message) => writeMessage(`${paint('dim', 'agent-team:', 2)} ${message}`));
  try {
    await program.parseAsync(argv);
    outcome.reported = true;
    return program.exitCode ?? EXIT.ok;
  } catch (err) {
    const code = reportError(err, { json, debug, heldHelp: held?.text });
    outcome.reported = true;
    return code;
  }
}

/**
 * The error funnel: one message line (plus a hint) on stderr, one JSON document with --json (see
 * error-document.ts). `heldHelp`: the help or version text commander wrote while `--json` held it back.
 */
export function reportError(error: unknown, options: { json: boolean; debug: boolean; heldHelp?: string }): ExitCode {
  // fs errors (ENOSPC, EROFS, EACCES, ENAMETOOLONG, EMFILE…) name their file and fix, never "a bug"
  const err = osError(error);
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      if (options.json && options.heldHelp !== undefined) {
        const text = options.heldHelp.trimEnd();
        writeOut(1, `${JSON.stringify(err.code === 'commander.version' ? { ok: true, version: text } : { ok: true, help: text }, null, 2)}\n`);
      }
      return EXIT.ok;
    }
    // commander already printed the message and usage hint
    if (options.json) writeOut(1, `${toJsonText({ ok: false, error: { code: 'usage', message: err.message.replace(/^error: /, '') } })}\n`);
    return EXIT.usage;
  }
  const doc = errorDocument(err);
  writeMessage(`${paint('red', 'error:', 2)} ${escapeControl(doc.json.error.message)}`);
  if (err instanceof AgentTeamError) {
    if (err.hint) writeMessage(`${paint('dim', hintLabel(err.hint), 2)} ${escapeControl(err.hint)}`);
  } else if (!options.debug) writeOut(2, '(this is a bug in agent-team; rerun with --debug for the stack trace)\n');
  if (options.debug && err instanceof Error && err.stack) writeOut(2, `${err.stack}\n`);
  if (options.json) writeOut(1, `${toJsonText(doc.json)}\n`);
  return doc.exitCode;
}

/**
 * Typed errors shared by every layer. Nothing below `src/cli/` prints or exits: it throws one of these,
 * and the CLI's single error funnel (`reportError` in `src/cli/program.ts`) turns it into a message and an exit code.
 *
 * Exit codes (the README's table): 0 ok, 1 the operation failed, 2 usage error or unreadable input,
 * 130 interrupted.
 */

/** Process exit codes used by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Options common to every {@link AgentTeamError}. */
export interface ErrorOptions {
  /** Stable machine-readable code, e.g. `transition_refused`, `unreadable_file`. */
  code?: string;
  /** A command line or action that would work instead (rendered as "try: …"). */
  hint?: string;
  /** Extra structured data, copied into the `--json` error document. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class: a failure with an exit code, a stable code and an optional hint. */
export class AgentTeamError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, exitCode: ExitCode, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.code = options.code ?? 'failed';
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Bad arguments or names: exit 2. */
export class UsageError extends AgentTeamError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, EXIT.usage, { code: 'usage', ...options });
  }
}

/**
 * A file that is missing, not YAML, or does not match its schema: exit 2. The file is never written
 * after this error. `file` is the path as given; `problem` is the first problem found.
 */
export class UnreadableFileError extends AgentTeamError {
  readonly file: string;
  constructor(file: string, problem: string, options: ErrorOptions = {}) {
    super(`${file}: ${problem}`, EXIT.usage, { code: 'unreadable_file', ...options, details: { file, ...options.details } });
    this.file = file;
  }
}

/** The operation was understood but could not be done (refused transition, merge conflict…): exit 1. */
export class OperationError extends AgentTeamError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, EXIT.failed, { code: 'failed', ...options });
  }
}

/** A workflow transition that does not apply to the run-state as it is: exit 1, file unchanged. */
export class TransitionError extends OperationError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { code: 'transition_refused', ...options });
  }
}

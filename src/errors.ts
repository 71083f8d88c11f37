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

/**
 * Every stable error code an {@link AgentTeamError} carries (the `code` of the `--json` error document),
 * grouped by where it is thrown. A code is part of the interface: scripts and the controller skill
 * branch on it, so one is added here, never renamed.
 */
export type ErrorCode =
  // any layer
  | 'failed'
  | 'usage'
  | 'timeout'
  | 'interrupted'
  | 'internal_error'
  | 'invalid_name'
  // the CLI (src/cli/)
  | 'declined'
  | 'invalid_duration'
  | 'unreadable_input'
  | 'global_role_needs_confirmation'
  // files and OS errors (src/store/, osError below)
  | 'unreadable_file'
  | 'file_changed'
  | 'file_too_large'
  | 'is_a_directory'
  | 'not_a_regular_file'
  | 'lock_timeout'
  | 'yaml_alias_limit'
  | 'no_space'
  | 'read_only'
  | 'permission_denied'
  | 'name_too_long'
  | 'too_many_open_files'
  | 'io_error'
  | 'not_a_directory'
  | 'symlink_loop'
  // templates, run-states and transitions (src/workflow/)
  | 'transition_refused'
  | 'invalid_workflow'
  | 'template_unusable'
  | 'invalid_run_state'
  | 'invalid_param'
  | 'missing_param'
  | 'unknown_param'
  | 'unknown_preset'
  | 'unknown_node'
  | 'unknown_next_node'
  | 'unknown_outcome'
  | 'missing_outcome'
  | 'missing_reason'
  | 'not_current_node'
  | 'node_not_started'
  | 'requires_confirmation'
  | 'no_confirmation_required'
  | 'run_completed'
  | 'run_cancelled'
  | 'workflow_file_outside'
  | 'not_reassignable'
  | 'exists'
  // git (src/git/)
  | 'git_failed'
  | 'merge_conflict'
  | 'merge_failed'
  | 'update_conflict'
  | 'archive_failed'
  | 'restore_failed'
  | 'forecast_failed'
  | 'train_conflict'
  | 'train_check_failed'
  | 'train_failed'
  | 'unknown_branch'
  | 'worktree_exists'
  | 'would_overwrite_untracked'
  // workers, roles, changes, providers (src/worker/)
  | 'not_a_repository'
  | 'unknown_worker'
  | 'unknown_role'
  | 'role_exists'
  | 'unknown_provider'
  | 'provider_not_installed'
  | 'invalid_model'
  | 'invalid_config'
  | 'invalid_change'
  | 'unknown_change'
  | 'unknown_event'
  | 'control_characters'
  | 'dirty_tree'
  | 'interrupted_merge'
  | 'merge_running'
  | 'integration_checked_out'
  | 'uncommitted_work'
  | 'unmerged_commits'
  | 'unsaved_commits'
  | 'no_branch'
  | 'worktree_locked'
  | 'role_prompt_in_branch'
  | 'not_in_worktree'
  | 'not_running'
  | 'not_agent'
  | 'agent_exited'
  | 'agent_not_started'
  | 'not_delivered'
  | 'delivery_in_progress'
  | 'no_controller_pane'
  | 'controller_gone'
  | 'controller_not_agent'
  // trust (src/trust/)
  | 'untrusted_project'
  | 'trust_changed'
  | 'invalid_trust_file'
  | 'template_outside_project'
  // session backends (src/session/)
  | 'unknown_backend'
  | 'not_installed'
  | 'bad_pane_id'
  | 'pane_gone'
  | 'pane_exists'
  | 'cwd_missing'
  | 'fifo_failed'
  | 'spawn_failed'
  | 'tmux_failed'
  | 'wezterm_failed';

/** Options common to every {@link AgentTeamError}. */
export interface ErrorOptions {
  /** Stable machine-readable code, e.g. `transition_refused`, `unreadable_file`. */
  code?: ErrorCode;
  /** A command line or action that would work instead (rendered as "try: …"). */
  hint?: string;
  /** Extra structured data, copied into the `--json` error document. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class: a failure with an exit code, a stable code and an optional hint. */
export class AgentTeamError extends Error {
  readonly exitCode: ExitCode;
  readonly code: ErrorCode;
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

/** What each OS error means for the user, and what fixes it: code, problem and hint (`{path}` = the file). */
const OS_ERRORS: Record<string, { code: ErrorCode; problem: string; hint: string }> = {
  ENOSPC: {
    code: 'no_space',
    problem: 'no space left on the device (the disk is full, or it has no free inodes)',
    hint: 'free space (df -h) or inodes (df -i) on the file system holding {path}, then retry; nothing was half-written',
  },
  EDQUOT: { code: 'no_space', problem: 'the disk quota is exceeded', hint: 'free space within your quota on the file system holding {path}, then retry' },
  EROFS: { code: 'read_only', problem: 'the file system is read-only', hint: 'run agent-team in a writable checkout (or remount {path} read-write)' },
  EACCES: { code: 'permission_denied', problem: 'permission denied', hint: 'make {path} (and its folder) readable and writable for this user, or run as the user who owns it' },
  EPERM: { code: 'permission_denied', problem: 'operation not permitted', hint: 'make {path} (and its folder) writable for this user, or run as the user who owns it' },
  ENAMETOOLONG: { code: 'name_too_long', problem: 'the file name is too long for the file system', hint: 'use a shorter name (run ids and worker ids become file names; keep them under ~200 characters)' },
  EMFILE: { code: 'too_many_open_files', problem: 'too many open files in this process', hint: 'raise the limit (ulimit -n 4096) and retry' },
  ENFILE: { code: 'too_many_open_files', problem: 'too many open files on this system', hint: 'close other programs or raise fs.file-max, then retry' },
  EIO: { code: 'io_error', problem: 'input/output error from the device', hint: 'check the disk holding {path} (dmesg), then retry' },
  ENOTDIR: { code: 'not_a_directory', problem: 'a part of the path is a file, not a folder', hint: 'check the path {path}' },
  ELOOP: { code: 'symlink_loop', problem: 'too many levels of symbolic links', hint: 'fix the symbolic links on the path {path}' },
};

/**
 * Whether `err` is an {@link AgentTeamError} with code `code` (one of them when given several): the
 * checked way to branch on an error caught as `unknown`.
 */
export function hasCode(err: unknown, ...codes: ErrorCode[]): err is AgentTeamError {
  return err instanceof AgentTeamError && codes.includes(err.code);
}

/** Whether `err` is an fs/OS error with one of the errno codes {@link osError} explains. */
export function isKnownOsError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in OS_ERRORS;
}

/**
 * Turns an fs/OS error (ENOSPC, EROFS, EACCES, ENAMETOOLONG, EMFILE…) into an {@link OperationError}
 * (exit 1) whose message names `file` (default: the error's own `path`) and what happened, with a hint
 * that fixes it; `action` says what agent-team was doing ("cannot write …"). Other errors (and
 * AgentTeamErrors) are returned unchanged.
 */
export function osError(err: unknown, file?: string, action?: string): unknown {
  if (err instanceof AgentTeamError || !isKnownOsError(err)) return err;
  const known = OS_ERRORS[err.code as string] as (typeof OS_ERRORS)[string];
  const path = file ?? err.path ?? (err as { dest?: string }).dest ?? 'the file';
  const head = action ?? `cannot ${err.syscall ?? 'access'} ${path}`;
  return new OperationError(`${head}: ${known.problem} (${err.code})`, {
    code: known.code,
    hint: known.hint.replaceAll('{path}', path),
    details: { file: path, errno: err.code },
    cause: err,
  });
}

/**
 * The provider adapter contract: what agent-team knows about one agent CLI (claude, codex, gemini,
 * opencode, agy). Facts come from running the real CLIs (docs: /work/shared/provider-notes.md, README
 * "Providers"); each adapter is one module, and {@link ADAPTERS} in index.ts keys them by name.
 */

/**
 * Events a worker's hooks report through `agent-team worker event <id> <event>` (payload JSON on stdin),
 * plus `launch`, written by `worker open` itself. Adapters map their CLI's own hook names onto these.
 */
export const WORKER_EVENTS = ['launch', 'session-start', 'prompt-submit', 'busy', 'turn-end', 'turn-failed', 'needs-input', 'notification', 'session-end'] as const;
/** One of {@link WORKER_EVENTS}. */
export type WorkerEvent = (typeof WORKER_EVENTS)[number];

/** A blocking screen agent-team never answers (no Enter is ever sent while one shows). */
export interface DialogRecogniser {
  /** `trust`, `login`, `consent` (bypass-permissions warning), `setup`. */
  kind: 'trust' | 'login' | 'consent' | 'setup';
  /** What the user sees, for messages: "claude's trust-this-folder dialog". */
  name: string;
  /** Matched against the pane's visible lines (ANSI stripped). */
  pattern: RegExp;
}

/** What an adapter needs to build one launch command line. */
export interface LaunchInput {
  /** The launch command without flags of ours: built-in or from `.agents/config.yaml`, `--model` appended. */
  base: string;
  /** Shell word (already quoted) that runs the worker's hook script: `'/…/.agents/workers/dev-001/hook'`. */
  hook: string;
  /** The hook script's absolute path, unquoted (for files that run it themselves, e.g. opencode's plugin). */
  hookPath: string;
  /** The user's home folder (gemini's per-worker settings home starts from the user's `~/.gemini`). */
  home: string;
  /** Absolute folder for the worker's generated files (`.agents/workers/<id>/`). */
  stateDir: string;
  /** The worker's worktree (for files the CLI only reads there, e.g. opencode plugins). */
  worktree: string;
  /** Shell word that expands to the first task (e.g. `"$(cat '/…/task.txt')"`), when there is one. */
  task?: string;
  /** Session to resume (recorded earlier), or undefined for a new conversation. */
  resume?: string;
  /** Session id chosen up front for a new conversation (only where {@link ProviderAdapter.chooseSessionId}). */
  newSessionId?: string;
}

/** A launch command line and the files written for it. */
export interface LaunchPlan {
  /** Typed into the pane's shell: safe to paste into bash as printed. */
  command: string;
  /** Files written for the hooks (settings, plugin), absolute. */
  files: string[];
  /** Set when the CLI cannot resume the recorded session: why (the launch starts a new one). */
  resumeNote?: string;
  /** Anything else the user should know about this launch (e.g. hooks that could not be installed). */
  warnings?: string[];
}

/** One agent CLI. See the module comment. */
export interface ProviderAdapter {
  /** `claude`, `codex`, `gemini`, `opencode`, `agy`. */
  readonly name: string;
  /** The built-in launch command (Go `internal/role.go`; agy ours). */
  readonly launch: string;
  /** Executable looked up on PATH before a pane is made. */
  readonly binary: string;
  /** The npm package the CLI comes from (for `npm run test:providers`), when it is on the registry. */
  readonly npmPackage?: string;
  /** Recognised blocking screens. */
  readonly dialogs: readonly DialogRecogniser[];
  /** The agent's input prompt is on screen: it accepts typed text. */
  readonly readyMarker: RegExp;
  /**
   * A line of the agent's own prompt area (its input box's frame, its input line or its footer), tested
   * line by line. A dialog is recognised only below the last such line on screen: above it is the
   * conversation, whose words ("Please run /login" in an earlier reply) are no dialog (worker/activity.ts).
   */
  readonly promptLine: RegExp;
  /** Pause between pasting text and pressing Enter, ms (gemini drops an Enter 0 ms after a paste). */
  readonly submitDelayMs: number;
  /** Bound on the agent reaching its prompt (or a dialog) after launch, ms. */
  readonly startBoundMs: number;
  /**
   * Whether its hooks report `session-start`: then only that event means ready (codex draws its prompt
   * for a moment before its sign-in chooser replaces it), else the {@link readyMarker} on screen does.
   */
  readonly reportsStart: boolean;
  /** Whether its hooks report `prompt-submit`/`busy` (typed delivery confirmed by event, else by screen). */
  readonly confirmsPrompt: boolean;
  /** Whether {@link buildLaunch} puts `input.task` on the command line (else the first task is typed). */
  readonly taskOnCommandLine: boolean;
  /** Whether a new conversation's id is chosen by agent-team (claude `--session-id`). */
  readonly chooseSessionId: boolean;
  /** Builds the launch command: hooks, session (new or resumed) and first task. Writes hook files. */
  buildLaunch(input: LaunchInput): LaunchPlan;
}

/**
 * Checks before anything reaches a pane, so typed text never runs as a shell command: the provider's
 * binary is installed (before a pane exists), the agent really started and stayed up (after the launch
 * command), and the agent — not a shell — holds the pane's terminal (right before typing a task or a
 * reply). Each refusal is an OperationError (exit 1) with the pane's last lines.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { OperationError } from '../errors.js';
import type { PaneForeground, PaneOwner, SessionBackend } from '../session/backend.js';
import { shellQuote, shellWords } from '../shell-quote.js';
import { WaitTimeoutError, waitFor } from '../session/wait.js';
import { pacedWait } from './paced-wait.js';
import { updateWorkerConfig } from './config.js';
import { workerPaths } from './paths.js';

/** How many of the pane's last lines a refusal shows. */
export const PANE_LINES = 15;

/** Install hints for the built-in providers' binaries (package names as the npm registry spells them). */
const INSTALL_HINTS: Readonly<Record<string, string>> = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  gemini: 'npm install -g @google/gemini-cli',
  opencode: 'npm install -g opencode-ai',
};

/**
 * Screens an agent prints when it quits right after starting, and what to do. claude refuses
 * `--dangerously-skip-permissions` as root unless `IS_SANDBOX=1` (provider-notes.md, claude 2.1.197).
 */
const EARLY_EXIT_HINTS: ReadonlyArray<{ pattern: RegExp; hint: (id: string) => string }> = [
  {
    pattern: /cannot be used with root\/sudo privileges/i,
    hint: (id) => `run agent-team as a normal user, or let claude allow it as root with IS_SANDBOX=1: IS_SANDBOX=1 agent-team worker open ${id}`,
  },
  {
    // the recorded conversation was never saved by the CLI (gemini 0.61 exits 42 with these words)
    pattern: /Error resuming session|No previous sessions found|Invalid session identifier|No conversation found with session ID/i,
    hint: (id) => `the agent cannot resume its recorded conversation; start a new one: agent-team worker open ${id} --fresh`,
  },
];

/**
 * The program a launch command runs: its first shell word, after `NAME=value` assignments and an `env`
 * prefix (with its options and assignments), with quotes and backslashes removed. Undefined for an
 * empty command.
 */
export function launchBinary(command: string): string | undefined {
  const words = shellWords(command);
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? '')) i++;
  if (words[i] === 'env') {
    i++;
    while (i < words.length && (/^-/.test(words[i] ?? '') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? ''))) i++;
  }
  return words[i];
}

/** Whether `binary` runs: a path (relative to `cwd`) to an executable file, or a name found in `PATH`. */
export function binaryInstalled(binary: string, path: string | undefined, cwd: string): boolean {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) return executable(isAbsolute(binary) ? binary : resolve(cwd, binary));
  return (path ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, binary)));
}

/**
 * Throws OperationError `provider_not_installed` (exit 1) when the program `command` starts is not
 * installed: not on `env.PATH`, or a path that is not an executable file. Run before any pane exists.
 * Aliases and shell functions are not seen (the check does not start a shell).
 */
export function assertProviderInstalled(id: string, provider: string, command: string, env: NodeJS.ProcessEnv, cwd: string): void {
  const binary = launchBinary(command);
  if (binary === undefined) throw new OperationError(`provider ${provider} has an empty launch command`, { code: 'provider_not_installed' });
  if (binaryInstalled(binary, env.PATH, cwd)) return;
  const install = INSTALL_HINTS[provider];
  throw new OperationError(
    `provider ${provider} is not installed: ${binary} is not ${binary.includes('/') ? 'an executable file' : 'on PATH'}; no pane was opened for ${id}`,
    {
      code: 'provider_not_installed',
      hint: install ? `${install}, or choose another provider: agent-team worker open ${id} --provider <name>` : `install ${binary}, or choose another provider: agent-team worker open ${id} --provider <name>`,
      details: { provider, binary, launch_command: command },
    },
  );
}

/** Default of {@link StartCheckOptions.settleMs}, ms: claude 2.1.197 refusing to run as root quits ≈ 0.65 s after it starts. */
export const SETTLE_MS = 1000;

/**
 * A shell back in front of the pane counts as the agent's exit once it held the terminal for this long
 * (ms) and this many polls in a row: a launch line runs other programs before the agent (`$(cat …)`).
 */
const SHELL_GRACE_MS = 300;
const SHELL_POLLS = 3;

/** The settle bound, ms: `AGENT_TEAM_START_SETTLE_MS` when it is a positive number, else {@link SETTLE_MS}. */
export function settleBound(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AGENT_TEAM_START_SETTLE_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : SETTLE_MS;
}

/** Options of {@link awaitAgentStart}. Times in milliseconds. */
export interface StartCheckOptions {
  /** Bound on the agent appearing in the pane's foreground after the launch command (default 15 000). */
  startTimeoutMs?: number;
  /**
   * How long the agent must then hold the foreground to count as started, unless `ready` says so first
   * (default {@link SETTLE_MS}): an agent that quits at once (claude as root) is caught within this
   * bound. Only agents that report nothing (plain providers) wait it out.
   */
  settleMs?: number;
  /** Resolves true once the agent reported it is ready (a provider's event); ends the settle wait early. */
  ready?: () => Promise<boolean>;
  /**
   * Whether the launch command itself has begun (the pane program marks it, see open.ts). Until then a
   * program in front belongs to the shell's start-up files (`pyenv init`, `nvm`…), not to the agent, and
   * the shell coming back after it is not an exit. Without it, any program counts (a typed launch).
   */
  launched?: () => boolean;
  /**
   * Whether the launch command has returned (the pane program marks it, see open.ts): a shell in front
   * then is the agent's exit at once, with no grace for the moment between `cat` of the task and the agent.
   */
  ended?: () => boolean;
  /**
   * The folder where the marks above and the agent's events are written (`.agents/workers/<id>/`): given,
   * the pane is checked again when a file there changes and otherwise at a paced interval (paced-wait.ts)
   * instead of every 15 ms.
   */
  watch?: string;
}

/**
 * Waits until the agent holds the pane's foreground and stays there for `settleMs` (or reports ready).
 * When it never appears within `startTimeoutMs`, or quits within the settle bound, the pane is closed,
 * `pane_id` cleared, and OperationError `agent_exited` / `agent_not_started` is thrown with the pane's
 * last lines (and a fix for known screens, e.g. claude as root). Returns the foreground command seen.
 */
export async function awaitAgentStart(
  root: string,
  backend: SessionBackend,
  paneId: string,
  owner: PaneOwner,
  launch: { provider: string; command: string },
  options: StartCheckOptions = {},
): Promise<string | undefined> {
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const settleMs = options.settleMs ?? SETTLE_MS;
  let seen: PaneForeground | undefined;
  if (options.watch !== undefined) {
    const paced = await pacedStart(backend, paneId, owner, options.watch, startTimeoutMs, settleMs, options);
    if (paced !== undefined && 'started' in paced) return paced.started;
    seen = paced;
  } else {
    try {
      seen = await waitFor(
        async () => {
          const f = await backend.foreground(paneId, owner);
          if (f.kind === 'gone') return f;
          return f.kind === 'program' && (options.launched?.() ?? true) ? f : undefined;
        },
        { timeoutMs: startTimeoutMs, intervalMs: 15, description: `${launch.provider} to start in pane ${paneId}` },
      );
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
    }
  }
  if (seen?.kind === 'program') {
    const settleEnd = Date.now() + (options.watch !== undefined ? 0 : settleMs);
    // `agent … "$(cat task.txt)"` runs cat first: between cat and the agent the shell (or its fork, named
    // like it) holds the terminal for a moment. Only a shell that stays in front is an exit.
    let shellSince: number | undefined;
    let shellPolls = 0;
    for (;;) {
      const f = await backend.foreground(paneId, owner);
      if (f.kind === 'gone') {
        seen = f;
        break;
      }
      if (f.kind !== 'program') {
        shellSince ??= Date.now();
        if (++shellPolls >= SHELL_POLLS && Date.now() - shellSince >= SHELL_GRACE_MS) {
          seen = f;
          break;
        }
      } else {
        shellSince = undefined;
        shellPolls = 0;
        if (Date.now() >= settleEnd || (options.ready !== undefined && (await options.ready()))) return f.command;
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  }
  const lines = await backend.capture(paneId, PANE_LINES).catch(() => []);
  if (seen?.kind !== 'gone') await backend.kill(paneId).catch(() => undefined);
  await updateWorkerConfig(root, owner.workerId, (c) => {
    if (c.pane_id === paneId) c.pane_id = '';
  });
  const screen = lines.join('\n');
  const known = EARLY_EXIT_HINTS.find((h) => h.pattern.test(screen));
  const started = seen !== undefined;
  const what = started ? `${launch.provider} exited right after it started (within ${settleMs} ms)` : `${launch.provider} did not start within ${startTimeoutMs} ms`;
  throw new OperationError(`worker ${owner.workerId}: ${what}; the pane was closed and nothing was typed into it.${screen ? `\nLast lines of the pane:\n${indent(lines)}` : ''}`, {
    code: started ? 'agent_exited' : 'agent_not_started',
    hint: known?.hint(owner.workerId) ?? `run the launch command by hand to see why: cd ${shellQuote(workerPaths(root, owner.workerId).worktree)} && ${launch.command}`,
    details: { pane_id: paneId, provider: launch.provider, launch_command: launch.command, lines },
  });
}

/** How long the shell's start-up files run before the pane is asked whether it died before the launch began, ms. */
const START_FILES_MS = 500;

/** Pauses of the settle wait when no file changed: a shell coming back is seen by the end mark, so only a pane killed from outside waits them out. */
const SETTLE_PACE = { firstMs: 250, maxMs: 1000 };

/**
 * The start check paced by the worker folder's files (see {@link StartCheckOptions.watch}): the agent's
 * command in front (no multiplexer call before the launch began), then held there for `settleMs` or
 * until it reports ready. Returns `started` with the agent's command; else what was seen last, for the
 * caller's verdict: `gone`, a shell (the launch command returned), a program still in front when a
 * shell came back only for a moment (the caller's polling loop then goes on), or undefined (never seen).
 */
async function pacedStart(
  backend: SessionBackend,
  paneId: string,
  owner: PaneOwner,
  watch: string,
  startTimeoutMs: number,
  settleMs: number,
  options: StartCheckOptions,
): Promise<{ started: string | undefined } | PaneForeground | undefined> {
  const since = Date.now();
  const seen = await pacedWait(
    async (woke) => {
      if (options.launched !== undefined && !options.launched()) {
        // the shell's start-up files still run: the pane is asked only whether it died meanwhile
        if (woke !== 'paused' || Date.now() - since < START_FILES_MS) return undefined;
        const f = await backend.foreground(paneId, owner);
        return f.kind === 'gone' ? f : undefined;
      }
      const f = await backend.foreground(paneId, owner);
      return f.kind === 'gone' || f.kind === 'program' || options.ended?.() ? f : undefined;
    },
    { folders: [watch], deadline: Date.now() + startTimeoutMs },
  );
  if (seen?.kind !== 'program') return seen;
  const settleEnd = Date.now() + settleMs;
  let last: PaneForeground = seen;
  // The marks and events say what changes; the pane is asked when they do, else once per paced pause
  // (a pane killed from outside leaves no mark).
  const started = await pacedWait(
    async (woke) => {
      const up = Date.now() >= settleEnd || (options.ready !== undefined && (await options.ready()));
      if (!up && woke !== 'paused' && options.ended?.() !== true) return undefined;
      const f = await backend.foreground(paneId, owner);
      if (f.kind !== 'program') {
        // a shell in front before the launch command returned: the moment between `cat` and the agent
        if (f.kind === 'gone' || options.ended?.()) return f;
        return undefined;
      }
      last = f;
      return up ? { started: f.command } : undefined;
    },
    { folders: [watch], deadline: settleEnd, pace: SETTLE_PACE },
  );
  return started ?? last;
}

/**
 * Throws OperationError `not_agent` (exit 1) unless a program other than a shell holds the pane's
 * terminal: text typed into a shell would run as commands. `what` names the pane in the message
 * (`worker dev-001`, `the controller`); `retry` is the hint. Nothing is typed by this function.
 */
export async function assertAgentInPane(backend: SessionBackend, paneId: string, owner: PaneOwner | undefined, what: string, retry: string): Promise<PaneForeground> {
  const f = await backend.foreground(paneId, owner);
  if (f.kind === 'program') return f;
  const lines = f.kind === 'gone' ? [] : await backend.capture(paneId, PANE_LINES).catch(() => []);
  const why =
    f.kind === 'gone'
      ? `pane ${paneId} no longer exists`
      : f.kind === 'shell'
        ? `pane ${paneId} runs the shell ${f.command ?? ''}`.trimEnd() + ', not an agent (the text would run as shell commands)'
        : `cannot tell what runs in pane ${paneId}`;
  throw new OperationError(`${what}: ${why}; nothing was typed.${lines.length ? `\nLast lines of the pane:\n${indent(lines)}` : ''}`, {
    code: f.kind === 'gone' ? 'not_running' : 'not_agent',
    hint: retry,
    details: { pane_id: paneId, foreground: f.kind, command: f.command ?? null, lines },
  });
}

function indent(lines: string[]): string {
  return lines.map((l) => `  | ${l}`).join('\n');
}

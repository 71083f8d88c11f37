/**
 * Codex CLI (`@openai/codex` 0.171.0). Hooks through `-c hooks.<Event>=[…]` with
 * `--dangerously-bypass-hook-trust` (nothing written to the project or `~/.codex`); `--no-daemon` keeps
 * codex from starting the shared `codex app-server` daemon that outlives the pane and ignores SIGTERM.
 * First task: the positional prompt. Resume: `codex resume <id>` (the session id comes from the
 * SessionStart payload). Screens: "Sign in with ChatGPT" (Enter starts a browser OAuth flow), "Trust
 * this folder? … 1. Trust and continue".
 */
import type { ProviderAdapter } from './types.js';
import { commandLine, hookCommand, shellWord } from './shell.js';

/** Codex's hook names → our event names. */
export const CODEX_HOOKS: Readonly<Record<string, string>> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'prompt-submit',
  Stop: 'turn-end',
  PermissionRequest: 'needs-input',
  SessionEnd: 'session-end',
};

/** A TOML basic string. */
function tomlString(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The `-c` overrides installing one command hook per event (each a shell word). */
export function codexHookArgs(hook: string): string[] {
  return Object.entries(CODEX_HOOKS).flatMap(([name, event]) => ['-c', shellWord(`hooks.${name}=[{hooks=[{type="command",command=${tomlString(hookCommand(hook, event))}}]}]`)]);
}

/** `base` with `resume <id>` inserted after the word that runs codex (its options follow the subcommand). */
function withResume(base: string, id: string): string {
  const words = base.split(' ');
  const at = words.findIndex((w) => /(^|\/)codex$/.test(w));
  if (at < 0) return `${base} resume ${shellWord(id)}`;
  return [...words.slice(0, at + 1), 'resume', shellWord(id), ...words.slice(at + 1)].join(' ');
}

/** The codex adapter. */
export const codex: ProviderAdapter = {
  name: 'codex',
  launch: 'codex --dangerously-bypass-approvals-and-sandbox',
  binary: 'codex',
  npmPackage: '@openai/codex@0.171.0',
  dialogs: [
    { kind: 'login', name: "codex's sign-in chooser", pattern: /Sign in with ChatGPT|Finish signing in via your browser|Provide your own API key/i },
    { kind: 'trust', name: "codex's trust-this-folder dialog", pattern: /Trust this folder\?|Trust and continue|Do you trust the contents of this directory/i },
  ],
  readyMarker: /To get started, describe a task|context left|send\s+\u23ce|\u23ce send|Ctrl\+J newline|\? for shortcuts/i,
  // its footer; its prompt's "›" starts the lines of its dialogs too ("› 1. Trust and continue")
  promptLine: /context left|send\s+\u23ce|\u23ce send|Ctrl\+J newline|\? for shortcuts/i,
  submitDelayMs: 60,
  startBoundMs: 15_000,
  reportsStart: true,
  confirmsPrompt: true,
  taskOnCommandLine: true,
  chooseSessionId: false,
  buildLaunch(input) {
    const base = input.resume ? withResume(input.base, input.resume) : input.base;
    return { command: commandLine(base, '--no-daemon', '--dangerously-bypass-hook-trust', ...codexHookArgs(input.hook), input.task), files: [] };
  },
};

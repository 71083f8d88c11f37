/**
 * Claude Code (`@anthropic-ai/claude-code`; 2.1.197 is the newest that runs on Node 20). Hooks through
 * `--settings <file>` (a per-worker JSON file outside the worktree, so no tracked file changes); a new
 * conversation's id is chosen up front with `--session-id <uuid>` and resumed with `--resume <uuid>`;
 * the first task is the positional prompt. Screens seen: "Accessing workspace … Yes, I trust this
 * folder", "WARNING: Claude Code running in Bypass Permissions mode … 2. Yes, I accept" (default: No,
 * exit), "Select login method".
 */
import { join } from 'node:path';
import type { ProviderAdapter } from './types.js';
import { commandLine, hookCommand, shellWord, writeHookFile } from './shell.js';

/** Claude's hook names → our event names (see types.ts). */
export const CLAUDE_HOOKS: Readonly<Record<string, string>> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'prompt-submit',
  Stop: 'turn-end',
  StopFailure: 'turn-failed',
  Notification: 'notification',
  SessionEnd: 'session-end',
};

/** The `--settings` document: one command hook per event, each running the worker's hook script. */
export function claudeSettings(hook: string): { hooks: Record<string, Array<{ hooks: Array<{ type: 'command'; command: string }> }>> } {
  const hooks: Record<string, Array<{ hooks: Array<{ type: 'command'; command: string }> }>> = {};
  for (const [name, event] of Object.entries(CLAUDE_HOOKS)) hooks[name] = [{ hooks: [{ type: 'command', command: hookCommand(hook, event) }] }];
  return { hooks };
}

/** The claude adapter. */
export const claude: ProviderAdapter = {
  name: 'claude',
  launch: 'claude --dangerously-skip-permissions',
  binary: 'claude',
  npmPackage: '@anthropic-ai/claude-code@2.1.197',
  dialogs: [
    { kind: 'trust', name: "claude's trust-this-folder dialog", pattern: /Yes, I trust this folder|Do you trust the files in this folder/i },
    { kind: 'consent', name: "claude's bypass-permissions warning", pattern: /Bypass Permissions mode[\s\S]*Yes, I accept/i },
    { kind: 'login', name: "claude's login screen", pattern: /Select login method|Paste code here if prompted|Please run \/login/i },
    { kind: 'setup', name: "claude's first-run theme chooser", pattern: /Choose the text style that looks best/i },
  ],
  readyMarker: /\? for shortcuts|bypass permissions on|Try "[^"]*"|^\s*>\s*$/m,
  // 2.1.197 draws its input line "❯\u00a0" between two full-width rules, its footer below them; each of
  // its dialogs starts below a rule of its own (seen in tmux, npm run test:providers)
  promptLine: /^\s*\u2500{8,}\s*$|^\s*[>\u276f]\s*$|\? for shortcuts|bypass permissions on/,
  submitDelayMs: 60,
  startBoundMs: 15_000,
  reportsStart: true,
  confirmsPrompt: true,
  taskOnCommandLine: true,
  chooseSessionId: true,
  buildLaunch(input) {
    const settings = writeHookFile(join(input.stateDir, 'claude-settings.json'), `${JSON.stringify(claudeSettings(input.hook), null, 2)}\n`);
    const session = input.resume ? `--resume ${shellWord(input.resume)}` : input.newSessionId ? `--session-id ${shellWord(input.newSessionId)}` : undefined;
    return { command: commandLine(input.base, '--settings', shellWord(settings), session, input.task), files: [settings] };
  },
};

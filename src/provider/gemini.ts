/**
 * Gemini CLI (`@google/gemini-cli` 0.61.0; retired for individual accounts in June 2026, see agy).
 * Gemini reads hooks only from the user's settings (`~/.gemini/settings.json`; the project's
 * `.gemini/settings.json` fired nothing), so each worker gets its own settings home: `GEMINI_CLI_HOME`
 * (honoured by gemini's `homedir()`) points at `.agents/workers/<id>/gemini-home/`, whose `.gemini/`
 * links every entry of the user's `~/.gemini/` (credentials, trusted folders) except `settings.json`,
 * which is the user's settings plus our hooks. `--skip-trust` (trust the worktree for this session only):
 * in a folder it does not trust, gemini 0.61 registers no hook at all, the user's included
 * (`HookRegistry.processHooksFromConfig`: "Project hooks disabled because the folder is not trusted"),
 * so behind its trust dialog no event ever came. First task: `-i <task>`; resume: `--resume <id>`.
 * A paste followed by Enter 0 ms later stays unsent as "[Pasted Text: N lines]", 50 ms later it is sent.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderAdapter } from './types.js';
import { commandLine, hookCommand, shellWord, writeHookFile } from './shell.js';

/** Gemini's hook names → our event names. */
export const GEMINI_HOOKS: Readonly<Record<string, string>> = {
  SessionStart: 'session-start',
  BeforeAgent: 'prompt-submit',
  AfterAgent: 'turn-end',
  Notification: 'notification',
  SessionEnd: 'session-end',
};

/**
 * Makes `<stateDir>/gemini-home/.gemini/` from the user's `<home>/.gemini/` (links) with `settings.json`
 * = the user's settings (when it parses) plus our hooks. Returns the home folder and the settings file.
 */
export function geminiHome(stateDir: string, home: string, hook: string): { home: string; settings: string } {
  const workerHome = join(stateDir, 'gemini-home');
  const dir = join(workerHome, '.gemini');
  mkdirSync(dir, { recursive: true });
  const userDir = join(home, '.gemini');
  let userSettings: Record<string, unknown> = {};
  if (existsSync(userDir)) {
    for (const name of readdirSync(userDir)) {
      if (name === 'settings.json') continue;
      const target = join(dir, name);
      try {
        if (lstatSync(target).isSymbolicLink()) rmSync(target);
        else continue; // gemini wrote a file of its own here: keep it
      } catch {
        // not there yet
      }
      symlinkSync(join(userDir, name), target);
    }
    try {
      const parsed = JSON.parse(readFileSync(join(userDir, 'settings.json'), 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) userSettings = parsed as Record<string, unknown>;
    } catch {
      // no user settings, or unreadable: ours alone
    }
  }
  const hooks: Record<string, unknown> = { ...((userSettings.hooks as Record<string, unknown> | undefined) ?? {}) };
  for (const [name, event] of Object.entries(GEMINI_HOOKS)) {
    const own = Array.isArray(hooks[name]) ? (hooks[name] as unknown[]) : [];
    hooks[name] = [...own, { hooks: [{ type: 'command', command: hookCommand(hook, event) }] }];
  }
  const settings = writeHookFile(join(dir, 'settings.json'), `${JSON.stringify({ ...userSettings, hooks }, null, 2)}\n`);
  return { home: workerHome, settings };
}

/** The gemini adapter. */
export const gemini: ProviderAdapter = {
  name: 'gemini',
  launch: 'gemini --approval-mode yolo',
  binary: 'gemini',
  npmPackage: '@google/gemini-cli@0.61.0',
  dialogs: [
    { kind: 'trust', name: "gemini's trust-this-folder dialog", pattern: /Do you trust the files in this folder|Trust parent folder/i },
    { kind: 'login', name: "gemini's sign-in chooser", pattern: /How would you like to authenticate|Sign in with Google|Waiting for auth/i },
  ],
  readyMarker: /Type your message|@path\/to\/file/i,
  // its input box's placeholder (its dialogs replace the input box; no ready screen could be seen offline)
  promptLine: /Type your message|@path\/to\/file/i,
  submitDelayMs: 200,
  startBoundMs: 20_000,
  reportsStart: true,
  confirmsPrompt: true,
  taskOnCommandLine: true,
  chooseSessionId: false,
  buildLaunch(input) {
    const { home, settings } = geminiHome(input.stateDir, input.home, input.hook);
    const session = input.resume ? `--resume ${shellWord(input.resume)}` : undefined;
    const skipTrust = input.base.split(/\s+/).includes('--skip-trust') ? undefined : '--skip-trust';
    return { command: commandLine(`GEMINI_CLI_HOME=${shellWord(home)}`, input.base, skipTrust, session, input.task && `-i ${input.task}`), files: [settings] };
  },
};

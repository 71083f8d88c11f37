/**
 * "Never type into a shell": which foreground commands are shells, how a backend's raw facts become a
 * {@link PaneForeground}, and shell quoting for the command lines the backends print (attach hints).
 */
import { basename } from 'node:path';
import type { PaneForeground } from './backend.js';

/**
 * Interactive shells (and shell-like REPLs that run commands) by the name a process table shows: text
 * typed into one of these would run as a command. Login shells appear with a leading `-` (`-bash`).
 */
export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh', 'bash', 'rbash', 'zsh', 'fish', 'dash', 'ash', 'ksh', 'mksh', 'pdksh', 'oksh', 'loksh', 'yash',
  'tcsh', 'csh', 'busybox', 'nu', 'nushell', 'xonsh', 'elvish', 'pwsh', 'powershell', 'rc', 'es', 'ion',
  'osh', 'ysh', 'murex', 'oil',
]);

/** Whether a process name (`bash`, `-zsh`, `/usr/bin/fish`, `bash (deleted)`) is a shell of {@link SHELL_NAMES}. */
export function isShellCommand(command: string): boolean {
  const name = basename(command.trim().split(/\s/)[0] ?? '').replace(/^-/, '');
  return SHELL_NAMES.has(name);
}

/** The foreground of a pane that exists, from the name of the process holding its terminal. */
export function foregroundOf(command: string | undefined): PaneForeground {
  if (command === undefined || command.trim() === '') return { kind: 'unknown' };
  return { kind: isShellCommand(command) ? 'shell' : 'program', command: command.trim() };
}


import { UsageError } from '../errors.js';
import { hasControlChars } from '../session/text.js';

/**
 * Throws UsageError (exit 2) when `text` holds control characters (Ctrl-C, ESC…): typed into a pane they
 * would act on the terminal (interrupt the agent, end a paste) instead of being read. `what` names the
 * argument in the message, e.g. "the message".
 */
export function assertTypable(what: string, text: string): string {
  if (hasControlChars(text)) {
    throw new UsageError(`${what} contains control characters (such as Ctrl-C or ESC), which a terminal would act on; remove them`, { code: 'control_characters' });
  }
  return text;
}

/**
 * The texts typed into panes. Formats follow the Go version (`[New Change Assigned]`,
 * `[Main Controller Reply]`, `[Worker: <id>]`); the assignment message points at the change folder and
 * spells out the completion protocol. Extend here, not in the CLI.
 */

/** What an assignment message says. `changeDir` is relative to the worktree, e.g. `.tasks/changes/<name>/`. */
export interface AssignMessageInput {
  description: string;
  changeDir: string;
  files?: string[];
  /** Extra lines appended before the protocol (e.g. the workflow node being worked on). */
  extra?: string[];
}

/**
 * `[New Change Assigned] <description>`, `Change: <dir>`, what to read, then the completion protocol:
 * commit, then `agent-team reply-main "Task completed: <summary>"`.
 */
export function assignMessage(input: AssignMessageInput): string {
  const files = input.files && input.files.length > 0 ? input.files.join(', ') : 'change.yaml';
  return [
    `[New Change Assigned] ${input.description}`,
    `Change: ${input.changeDir}`,
    `Read ${files} in that folder.`,
    ...(input.extra ?? []),
    'Completion protocol: commit your work, then run: agent-team reply-main "Task completed: <summary>" --status done',
    '(add --outcome <label> when the task names outcomes; blocked: agent-team reply-main "Blocked: <why>" --status blocked;',
    ' need a decision: agent-team reply-main "Need decision: <question>" --status needs-input)',
  ].join('\n');
}

/** `[Main Controller Reply] <message>` (Go `reply`). */
export function controllerReply(message: string): string {
  return `[Main Controller Reply] ${message}`;
}

/** `[Worker: <id>] <message>` (Go `reply-main`). */
export function workerMessage(workerId: string, message: string): string {
  return `[Worker: ${workerId}] ${message}`;
}

/**
 * The lines that give a worker, with its change, the answers it was already given on it (see
 * changes.ts `answers:`), so an agent that restarted or took the change over does not ask again; none
 * when there are no answers.
 */
export function answerLines(answers: readonly { question?: string; text: string }[]): string[] {
  if (answers.length === 0) return [];
  return [
    'The main controller already answered on this change (do not ask again):',
    ...answers.map((a) => (a.question ? `- You asked: ${a.question} Answer: ${a.text}` : `- ${a.text}`)),
  ];
}

/**
 * Role prompts: the text a worker's agent reads at start, and how it reaches the worktree without ever
 * being committable or clobbering project files.
 *
 * The section is wrapped in the Go markers (`<!-- AGENT_TEAM:START -->` … `<!-- AGENT_TEAM:END -->`) and
 * written into each provider's instruction file at the worktree root:
 * - `CLAUDE.md`, `AGENTS.md`, `GEMINI.md` when the project does not track that file (an untracked file of
 *   the same name gets the section replaced or prepended, as the Go version does);
 * - when the project tracks it, the tracked file is left alone and a side file the provider also reads
 *   is written instead: `CLAUDE.local.md` (Claude Code loads it next to CLAUDE.md) and
 *   `AGENTS.override.md` (Codex reads it instead of AGENTS.md, so it holds the section followed by the
 *   project's AGENTS.md). Gemini has no side file: a warning says the prompt was not installed for it.
 * Every file written is excluded for that worktree only (see exclude.ts), together with `/.tasks/`; `worker merge` additionally refuses branches whose history carries the marker.
 */
import { existsSync } from 'node:fs';
import { readTextFile } from '../store/read-file.js';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { trackedFiles } from '../git/repo.js';
import { addExcludes, addWorktreeExcludes } from './exclude.js';

/** Start marker of the injected section (Go `InjectRolePromptWithPath`). */
export const PROMPT_START = '<!-- AGENT_TEAM:START -->';
/** End marker of the injected section. */
export const PROMPT_END = '<!-- AGENT_TEAM:END -->';

/** Files that may carry the role prompt; none of them may reach a merge. */
export const PROMPT_FILES = ['CLAUDE.md', 'AGENTS.md', 'GEMINI.md', 'CLAUDE.local.md', 'AGENTS.override.md'] as const;

/** Worktree paths (gitignore patterns) always excluded in worker worktrees. */
export const ALWAYS_EXCLUDED = ['/.tasks/'];

/**
 * Main-worktree runtime folders excluded too: nested worker worktrees (which `git add -A` in the main
 * worktree would otherwise add as embedded repositories) and `.agents/workers/` (pane ids, FIFOs, logs).
 * `worktreeDir` is the worktree base relative to the root, e.g. `.worktrees`.
 */
export function runtimeExcludes(worktreeDir: string): string[] {
  return [`/${worktreeDir}/`, '/.agents/workers/'];
}

/** What the prompt says about the worker's environment. */
export interface PromptContext {
  workerId: string;
  role: string;
  /** The role's own text (system.md or SKILL.md body); may be empty. */
  roleText: string;
  roleDescription?: string;
  worktree: string;
  branch: string;
  root: string;
}

/** The full role prompt (without markers): role text, environment, git rules, completion protocol. */
export function buildRolePrompt(c: PromptContext): string {
  const parts = [`# System Prompt: ${c.role}`, '', `You are the ${c.role} role, worker ${c.workerId} of an agent-team.`];
  if (c.roleDescription) parts.push('', `Primary objective: ${c.roleDescription}`);
  if (c.roleText) parts.push('', c.roleText);
  parts.push(
    '',
    '## Development Environment',
    '',
    `- Worker id: ${c.workerId}`,
    `- Working directory: ${c.worktree}`,
    `- Branch: ${c.branch}`,
    `- Main project root: ${c.root} (read it if you need to; never edit it)`,
    '- Assigned changes: `.tasks/changes/<change>/` in this worktree: `change.yaml`, and `proposal.md` / `design.md` when given',
    '',
    '### Git Rules',
    '',
    `- Work and commit only in this worktree, on ${c.branch}. Never check out, reset, merge into or push any other branch; the controller merges your branch.`,
    '- Commit only the files of your change. Never commit `CLAUDE.md`, `AGENTS.md`, `GEMINI.md`, `CLAUDE.local.md`, `AGENTS.override.md` or `.tasks/`: they are agent-team files (git-excluded here); a branch carrying them is refused at merge.',
    '',
    '### Task Completion Protocol (the `worker-reply-main` skill in this worktree has the details)',
    '',
    '1. Commit your work (only the files of the change).',
    '2. Run: agent-team reply-main "Task completed: <summary>" --status done',
    '   When the task names outcomes (e.g. passed / failed), add exactly one: --outcome <label>',
    '',
    'If you are blocked, run: agent-team reply-main "Blocked: <what stops you>" --status blocked',
    'If you need a decision, run: agent-team reply-main "Need decision: <problem or options>" --status needs-input',
    'Messages from the controller arrive as lines starting with `[Main Controller Reply]`.',
  );
  return parts.join('\n');
}

/** `content` wrapped in the markers. */
export function wrapSection(content: string): string {
  return `${PROMPT_START}\n${content}\n${PROMPT_END}`;
}

/** `existing` with its marked section replaced by `section`, or `section` prepended (Go behaviour). */
export function injectSection(existing: string | undefined, section: string): string {
  if (existing === undefined || existing === '') return `${section}\n`;
  const start = existing.indexOf(PROMPT_START);
  const end = existing.indexOf(PROMPT_END, start);
  if (start >= 0 && end >= 0) return existing.slice(0, start) + section + existing.slice(end + PROMPT_END.length);
  return `${section}\n\n${existing}`;
}

/** What {@link installRolePrompt} did: files written (worktree-relative), tracked files left alone, warnings. */
export interface InstallResult {
  written: string[];
  leftAlone: string[];
  excludeFile: string;
  warnings: string[];
}

const read = (path: string): string | undefined => (existsSync(path) ? readTextFile(path, 'prompt file') : undefined);

/**
 * Writes the role prompt into the worktree as described in the module comment and excludes what it
 * wrote plus `ownExcludes` for this worktree only, and `extraExcludes` in the shared exclude file. `provider` only decides which warnings matter. Throws OperationError on git or I/O failure.
 */
export async function installRolePrompt(worktree: string, prompt: string, provider: string, extraExcludes: string[] = [], ownExcludes: string[] = []): Promise<InstallResult> {
  const section = wrapSection(prompt);
  const tracked = new Set(await trackedFiles(worktree, [...PROMPT_FILES]));
  const result: InstallResult = { written: [], leftAlone: [], excludeFile: '', warnings: [] };
  const write = (name: string, content: string) => {
    writeFileAtomicSync(join(worktree, name), content);
    result.written.push(name);
  };
  // decide everything first, then exclude before writing, so no window shows them as untracked
  const plan: Array<[string, string]> = [];
  for (const name of ['CLAUDE.md', 'AGENTS.md', 'GEMINI.md']) {
    if (!tracked.has(name)) {
      plan.push([name, injectSection(read(join(worktree, name)), section)]);
      continue;
    }
    result.leftAlone.push(name);
    const side = name === 'CLAUDE.md' ? 'CLAUDE.local.md' : name === 'AGENTS.md' ? 'AGENTS.override.md' : undefined;
    if (side && !tracked.has(side)) {
      const content = side === 'AGENTS.override.md' ? `${section}\n\n${read(join(worktree, name)) ?? ''}` : injectSection(read(join(worktree, side)), section);
      plan.push([side, content]);
    } else if (name === 'GEMINI.md' && provider === 'gemini') {
      result.warnings.push('GEMINI.md is tracked by the project, so the role prompt was not installed for gemini (the tracked file is left unchanged)');
    } else if (side && (provider === 'claude' || provider === 'codex' || provider === 'opencode')) {
      result.warnings.push(`${name} and ${side} are tracked by the project, so the role prompt was not installed for ${provider}`);
    }
  }
  if (tracked.has('AGENTS.md') && provider === 'opencode') {
    result.warnings.push('AGENTS.md is tracked by the project; opencode does not read AGENTS.override.md, so it sees the project file without the role prompt');
  }
  if (extraExcludes.length) await addExcludes(worktree, extraExcludes);
  result.excludeFile = await addWorktreeExcludes(worktree, [...ALWAYS_EXCLUDED, ...ownExcludes, ...plan.map(([name]) => `/${name}`)]);
  for (const [name, content] of plan) write(name, content);
  return result;
}

/**
 * `agent-team skill install`: copies the shipped skills (`skills/<name>/`, Agent Skills format: a folder
 * with SKILL.md + references/) to where each provider looks for skills, in the project or globally.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { trackedFiles } from '../git/repo.js';
import { findRepoRoot } from '../store/paths.js';
import { shellQuote } from '../shell-quote.js';
import { addExcludes } from './exclude.js';

/** Absolute path of the package's `skills/` folder. */
export const SKILLS_DIR = fileURLToPath(new URL('../../skills/', import.meta.url));

/** Providers whose skill folders we know. */
export const SKILL_PROVIDERS = ['claude', 'codex', 'gemini', 'opencode'] as const;
/** One of {@link SKILL_PROVIDERS}. */
export type SkillProvider = (typeof SKILL_PROVIDERS)[number];

/**
 * The folder holding skill folders for `provider`: project scope relative to `root`, global scope under
 * the home folder (`$HOME`). Sources: Claude Code `.claude/skills`, Codex `.agents/skills`, Gemini CLI
 * `.gemini/skills`, OpenCode `.opencode/skills` (global `~/.config/opencode/skills`).
 */
export function skillsTarget(provider: SkillProvider, scope: { global: boolean; root: string; home?: string }): string {
  const home = scope.home ?? process.env.HOME ?? homedir();
  if (scope.global) {
    return {
      claude: join(home, '.claude', 'skills'),
      codex: join(home, '.agents', 'skills'),
      gemini: join(home, '.gemini', 'skills'),
      opencode: join(home, '.config', 'opencode', 'skills'),
    }[provider];
  }
  return join(scope.root, { claude: '.claude', codex: '.agents', gemini: '.gemini', opencode: '.opencode' }[provider], 'skills');
}

/** Names of the shipped skills (`agent-team`, `worker-reply-main`). */
export function shippedSkills(): string[] {
  return readdirSync(SKILLS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SKILLS_DIR, d.name, 'SKILL.md')))
    .map((d) => d.name)
    .sort();
}

/** One installed skill folder. */
export interface InstalledSkill {
  provider: SkillProvider;
  skill: string;
  path: string;
}

/**
 * Copies every shipped skill into the provider's folder (replacing an older copy of the same skill,
 * nothing else). Throws UsageError (exit 2) for an unknown provider.
 */
export function installSkills(options: { provider?: string; global?: boolean; root: string; home?: string }): InstalledSkill[] {
  const providers: SkillProvider[] = options.provider ? [checkProvider(options.provider)] : ['claude'];
  const out: InstalledSkill[] = [];
  for (const provider of providers) {
    const target = skillsTarget(provider, { global: options.global === true, root: options.root, home: options.home });
    mkdirSync(target, { recursive: true });
    for (const skill of shippedSkills()) {
      const path = join(target, skill);
      cpSync(join(SKILLS_DIR, skill), path, { recursive: true, force: true });
      out.push({ provider, skill, path });
    }
  }
  return out;
}

function checkProvider(name: string): SkillProvider {
  if ((SKILL_PROVIDERS as readonly string[]).includes(name)) return name as SkillProvider;
  throw new UsageError(`--provider ${JSON.stringify(name)}: skills can be installed for ${SKILL_PROVIDERS.join(', ')}`);
}

/** The skill every worker gets in its worktree: how to report back with `reply-main`. */
export const WORKER_SKILL = 'worker-reply-main';

/**
 * The worktree-relative folder where `provider` finds the worker skill: the provider's project skills
 * folder (`.claude/skills/…`, `.gemini/skills/…`, `.opencode/skills/…`), else the Agent Skills standard
 * `.agents/skills/…` (Codex and user-defined providers).
 */
export function workerSkillDir(provider: string): string {
  const known = (SKILL_PROVIDERS as readonly string[]).includes(provider) ? (provider as SkillProvider) : 'codex';
  return `${{ claude: '.claude', codex: '.agents', gemini: '.gemini', opencode: '.opencode' }[known]}/skills/${WORKER_SKILL}`;
}

/** Copies the worker skill into `worktree` (see {@link workerSkillDir}) and returns the folder written, worktree-relative. */
export function installWorkerSkill(worktree: string, provider: string): string {
  const rel = workerSkillDir(provider);
  cpSync(join(SKILLS_DIR, WORKER_SKILL), join(worktree, rel), { recursive: true, force: true });
  return rel;
}

/**
 * The untracked skill folders agent-team itself may put in a checkout, root-relative with a trailing `/`
 * (`.claude/skills/agent-team/`, `.opencode/skills/worker-reply-main/`, …): every shipped skill in every
 * provider's project folder. `worker merge` does not count untracked files there as changes.
 */
export function installedSkillFolders(): string[] {
  const skills = shippedSkills();
  return SKILL_PROVIDERS.flatMap((p) => skills.map((s) => `${skillsTarget(p, { global: false, root: '' }).replace(/^\//, '')}/${s}/`));
}

/** How {@link keepSkillsOutOfGit} kept installed skill folders out of `git status`. */
export interface SkillExcludes {
  /** The exclude file written (`.git/info/exclude`), or undefined outside a git repository. */
  excludeFile?: string;
  /** Patterns added there, e.g. `/.claude/skills/agent-team/`. */
  patterns: string[];
  /** Root-relative folders the project already tracks (excludes do not hide them): commit the update. */
  tracked: string[];
  /** The command that commits the folders anyway (shares them with the team), safe to paste. */
  gitAdd?: string;
}

/**
 * Keeps project-scope skill folders (absolute paths inside `root`) out of `git status` through the
 * managed block of the repository's `info/exclude` (never the project's `.gitignore`), so they never
 * make the tree dirty. Folders the project tracks cannot be excluded and are returned in `tracked`.
 * Outside a git repository nothing is done. Throws OperationError on git or I/O failure.
 */
export async function keepSkillsOutOfGit(root: string, folders: string[]): Promise<SkillExcludes> {
  const repo = findRepoRoot(root);
  if (!repo) return { patterns: [], tracked: [] };
  const rels = folders.map((f) => relative(repo, f).split(sep).join('/')).filter((r) => r !== '' && !r.startsWith('..') && !isAbsolute(r));
  if (rels.length === 0) return { patterns: [], tracked: [] };
  const tracked = [...new Set((await trackedFiles(repo, rels)).map((file) => rels.find((r) => file.startsWith(`${r}/`)) ?? file))];
  const patterns = rels.map((r) => `/${r}/`);
  const excludeFile = await addExcludes(repo, patterns);
  return { excludeFile, patterns, tracked, gitAdd: ['git', 'add', '-f', '--', ...rels].map(shellQuote).join(' ') };
}

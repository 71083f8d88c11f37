/** Handler of `skill install`. */
import { projectRoot } from '../../store/paths.js';
import { installSkills, keepSkillsOutOfGit } from '../../worker/skill-install.js';
import type { CommandResult, CommonOptions } from '../output.js';

/** Options of `skill install`. */
export interface InstallOptions extends CommonOptions {
  provider?: string;
  global?: boolean;
}

/**
 * `skill install [--provider P] [--global]`: prints each installed skill folder. Project installs are
 * kept out of `git status` (info/exclude) so they never block `worker merge`; the output says so and
 * gives the `git add -f` line that commits them instead, and asks to commit folders the project tracks.
 */
export async function install(_args: string[], o: InstallOptions): Promise<CommandResult> {
  const global = o.global === true;
  const root = projectRoot();
  const installed = installSkills({ provider: o.provider, global, root });
  const excludes = global ? { patterns: [], tracked: [] } : await keepSkillsOutOfGit(root, installed.map((i) => i.path));
  const lines = installed.map((i) => `installed ${i.skill} for ${i.provider}: ${i.path}`);
  const warnings: string[] = [];
  if (excludes.excludeFile && excludes.patterns.length) {
    lines.push(`kept out of git status (listed in ${excludes.excludeFile}); to commit them for your team instead: ${excludes.gitAdd}`);
  }
  if (excludes.tracked.length) warnings.push(`the project tracks ${excludes.tracked.join(', ')}: the update shows as changes; commit it: git add -- ${excludes.tracked.join(' ')}`);
  return {
    json: { ok: true, installed, excluded: excludes.patterns, exclude_file: excludes.excludeFile ?? null, tracked: excludes.tracked, git_add: excludes.gitAdd ?? null },
    text: lines.join('\n'),
    warnings,
  };
}

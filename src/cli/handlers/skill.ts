/** Handler of `skill install`. */
import { projectRoot } from '../../store/paths.js';
import { installSkills } from '../../worker/skill-install.js';
import type { CommandResult, CommonOptions } from '../output.js';

/** Options of `skill install`. */
export interface InstallOptions extends CommonOptions {
  provider?: string;
  global?: boolean;
}

/** `skill install [--provider P] [--global]`: prints each installed skill folder. */
export function install(_args: string[], o: InstallOptions): CommandResult {
  const installed = installSkills({ provider: o.provider, global: o.global === true, root: projectRoot() });
  return { json: { ok: true, installed }, text: installed.map((i) => `installed ${i.skill} for ${i.provider}: ${i.path}`).join('\n') };
}

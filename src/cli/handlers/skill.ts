/** Handler of `skill install`. */
import { projectRoot } from '../../store/paths.js';
import { installSkills } from '../../worker/skill-install.js';
import type { CommandResult } from '../output.js';

/** `skill install [--provider P] [--global]`: prints each installed skill folder. */
export function install(_args: string[], o: Record<string, unknown>): CommandResult {
  const installed = installSkills({ provider: o.provider as string | undefined, global: o.global === true, root: projectRoot() });
  return { json: { ok: true, installed }, text: installed.map((i) => `installed ${i.skill} for ${i.provider}: ${i.path}`).join('\n') };
}

/** Handlers of `agent-team role list` and `role create`. */
import { UsageError } from '../../errors.js';
import { projectRoot } from '../../store/paths.js';
import { createRole } from '../../worker/role-create.js';
import { globalRolesDir, listRoles, projectRolesDir } from '../../worker/roles.js';
import type { CommandResult } from '../output.js';
import { readOptionFile } from '../read-input.js';
import { renderTable } from '../table.js';

/** `role list`: project and global roles with their folder and description. */
export function list(): CommandResult {
  const root = projectRoot();
  const roles = listRoles(root);
  const rows = roles.map((r) => [r.name, r.scope, `${r.shadowed ? '(shadowed by the project role) ' : ''}${r.description ?? ''}`]);
  const text = roles.length
    ? renderTable(['ROLE', 'SCOPE', 'DESCRIPTION'], rows)
    : `no roles in ${projectRolesDir(root)} or ${globalRolesDir()} (create one: agent-team role create <name> --description "…")`;
  return { json: { roles, project_dir: projectRolesDir(root), global_dir: globalRolesDir() }, text };
}

/** Options of `role create` (commander's camelCase names). */
export interface RoleCreateOptions {
  description?: string;
  systemFile?: string;
  skillFile?: string;
  global?: boolean;
  force?: boolean;
}

/** `role create <name> [--description D] [--system-file F | --skill-file F] [--global] [--force]`. */
export function create([name]: string[], o: RoleCreateOptions): CommandResult {
  if (o.systemFile !== undefined && o.skillFile !== undefined) throw new UsageError('give --system-file or --skill-file, not both');
  const r = createRole(projectRoot(), name ?? '', {
    description: o.description,
    systemText: readOptionFile('--system-file', o.systemFile),
    skillText: readOptionFile('--skill-file', o.skillFile),
    global: o.global === true,
    force: o.force === true,
  });
  return {
    json: { ok: true, role: r.role, files: r.files, replaced: r.replaced },
    text: [`${r.replaced ? 'replaced' : 'created'} role ${r.role.name} (${r.role.scope}): ${r.role.path}`, ...r.files.map((f) => `  wrote ${f}`)].join('\n'),
  };
}

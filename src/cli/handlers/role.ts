/** Handler of `agent-team role list`. */
import { projectRoot } from '../../store/paths.js';
import { globalRolesDir, listRoles, projectRolesDir } from '../../worker/roles.js';
import type { CommandResult } from '../output.js';

/** `role list`: project and global roles with their folder and description. */
export function list(): CommandResult {
  const root = projectRoot();
  const roles = listRoles(root);
  const width = Math.max(4, ...roles.map((r) => r.name.length));
  const rows = roles.map((r) => `${r.name.padEnd(width)}  ${r.scope.padEnd(7)}  ${r.shadowed ? '(shadowed by the project role) ' : ''}${r.description ?? ''}`.trimEnd());
  const text = roles.length
    ? [`${'ROLE'.padEnd(width)}  SCOPE    DESCRIPTION`, ...rows].join('\n')
    : `no roles in ${projectRolesDir(root)} or ${globalRolesDir()}`;
  return { json: { roles, project_dir: projectRolesDir(root), global_dir: globalRolesDir() }, text };
}

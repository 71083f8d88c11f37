/** Handler of `agent-team role list`. */
import { projectRoot } from '../../store/paths.js';
import { globalRolesDir, listRoles, projectRolesDir } from '../../worker/roles.js';
import type { CommandResult } from '../output.js';
import { renderTable } from '../table.js';

/** `role list`: project and global roles with their folder and description. */
export function list(): CommandResult {
  const root = projectRoot();
  const roles = listRoles(root);
  const rows = roles.map((r) => [r.name, r.scope, `${r.shadowed ? '(shadowed by the project role) ' : ''}${r.description ?? ''}`]);
  const text = roles.length ? renderTable(['ROLE', 'SCOPE', 'DESCRIPTION'], rows) : `no roles in ${projectRolesDir(root)} or ${globalRolesDir()}`;
  return { json: { roles, project_dir: projectRolesDir(root), global_dir: globalRolesDir() }, text };
}

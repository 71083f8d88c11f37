/**
 * Roles: a folder holding `SKILL.md` and/or `system.md` (optional `references/role.yaml`), looked up in
 * the project (`.agents/teams/<role>/`) first, then globally (`~/.agents/roles/<role>/`, where
 * `$AGENT_TEAM_HOME` replaces `~/.agents`: see agentTeamHome). Same layout and order as the Go `ResolveRole`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { agentTeamHome } from '../store/paths.js';
import { readTextFile } from '../store/read-file.js';
import { join } from 'node:path';
import { parseYamlData, readYamlFile } from '../store/yaml-file.js';
import { OperationError } from '../errors.js';
import { ID_NAME } from '../workflow/names.js';
import { agentTeam } from '../workflow/shell-quote.js';
import { assertName } from './ids.js';

/** Where a role was found. */
export type RoleScope = 'project' | 'global';

/** A resolved role: its name, scope, folder, and the prompt files it has. */
export interface Role {
  name: string;
  scope: RoleScope;
  path: string;
  hasSkill: boolean;
  hasSystem: boolean;
  /** `description` from references/role.yaml, else from SKILL.md front matter. */
  description?: string;
}

/** `.agents/teams` of the project at `root`. */
export function projectRolesDir(root: string): string {
  return join(root, '.agents', 'teams');
}

/** `<home>/roles` (see {@link agentTeamHome}). */
export function globalRolesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(agentTeamHome(env), 'roles');
}

function readDescription(path: string): string | undefined {
  const roleYaml = join(path, 'references', 'role.yaml');
  try {
    if (existsSync(roleYaml)) {
      const data = readYamlFile(roleYaml, 'role.yaml').data as { description?: unknown } | null;
      if (data && typeof data.description === 'string') return data.description.trim();
    }
  } catch {
    // an unreadable role.yaml only loses the description
  }
  try {
    const skillFile = join(path, 'SKILL.md');
    const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readTextFile(skillFile, 'role SKILL.md'));
    if (fm) {
      const data = parseYamlData(skillFile, fm[1] as string) as { description?: unknown } | null;
      if (data && typeof data.description === 'string') return data.description.trim();
    }
  } catch {
    // no SKILL.md or no front matter
  }
  return undefined;
}

/** The role in folder `path`, or undefined when the folder holds neither SKILL.md nor system.md. */
export function roleAt(name: string, scope: RoleScope, path: string): Role | undefined {
  try {
    if (!statSync(path).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const hasSkill = existsSync(join(path, 'SKILL.md'));
  const hasSystem = existsSync(join(path, 'system.md'));
  if (!hasSkill && !hasSystem) return undefined;
  return { name, scope, path, hasSkill, hasSystem, description: readDescription(path) };
}

/**
 * Finds role `name`: project first, then global. Throws UsageError for an invalid name and
 * OperationError (code `unknown_role`) listing both places looked in when neither has it.
 */
export function resolveRole(root: string, name: string, env: NodeJS.ProcessEnv = process.env): Role {
  assertName('role', name);
  const project = roleAt(name, 'project', join(projectRolesDir(root), name));
  if (project) return project;
  const global = roleAt(name, 'global', join(globalRolesDir(env), name));
  if (global) return global;
  throw new OperationError(`role ${name} not found: no SKILL.md or system.md in ${join(projectRolesDir(root), name)} or ${join(globalRolesDir(env), name)}`, {
    code: 'unknown_role',
    hint: roleCreateLine(name, []),
  });
}

/** A role in a listing; `shadowed` when a project role of the same name hides this global one. */
export interface ListedRole extends Role {
  shadowed: boolean;
}

/** Every role of both scopes, project roles first, each scope sorted by name. */
export function listRoles(root: string, env: NodeJS.ProcessEnv = process.env): ListedRole[] {
  const scan = (dir: string, scope: RoleScope): Role[] => {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => ID_NAME.test(n))
      .sort()
      .map((n) => roleAt(n, scope, join(dir, n)))
      .filter((r): r is Role => r !== undefined);
  };
  const project = scan(projectRolesDir(root), 'project');
  const names = new Set(project.map((r) => r.name));
  return [...project.map((r) => ({ ...r, shadowed: false })), ...scan(globalRolesDir(env), 'global').map((r) => ({ ...r, shadowed: names.has(r.name) }))];
}

/** The role's own prompt text: `system.md`, else the body of `SKILL.md` (front matter removed). */
export function rolePromptText(role: Pick<Role, 'path'>): string {
  const system = join(role.path, 'system.md');
  if (existsSync(system)) return readTextFile(system, 'role system.md').trim();
  const skill = join(role.path, 'SKILL.md');
  if (existsSync(skill)) return readTextFile(skill, 'role SKILL.md').replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, '').trim();
  return '';
}

/** A role a workflow template names (`roles.<alias>.role`) that exists in neither scope. */
export interface MissingRole {
  role: string;
  /** The template's aliases for it, e.g. `['cto']`. */
  aliases: string[];
  /** The command that creates it, safe to paste: `agent-team role create <role> --description …`. */
  create: string;
}

/**
 * The roles `roles` (a template's `roles` map: alias → `{ role }`) names that {@link resolveRole} would not
 * find, in first-use order, each with its `role create` line. Invalid role names are skipped (validation
 * reports them).
 */
export function missingRoles(root: string, roles: Record<string, { role: string }>, env: NodeJS.ProcessEnv = process.env): MissingRole[] {
  const byRole = new Map<string, string[]>();
  for (const [alias, { role }] of Object.entries(roles)) {
    if (!ID_NAME.test(role)) continue;
    byRole.set(role, [...(byRole.get(role) ?? []), alias]);
  }
  const missing: MissingRole[] = [];
  for (const [role, aliases] of byRole) {
    if (hasPrompt(join(projectRolesDir(root), role)) || hasPrompt(join(globalRolesDir(env), role))) continue;
    missing.push({ role, aliases, create: roleCreateLine(role, aliases) });
  }
  return missing;
}

/** `agent-team role create <role> --description '…'` for a role a template uses under `aliases`. */
export function roleCreateLine(role: string, aliases: string[]): string {
  return agentTeam('role', 'create', role, '--description', defaultRoleDescription(role, aliases));
}

/** The description given to a role created for a template: `The <alias> of the team (role <role>)`. */
export function defaultRoleDescription(role: string, aliases: string[] = []): string {
  const alias = aliases[0];
  return alias && alias !== role ? `The ${alias} of the team (role ${role})` : `The ${role} of the team`;
}

/** Whether folder `dir` holds a role (SKILL.md or system.md), without reading them. */
function hasPrompt(dir: string): boolean {
  return existsSync(join(dir, 'SKILL.md')) || existsSync(join(dir, 'system.md'));
}

/** One warning line per missing role: what is missing and the command that creates it. */
export function missingRoleWarnings(missing: MissingRole[]): string[] {
  return missing.map((m) => `role ${m.role} (${m.aliases.join(', ')}) does not exist yet; create it with: ${m.create}`);
}

/**
 * `role create`: a new role folder, `.agents/teams/<name>/` (or `<home>/roles/<name>/` with `global`),
 * holding `SKILL.md` (front matter `name`, `description`: the Agent Skills format the Go version writes)
 * and `system.md` (the prompt a worker of this role gets; see rolePromptText in roles.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { toYaml } from '../store/yaml-file.js';
import { agentTeam } from '../workflow/shell-quote.js';
import { assertName } from './ids.js';
import { defaultRoleDescription, globalRolesDir, projectRolesDir, roleAt, type Role } from './roles.js';

/** Options of {@link createRole}. `systemText`/`skillText` are file contents (the CLI reads the files). */
export interface CreateRoleOptions {
  description?: string;
  /** system.md as given (`--system-file`). */
  systemText?: string;
  /** SKILL.md as given (`--skill-file`); front matter is added when it has none. Then no system.md is written. */
  skillText?: string;
  global?: boolean;
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Result of {@link createRole}: the role as `role list` shows it and the files written (absolute). */
export interface CreatedRole {
  role: Role;
  files: string[];
  /** Whether an existing role was replaced (`force`). */
  replaced: boolean;
}

const FRONT_MATTER = /^---\r?\n[\s\S]*?\r?\n---(\r?\n|$)/;

/** SKILL.md text: `text` with front matter (`name`, `description`) added when it has none. */
function skillMarkdown(name: string, description: string, body: string): string {
  if (FRONT_MATTER.test(body)) return body.endsWith('\n') ? body : `${body}\n`;
  return `---\n${toYaml({ name, description })}---\n\n${body.trim()}\n`;
}

/**
 * Writes role `name` (see module comment). Refuses (OperationError `role_exists`, nothing written) when
 * the folder already holds SKILL.md or system.md, unless `force`; UsageError for an invalid name, both
 * texts at once, or a description with a line break.
 */
export function createRole(root: string, name: string, options: CreateRoleOptions = {}): CreatedRole {
  assertName('role', name);
  if (options.systemText !== undefined && options.skillText !== undefined) {
    throw new UsageError('give --system-file or --skill-file, not both: a role\'s prompt is system.md, else the body of SKILL.md');
  }
  const description = (options.description ?? defaultRoleDescription(name)).trim();
  if (description === '' || /[\r\n]/.test(description)) throw new UsageError('--description must be one non-empty line');
  const scope = options.global ? 'global' : 'project';
  const dir = join(options.global ? globalRolesDir(options.env) : projectRolesDir(root), name);
  const existing = roleAt(name, scope, dir);
  if (existing && !options.force) {
    throw new OperationError(`role ${name} already exists in ${dir}; nothing was written`, {
      code: 'role_exists',
      hint: agentTeam('role', 'create', name, ...(options.global ? ['--global'] : []), '--force'),
      details: { path: dir },
    });
  }
  const files: string[] = [];
  const write = (file: string, text: string) => {
    writeFileAtomicSync(join(dir, file), text);
    files.push(join(dir, file));
  };
  if (options.skillText !== undefined) {
    write('SKILL.md', skillMarkdown(name, description, options.skillText));
    // the prompt now comes from SKILL.md: an older system.md would override it
    if (existsSync(join(dir, 'system.md'))) rmSync(join(dir, 'system.md'));
  } else {
    const system = options.systemText ?? `You are the ${name} of a team of AI coding agents run by agent-team. ${description.replace(/\.$/, "")}.\n`;
    write('SKILL.md', skillMarkdown(name, description, `# ${name}\n\n${description}\n\nThis role's instructions are in system.md.`));
    write('system.md', system.endsWith('\n') ? system : `${system}\n`);
  }
  const role = roleAt(name, scope, dir) as Role;
  return { role, files, replaced: existing !== undefined };
}

/** Handlers of `workflow create|validate|graph|schema`: call the domain, shape the output. */
import { dirname, resolve } from 'node:path';
import { EXIT, OperationError } from '../../errors.js';
import { projectRoot } from '../../store/paths.js';
import { locate, type LoadedYaml } from '../../store/yaml-file.js';
import { commandsOfTemplateData, visible } from '../../trust/commands.js';
import { missingRoles, missingRoleWarnings, type MissingRole } from '../../worker/roles.js';
import type { GraphFormat } from '../../workflow/graph.js';
import { readTemplateFile } from '../../workflow/template.js';
import { validateTemplate, type Problem } from '../../workflow/validate.js';
import { paint, type CommandResult, type CommonOptions } from '../output.js';

// `validate` is the hot one (a controller runs it often): the other handlers import what only they
// need when they run, so validating does not load presets, graph rendering or JSON Schema output.

/** Options of `workflow create` (defaults set where the command is declared). */
export interface CreateOptions extends CommonOptions {
  preset: string;
  output?: string;
  ctoRole: string;
  devRole: string;
  qaRole: string;
  executionMode: string;
  force?: boolean;
  /** Also create the roles the template needs that do not exist (asked on a TTY when absent). */
  createRoles?: boolean;
}

/** `workflow create <name>`: prints the path written. */
export async function create([name]: string[], o: CreateOptions): Promise<CommandResult> {
  const { createWorkflow } = await import('../../workflow/presets.js');
  const { path, template } = createWorkflow({
    name: name ?? '',
    preset: o.preset,
    output: o.output,
    ctoRole: o.ctoRole,
    devRole: o.devRole,
    qaRole: o.qaRole,
    executionMode: o.executionMode,
    force: o.force === true,
  });
  const root = projectRoot(dirname(resolve(path)));
  const missing = missingRoles(root, template.roles);
  let created: string[] = [];
  if (missing.length && (o.createRoles === true || (o.createRoles === undefined && (await askCreateRoles(missing))))) {
    const { createRole } = await import('../../worker/role-create.js');
    const { defaultRoleDescription } = await import('../../worker/roles.js');
    created = missing.map((m) => createRole(root, m.role, { description: defaultRoleDescription(m.role, m.aliases) }).role.path);
  }
  const stillMissing = created.length ? [] : missing;
  return {
    json: { ok: true, path, name: template.name, preset: o.preset, entry: template.entry, nodes: template.nodes.length, created_roles: created, missing_roles: stillMissing },
    text: [path, ...created.map((c) => `created role ${c}`)].join('\n'),
    warnings: missingRoleWarnings(stillMissing),
  };
}

/**
 * Whether to create the preset's missing roles: asked on a terminal only (stdin and stderr are TTYs);
 * without one the answer is no and the warnings name `--create-roles` and each `role create` line.
 */
async function askCreateRoles(missing: MissingRole[]): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Create the missing roles ${missing.map((m) => m.role).join(', ')} in .agents/teams/ (each a SKILL.md and a system.md to edit)?`, default: true }, { output: process.stderr });
}

/** A validation problem, or the CLI's own warning that a role the template names does not exist. */
type CliProblem = Problem | (Omit<Problem, 'code'> & { code: 'missing_role' });

/** Warnings (code `missing_role`, at `roles.<alias>.role`) for roles of a valid template that do not exist. */
function missingRoleProblems(loaded: LoadedYaml, roles: Record<string, { role: string }>): CliProblem[] {
  return missingRoles(projectRoot(dirname(resolve(loaded.path))), roles).map((m) => {
    const alias = m.aliases[0] as string;
    const pos = locate(loaded, ['roles', alias, 'role']);
    return { code: 'missing_role', message: `roles.${alias}.role: role ${m.role} does not exist yet`, path: `roles.${alias}.role`, line: pos.line, col: pos.col, hint: m.create };
  });
}

function formatProblem(file: string, p: CliProblem, kind: 'error' | 'warning'): string {
  const tag = kind === 'error' ? paint('red', 'error') : paint('yellow', 'warning');
  return `${file}:${p.line}:${p.col}: ${tag} [${p.code}] ${p.message}${p.hint ? `\n    fix: ${p.hint}` : ''}`;
}

/** `workflow validate <file>`: exit 0 when valid, 1 with every problem otherwise. */
export function validate([file]: string[]): CommandResult {
  const { loaded } = readTemplateFile(file ?? '');
  const result = validateTemplate(loaded);
  const warnings: CliProblem[] = [...result.warnings, ...(result.template ? missingRoleProblems(loaded, result.template.roles) : [])];
  const valid = result.errors.length === 0;
  const lines = [...result.errors.map((p) => formatProblem(loaded.path, p, 'error')), ...warnings.map((p) => formatProblem(loaded.path, p, 'warning'))];
  if (valid) lines.push(`OK: workflow is valid: ${loaded.path}`);
  else lines.push(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${loaded.path}`);
  // What `workflow run` would run through /bin/sh: shown so nobody approves a template blind.
  const commands = commandsOfTemplateData(projectRoot(dirname(resolve(loaded.path))), loaded.path, loaded.data).map((c) => ({ node: c.field.replace(/^nodes\.|\.command$/g, ''), command: c.command }));
  if (commands.length) lines.push(`commands this template runs (workflow run runs them only in a trusted project: agent-team trust):`, ...commands.map((c) => `  ${c.node}: ${visible(c.command)}`));
  return {
    json: { valid, file: loaded.path, errors: result.errors, warnings, commands },
    text: lines.join('\n'),
    exitCode: valid ? EXIT.ok : EXIT.failed,
  };
}

/** Options of `workflow graph`. */
export interface GraphOptions extends CommonOptions {
  format?: GraphFormat;
  /** A run-state whose current and completed nodes are marked. */
  state?: string;
}

/** `workflow graph <file>`: Mermaid (default) or DOT text. */
export async function graph([file]: string[], o: GraphOptions): Promise<CommandResult> {
  const [{ renderGraph, overlayOf }, { readRunState }] = await Promise.all([import('../../workflow/graph.js'), import('../../workflow/run-state.js')]);
  const { loaded } = readTemplateFile(file ?? '');
  const result = validateTemplate(loaded);
  if (!result.template) {
    throw new OperationError(`${loaded.path}: workflow is invalid; cannot draw it`, { code: 'invalid_workflow', hint: `agent-team workflow validate ${loaded.path}` });
  }
  const format = o.format ?? 'mermaid';
  let overlay = {};
  if (typeof o.state === 'string') {
    const state = readRunState(o.state);
    overlay = overlayOf(state);
  }
  const text = renderGraph(result.template, format, overlay);
  return { json: { format, graph: text }, text };
}

/** `workflow schema`: the JSON Schema of templates, derived from the zod schema. */
export async function schema(): Promise<CommandResult> {
  const { templateJsonSchema } = await import('../../workflow/schema.js');
  const json = {
    $id: 'https://agent-team.dev/schema/workflow-template.v1.json',
    title: 'agent-team workflow template (version 1)',
    ...templateJsonSchema(),
  };
  return { json, text: JSON.stringify(json, null, 2) };
}

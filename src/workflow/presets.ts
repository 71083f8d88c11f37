/**
 * Presets: starter templates shipped as YAML data in the package's `presets/` folder, and
 * `workflow create`, which copies one with the caller's name, roles and execution mode.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { createFileExclusiveSync, writeFileAtomicSync } from '../store/atomic-write.js';
import { assertFileTarget, projectRoot } from '../store/paths.js';
import { parseYamlText, toYaml } from '../store/yaml-file.js';
import { ID_NAME, WORKFLOW_NAME } from './names.js';
import { EXECUTION_MODES, type ExecutionMode, type WorkflowTemplate } from './schema.js';
import { WORKFLOW_DIR } from './run-state.js';
import { validateTemplate } from './validate.js';

/** Absolute path of the package's `presets/` folder (from `dist/workflow/` or `src/workflow/`). */
export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

/** The default preset of `workflow create`. */
export const DEFAULT_PRESET = 'branching';


/** Names of the shipped presets, sorted (`branching`, `dev-first`, `test-first`). */
export function listPresets(): string[] {
  return readdirSync(PRESETS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The preset `name` as a template object. Throws UsageError (exit 2) listing the presets when unknown. */
export function loadPreset(name: string): WorkflowTemplate {
  const presets = listPresets();
  if (!presets.includes(name)) {
    throw new UsageError(`unknown preset ${JSON.stringify(name)}; presets: ${presets.join(', ')}`, { code: 'unknown_preset', details: { presets } });
  }
  const path = join(PRESETS_DIR, `${name}.yaml`);
  const result = validateTemplate(parseYamlText(path, readFileSync(path)));
  if (!result.template) throw new OperationError(`shipped preset ${path} is invalid: ${result.errors[0]?.message}`);
  return result.template;
}

/** Options of {@link createWorkflow}. */
export interface CreateWorkflowOptions {
  name: string;
  preset?: string;
  output?: string;
  ctoRole?: string;
  devRole?: string;
  qaRole?: string;
  executionMode?: string;
  force?: boolean;
  cwd?: string;
}

/**
 * Writes a new template from a preset to `output` (default `<repo root>/.agents/workflow/<name>.yaml`)
 * and returns its absolute path. Throws UsageError (exit 2) for a bad name, role, mode or preset, and
 * OperationError (exit 1) when the file exists and `force` is not set.
 */
export function createWorkflow(options: CreateWorkflowOptions): { path: string; template: WorkflowTemplate } {
  const cwd = options.cwd ?? process.cwd();
  if (!WORKFLOW_NAME.test(options.name)) {
    throw new UsageError(`workflow name ${JSON.stringify(options.name)} is invalid: use letters, digits, '.', '_' and '-', starting with a letter or digit`, {
      code: 'invalid_name',
      details: { presets: listPresets() },
      hint: `presets: ${listPresets().join(', ')}`,
    });
  }
  const mode = (options.executionMode ?? 'semi_auto') as ExecutionMode;
  if (!EXECUTION_MODES.includes(mode)) throw new UsageError(`--execution-mode ${mode}: use one of ${EXECUTION_MODES.join(', ')}`);
  const template = loadPreset(options.preset ?? DEFAULT_PRESET);
  const roles = { cto: options.ctoRole ?? 'cto', dev: options.devRole ?? 'vite-react-dev', qa: options.qaRole ?? 'qa' };
  for (const [alias, role] of Object.entries(roles)) {
    if (!ID_NAME.test(role)) throw new UsageError(`--${alias}-role ${JSON.stringify(role)}: role names match ${ID_NAME.source}`);
  }
  const out: WorkflowTemplate = {
    ...template,
    name: options.name,
    roles: Object.fromEntries(Object.entries(template.roles).map(([alias, ref]) => [alias, { ...ref, role: roles[alias as keyof typeof roles] ?? ref.role }])),
    defaults: { ...template.defaults, execution_mode: mode },
  };
  if (options.output) assertFileTarget(options.output, '--output', cwd);
  const path = options.output ? resolve(cwd, options.output) : join(projectRoot(cwd), WORKFLOW_DIR, `${options.name}.yaml`);
  const text = toYaml(out);
  if (options.force) writeFileAtomicSync(path, text);
  else if (!createFileExclusiveSync(path, text)) {
    throw new OperationError(`${path} already exists; not overwriting it`, { code: 'exists', hint: 'add --force to replace it, or choose another --output' });
  }
  return { path, template: out };
}

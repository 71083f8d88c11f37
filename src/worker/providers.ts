/**
 * Providers: the agent CLI a worker runs. Built-in launch commands come from the Go `internal/role.go`;
 * `.agents/config.yaml` adds or overrides. `--model M` is appended as ` --model M` (Go `BuildLaunchCmd`).
 */
import { UsageError } from '../errors.js';
import { readProjectConfig } from './project-config.js';

/** Built-in providers and their launch commands (Go `internal/role.go`). */
export const BUILTIN_PROVIDERS: Readonly<Record<string, string>> = {
  claude: 'claude --dangerously-skip-permissions',
  codex: 'codex --dangerously-bypass-approvals-and-sandbox',
  opencode: 'opencode',
  gemini: 'gemini --approval-mode yolo',
};

/** The provider used when none is given. */
export const DEFAULT_PROVIDER = 'claude';

/** Models are typed into a shell after `--model`, so they are limited to characters that need no quoting. */
export const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;

/** Every provider of the project: built-ins overlaid with `.agents/config.yaml`. Throws like readProjectConfig. */
export function providerTable(root: string): Record<string, string> {
  return { ...BUILTIN_PROVIDERS, ...readProjectConfig(root).providers };
}

/** Throws UsageError (exit 2) listing the known providers unless `name` is one; returns the name. */
export function assertProvider(root: string, name: string): string {
  const table = providerTable(root);
  if (!Object.hasOwn(table, name)) {
    throw new UsageError(`unknown provider ${JSON.stringify(name)}; known providers: ${Object.keys(table).join(', ')}`, {
      code: 'unknown_provider',
      hint: `add it to .agents/config.yaml under providers: { ${name}: "<launch command>" }`,
    });
  }
  return name;
}

/** Throws UsageError unless `model` matches {@link MODEL_PATTERN}; returns it. */
export function assertModel(model: string): string {
  if (!MODEL_PATTERN.test(model)) throw new UsageError(`model ${JSON.stringify(model)} is not valid: use letters, digits and . _ : / @ + -`, { code: 'invalid_model' });
  return model;
}

/** The launch command for `provider` (validated) with ` --model <model>` appended when a model is given. */
export function launchCommand(root: string, provider: string, model?: string): string {
  assertProvider(root, provider);
  const base = providerTable(root)[provider] as string;
  return model ? `${base} --model ${assertModel(model)}` : base;
}

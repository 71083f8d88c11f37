/**
 * A worker's provider, looked up in the provider table (src/provider: built-in adapters) overlaid with
 * `.agents/config.yaml`. `--model M` is appended as ` --model M` (Go `BuildLaunchCmd`).
 */
import { UsageError } from '../errors.js';
import { ADAPTERS, BUILTIN_NAMES, resolveProvider, type ProviderEntry, type ResolvedProvider } from '../provider/index.js';
import { readProjectConfig } from './project-config.js';

/** Built-in providers and their launch commands (Go `internal/role.go`; agy ours). */
export const BUILTIN_PROVIDERS: Readonly<Record<string, string>> = Object.fromEntries(BUILTIN_NAMES.map((n) => [n, ADAPTERS[n].launch]));

/** The provider used when none is given. */
export const DEFAULT_PROVIDER = 'claude';

/** Models are typed into a shell after `--model`, so they are limited to characters that need no quoting. */
export const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;

/** The project's provider entries from `.agents/config.yaml`. Throws like readProjectConfig. */
export function projectProviders(root: string): Record<string, ProviderEntry> {
  const config = readProjectConfig(root);
  return Object.fromEntries(Object.entries(config.providers).map(([name, command]) => [name, { command, ...(config.likes[name] ? { like: config.likes[name] } : {}) }]));
}

/** Every provider of the project and its launch command: built-ins overlaid with `.agents/config.yaml`. Throws like readProjectConfig. */
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

/** Provider `name` of the project resolved to its adapter (throws UsageError like {@link assertProvider}). */
export function providerFor(root: string, name: string): ResolvedProvider {
  assertProvider(root, name);
  return resolveProvider(name, projectProviders(root)) as ResolvedProvider;
}

/** The launch command for `provider` (validated) with ` --model <model>` appended when a model is given, before our flags. */
export function launchCommand(root: string, provider: string, model?: string): string {
  const base = providerFor(root, provider).command;
  return model ? `${base} --model ${assertModel(model)}` : base;
}

/** One row of {@link listProviders}. */
export interface ProviderRow {
  name: string;
  source: 'builtin' | 'project';
  /** The built-in adapter it uses (its own name for a built-in). */
  like?: string;
  command: string;
  binary: string;
  /** Absolute path of the binary on PATH, or undefined when it is not installed. */
  path?: string;
  /** First line of `<binary> --version`, when it answered within 5 s. */
  version?: string;
  /** Hooks report events (activity and confirmed delivery), per the adapter. */
  events: boolean;
}

/** Every provider of the project with its binary's location and version (`--version` runs in parallel, 5 s bound each). */
export async function listProviders(root: string, env: NodeJS.ProcessEnv = process.env): Promise<ProviderRow[]> {
  const { run } = await import('../session/exec.js');
  const { which } = await import('./which.js');
  const table = providerTable(root);
  return Promise.all(
    Object.keys(table).map(async (name): Promise<ProviderRow> => {
      const p = providerFor(root, name);
      const binary = p.source === 'builtin' ? p.adapter.binary : (p.command.trim().split(/\s+/)[0] ?? '');
      const path = which(binary, env.PATH);
      let version: string | undefined;
      if (path) {
        try {
          const r = await run(path, ['--version'], { timeoutMs: 5000, env });
          version = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '');
        } catch {
          version = undefined;
        }
      }
      return { name, source: p.source, like: p.like ?? (p.source === 'builtin' ? name : undefined), command: p.command, binary, path, version, events: p.adapter.confirmsPrompt };
    }),
  );
}

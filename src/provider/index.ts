/**
 * The provider table: one adapter per built-in agent CLI ({@link ADAPTERS}, typed so a missing entry is
 * a compile error) and the project's own providers from `.agents/config.yaml` (a plain command, or a
 * command that behaves `like:` a built-in). `--model M` is appended as ` --model M` (Go `BuildLaunchCmd`).
 */
import type { ProviderAdapter } from './types.js';
import { agy } from './agy.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';
import { plainAdapter } from './plain.js';

// WORKER_EVENTS / WorkerEvent are imported from ./types.js directly (worker/event-line.ts stays lean for the hook program)
export type { DialogRecogniser, ProviderAdapter } from './types.js';

/** Names of the built-in providers. */
export const BUILTIN_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'agy'] as const;
/** One of {@link BUILTIN_NAMES}. */
export type BuiltinName = (typeof BUILTIN_NAMES)[number];

/** The built-in adapters by name. */
export const ADAPTERS: Readonly<Record<BuiltinName, ProviderAdapter>> = { claude, codex, gemini, opencode, agy };

/** Whether `name` is a built-in provider. */
export function isBuiltin(name: string): name is BuiltinName {
  return (BUILTIN_NAMES as readonly string[]).includes(name);
}

/** A project's provider entry: its launch command and, optionally, the built-in it behaves like. */
export interface ProviderEntry {
  command: string;
  like?: BuiltinName;
}

/** A provider resolved for one launch: its name, base command, adapter and where it came from. */
export interface ResolvedProvider {
  name: string;
  /** Launch command before our flags (built-in or the project's), `--model` not yet appended. */
  command: string;
  adapter: ProviderAdapter;
  source: 'builtin' | 'project';
  /** For a project provider: the built-in adapter it uses (`like:`, or its own name when it overrides a built-in). */
  like?: BuiltinName;
}

/**
 * Resolves `name` against the built-ins overlaid with the project's entries. A project entry with the
 * name of a built-in overrides its command and keeps its adapter; `like: X` gives a new name X's adapter;
 * anything else gets {@link plainAdapter}. Undefined when unknown.
 */
export function resolveProvider(name: string, project: Readonly<Record<string, ProviderEntry>>): ResolvedProvider | undefined {
  const entry = Object.hasOwn(project, name) ? project[name] : undefined;
  if (entry) {
    const like = entry.like ?? (isBuiltin(name) ? name : undefined);
    return { name, command: entry.command, adapter: like ? ADAPTERS[like] : plainAdapter(name, entry.command), source: 'project', like };
  }
  if (isBuiltin(name)) return { name, command: ADAPTERS[name].launch, adapter: ADAPTERS[name], source: 'builtin' };
  return undefined;
}

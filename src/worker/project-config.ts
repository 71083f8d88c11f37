/**
 * `.agents/config.yaml`: project settings. Today only `providers: { <name>: "<launch command>" }`, which
 * adds providers or overrides the built-in ones. Validated with zod; other top-level keys are allowed
 * (for later settings) and kept. A missing file means "no settings".
 */
import { existsSync } from 'node:fs';
import * as z from 'zod/mini';
import { UnreadableFileError } from '../errors.js';
import { readYamlFile } from '../store/yaml-file.js';
import { projectConfigPath } from './paths.js';
import { BUILTIN_NAMES, type BuiltinName } from '../provider/index.js';

/** Provider names: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The zod schema of `.agents/config.yaml`, built on its first use: building zod schemas is start-up time
 * (~1.5 ms, measured) that the commands which never read the config (validate, show, transitions) would
 * pay for nothing. The one cache of this module.
 */
let configSchema: ReturnType<typeof buildConfigSchema> | undefined;

function buildConfigSchema() {
  const LaunchCommand = z.string({ error: 'expected the launch command as a string, e.g. "aider --yes"' }).check(z.trim(), z.minLength(1, 'the launch command is empty'));
  /** A provider entry: `"<command>"`, or `{ command: "<command>", like: claude|codex|gemini|opencode|agy }`. */
  const ProviderEntrySchema = z.union([
    LaunchCommand,
    z.strictObject({
      command: LaunchCommand,
      like: z.optional(z.enum(BUILTIN_NAMES, { error: `like: expected one of ${BUILTIN_NAMES.join(', ')}` })),
    }),
  ], { error: 'expected the launch command as a string, or { command: "<launch command>", like: claude }' });
  return z.looseObject({
    providers: z.nullish(z.record(z.string().check(z.regex(PROVIDER_NAME, 'provider names use letters, digits, ".", "_" and "-"')), ProviderEntrySchema)),
    default_provider: z.nullish(z.string().check(z.regex(PROVIDER_NAME, 'provider names use letters, digits, ".", "_" and "-"'))),
    worktree_dir: z.nullish(z.string({ error: 'expected a folder, e.g. ../my-repo-worktrees' }).check(z.trim(), z.minLength(1, 'the folder is empty'))),
  });
}

/** The parsed project config. */
export interface ProjectConfig {
  /** Launch command per provider name. */
  providers: Record<string, string>;
  /** Providers that behave like a built-in adapter (`like:`), by name. */
  likes: Record<string, BuiltinName>;
  /** Provider of workers created without `--provider` (e.g. by `workflow run`); built-in default claude. */
  default_provider?: string;
  /** Where worker worktrees go (relative to the repository root, or absolute); default `.worktrees`. */
  worktree_dir?: string;
}

/**
 * Reads `<root>/.agents/config.yaml` (empty config when missing). Throws UnreadableFileError (exit 2)
 * naming the file and the field, e.g. `.agents/config.yaml: providers.aider: expected the launch command…`.
 */
export function readProjectConfig(root: string): ProjectConfig {
  const path = projectConfigPath(root);
  if (!existsSync(path)) return { providers: {}, likes: {} };
  const loaded = readYamlFile(path);
  if (loaded.data === null || loaded.data === undefined) return { providers: {}, likes: {} };
  const parsed = (configSchema ??= buildConfigSchema()).safeParse(loaded.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(document)';
    throw new UnreadableFileError(path, `${field}: ${issue?.message ?? 'invalid'}`, { code: 'invalid_config', details: { field } });
  }
  const providers: Record<string, string> = {};
  const likes: Record<string, BuiltinName> = {};
  for (const [name, entry] of Object.entries(parsed.data.providers ?? {})) {
    providers[name] = typeof entry === 'string' ? entry : entry.command;
    if (typeof entry !== 'string' && entry.like) likes[name] = entry.like;
  }
  return {
    providers,
    likes,
    ...(parsed.data.default_provider ? { default_provider: parsed.data.default_provider } : {}),
    ...(parsed.data.worktree_dir ? { worktree_dir: parsed.data.worktree_dir } : {}),
  };
}

/** What `agent-team init` writes to `.agents/config.yaml`: commented examples only. */
export const PROJECT_CONFIG_TEMPLATE = `# agent-team project settings.
#
# providers: launch commands for worker agents, typed into the worker's pane by \`agent-team worker open\`.
# Built in: claude, codex, gemini, opencode, agy. Entries here add providers or override the built-in ones;
# \`--model M\` is appended as " --model M". A plain command gets no hooks; \`like: <built-in>\` gives it
# that built-in's hooks, first task on the command line, resume and dialog recognisers.
#
# providers:
#   claude: "claude --dangerously-skip-permissions"
#   aider: "aider --yes"
#   my-claude: { command: "npx @anthropic-ai/claude-code --dangerously-skip-permissions", like: claude }
#
# default_provider: provider of workers created without --provider (e.g. by \`agent-team workflow run\`).
# default_provider: claude
#
# worktree_dir: where worker worktrees go (default .worktrees, as the Go version expects). Worktrees inside
# the repository are crawled by tools started at its root (test runners, linters, search), which then see
# every worker's unmerged code; a folder outside the repository avoids that.
# worktree_dir: ../my-project-worktrees
`;

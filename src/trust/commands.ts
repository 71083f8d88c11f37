/**
 * What a project can make agent-team run: every template `command:` under `.agents/workflow/` and every
 * launch command in `.agents/config.yaml` `providers:`. Trust is given to exactly this list; its hash
 * changes when any of these commands is added, removed or edited (task texts and other fields do not count).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseYamlData } from '../store/yaml-file.js';
import { readProjectConfig } from '../worker/project-config.js';
import { projectConfigPath } from '../worker/paths.js';

/**
 * One command a project can run. `file` is repository-relative; `field` is e.g. `nodes.qa_verify.command`
 * or `providers.aider`. `like`: for a provider, the built-in adapter it behaves like (`like: claude` adds
 * that adapter's hook flags, session and first task to the command line), so it is part of what is trusted.
 */
export interface ProjectCommand {
  source: 'template' | 'config';
  file: string;
  field: string;
  command: string;
  like?: string;
}

/** Folder of the project's workflow templates, repository-relative. */
export const TEMPLATES_DIR = '.agents/workflow';

function rel(root: string, path: string): string {
  return relative(root, resolve(path)).split(sep).join('/');
}

/** The `command:` of every node in template data `data` (as parsed from YAML), in node order. */
export function commandsOfTemplateData(root: string, file: string, data: unknown): ProjectCommand[] {
  const nodes = (data as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const out: ProjectCommand[] = [];
  nodes.forEach((n, i) => {
    const node = n as { id?: unknown; command?: unknown } | null;
    if (node && typeof node.command === 'string' && node.command.trim() !== '') {
      out.push({ source: 'template', file: rel(root, file), field: `nodes.${typeof node.id === 'string' ? node.id : `[${i}]`}.command`, command: node.command });
    }
  });
  return out;
}

/** The config's launch commands (`providers.<name>`), or [] when `.agents/config.yaml` is missing. Throws like readProjectConfig. */
export function configCommands(root: string): ProjectCommand[] {
  const { providers, likes } = readProjectConfig(root);
  return Object.entries(providers).map(([name, command]) => ({
    source: 'config',
    file: rel(root, projectConfigPath(root)),
    field: `providers.${name}`,
    command,
    ...(likes[name] ? { like: likes[name] } : {}),
  }));
}

/**
 * Every command of the project at `root`: the templates `.agents/workflow/*.yaml|yml` (sorted by name;
 * a file that does not parse contributes nothing — it cannot run either), then the config's providers.
 */
export function projectCommands(root: string): ProjectCommand[] {
  const dir = join(root, TEMPLATES_DIR);
  const out: ProjectCommand[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const path = join(dir, name);
      try {
        out.push(...commandsOfTemplateData(root, path, parseYamlData(path, readFileSync(path))));
      } catch {
        // unreadable or a folder: nothing of it can run
      }
    }
  }
  return [...out, ...configCommands(root)];
}

/** One command as the list of what trust approves: a `like` only when given (so records made before it keep their hash). */
export function commandKey(c: ProjectCommand): string[] {
  return [c.source, c.file, c.field, c.command, ...(c.like ? [c.like] : [])];
}

/** `sha256:<hex>` of the commands (order-independent): what a trust record approves. */
export function commandsHash(commands: readonly ProjectCommand[]): string {
  const canonical = commands.map(commandKey).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}`;
}

/** `text` with control characters shown as `\xNN` (commands are shown for review, never interpreted by the terminal). */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line per command for messages: `.agents/workflow/x.yaml nodes.qa.command: npm test`, `… providers.mine: node agent.js (like: claude)`. */
export function describeCommand(c: ProjectCommand): string {
  return `${c.file} ${c.field}: ${visible(c.command)}${c.like ? ` (like: ${c.like})` : ''}`;
}

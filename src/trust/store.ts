/**
 * Trust records in the user's agent-team home (`$AGENT_TEAM_HOME`, else `~/.agents`: agentTeamHome), file
 * `trust.yaml`: one entry per repository (its real path), the hash of the commands approved and the
 * commands themselves (for `agent-team trust --list`). Written atomically under a lock; a file that
 * does not parse is reported (exit 2) and never overwritten.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { UnreadableFileError } from '../errors.js';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { withFileLock } from '../store/lock.js';
import { agentTeamHome } from '../store/paths.js';
import { parseYamlData, toYaml } from '../store/yaml-file.js';
import { commandsHash, projectCommands, type ProjectCommand } from './commands.js';

const CommandSchema = z.object({ source: z.enum(['template', 'config']), file: z.string(), field: z.string(), command: z.string(), like: z.optional(z.string()) });
const RecordSchema = z.object({ path: z.string().check(z.minLength(1)), hash: z.string().check(z.minLength(1)), trusted_at: z.string(), commands: z._default(z.array(CommandSchema), []) });
const TrustFileSchema = z.object({ version: z.literal(1), projects: z._default(z.array(RecordSchema), []) });

/** One trusted repository. */
export type TrustRecord = z.infer<typeof RecordSchema>;

/** Path of the trust file in {@link agentTeamHome}. */
export function trustFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(agentTeamHome(env), 'trust.yaml');
}

/** The key of a repository: its real path (symlinks resolved), so two paths to one checkout share one record. */
export function projectKey(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

/** Every trust record (none when the file is missing). Throws UnreadableFileError (exit 2) naming the file and the field. */
export function readTrustRecords(env: NodeJS.ProcessEnv = process.env): TrustRecord[] {
  const file = trustFile(env);
  if (!existsSync(file)) return [];
  const data = parseYamlData(file, readFileSync(file));
  if (data === null || data === undefined) return [];
  const parsed = TrustFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnreadableFileError(file, `${issue?.path.map(String).join('.') || '(document)'}: ${issue?.message ?? 'invalid'}`, {
      code: 'invalid_trust_file',
      hint: `fix or remove ${file} (it only lists trusted projects; agent-team trust recreates entries)`,
    });
  }
  return parsed.data.projects;
}

/** The record of the repository at `root`, if any. */
export function trustRecordOf(root: string, env: NodeJS.ProcessEnv = process.env): TrustRecord | undefined {
  const key = projectKey(root);
  return readTrustRecords(env).find((r) => r.path === key);
}

async function update(env: NodeJS.ProcessEnv, change: (records: TrustRecord[]) => TrustRecord[]): Promise<void> {
  const file = trustFile(env);
  mkdirSync(agentTeamHome(env), { recursive: true });
  await withFileLock(file, () => {
    const records = change(readTrustRecords(env));
    writeFileAtomicSync(file, toYaml({ version: 1, projects: records }));
  });
}

/**
 * Trusts the repository at `root` with its current commands ({@link projectCommands}): replaces its record.
 * Returns the record written. Throws UnreadableFileError when the trust file or the config is unreadable.
 */
export async function trustProject(root: string, options: { env?: NodeJS.ProcessEnv; now?: Date } = {}): Promise<TrustRecord> {
  const env = options.env ?? process.env;
  const commands: ProjectCommand[] = projectCommands(root);
  const record: TrustRecord = { path: projectKey(root), hash: commandsHash(commands), trusted_at: (options.now ?? new Date()).toISOString(), commands };
  await update(env, (records) => [...records.filter((r) => r.path !== record.path), record]);
  return record;
}

/** Removes the record of the repository at `root`; returns whether there was one. */
export async function revokeTrust(root: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const key = projectKey(root);
  if (!readTrustRecords(env).some((r) => r.path === key)) return false;
  await update(env, (records) => records.filter((r) => r.path !== key));
  return true;
}

/**
 * `worker.yaml`: the Go `WorkerConfig` (internal/config.go), read as the Go version wrote it and written
 * with the Go fields in Go order (4-space yaml.v3 layout). Fields this tool does not know are kept in
 * place when rewriting; `backend` is ours (the Go version ignores it). A missing `worktree_created` means
 * true, and the oldest files' `default_provider` stands in for `provider`.
 */
import { existsSync } from 'node:fs';
import * as z from 'zod/mini';
import { OperationError, UnreadableFileError } from '../errors.js';
import { createFileExclusiveSync, writeFileAtomicSync } from '../store/atomic-write.js';
import { withFileLock } from '../store/lock.js';
import { readYamlFile, toYaml } from '../store/yaml-file.js';
import { workerPaths } from './paths.js';

/** Go field order of `WorkerConfig` (all versions merged; omitempty fields are left out when empty). */
export const GO_FIELD_ORDER = [
  'worker_id',
  'role',
  'role_scope',
  'role_path',
  'provider',
  'default_model',
  'main_session_id',
  'pane_id',
  'controller_pane_id',
  'task_id',
  'task_path',
  'status',
  'created_at',
  'updated_at',
  'worktree_created',
] as const;

/** Fields Go writes even when empty (no `omitempty`). */
const ALWAYS = new Set(['worker_id', 'role', 'provider', 'pane_id', 'created_at']);

/**
 * The fields agent-team reads; others pass through untouched. Built on first use (the one cache of this
 * module): commands that read no worker config, such as every transition, do not pay for building it.
 */
let configSchema: ReturnType<typeof buildConfigSchema> | undefined;

function buildConfigSchema() {
  const str = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
  return z.looseObject({
    worker_id: z.optional(str),
    role: z.optional(str),
    role_scope: z.optional(str),
    role_path: z.optional(str),
    provider: z.optional(str),
    default_provider: z.optional(str),
    default_model: z.optional(str),
    main_session_id: z.optional(str),
    pane_id: z.nullish(str),
    controller_pane_id: z.nullish(str),
    created_at: z.optional(str),
    updated_at: z.optional(str),
    worktree_created: z.nullish(z.boolean()),
    backend: z.optional(str),
  });
}

/** A worker's config. Known fields are typed; `[key]` holds anything else found in the file. */
export interface WorkerConfig {
  worker_id: string;
  role: string;
  role_scope?: string;
  role_path?: string;
  provider: string;
  default_model?: string;
  main_session_id?: string;
  pane_id: string;
  controller_pane_id?: string;
  created_at: string;
  updated_at?: string;
  /** Undefined means true (files written before the field existed). */
  worktree_created?: boolean;
  /** Session backend the pane was spawned with (`tmux`, `wezterm`, `process`); ours, not Go's. */
  backend?: string;
  [key: string]: unknown;
}

/** Whether the worktree has been created (Go `IsWorktreeCreated`: a missing field means true). */
export function isWorktreeCreated(config: WorkerConfig): boolean {
  return config.worktree_created !== false;
}

/** Go's `time.Now().UTC().Format("2006-01-02T15:04:05Z")`. */
export function goTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Serializes a config: Go fields in Go order (empty omitempty fields dropped), then the rest in their order. */
export function serializeWorkerConfig(config: WorkerConfig): string {
  const out: Record<string, unknown> = {};
  for (const key of GO_FIELD_ORDER) {
    const value = config[key];
    if (value === undefined || value === null) {
      if (ALWAYS.has(key)) out[key] = '';
      continue;
    }
    if (value === '' && !ALWAYS.has(key)) continue;
    out[key] = value;
  }
  for (const [key, value] of Object.entries(config)) {
    if ((GO_FIELD_ORDER as readonly string[]).includes(key) || value === undefined) continue;
    out[key] = value;
  }
  return toYaml(out);
}

/**
 * Reads `.agents/workers/<id>/worker.yaml`. Throws OperationError (code `unknown_worker`, exit 1) when it
 * does not exist, UnreadableFileError (exit 2) when it does not parse or lacks `role`.
 */
export function readWorkerConfig(root: string, id: string): WorkerConfig {
  const path = workerPaths(root, id).config;
  if (!existsSync(path)) {
    throw new OperationError(`no worker ${id} (${path} does not exist)`, { code: 'unknown_worker', hint: 'list workers with: agent-team worker status' });
  }
  const loaded = readYamlFile(path);
  const parsed = (configSchema ??= buildConfigSchema()).safeParse(loaded.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnreadableFileError(path, `${issue?.path.join('.') || '(document)'}: ${issue?.message ?? 'not a worker config'}`);
  }
  const data = parsed.data as Record<string, unknown>;
  const role = (data.role as string | undefined) ?? '';
  if (role === '') throw new UnreadableFileError(path, 'role: missing');
  return {
    ...data,
    worker_id: (data.worker_id as string | undefined) || id,
    role,
    provider: (data.provider as string | undefined) || (data.default_provider as string | undefined) || '',
    pane_id: (data.pane_id as string | null | undefined) ?? '',
    controller_pane_id: (data.controller_pane_id as string | null | undefined) ?? undefined,
    worktree_created: (data.worktree_created as boolean | null | undefined) ?? undefined,
    created_at: (data.created_at as string | undefined) ?? '',
  } as WorkerConfig;
}

/** Writes a new config file; false when it already exists (never overwrites). */
export function createWorkerConfig(root: string, config: WorkerConfig): boolean {
  return createFileExclusiveSync(workerPaths(root, config.worker_id).config, serializeWorkerConfig(config));
}

/**
 * Read-modify-write of worker `id`'s config under its file lock; `mutate` changes the object in place.
 * Returns the written config. Throws like {@link readWorkerConfig}.
 */
export async function updateWorkerConfig(root: string, id: string, mutate: (config: WorkerConfig) => void): Promise<WorkerConfig> {
  const path = workerPaths(root, id).config;
  readWorkerConfig(root, id); // fail early with a clear message before locking
  return withFileLock(path, () => {
    const config = readWorkerConfig(root, id);
    mutate(config);
    writeFileAtomicSync(path, serializeWorkerConfig(config));
    return config;
  });
}

/** `worker create` (config only, worktree deferred as in the Go version) and the list of worker ids. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { createWorkerConfig, goTimestamp, type WorkerConfig } from './config.js';
import { assertName, reserveWorkerId } from './ids.js';
import { workerPaths, workersDir } from './paths.js';
import { assertModel, assertProvider, DEFAULT_PROVIDER } from './providers.js';
import { readProjectConfig } from './project-config.js';
import { resolveRole, type Role } from './roles.js';
import { type LifecycleOptions } from './session.js';
import { openWorker } from './open.js';

/** Options of {@link createWorker}. `allowGlobal` must be true to use a role found only in ~/.agents/roles. */
export interface CreateWorkerOptions extends LifecycleOptions {
  provider?: string;
  model?: string;
  allowGlobal?: boolean;
}

/** A created worker: its id, config and role. */
export interface CreatedWorker {
  id: string;
  config: WorkerConfig;
  role: Role;
}

/**
 * `worker create`: validates role, provider and model, reserves `<role>-NNN` and writes worker.yaml
 * (`worktree_created: false`; the worktree is made by {@link openWorker}). Throws UsageError for a bad
 * name, unknown provider, or a global role without `allowGlobal` (code `global_role_needs_confirmation`);
 * OperationError `unknown_role`.
 */
export async function createWorker(root: string, roleName: string, options: CreateWorkerOptions = {}): Promise<CreatedWorker> {
  assertName('role', roleName);
  const provider = assertProvider(root, options.provider ?? readProjectConfig(root).default_provider ?? DEFAULT_PROVIDER);
  if (options.model !== undefined) assertModel(options.model);
  const role = resolveRole(root, roleName, options.env);
  if (role.scope === 'global' && !options.allowGlobal) {
    throw new UsageError(`role ${roleName} is a global role (${role.path}); confirm using it with --yes`, {
      code: 'global_role_needs_confirmation',
      details: { role: roleName, path: role.path },
      hint: `agent-team worker create ${roleName} --yes`,
    });
  }
  const id = await reserveWorkerId(root, roleName);
  const config: WorkerConfig = {
    worker_id: id,
    role: roleName,
    role_scope: role.scope,
    role_path: role.scope === 'global' ? role.path : undefined,
    provider,
    default_model: options.model,
    pane_id: '',
    created_at: goTimestamp(options.now),
    worktree_created: false,
  };
  if (!createWorkerConfig(root, config)) throw new OperationError(`${workerPaths(root, id).config} already exists`, { code: 'exists' });
  return { id, config, role };
}

/** Ids of every worker with a config folder, sorted. */
export function listWorkerIds(root: string): string[] {
  const dir = workersDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'worker.yaml')))
    .sort();
}

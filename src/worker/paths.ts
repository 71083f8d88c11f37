/**
 * Where worker things live (the Go layout): config `.agents/workers/<id>/worker.yaml`, worktree
 * `.worktrees/<id>/` (or `worktrees/<id>/` when that folder exists, as the Go version does), branch
 * `team/<id>`, project config `.agents/config.yaml`, project roles `.agents/teams/<role>/`.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readProjectConfig } from './project-config.js';

/** Prefix of every worker branch. */
export const BRANCH_PREFIX = 'team/';

/** `<root>/.agents/workers`: one folder per worker. */
export function workersDir(root: string): string {
  return join(root, '.agents', 'workers');
}

/** `<root>/.agents/config.yaml`: user providers. */
export function projectConfigPath(root: string): string {
  return join(root, '.agents', 'config.yaml');
}

/** Cache: `worktree_dir` of `.agents/config.yaml` per root, with the config's mtime it was read at (re-read when that changes). */
const configured = new Map<string, { mtimeMs: number; dir: string | undefined }>();

/**
 * The folder holding worker worktrees: `worktree_dir` from `.agents/config.yaml` (relative to `root`, or
 * absolute) when set; else `<root>/worktrees` when it exists (Go compatibility), else `<root>/.worktrees`.
 * Throws UnreadableFileError for a bad config (see project-config.ts).
 */
export function worktreeBase(root: string): string {
  const dir = configuredWorktreeDir(root);
  if (dir) return resolve(root, dir);
  const legacy = join(root, 'worktrees');
  return existsSync(legacy) ? legacy : join(root, '.worktrees');
}

function configuredWorktreeDir(root: string): string | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(projectConfigPath(root)).mtimeMs;
  } catch {
    return undefined; // no config
  }
  const cached = configured.get(root);
  if (cached && cached.mtimeMs === mtimeMs) return cached.dir;
  const dir = readProjectConfig(root).worktree_dir;
  configured.set(root, { mtimeMs, dir });
  return dir;
}

/** All paths of worker `id`. */
export interface WorkerPaths {
  /** `.agents/workers/<id>/` (also the session backend's state folder). */
  dir: string;
  /** `.agents/workers/<id>/worker.yaml`. */
  config: string;
  /** `.worktrees/<id>/`. */
  worktree: string;
  /** `team/<id>`. */
  branch: string;
}

/** The paths of worker `id` in the repository at `root` (the id must already be validated). */
export function workerPaths(root: string, id: string): WorkerPaths {
  const dir = join(workersDir(root), id);
  return { dir, config: join(dir, 'worker.yaml'), worktree: join(worktreeBase(root), id), branch: `${BRANCH_PREFIX}${id}` };
}

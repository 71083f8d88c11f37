/**
 * A worker's last reply: `.agents/workers/<id>/last-reply.yaml`, written by every `reply-main` (whether or
 * not a run node or the controller's pane took it), so a reply is never lost; `worker status` shows it.
 * Fields: message, status (done/blocked/needs-input), at (ISO time), and when known outcome, change
 * (`.tasks/changes/<name>/`), head, clean, runs (the run ids it was recorded on).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { readYamlFile, toYaml } from '../store/yaml-file.js';
import { workerPaths } from './paths.js';

const LastReplySchema = z.object({
  message: z.string(),
  status: z.enum(['done', 'blocked', 'needs-input']),
  at: z.string(),
  outcome: z.optional(z.string()),
  change: z.optional(z.string()),
  head: z.optional(z.string()),
  clean: z.optional(z.boolean()),
  runs: z.optional(z.array(z.string())),
});

/** One worker's last reply as stored in last-reply.yaml. */
export type LastReply = z.infer<typeof LastReplySchema>;

/** `<root>/.agents/workers/<id>/last-reply.yaml`. */
export function lastReplyPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'last-reply.yaml');
}

/** Writes worker `id`'s last reply (atomic rewrite). Throws the fs error when the worker folder is missing. */
export function writeLastReply(root: string, id: string, reply: LastReply): string {
  const path = lastReplyPath(root, id);
  writeFileAtomicSync(path, toYaml(Object.fromEntries(Object.entries(reply).filter(([, v]) => v !== undefined))));
  return path;
}

/**
 * Worker `id`'s last reply, undefined when it never replied. Throws UnreadableFileError (exit 2, from
 * readYamlFile) when the file is not YAML, an Error naming the file when it is not a reply record.
 */
export function readLastReply(root: string, id: string): LastReply | undefined {
  const path = lastReplyPath(root, id);
  if (!existsSync(path)) return undefined;
  const parsed = LastReplySchema.safeParse(readYamlFile(path, 'last-reply.yaml').data);
  if (!parsed.success) throw new Error(`${path} is not a reply record (message, status, at): ${parsed.error.issues[0]?.message ?? 'invalid'}; remove it`);
  return parsed.data;
}

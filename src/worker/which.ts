/** Finding an executable on PATH without spawning a process. */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The absolute path of `command` on `path` (or `command` itself when it is a path and executable), else undefined. */
export function which(command: string, path: string | undefined): string | undefined {
  const candidates = command.includes('/') ? [command] : (path ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return isAbsolute(c) ? c : join(process.cwd(), c);
    } catch {
      // not here
    }
  }
  return undefined;
}

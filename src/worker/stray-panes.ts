/**
 * A worker's stray panes: panes tagged as the worker's own that worker.yaml does not record. A `worker
 * open` interrupted (Ctrl-C, kill) between creating the pane and saving `pane_id` leaves one; its tmux
 * session then has the worker's session name, so every later open would fail. `worker open` adopts or
 * closes them, `worker close`/`delete` close them, `doctor` reports them.
 */
import type { SessionBackend } from '../session/backend.js';
import { paneOwner } from './session.js';

/**
 * Ids of the panes tagged as worker `id`'s of the project at `root` other than `recorded` (the pane
 * worker.yaml names); [] for a backend that cannot list panes by owner. Throws what the backend throws
 * (OperationError `tmux_failed`, or the multiplexer missing).
 */
export async function strayPanes(backend: SessionBackend, root: string, id: string, recorded?: string): Promise<string[]> {
  if (!backend.ownedPanes) return [];
  return (await backend.ownedPanes(paneOwner(root, id))).filter((p) => p !== recorded);
}

/** {@link strayPanes} for best-effort clean-ups (`worker close`, `delete`, `doctor`): [] when the backend cannot be asked. */
export async function strayPanesOrNone(backend: SessionBackend, root: string, id: string, recorded?: string): Promise<string[]> {
  try {
    return await strayPanes(backend, root, id, recorded);
  } catch {
    return [];
  }
}

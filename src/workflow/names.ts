/**
 * Names that become file, folder and branch names, one rule per kind (the Go layout): workflow names
 * (`.agents/workflow/<name>.yaml`, `runs/<name>/`), role names and worker ids (`.agents/teams/<role>/`,
 * `team/<id>`), and the slugs in run ids and change folders. Validation, `workflow create` and the
 * worker commands all check against these.
 */

/** Workflow names: letters, digits, `.`, `_`, `-`, starting with a letter or digit; no path separators. */
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Role names and worker ids: lowercase letters, digits and `-`, starting with a letter or digit. */
export const ID_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * A slug of `text` for a file name (the Go `Slugify`, plus accents folded: `Café` → `cafe`): lowercase,
 * runs of characters other than `[a-z0-9]` become one `-`, trimmed, cut to `max` characters, `empty`
 * when nothing is left.
 */
export function slugify(text: string, { max, empty }: { max: number; empty: string }): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return slug === '' ? empty : slug;
}

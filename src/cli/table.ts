/** Plain-text tables for people (`worker status`, `workflow state list`, `role list`); `--json` carries the data. */

/**
 * `header` and `rows` as aligned columns: each cell padded to its column's widest cell, two spaces
 * between columns, no trailing spaces. Cells are printed as given (callers escape user text).
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The one table renderer of the CLI's text output. */
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/table.js';

describe('renderTable', () => {
  it('pads every column to its widest cell, two spaces apart, without trailing spaces', () => {
    expect(renderTable(['ID', 'STATUS', 'NOTE'], [['dev-001', 'running', ''], ['qa-2', 'idle', 'waits for dev']])).toBe(
      ['ID       STATUS   NOTE', 'dev-001  running', 'qa-2     idle     waits for dev'].join('\n'),
    );
  });

  it('a header alone when there are no rows; short rows leave their last cells empty', () => {
    expect(renderTable(['A', 'B'], [])).toBe('A  B');
    expect(renderTable(['A', 'BB', 'C'], [['x']])).toBe('A  BB  C\nx');
  });
});

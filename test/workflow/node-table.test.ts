/** The node-type table: one module per node type, and `next` is the plan's `next` half. */
import { describe, expect, it } from 'vitest';
import { NODE_MODULES } from '../../src/workflow/nodes/index.js';
import { NODE_TYPES } from '../../src/workflow/schema.js';

describe('NODE_MODULES', () => {
  it('has exactly one module per node type, each with plan and act', () => {
    expect(Object.keys(NODE_MODULES).sort()).toEqual([...NODE_TYPES].sort());
    for (const type of NODE_TYPES) {
      expect(typeof NODE_MODULES[type].plan, type).toBe('function');
      expect(typeof NODE_MODULES[type].act, type).toBe('function');
    }
  });
});

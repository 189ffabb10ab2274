// Log lines for journald quote host names and file names: nothing in them may drive a terminal
// (journalctl -f shows them raw) or reorder the line.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../../src/core/log.js';

describe('formatLine', () => {
  it('escapes controls, C1 and bidi characters in the message and the fields', () => {
    const line = formatLine('warn', 'pihole', 'device \u001b[2J\u202etv', { host: 'a\u009bb\r\nforged', file: '/var/log/pihole.log' });
    expect(line).toBe('level=warn module=pihole msg="device \\u001b[2J\\u202etv" host="a\\x9bb\\r\\nforged" file=/var/log/pihole.log');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

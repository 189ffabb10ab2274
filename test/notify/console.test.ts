import { describe, expect, it } from 'vitest';
import { ConsoleNotifier, formatAlertLine } from '../../src/notify/console.js';
import { makeAlert } from './support.js';

describe('formatAlertLine', () => {
  it.each([
    [makeAlert(1), `${makeAlert(1).at} warning quiet_hours Living room TV (aa:bb:cc:00:00:01) session 101: ${makeAlert(1).message}`],
    [makeAlert(2, { device: { mac: 'aa:bb:cc:dd:ee:ff', name: null }, session_id: null }), `${makeAlert(2).at} warning quiet_hours aa:bb:cc:dd:ee:ff: ${makeAlert(2).message}`],
    [makeAlert(3, { device: null, rule: 'concurrent_streams', severity: 'critical' }), `${makeAlert(3).at} critical concurrent_streams - session 103: ${makeAlert(3).message}`],
  ])('%#', (alert, line) => {
    expect(formatAlertLine(alert)).toBe(line);
  });
});

describe('ConsoleNotifier', () => {
  it('writes one line per alert', async () => {
    const lines: string[] = [];
    const n = new ConsoleNotifier((line) => lines.push(line));
    await n.send(makeAlert(1));
    await n.send(makeAlert(2));
    await n.close();
    expect(lines).toEqual([formatAlertLine(makeAlert(1)), formatAlertLine(makeAlert(2))]);
  });
});

// A Notifier that prints each alert as one line, for running without Home Assistant (and for
// seeing what would be sent). It cannot fail, so the outbox drains through it at once.
import type { Notifier, OutgoingAlert } from './notifier.js';

export type WriteLine = (line: string) => void;

/** `2026-11-22T01:47:10Z warning quiet_hours TV (aa:bb:cc:dd:ee:ff) session 12: message` */
export function formatAlertLine(alert: OutgoingAlert): string {
  const device = alert.device === null
    ? '-'
    : alert.device.name === null ? alert.device.mac : `${alert.device.name} (${alert.device.mac})`;
  const session = alert.session_id === null ? '' : ` session ${alert.session_id}`;
  return `${alert.at} ${alert.severity} ${alert.rule} ${device}${session}: ${alert.message}`;
}

export class ConsoleNotifier implements Notifier {
  constructor(private readonly writeLine: WriteLine = (line) => process.stdout.write(`${line}\n`)) {}

  send(alert: OutgoingAlert): Promise<void> {
    this.writeLine(formatAlertLine(alert));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

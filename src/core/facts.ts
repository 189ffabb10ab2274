// What the rules know about a device, and how a service is named in an alert's message. Its own
// file so that every rule (rules.ts, baseline.ts, dns-bypass.ts) reads it without a circle.
import type { Trust } from './types.js';

export interface DeviceFacts {
  readonly label: string;
  readonly trust: Trust;
  /** Per-device quiet hours ("HH:MM-HH:MM"), overriding the global window. */
  readonly quietHours?: string;
}

export function serviceLabel(service: string): string {
  return service === 'netflix' ? 'Netflix' : service;
}

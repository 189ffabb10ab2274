// Addresses that answers for monitored names handed out, folded to one row per (address, service):
// first and last time seen, video once means video for good (a capture then counts the address's
// bytes as video), else the role and name of the latest answer, ties to the greater name (one
// name has one role). Every step is a min, a max or a choice by a total order, so folding is
// idempotent and commutative: the row is a function of the answers, whatever order and groups
// they come in, and folding a row in twice (a read resumed after a crash) changes nothing.
import type { Role, ServedAddress } from './types.js';

export interface ServedRow {
  readonly ip: string;
  readonly service: string;
  role: Role;
  name: string;
  firstSeen: number;
  lastSeen: number;
}

/** Fold an answer's or a row's facts into `into` (changed in place). */
function fold(into: ServedRow, role: Role, name: string, firstSeen: number, lastSeen: number): void {
  const video = into.role === 'video' || role === 'video';
  // Later: seen last later, or at the same time under a greater name. Not by role: a row's role
  // may be video for good, which says nothing about its latest answer.
  if (lastSeen > into.lastSeen || (lastSeen === into.lastSeen && name > into.name)) {
    into.role = role;
    into.name = name;
    into.lastSeen = lastSeen;
  }
  if (video) into.role = 'video';
  if (firstSeen < into.firstSeen) into.firstSeen = firstSeen;
}

/**
 * Rows by service and address. Also remembers which rows changed since `takeTouched`, so a
 * writer can log just those. A log read folds hundreds of thousands of answers into a few
 * thousand rows: per answer this is two map lookups and no allocation.
 */
export class ServedFold {
  private readonly byService = new Map<string, Map<string, ServedRow>>();
  private touched = new Set<ServedRow>();
  size = 0;

  add(answers: readonly ServedAddress[]): this {
    for (const s of answers) this.fold(s.service, s.ip, s.role, s.name, s.ts, s.ts);
    return this;
  }

  addRows(rows: Iterable<Readonly<ServedRow>>): this {
    for (const r of rows) this.fold(r.service, r.ip, r.role, r.name, r.firstSeen, r.lastSeen);
    return this;
  }

  /** The rows changed since the last call. */
  takeTouched(): ServedRow[] {
    const rows = [...this.touched];
    this.touched = new Set();
    return rows;
  }

  /** Every row in key order (address, then service): each lands next to the one before in the table's tree. */
  rows(): ServedRow[] {
    const out: ServedRow[] = [];
    for (const ips of this.byService.values()) out.push(...ips.values());
    return out.sort((x, y) => (x.ip < y.ip ? -1 : x.ip > y.ip ? 1 : x.service < y.service ? -1 : x.service > y.service ? 1 : 0));
  }

  clear(): void {
    this.byService.clear();
    this.touched.clear();
    this.size = 0;
  }

  private fold(service: string, ip: string, role: Role, name: string, firstSeen: number, lastSeen: number): void {
    let ips = this.byService.get(service);
    if (!ips) this.byService.set(service, (ips = new Map<string, ServedRow>()));
    const row = ips.get(ip);
    if (row) fold(row, role, name, firstSeen, lastSeen);
    else {
      const fresh: ServedRow = { ip, service, role, name, firstSeen, lastSeen };
      ips.set(ip, fresh);
      this.size++;
      this.touched.add(fresh);
      return;
    }
    this.touched.add(row);
  }
}

/** The rows `answers` fold to, in key order. */
export function foldServed(answers: readonly ServedAddress[]): ServedRow[] {
  return new ServedFold().add(answers).rows();
}

// Addresses that answers for monitored names handed out, folded to one row per (address, service):
// first and last time seen, video once means video for good (a capture then counts the address's
// bytes as video), else the role and name of the latest answer, ties to the greater name (one name
// has one role). Every step is a min, a max or a choice by a total order, so folding is idempotent and
// commutative: the row is a function of the answers, whatever order and groups they come in,
// and folding a row in twice (a read resumed after a crash) changes nothing.
import type { Role, ServedAddress } from './types.js';

export interface ServedRow {
  readonly ip: string;
  readonly service: string;
  role: Role;
  name: string;
  firstSeen: number;
  lastSeen: number;
}

/**
 * `b` is later than `a`: seen last later, or at the same time under a greater name. Not by role:
 * a row's role may be video for good, which says nothing about its latest answer.
 */
function later(a: Pick<ServedRow, 'lastSeen' | 'name'>, b: Pick<ServedRow, 'lastSeen' | 'name'>): boolean {
  return b.lastSeen > a.lastSeen || (b.lastSeen === a.lastSeen && b.name > a.name);
}

/** Fold `row` into `into` (changed in place). */
export function foldRow(into: ServedRow, row: Readonly<ServedRow>): void {
  const video = into.role === 'video' || row.role === 'video';
  if (later(into, row)) {
    into.role = row.role;
    into.name = row.name;
    into.lastSeen = row.lastSeen;
  }
  if (video) into.role = 'video';
  into.firstSeen = Math.min(into.firstSeen, row.firstSeen);
}

/** Fold answers into `rows` (keyed by `ip service`); returns `rows`. */
export function foldServed(served: readonly ServedAddress[], rows: Map<string, ServedRow> = new Map()): Map<string, ServedRow> {
  for (const s of served) {
    const row: ServedRow = { ip: s.ip, service: s.service, role: s.role, name: s.name, firstSeen: s.ts, lastSeen: s.ts };
    const key = `${s.ip} ${s.service}`;
    const have = rows.get(key);
    if (have) foldRow(have, row);
    else rows.set(key, row);
  }
  return rows;
}

/** Fold every row of `from` into `into`; returns `into`. */
export function foldRows(from: ReadonlyMap<string, Readonly<ServedRow>>, into: Map<string, ServedRow>): Map<string, ServedRow> {
  for (const [key, row] of from) {
    const have = into.get(key);
    if (have) foldRow(have, row);
    else into.set(key, { ...row });
  }
  return into;
}

/** The rows in key order (each lands next to the one before in the table's tree). */
export function inKeyOrder(rows: ReadonlyMap<string, ServedRow>): ServedRow[] {
  return [...rows.keys()].sort().map((k) => rows.get(k)!);
}

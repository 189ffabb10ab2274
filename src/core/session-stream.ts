// Folding sessions from activity that arrives a time window at a time (a rebuild that streams
// years of history from the store), giving exactly the sessions foldSessions gives the whole of
// it at once, while holding only what a session still open at the window's end needs.
//
// What crosses a window edge, and how each is carried:
// - a chain goes on while silences are at most the gap: a device's activity is folded only up to
//   a cut with no surviving playing evidence in the margin before it (the chain before it is
//   closed: the next playing evidence starts a new one); the rest waits for the next window;
// - the burst filter looks BURST_MS both ways: only activity more than BURST_MS before the
//   window's end is decided, and the background activity of the last BURST_MS is kept;
// - a lead-in (LEAD_IN_MS) or an inferred play's opening (up to the gap) looks back before the
//   first playing evidence: the ui activity of that span before the cut is kept as context;
// - the fold of a device goes on from the end of its last session (previousEnd).
// Sessions leave in foldSessions' order, once no later activity can give one that sorts before.
import type { Activity, Session } from './types.js';
import { BURST_MS, LEAD_IN_MS, byTime, bySessionOrder, foldDevice, isPlaying, withoutBursts, type SessionOptions } from './sessions.js';

const MINUTE = 60_000;

interface DeviceState {
  /** Activity before `cut` a later session may look back at: none of it survives as playing. */
  context: Activity[];
  /** Activity from `cut` on, not folded yet. */
  pending: Activity[];
  cut: number;
  previousEnd: number;
}

export class SessionStream {
  private readonly devices = new Map<string, DeviceState>();
  private ready: Session[] = [];
  private bound = -Infinity;
  /** How far before its first playing evidence a session may start. */
  private readonly lookBackMs: number;
  /** Silence before a cut: longer than the gap even for a flow minute's end, plus the look-back. */
  private readonly marginMs: number;

  constructor(private readonly opts: SessionOptions) {
    this.lookBackMs = Math.max(LEAD_IN_MS, opts.gapMs);
    this.marginMs = Math.max(this.lookBackMs, opts.gapMs + MINUTE) + BURST_MS;
  }

  /** Activity of the next window, in any order; none before the bound of the last advance(). */
  add(activities: readonly Activity[]): void {
    for (const a of activities) {
      if (a.ts < this.bound) throw new RangeError(`activity at ${a.ts} arrived after the stream passed ${this.bound}`);
      const key = `${a.device}\u0000${a.service}`;
      let state = this.devices.get(key);
      if (!state) this.devices.set(key, (state = { context: [], pending: [], cut: -Infinity, previousEnd: -Infinity }));
      state.pending.push(a);
    }
  }

  /**
   * Every activity before `bound` has been added: fold what can be, and return the sessions no
   * later activity can change or precede, in foldSessions' order.
   */
  advance(bound: number): Session[] {
    this.bound = Math.max(this.bound, bound);
    const decided = this.bound - BURST_MS;
    for (const [key, state] of this.devices) {
      if (state.pending.length > 0) this.foldUpTo(state, decided);
      // Nothing left that a later session could look back at (nor end after: previousEnd is older still).
      else if ((state.context[state.context.length - 1]?.ts ?? -Infinity) < decided - this.marginMs) this.devices.delete(key);
    }
    return this.release(this.horizon());
  }

  /** The end of the input: every session. */
  finish(): Session[] {
    for (const state of this.devices.values()) {
      const sorted = [...state.context, ...state.pending].sort(byTime);
      this.ready.push(...foldDevice(withoutBursts(sorted), this.opts, state.previousEnd));
    }
    this.devices.clear();
    return this.release(Infinity);
  }

  /** No session still to come starts (or first plays) before this. */
  horizon(): number {
    let low = this.bound - BURST_MS;
    for (const state of this.devices.values()) if (state.pending.length > 0) low = Math.min(low, state.cut);
    return low - this.lookBackMs;
  }

  /** How many activities are held: one window plus the open chains and their context. */
  held(): number {
    let n = 0;
    for (const state of this.devices.values()) n += state.context.length + state.pending.length;
    return n;
  }

  private foldUpTo(state: DeviceState, decided: number): void {
    const all = [...state.context, ...state.pending].sort(byTime);
    const kept = withoutBursts(all);
    const cut = this.lastCut(kept, decided);
    if (cut === undefined) {
      state.pending = all.slice(state.context.length);
      return;
    }
    const sessions = foldDevice(
      kept.filter((a) => a.ts < cut),
      this.opts,
      state.previousEnd,
    );
    if (sessions.length > 0) state.previousEnd = sessions[sessions.length - 1]!.end;
    this.ready.push(...sessions);
    // Playing evidence before the cut is all gone (folded, or dropped as part of a burst).
    const keepFrom = cut - this.lookBackMs - BURST_MS;
    state.context = all.filter((a) => a.ts >= keepFrom && a.ts < cut && !isPlaying(a));
    state.pending = all.filter((a) => a.ts >= cut);
    state.cut = cut;
  }

  /**
   * The latest time up to `decided` with no surviving playing evidence in the margin before it:
   * `decided` itself, or else the first playing evidence after the last long silence.
   */
  private lastCut(kept: readonly Activity[], decided: number): number | undefined {
    let previous = -Infinity;
    let cut: number | undefined;
    for (const a of kept) {
      if (a.ts >= decided) break;
      if (!isPlaying(a)) continue;
      if (a.ts - previous > this.marginMs) cut = a.ts;
      previous = a.ts;
    }
    return decided - previous > this.marginMs ? decided : cut;
  }

  private release(horizon: number): Session[] {
    const out: Session[] = [];
    const rest: Session[] = [];
    for (const s of this.ready) (s.start < horizon ? out : rest).push(s);
    this.ready = rest;
    return out.sort(bySessionOrder);
  }
}

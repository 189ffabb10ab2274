// Types of the viewing-activity reconciliation: what the export parser produces, what the store
// supplies, and the JSON the CLI prints. Shared by sources/viewing-activity and core/reconcile*.

/** One play of the account as Netflix's export lists it. */
export interface Play {
  readonly profile: string;
  /** Epoch ms (UTC). For dayOnly plays: midnight UTC of the calendar day, a day label only. */
  readonly start: number;
  readonly durationS: number;
  readonly title: string;
  /** `HOOK`, `TRAILER`, `TEASER_TRAILER`, ...: set for previews, which are never sharing evidence. */
  readonly previewType?: string;
  readonly preview: boolean;
  /** Netflix's free-text device type, e.g. `Samsung CE 2019 Muse-L UHD TV Smart TV`; '' if unknown. */
  readonly deviceType: string;
  /** ISO 3166 alpha-2 code ('DE'), '' if the export gave none. */
  readonly country: string;
  readonly countryName?: string;
  readonly attributes: string;
  /** From NetflixViewingHistory.csv: the day is known, the time of day is not. */
  readonly dayOnly: boolean;
  /** Stable de-duplication key (same play in any export -> same key). */
  readonly key: string;
}

export interface HomeDevice {
  readonly mac: string;
  readonly name: string | null;
  /** IEEE OUI organisation name, null when unknown or randomized. */
  readonly vendor: string | null;
  readonly hostname: string | null;
}

/** A Netflix viewing session the home network saw (from the store). */
export interface HomeSession {
  readonly id: string | number;
  readonly device: HomeDevice;
  readonly start: number;
  readonly end: number;
}

/** A span of time in which the home monitoring had data (epoch ms, [start, end]). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface ReconcileConfig {
  /** Slack on both sides of a home session, seconds (viewing_activity.tolerance). */
  readonly toleranceS: number;
  /** ISO alpha-2; default: the most common country of the plays matched at home, else of all plays. */
  readonly homeCountry?: string;
  /**
   * The most common country of all the account's plays, when `plays` holds only some of them
   * (those that could be judged: see raiseOutsideHomeAlerts); used instead of theirs.
   */
  readonly allPlaysCountry?: string;
  /** IANA zone of the home, for day-level checks and hours of the day. */
  readonly timeZone: string;
}

export interface ReconcileInput {
  readonly plays: readonly Play[];
  readonly sessions: readonly HomeSession[];
  readonly coverage: readonly Interval[];
  readonly config: ReconcileConfig;
  /** Device types matched at home by earlier imports (the store remembers them). */
  readonly knownHomeDeviceTypes?: readonly string[];
}

export type Verdict = 'home' | 'away_own' | 'away_unknown' | 'unknown_coverage';

/** One contribution to a sharing score. */
export interface ScoreReason {
  readonly signal: string;
  readonly points: number;
  readonly detail: string;
  /** Keys of the plays behind it. */
  readonly plays: readonly string[];
}

export interface ReconciledPlay {
  readonly profile: string;
  readonly start: string;
  readonly end: string;
  readonly title: string;
  readonly device_type: string;
  readonly country: string;
  readonly verdict: Verdict;
  readonly home_device: { readonly mac: string; readonly name: string | null } | null;
  readonly confidence: number;
  readonly reasons: readonly string[];
  /** The play's de-duplication key, as listed in the reasons' `plays`. */
  readonly key: string;
}

export interface ProfileSummary {
  readonly profile: string;
  readonly plays: number;
  readonly home: number;
  readonly away_own: number;
  readonly away_unknown: number;
  readonly unknown_coverage: number;
  readonly sharing_score: number;
  readonly reasons: readonly ScoreReason[];
}

export interface ReconcileResult {
  readonly plays: readonly ReconciledPlay[];
  readonly profiles: readonly ProfileSummary[];
  readonly account: { readonly sharing_score: number; readonly reasons: readonly ScoreReason[] };
}

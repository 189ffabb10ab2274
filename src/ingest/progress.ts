// How far a long one-off read has got, for a progress line: bytes of the file read so far and the
// lines or packets they held. The CLI decides whether and how to show it.
export interface IngestProgress {
  readonly path: string;
  readonly unit: 'lines' | 'packets';
  /** Bytes read by this run (a resumed log counts from where it resumed). */
  readonly bytes: number;
  /** Bytes this run will read in all; undefined when unknown (a gzip log's decompressed size). */
  readonly totalBytes: number | undefined;
  readonly items: number;
  readonly done: boolean;
}

export type ProgressSink = (p: IngestProgress) => void;

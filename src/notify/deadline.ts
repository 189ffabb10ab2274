// Waiting with a deadline without leaving timers behind (a stray timer keeps a CLI process alive
// and delays a systemd stop).

export const TIMED_OUT: unique symbol = Symbol('timed out');

/** Settles like `promise`, or with TIMED_OUT after `ms`; the promise itself is not cancelled. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

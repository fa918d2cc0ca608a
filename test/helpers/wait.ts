// Polling and sleeping for tests over real sockets: the one place the "wait until the other side has it" loop lives.

/** Polls `fn` every 20 ms until it returns something truthy; rejects after `ms` with what was awaited. */
export function waitUntil<T>(what: string, fn: () => T | undefined | false | null, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const v = fn();
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

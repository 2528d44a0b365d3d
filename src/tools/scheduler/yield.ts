/** One turn of the event loop (timers and I/O run) between pages of a long scan. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

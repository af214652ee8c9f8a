/** A call that did not answer within its time limit (an integration, an authorizer). */
export class CallTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallTimeout';
  }
}

/**
 * Settles as `promise` does, or rejects with a {@link CallTimeout} (`what` did not answer within `ms`) if it has
 * not settled by then; the timer never outlives the race.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * At most `perMinute` sends in any 60 seconds (a sliding window), in this process. `take`
 * waits for a slot when one comes within `maxWaitMs`; otherwise it answers false and the
 * caller leaves the rest for its next attempt.
 */
export class RateLimit {
  private readonly sent: number[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  async take(perMinute: number, maxWaitMs: number): Promise<boolean> {
    for (;;) {
      const now = this.now();
      while (this.sent.length > 0 && this.sent[0]! <= now - 60_000) this.sent.shift();
      if (this.sent.length < perMinute) {
        this.sent.push(now);
        return true;
      }
      const wait = this.sent[this.sent.length - perMinute]! + 60_000 - now;
      if (wait > maxWaitMs) return false;
      await new Promise((resolve) => setTimeout(resolve, wait + 1));
    }
  }
}

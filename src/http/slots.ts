// Connections per host (limits.perHost), counted here rather than in undici's pool so
// that a stalled request cannot starve the others: a request that has waited
// STALLED_AFTER_MS without response headers gives its slot back (it keeps its own
// connection until its timeout), and time spent waiting for a slot is not charged to a
// request's own timeout. Waiting is still bounded by the caller's signal (the item's
// timeout, the run's deadline, a cancel).

/** A request waiting this long for response headers no longer counts against perHost. */
export const STALLED_AFTER_MS = 2000;

interface Host {
  used: number;
  waiting: { grant: () => void }[];
}

export class HostSlots {
  private readonly perHost: number;
  private readonly hosts = new Map<string, Host>();

  constructor(perHost: number) {
    this.perHost = Math.max(1, perHost);
  }

  /** Resolves with a release function (safe to call twice) once `origin` has a free slot; rejects when `signal` aborts first. */
  acquire(origin: string, signal?: AbortSignal): Promise<() => void> {
    const host = this.hosts.get(origin) ?? { used: 0, waiting: [] };
    this.hosts.set(origin, host);
    const release = this.releaser(origin, host);
    if (host.used < this.perHost && host.waiting.length === 0) {
      host.used++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        host.waiting.splice(host.waiting.indexOf(waiter), 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      host.waiting.push(waiter);
    });
  }

  private releaser(origin: string, host: Host): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = host.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is free.
      if (next) next.grant();
      else if (--host.used === 0) this.hosts.delete(origin);
    };
  }
}

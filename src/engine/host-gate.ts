// Who may talk to a host at the same time, and which queued item runs next. A measuring
// item (load, performance-slo) runs alone against its hosts: it waits until the items
// already running there finish, and items queued after it that want one of its hosts wait
// until it is done. Items that name no host (commands, files, manual sign-offs) never wait,
// and an item that has to wait does not hold up the items behind it that can run now: a
// measurement on staging never keeps the database or Prometheus checks waiting.

export interface GateTicket {
  /** Lower-case host names the item sends requests to. */
  hosts?: readonly string[];
  /** The item measures its hosts, so nothing else may run against them meanwhile. */
  exclusive?: boolean;
}

interface HostState {
  shared: number;
  exclusive: boolean;
}

export class HostGate {
  private readonly hosts = new Map<string, HostState>();
  private readonly tickets: readonly GateTicket[];
  /** Indexes into `tickets` of the items not started yet, in order. */
  private readonly queue: number[];
  private wakeups: (() => void)[] = [];

  /** The items to run, in the order they should start when nothing stands in the way. */
  constructor(tickets: readonly GateTicket[]) {
    this.tickets = tickets;
    this.queue = tickets.map((_, index) => index);
  }

  /**
   * The index of the first queued item that may start now, once one may; undefined when the
   * queue is empty. Call `release` when the item is done.
   */
  async next(): Promise<{ index: number; release: () => void } | undefined> {
    for (;;) {
      if (this.queue.length === 0) return undefined;
      // Hosts a measurement queued earlier is waiting for: nothing queued behind it may start
      // there, so the measurement starts as soon as the host drains.
      const claimed = new Set<string>();
      for (let position = 0; position < this.queue.length; position++) {
        const index = this.queue[position] as number;
        const ticket = this.tickets[index] as GateTicket;
        const hosts = [...new Set(ticket.hosts ?? [])];
        if (this.mayStart(hosts, ticket.exclusive === true, claimed)) {
          this.queue.splice(position, 1);
          return { index, release: this.occupy(hosts, ticket.exclusive === true) };
        }
        if (ticket.exclusive === true) for (const host of hosts) claimed.add(host);
      }
      // Something is running (else the first item could start): wait until it is done.
      await new Promise<void>((resolve) => this.wakeups.push(resolve));
    }
  }

  private mayStart(hosts: string[], exclusive: boolean, claimed: Set<string>): boolean {
    return hosts.every((host) => {
      const state = this.state(host);
      if (state.exclusive || claimed.has(host)) return false;
      return !exclusive || state.shared === 0;
    });
  }

  private occupy(hosts: string[], exclusive: boolean): () => void {
    for (const host of hosts) {
      const state = this.state(host);
      if (exclusive) state.exclusive = true;
      else state.shared++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const host of hosts) {
        const state = this.state(host);
        if (exclusive) state.exclusive = false;
        else state.shared--;
      }
      const wakeups = this.wakeups;
      this.wakeups = [];
      for (const wake of wakeups) wake();
    };
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (state === undefined) this.hosts.set(host, (state = { shared: 0, exclusive: false }));
    return state;
  }
}

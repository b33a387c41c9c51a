// Who may talk to a host at the same time. A measuring item (load, performance-slo)
// runs alone against its hosts: it waits until the items already running there finish,
// and items that want one of its hosts wait until it is done. Items that name no host
// (commands, files, manual sign-offs) never wait.

export interface GateTicket {
  /** Lower-case host names the item sends requests to. */
  hosts?: readonly string[];
  /** The item measures its hosts, so nothing else may run against them meanwhile. */
  exclusive?: boolean;
}

interface HostState {
  shared: number;
  exclusive: boolean;
  /** Measuring items waiting for the host: new shared items queue behind them. */
  waitingExclusive: number;
}

export class HostGate {
  private readonly hosts = new Map<string, HostState>();
  private wakeups: (() => void)[] = [];

  /** Resolves when the item may start; call the returned function when it is done. */
  async enter(ticket: GateTicket): Promise<() => void> {
    const hosts = [...new Set(ticket.hosts ?? [])];
    if (hosts.length === 0) return () => {};
    const exclusive = ticket.exclusive === true;
    if (exclusive) for (const host of hosts) this.state(host).waitingExclusive++;
    while (!this.canEnter(hosts, exclusive)) await new Promise<void>((resolve) => this.wakeups.push(resolve));
    for (const host of hosts) {
      const state = this.state(host);
      if (exclusive) {
        state.waitingExclusive--;
        state.exclusive = true;
      } else {
        state.shared++;
      }
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

  private canEnter(hosts: string[], exclusive: boolean): boolean {
    return hosts.every((host) => {
      const state = this.state(host);
      if (state.exclusive) return false;
      return exclusive ? state.shared === 0 : state.waitingExclusive === 0;
    });
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (state === undefined) this.hosts.set(host, (state = { shared: 0, exclusive: false, waitingExclusive: 0 }));
    return state;
  }
}

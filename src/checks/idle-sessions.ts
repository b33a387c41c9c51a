// Database sessions a check may use again later in the same run, by what they connect to.
// On PostgreSQL each new session is a server process, a TLS handshake and a login: a dozen
// database items opening a dozen sessions cost staging's database more than their queries
// did. A session is put back only after its query ended cleanly (src/checks/sql/postgres.ts);
// whatever failed, timed out or was stopped is closed instead. The run closes the rest when
// it ends. No pg here: the pipeline makes one per run without loading the SQL chunk.

export interface IdleSession {
  /** What the session connects to: only a caller asking for exactly that gets it again. */
  readonly key: string;
  /** False once the server or the network closed it. */
  readonly open: boolean;
  close(): Promise<void>;
}

export class IdleSessions {
  private readonly idle: IdleSession[] = [];
  private closed = false;

  /** An open idle session for `key`, no longer idle; undefined when there is none. */
  take<Session extends IdleSession>(key: string): Session | undefined {
    for (let index = this.idle.length - 1; index >= 0; index--) {
      const session = this.idle[index] as IdleSession;
      if (session.key !== key) continue;
      this.idle.splice(index, 1);
      if (session.open) return session as Session;
      void session.close();
    }
    return undefined;
  }

  /** Keeps `session` for the next caller with its key, or closes it when the run has ended. */
  async put(session: IdleSession): Promise<void> {
    if (this.closed || !session.open) return session.close();
    this.idle.push(session);
  }

  /** The run ended: every idle session is closed, and any put back later is closed too. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((session) => session.close()));
  }
}

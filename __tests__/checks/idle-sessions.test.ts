// The run's kept database sessions, with stand-in sessions: only an open session with the
// same key is handed out again, a closed one is dropped, and after the run ends nothing is
// kept (a check that finishes late has its session closed, not stored).
import { describe, expect, test } from '@jest/globals';
import { IdleSessions, type IdleSession } from '../../src/checks/idle-sessions.ts';

class Stand implements IdleSession {
  readonly key: string;
  open = true;
  closes = 0;
  constructor(key: string) {
    this.key = key;
  }
  close(): Promise<void> {
    this.open = false;
    this.closes++;
    return Promise.resolve();
  }
}

describe('IdleSessions', () => {
  test('hands a kept session only to a caller with the same key, once', async () => {
    const sessions = new IdleSessions();
    const a = new Stand('db-a');
    await sessions.put(a);
    expect(sessions.take('db-b')).toBeUndefined();
    expect(sessions.take('db-a')).toBe(a);
    expect(sessions.take('db-a')).toBeUndefined();
  });

  test('a kept session that closed while idle is dropped and closed, not handed out', async () => {
    const sessions = new IdleSessions();
    const dead = new Stand('db');
    const alive = new Stand('db');
    await sessions.put(alive);
    await sessions.put(dead);
    dead.open = false;
    expect(sessions.take('db')).toBe(alive);
    expect(dead.closes).toBe(1);
    expect(sessions.take('db')).toBeUndefined();
  });

  test('a session put back closed is closed, not kept', async () => {
    const sessions = new IdleSessions();
    const closed = new Stand('db');
    closed.open = false;
    await sessions.put(closed);
    expect(closed.closes).toBe(1);
    expect(sessions.take('db')).toBeUndefined();
  });

  test('closing the run closes every kept session, and any put back afterwards', async () => {
    const sessions = new IdleSessions();
    const kept = [new Stand('a'), new Stand('b')];
    for (const session of kept) await sessions.put(session);
    await sessions.close();
    expect(kept.map((session) => session.closes)).toEqual([1, 1]);
    const late = new Stand('a');
    await sessions.put(late);
    expect(late.closes).toBe(1);
    expect(sessions.take('a')).toBeUndefined();
  });
});

// A real PostgreSQL (Debian's postgresql-15) for tests: a fresh cluster in a temporary
// directory, on 127.0.0.1 and a free port, with a generated CA and server certificate.
// PostgreSQL refuses to run as root, so under root the server runs as `nobody` (runuser).
// Its SSL mode and pg_hba rules are switched at run time with a reload, so one cluster
// serves "SSL required", "SSL offered but plaintext accepted" and "SSL off".
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCa, localhostCert } from './certs.ts';
import { freePort } from './servers.ts';

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15; PG_BIN overrides it. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function notInstalled(): string | undefined {
  return existsSync(join(PG_BIN, 'postgres')) ? undefined : `PostgreSQL 15 is not installed (${PG_BIN}/postgres is missing): apt-get install -y postgresql`;
}

/**
 * Why the tests skip PostgreSQL here, or undefined when they run. Only a developer's machine
 * may skip: under CI (which installs the package) a missing server fails the tests instead.
 */
export function postgresMissing(): string | undefined {
  return process.env.CI ? undefined : notInstalled();
}

export type SslMode =
  /** ssl = on; pg_hba rejects every connection that is not encrypted. */
  | 'required'
  /** ssl = on; plaintext connections are accepted as well. */
  | 'optional'
  /** ssl = off. */
  | 'off';

export interface RunningPostgres {
  host: string;
  port: number;
  /** The superuser's password (role `postgres`). */
  superPassword: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  /** A directory the server may write archived WAL into. */
  archiveDir: string;
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE with the query string given. */
  url(user: string, password: string, database: string, query?: string): string;
  /** Runs SQL as the superuser through psql (the Unix socket); returns psql's output. */
  psql(sql: string, database?: string): Promise<string>;
  setSsl(mode: SslMode): Promise<void>;
  stop(): Promise<void>;
}


export async function startPostgres(): Promise<RunningPostgres> {
  const missing = notInstalled();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'rg-postgres-'));
  const data = join(dir, 'data');
  const archiveDir = join(dir, 'archive');
  const asRoot = userInfo().uid === 0;
  // Run PostgreSQL's programs as `nobody` under root: it owns the directory.
  const owner = asRoot ? { uid: 65534, gid: 65534 } : undefined;
  const exec = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'nobody', '--', join(PG_BIN, program), ...args], { cwd: dir }) : run(join(PG_BIN, program), args, { cwd: dir });

  const superPassword = `super-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pwfile'), `${superPassword}\n`);
  const ca = await createCa({ commonName: 'readiness-gate test PostgreSQL CA' });
  const leaf = await localhostCert(ca);
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'server.crt'), leaf.cert);
  writeFileSync(join(dir, 'server.key'), leaf.key);
  chmodSync(join(dir, 'server.key'), 0o600);
  chmodSync(dir, 0o755);
  if (owner) for (const name of ['', 'pwfile', 'server.crt', 'server.key', 'ca.pem']) chownSync(join(dir, name), owner.uid, owner.gid);

  await exec('initdb', ['-D', data, '-U', 'postgres', '--pwfile', join(dir, 'pwfile'), '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C']);
  mkdirSync(archiveDir);
  if (owner) chownSync(archiveDir, owner.uid, owner.gid);

  const port = await freePort();
  const settings = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    `ssl_cert_file = '${join(dir, 'server.crt')}'`,
    `ssl_key_file = '${join(dir, 'server.key')}'`,
    `include_if_exists = '${join(dir, 'ssl.conf')}'`,
    // The tests decide when tables are analyzed; autovacuum would do it behind their back.
    'autovacuum = off',
    'fsync = off',
    'max_connections = 40',
    // WAL archiving is on from the start (it needs a restart); the command is switched by reload.
    'archive_mode = on',
    `include_if_exists = '${join(dir, 'archive.conf')}'`,
  ];
  writeFileSync(join(data, 'postgresql.conf'), `${settings.join('\n')}\n`, { flag: 'a' });
  const writeOwned = (file: string, text: string) => {
    writeFileSync(file, text);
    if (owner) chownSync(file, owner.uid, owner.gid);
  };
  const hba = (mode: SslMode) =>
    [
      'local all all trust',
      mode === 'required' ? 'hostssl all all 127.0.0.1/32 scram-sha-256' : 'host all all 127.0.0.1/32 scram-sha-256',
      'host all all 0.0.0.0/0 reject',
    ].join('\n');
  writeOwned(join(dir, 'ssl.conf'), 'ssl = on\n');
  writeOwned(join(data, 'pg_hba.conf'), `${hba('required')}\n`);
  writeOwned(join(dir, 'archive.conf'), `archive_command = 'cp %p ${archiveDir}/%f'\n`);

  await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);

  const psql = async (sql: string, database = 'postgres') => {
    const { stdout } = await run(join(PG_BIN, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]);
    return stdout.trim();
  };
  const reload = async () => {
    await psql('select pg_reload_conf()');
    // The postmaster applies a reload asynchronously; new connections see it shortly after.
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  return {
    host: '127.0.0.1',
    port,
    superPassword,
    caFile: join(dir, 'ca.pem'),
    archiveDir,
    url: (user, password, database, query) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${query ? `?${query}` : ''}`,
    psql,
    async setSsl(mode) {
      writeOwned(join(dir, 'ssl.conf'), mode === 'off' ? 'ssl = off\n' : 'ssl = on\n');
      writeOwned(join(data, 'pg_hba.conf'), `${hba(mode)}\n`);
      await reload();
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a new archive_command (e.g. "false", a failing archiver) and reloads. */
export async function setArchiveCommand(pg: RunningPostgres, command: string): Promise<void> {
  await pg.psql(`alter system set archive_command = '${command.replace(/'/g, "''")}'`);
  await pg.psql('select pg_reload_conf()');
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Passwords of the roles `seedSkyway` creates. */
export const ROLES = {
  /** Least privilege: logs in, owns the schema `skyway` and its tables, nothing more. */
  app: { user: 'skyway_app', password: 'app-pass-7d1f' },
  /** The usual mistake: the app connects as a role that can create roles and databases. */
  powerful: { user: 'skyway_admin', password: 'admin-pass-93ce' },
  /** Can connect, but has no rights on the tables (a "cannot tell" reader). */
  outsider: { user: 'skyway_outsider', password: 'outsider-pass-51a0' },
};

/**
 * The database `skyway`: a schema owned by the app role, users with test rows, bookings
 * with a foreign key to users (validated, and indexed), and payments whose foreign key was
 * added NOT VALID and has no index.
 */
export async function seedSkyway(pg: RunningPostgres): Promise<void> {
  await pg.psql('create database skyway');
  const sql = [
    `create role ${ROLES.app.user} login password '${ROLES.app.password}'`,
    `create role ${ROLES.powerful.user} login createrole createdb password '${ROLES.powerful.password}'`,
    `create role ${ROLES.outsider.user} login password '${ROLES.outsider.password}'`,
    `create schema skyway authorization ${ROLES.app.user}`,
    `alter role ${ROLES.app.user} set search_path = skyway`,
    `alter role ${ROLES.powerful.user} set search_path = skyway`,
    `set role ${ROLES.app.user}`,
    'create table skyway.auth_user (id serial primary key, username text not null unique)',
    "insert into skyway.auth_user (username) values ('alice'), ('bob'), ('test_user1'), ('testbot')",
    'create table skyway.booking (id serial primary key, user_id int not null references skyway.auth_user(id))',
    'create index booking_user_id on skyway.booking (user_id)',
    'insert into skyway.booking (user_id) values (1), (2)',
    'create table skyway.payment (id serial primary key, booking_id int not null)',
    'insert into skyway.payment (booking_id) values (1)',
    'alter table skyway.payment add constraint payment_booking_fk foreign key (booking_id) references skyway.booking(id) not valid',
    'reset role',
    `grant usage on schema skyway to ${ROLES.powerful.user}`,
    `grant select on all tables in schema skyway to ${ROLES.powerful.user}`,
  ];
  await pg.psql(sql.join(';\n'), 'skyway');
}

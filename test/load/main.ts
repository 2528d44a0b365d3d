// `npm run load [-- --duration S --connections N]`: the load on SQLite, then on PostgreSQL with two
// processes when LOAD_DATABASE_URL names a PostgreSQL server (a database of its own is created on it and
// dropped afterwards). Exits 1 on any unexpected answer, server error or lost write.
import { Command } from 'commander';
import { formatReport, runLoad } from './load.js';

const opts = new Command('load')
  .option('--duration <seconds>', 'seconds of load per database', '60')
  .option('--connections <n>', 'connections in all', '64')
  .option('--timeout <seconds>', 'seconds a request may wait for its answer before it counts as an error', '30')
  .option('--clients <n>', 'clients ordering and reading (default: connections / 2)')
  .option('--only <database>', 'sqlite or postgres')
  .parse(process.argv)
  .opts<{ duration: string; connections: string; timeout: string; clients?: string; only?: string }>();

const duration = Number(opts.duration);
const connections = Number(opts.connections);
if (!(duration > 0) || !Number.isInteger(connections) || connections < 1) {
  console.error('--duration must be a positive number of seconds and --connections a positive whole number');
  process.exit(2);
}
const postgresUrl = process.env.LOAD_DATABASE_URL;
const runs: Array<string | undefined> = [];
if (opts.only !== 'postgres') runs.push(undefined);
if (opts.only !== 'sqlite') {
  if (postgresUrl) runs.push(postgresUrl);
  else console.log('PostgreSQL skipped: set LOAD_DATABASE_URL to a PostgreSQL server (e.g. LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run load) to run it there too, with two billrelay processes.\n');
}

let failed = false;
for (const url of runs) {
  const report = await runLoad({
    duration,
    connections,
    postgresUrl: url,
    timeout: Number(opts.timeout),
    clients: opts.clients ? Number(opts.clients) : undefined,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`${formatReport(report)}\n`);
  if (report.errors.length || report.lostWrites.length) failed = true;
}
process.exitCode = failed ? 1 : 0;

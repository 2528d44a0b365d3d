// Ledger throughput on SQLite with synchronous=FULL: charges per second through the LedgerService
// (each its own transaction with its own unique reference, balance check, running total and audit
// entry) compared with raw single-row inserts, each its own transaction, into the same database file
// in the same run. Target: at least 0.5 of raw.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createBillrelay } from '../src/app.js';
import { systemActor } from '../src/platform/actor.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';
import { Money } from '../src/platform/money.js';
import { median, result, settings, type BenchResult } from './lib.js';

async function perSecond(work: (i: number) => Promise<void> | void, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let i = 0;
  while (Date.now() < deadline) await work(i++);
  return i / ((Date.now() - started) / 1000);
}

export default async function ledger(): Promise<BenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-ledger-'));
  const billrelay = await createBillrelay({
    config: loadConfig({ BILLRELAY_DATA_DIR: dataDir, BILLRELAY_ADMIN_EMAIL: 'bench@example.test', BILLRELAY_ADMIN_PASSWORD: 'bench-password', BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off' }),
    logger: createLogger('warn'),
  });
  // The baseline writes through its own connection with the same durability settings.
  const raw = new SqliteDatabase(path.join(dataDir, 'billrelay.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('create table bench_raw (id integer primary key, reference text not null unique, amount_minor integer not null, created_at text not null)');
  const insert = raw.prepare('insert into bench_raw (reference, amount_minor, created_at) values (?, ?, ?)');
  try {
    const actor = systemActor('bench');
    const client = await billrelay.services.clients.create({ name: 'Bench', email: 'client@bench.test', password: 'client-password', language: 'en', providerId: 1 }, actor);
    await billrelay.services.ledger.post({ clientId: client.id, kind: 'payment', amount: Money.parse('100000000.00', 'EUR'), reference: 'bench:funds' }, actor);
    const cent = Money.parse('0.01', 'EUR');
    let round = 0;
    const viaService = (i: number) => billrelay.services.ledger.post({ clientId: client.id, kind: 'charge', amount: cent, reference: `bench:${round}:${i}` }, actor).then(() => undefined);
    const viaRaw = (i: number) => void insert.run(`raw:${round}:${i}`, -1, new Date().toISOString());
    await perSecond(viaService, settings.warmup);
    round++;
    await perSecond(viaRaw, settings.warmup);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < settings.rounds + 1; r++) {
      round++;
      a.push(await perSecond(viaService, settings.duration / 2));
      b.push(await perSecond(viaRaw, settings.duration / 2));
    }
    const balance = await billrelay.services.ledger.balance(client.id);
    const fromEntries = await billrelay.services.ledger.balanceFromEntries(client.id);
    if (!balance.equals(fromEntries)) throw new Error(`running balance ${balance} differs from the entries' sum ${fromEntries}`);
    return result({
      name: 'ledger charges (SQLite, synchronous=FULL)',
      unit: 'charges/s',
      value: median(a),
      baseline: median(b),
      target: 0.5,
      notes: [`service samples ${a.map(Math.round).join(', ')}; raw insert samples ${b.map(Math.round).join(', ')}; running balance equals the sum of entries`],
    });
  } finally {
    raw.close();
    await billrelay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// The load of `npm run load`, shortened for CI: 10 s, 16 connections, against the suite's database
// (PostgreSQL with two billrelay processes when TEST_DATABASE_URL is set, else SQLite). No latency is
// asserted (machines are noisy); every answer must be the expected one and no write may be lost.
import { expect, test } from 'vitest';
import { formatReport, runLoad } from './load.js';

test('10 s of mixed load: every answer expected, every accepted order and renewal ends as it must', async () => {
  const report = await runLoad({ duration: 10, connections: 16, postgresUrl: process.env.TEST_DATABASE_URL, log: (line) => console.log(line) });
  const printed = formatReport(report);
  console.log(printed);
  expect(report.errors, printed).toEqual([]);
  expect(report.lostWrites, printed).toEqual([]);
  expect(report.orders.accepted, printed).toBeGreaterThan(0);
  expect(report.orders.active + report.orders.withOpenTask, printed).toBe(report.orders.accepted + report.orders.inFlight);
  expect(report.renewals.accepted, printed).toBeGreaterThan(0);
  expect(report.renewals.upstreamRenewals, printed).toBe(report.renewals.charged);
  for (const route of report.routes) expect(route.requests, `${route.name}\n${printed}`).toBeGreaterThan(0);
}, 600_000);

// `billrelay upstream probe`: read-only checks of a real upstream account before going live. The
// probe itself (drivers/billmanager/probe.ts) returns a report; this file asks for the password,
// shows progress, prints the report as a table and writes the masked raw answers with --json.

import fs from 'node:fs';
import { Command } from 'commander';
import {
  PROBE_FUNCS,
  probeUpstream,
  type FindingStatus,
  type ProbeOptions,
  type ProbeReport,
} from '../integration/processing-modules/drivers/billmanager/probe.js';
import type { Transport } from '../integration/processing-modules/drivers/billmanager/transport.js';

export const PASSWORD_ENV = 'BILLRELAY_UPSTREAM_PASSWORD';

/** Where the command reads and writes; tests pass their own. */
export interface UpstreamCliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Progress is shown as one line rewritten in place when stderr is a terminal, else not at all (unless --progress). */
  stderrIsTTY: boolean;
  /** Terminal width for the table. */
  columns: number;
  /** Asks for the password without echo; null when there is no terminal to ask on. */
  askPassword: ((prompt: string) => Promise<string>) | null;
  setExitCode(code: number): void;
  /** Tests watch the wire with it. */
  transport?: Transport;
}

export interface ProbeCommandOptions {
  url: string;
  username: string;
  passwordEnv?: string;
  json?: string;
  progress?: boolean;
}

export function processIo(): UpstreamCliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stdout.columns || 120,
    askPassword: process.stdin.isTTY ? askHidden : null,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

export function upstreamCommand(io: UpstreamCliIo = processIo()): Command {
  const upstream = new Command('upstream').description('Look at the upstream license seller (the ispmanager billing)');
  upstream
    .command('probe')
    .description(
      'Read-only check of an upstream account before going live: which endpoint answers, whether the login works, ' +
        'where the currency comes from, whether remoteid and tariff ids are visible, how an unknown license is refused, ' +
        `how lists page. Buys and changes nothing. The password comes from $${PASSWORD_ENV}, --password-env, or a prompt.`,
    )
    .requiredOption('--url <url>', 'the upstream, e.g. https://api-eu.ispmanager.com (with a path, that path is used as given)')
    .requiredOption('--username <username>', 'the upstream account')
    .option('--password-env <name>', `read the password from this environment variable instead of $${PASSWORD_ENV}`)
    .option('--json <file>', 'write the raw answers (password, authinfo and license keys masked) to this file')
    .option('--progress', 'print each step on its own line on stderr even when it is not a terminal')
    .action(async (opts: ProbeCommandOptions) => {
      io.setExitCode(await runUpstreamProbe(opts, io));
    });
  return upstream;
}

/** The whole command; resolves to the exit code. */
export async function runUpstreamProbe(opts: ProbeCommandOptions, io: UpstreamCliIo): Promise<number> {
  const fail = (message: string, code = 1) => {
    io.err(`billrelay: ${oneLine(message)}\n`);
    return code;
  };
  let password: string;
  try {
    const found = await readPassword(opts, io);
    if ('error' in found) return fail(found.error);
    password = found.password;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), 130);
  }

  const progress = makeProgress(io, opts.progress === true);
  const options: ProbeOptions = {
    url: opts.url,
    username: opts.username,
    password,
    connectTimeoutMs: positiveInt(io.env.BILLRELAY_UPSTREAM_CONNECT_TIMEOUT_MS),
    readTimeoutMs: positiveInt(io.env.BILLRELAY_UPSTREAM_READ_TIMEOUT_MS),
    transport: io.transport,
    progress: progress.step,
  };
  let report: ProbeReport;
  try {
    report = await probeUpstream(options);
  } finally {
    progress.done();
  }

  if (opts.json) {
    try {
      writeJson(opts.json, report);
    } catch (error) {
      return fail(`cannot write ${opts.json}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (report.failure) return fail(report.failure.message);
  io.out(formatReport(report, io.columns, opts.json));
  return 0;
}

async function readPassword(opts: ProbeCommandOptions, io: UpstreamCliIo): Promise<{ password: string } | { error: string }> {
  if (opts.passwordEnv) {
    const value = io.env[opts.passwordEnv];
    return value ? { password: value } : { error: `$${opts.passwordEnv} (from --password-env) is not set` };
  }
  const fromEnv = io.env[PASSWORD_ENV];
  if (fromEnv) return { password: fromEnv };
  if (!io.askPassword) {
    return { error: `no password: set $${PASSWORD_ENV} (or name another variable with --password-env), or run on a terminal to be asked` };
  }
  const typed = await io.askPassword(`Password for ${opts.username}: `);
  return typed ? { password: typed } : { error: 'no password given' };
}

function makeProgress(io: UpstreamCliIo, lines: boolean): { step: (text: string) => void; done: () => void } {
  if (lines) return { step: (text) => io.err(`${text}…\n`), done: () => undefined };
  if (!io.stderrIsTTY) return { step: () => undefined, done: () => undefined };
  // One status line rewritten in place and erased at the end: what stays on stderr is the outcome.
  let shown = false;
  return {
    step: (text) => {
      io.err(`\r\x1b[K${text}…`);
      shown = true;
    },
    done: () => {
      if (shown) io.err('\r\x1b[K');
    },
  };
}

function writeJson(file: string, report: ProbeReport): void {
  const raw = {
    probedAt: new Date().toISOString(),
    url: report.url,
    endpoint: report.endpoint,
    failure: report.failure,
    findings: report.findings,
    facts: report.facts,
    calls: report.calls,
  };
  fs.writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// the table

const STATUS_LABEL: Record<FindingStatus, string> = { ok: 'ok', adapted: 'adapted', action: 'ACTION', unknown: '?' };

export function formatReport(report: ProbeReport, columns: number, jsonFile?: string): string {
  const lines: string[] = [];
  lines.push(`Upstream   ${report.endpoint ?? report.url}`);
  const account = report.facts.account;
  if (account) {
    const currency = report.facts.currency.value ?? '(currency unknown)';
    lines.push(`Account    ${account.name || '(unnamed)'}, balance ${account.balance} ${currency}`);
  }
  lines.push('');
  const header = ['', 'billrelay assumes', 'this upstream', 'billrelay will'];
  const rows = report.findings.map((f) => [STATUS_LABEL[f.status], f.assumption, f.upstream, f.billrelay]);
  lines.push(...renderTable(header, rows, Math.max(columns, 80)));
  lines.push('');
  const funcs = [...new Set(report.calls.map((c) => c.func))].filter((f) => (PROBE_FUNCS as readonly string[]).includes(f));
  lines.push(`Read only: ${report.calls.length} calls (${funcs.join(', ')}), none with sok; nothing was bought or changed.`);
  const actions = report.findings.filter((f) => f.status === 'action').length;
  const unknown = report.findings.filter((f) => f.status === 'unknown').length;
  if (actions > 0) lines.push(`${actions} finding(s) marked ACTION need a decision before going live.`);
  if (unknown > 0) lines.push(`${unknown} finding(s) marked ? could not be checked: the account has no license yet; probe again after the first order.`);
  if (jsonFile) lines.push(`Raw answers written to ${jsonFile} (password, authinfo and license keys masked).`);
  return `${lines.join('\n')}\n`;
}

/** A plain-text table whose cells wrap at word boundaries to fit the width. */
export function renderTable(header: string[], rows: string[][], width: number): string[] {
  const first = Math.max(header[0]!.length, ...rows.map((r) => r[0]!.length));
  const gaps = 3 * (header.length - 1);
  const rest = Math.max(width - first - gaps, 45);
  const widths = [first, Math.floor(rest * 0.3), Math.floor(rest * 0.35), rest - Math.floor(rest * 0.3) - Math.floor(rest * 0.35)];
  const out: string[] = [];
  const emit = (cells: string[]) => {
    const wrapped = cells.map((cell, i) => wrap(cell, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let line = 0; line < height; line++) {
      const cells = wrapped.map((w, i) => (w[line] ?? '').padEnd(widths[i]!));
      // No dangling separators after the last cell with text on this line.
      while (cells.length > 1 && cells[cells.length - 1]!.trim() === '') cells.pop();
      out.push(cells.join(' | ').trimEnd());
    }
  };
  emit(header);
  out.push(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const row of rows) emit(row);
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let piece = word;
    while (piece.length > width) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(piece.slice(0, width));
      piece = piece.slice(width);
    }
    if (!current) current = piece;
    else if (current.length + 1 + piece.length <= width) current += ` ${piece}`;
    else {
      lines.push(current);
      current = piece;
    }
  }
  if (current) lines.push(current);
  return lines.length ? lines : [''];
}

// ---------------------------------------------------------------------------------------------

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function positiveInt(raw: string | undefined): number | undefined {
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/** Reads a line from the terminal without echoing it; Ctrl-C rejects. */
function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

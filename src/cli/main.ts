#!/usr/bin/env node
import { Command } from 'commander';
import { startCommand } from './start.js';
import { migrateCommand } from './migrate.js';
import { adminCommand } from './admin.js';
import { secretsCommand } from './secrets.js';
import { sandboxCommand } from './sandbox.js';
import { workerCommand } from './worker.js';
import { upstreamCommand } from './upstream.js';
import { demoCommand } from './demo.js';
import { backupCommand, restoreCommand } from './backup.js';
import { FatalError } from '../platform/fatal.js';

const program = new Command()
  .name('billrelay')
  .description('Billing for hosting companies that resell ispmanager 6 licenses')
  .showHelpAfterError();

program.addCommand(startCommand());
program.addCommand(migrateCommand());
program.addCommand(adminCommand());
program.addCommand(secretsCommand());
program.addCommand(sandboxCommand());
program.addCommand(workerCommand());
program.addCommand(upstreamCommand());
program.addCommand(demoCommand());
program.addCommand(backupCommand());
program.addCommand(restoreCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // What the operator fixes is said in one line; anything else is a bug and keeps its stack.
  if (!(error instanceof FatalError)) throw error;
  process.stderr.write(`billrelay: ${error.message}\n`);
  process.exit(1);
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Command } from 'commander';
import { createBillrelay } from '../app.js';
import { loadConfig } from '../platform/config.js';
import { keyFilePath, parseKey, SecretBox, writeKeyFile } from '../platform/crypto/secrets.js';
import { createLogger } from '../platform/logger.js';

export function secretsCommand(): Command {
  const secrets = new Command('secrets').description('Manage the key that encrypts upstream passwords at rest');
  secrets
    .command('rotate')
    .description(
      'Re-encrypt every stored upstream password with a new key. With a key file in the data directory a new key is ' +
        'generated; with $BILLRELAY_SECRET_KEY, pass the new key in $BILLRELAY_NEW_SECRET_KEY and set it afterwards.',
    )
    .action(async () => {
      const config = loadConfig();
      const billrelay = await createBillrelay({ config, logger: createLogger('warn') });
      try {
        const current = loadCurrentKeys(config.secretKey, config.dataDir);
        const next = process.env.BILLRELAY_NEW_SECRET_KEY ? parseKey(process.env.BILLRELAY_NEW_SECRET_KEY) : randomBytes(32);
        const file = keyFilePath(config.dataDir);
        // The file lists the new key and the old ones until every secret is re-sealed: a crash in
        // between leaves everything readable.
        if (!config.secretKey) writeKeyFile(file, [next, ...current]);
        const box = new SecretBox([next, ...current]);
        const count = await billrelay.services.processingModules.resealPasswords(box);
        const gatewaySecrets = await billrelay.services.payments.resealSecrets(box);
        if (!config.secretKey) writeKeyFile(file, [next]);
        process.stdout.write(`Re-encrypted ${count} upstream password(s) and ${gatewaySecrets} payment gateway secret(s).\n`);
        if (config.secretKey) {
          process.stdout.write('Now set BILLRELAY_SECRET_KEY to the value of BILLRELAY_NEW_SECRET_KEY and restart billrelay.\n');
        }
      } finally {
        await billrelay.close();
      }
    });
  return secrets;
}

function loadCurrentKeys(secretKey: string | undefined, dataDir: string): Buffer[] {
  if (secretKey) return [parseKey(secretKey)];
  return fs.readFileSync(keyFilePath(dataDir), 'utf8').split('\n').filter((l) => l.trim()).map(parseKey);
}

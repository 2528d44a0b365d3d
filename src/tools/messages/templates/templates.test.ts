// The e-mails' words and the mail settings, without a database.
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../../platform/config.js';
import { addressOf, scrub } from '../sender.js';
import { MESSAGE_EVENTS, render, templateLocale } from './index.js';
import { en } from './en.js';
import { ru } from './ru.js';

describe('templates', () => {
  test('every value is escaped in the HTML and left as typed in the text', () => {
    const r = render('license_active', 'en', { name: 'Eve <img src=x onerror=alert(1)>', provider: 'A&B "Hosting"', licenseName: "o'reilly", ip: '203.0.113.5', licenseKey: 'KEY<>&', expiresOn: '2027-01-01' });
    expect(r.subject).toBe("License o'reilly is active");
    expect(r.text).toContain('Hello, Eve <img src=x onerror=alert(1)>!');
    expect(r.text).toContain('KEY<>&');
    expect(r.html).toContain('Hello, Eve &lt;img src=x onerror=alert(1)&gt;!');
    expect(r.html).toContain('<pre>KEY&lt;&gt;&amp;</pre>');
    expect(r.html).toContain('A&amp;B &quot;Hosting&quot;');
    expect(r.html).not.toMatch(/<img/);
  });

  test("the recipient's language, English when there is no template in it; no line break can reach the subject", () => {
    expect(templateLocale('ru')).toBe('ru');
    expect(templateLocale('ru-RU')).toBe('ru');
    expect(templateLocale('de')).toBe('en');
    expect(templateLocale(null)).toBe('en');
    expect(render('license_deleted', 'ru', { licenseName: 'web', ip: '203.0.113.5', provider: 'P' }).subject).toBe('Лицензия web удалена');
    expect(render('license_deleted', 'en', { licenseName: 'a\r\nBcc: x@example.test', ip: '', provider: '' }).subject).toBe('License a Bcc: x@example.test deleted');
  });
});

describe('the languages agree', () => {
  test('every event says the same things in Russian as in English (the same placeholders)', () => {
    const placeholders = (t: { subject: string; paragraphs: string[]; block?: string; after?: string[] }) =>
      [...new Set([t.subject, ...t.paragraphs, t.block ?? '', ...(t.after ?? [])].join(' ').match(/\{\w+\}/g) ?? [])].sort();
    for (const event of MESSAGE_EVENTS) expect(placeholders(ru.events[event]), event).toEqual(placeholders(en.events[event]));
  });
});

describe('mail settings', () => {
  test('BILLRELAY_SMTP_URL must be smtp:// or smtps:// and come with a sender; the error never repeats the password', () => {
    expect(loadConfig({}).mail.smtpUrl).toBeUndefined();
    expect(loadConfig({ BILLRELAY_SMTP_URL: 'smtps://u:p@mail.example.test:465', BILLRELAY_MAIL_FROM: 'b@example.test' }).mail).toMatchObject({ smtpUrl: 'smtps://u:p@mail.example.test:465', from: 'b@example.test' });
    expect(() => loadConfig({ BILLRELAY_SMTP_URL: 'http://u:hunter2secret@mail.example.test', BILLRELAY_MAIL_FROM: 'b@example.test' })).toThrow(/smtp:\/\/user:password@host/);
    try {
      loadConfig({ BILLRELAY_SMTP_URL: 'ftp://u:hunter2secret@x', BILLRELAY_MAIL_FROM: 'b@example.test' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2secret');
    }
    expect(() => loadConfig({ BILLRELAY_SMTP_URL: 'smtp://mail.example.test' })).toThrow(/BILLRELAY_MAIL_FROM/);
  });

  test("the sender's address, and SMTP credentials taken out of error words", () => {
    expect(addressOf('Billing <billing@example.test>')).toBe('billing@example.test');
    expect(addressOf('billing@example.test')).toBe('billing@example.test');
    expect(scrub('Invalid login for mailer with s3cret-pass', 'smtp://mailer:s3cret-pass@host:25')).toBe('Invalid login for *** with ***');
  });
});

import type { Templates } from './index.js';

export const en: Templates = {
  greeting: 'Hello, {name}!',
  greetingNoName: 'Hello!',
  signature: 'Your {provider} team',
  events: {
    license_active: {
      subject: 'License {licenseName} is active',
      paragraphs: ['Your ispmanager license {licenseName} for {ip} is active until {expiresOn}.', 'Your license key:'],
      block: '{licenseKey}',
    },
    license_renewed: {
      subject: 'License {licenseName} renewed',
      paragraphs: ['Your ispmanager license {licenseName} for {ip} has been renewed until {expiresOn}.'],
    },
    license_suspended: {
      subject: 'License {licenseName} suspended',
      paragraphs: ['Your ispmanager license {licenseName} for {ip} has been suspended.', 'Renew it or contact support to resume it.'],
    },
    license_deleted: {
      subject: 'License {licenseName} deleted',
      paragraphs: ['Your ispmanager license {licenseName} for {ip} has been deleted.'],
    },
    renewal_unpaid: {
      subject: 'License {licenseName} could not be renewed',
      paragraphs: [
        'Your ispmanager license {licenseName} for {ip} expires on {expiresOn} and could not be renewed automatically: your balance is not enough.',
        'Top up your balance; the renewal is tried again every day until the license expires.',
      ],
    },
    payment_booked: {
      subject: 'Payment of {amount} received',
      paragraphs: ['We have received your payment of {amount}. Your balance is now {balance}.'],
    },
  },
};

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
    password_reset: {
      subject: 'Resetting your password',
      paragraphs: [
        'Someone (we hope you) asked to reset the password of your account {email}. To choose a new password, open this link within an hour:',
      ],
      block: '{link}',
      after: ['If it was not you, ignore this message: your password stays as it is.'],
    },
    email_confirmation: {
      subject: 'Confirm your e-mail address',
      paragraphs: ['Thank you for registering. To confirm that {email} is your address, open this link within 7 days:'],
      block: '{link}',
    },
    registration_attempt: {
      subject: 'Someone tried to register with your address',
      paragraphs: [
        'Someone tried to register a new account with your address {email}. It already belongs to your account, so nothing was created.',
        'If it was you and you forgot your password, reset it here:',
      ],
      block: '{link}',
      after: ['If it was not you, ignore this message.'],
    },
    ticket_new: {
      subject: 'New ticket #{ticketId}: {subject}',
      paragraphs: ['{client} opened ticket #{ticketId} "{subject}" in {department}. An answer is due by {dueAt}.'],
      block: '{body}',
    },
    ticket_reply: {
      subject: 'Client reply in ticket #{ticketId}: {subject}',
      paragraphs: ['{client} replied in ticket #{ticketId} "{subject}" ({department}). An answer is due by {dueAt}.'],
      block: '{body}',
    },
    ticket_answered: {
      subject: 'Answer to your ticket #{ticketId}: {subject}',
      paragraphs: ['Our support has answered your ticket #{ticketId} "{subject}":'],
      block: '{body}',
      after: ['You can reply or close the ticket in the support center.'],
    },
    ticket_overdue: {
      subject: 'Ticket #{ticketId} is overdue: {subject}',
      paragraphs: [
        'Ticket #{ticketId} "{subject}" from {client} in {department} has not been answered in time: the answer was due by {dueAt}.',
        'Performer: {performer}.',
      ],
    },
  },
};

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
      paragraphs: ['To confirm that {email} is the address of your account, open this link within 7 days:'],
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
    task_created: {
      subject: 'New task: {title}',
      paragraphs: ['A new task was opened for the {department} department. It is due by {dueAt}.', 'Task {taskId}: {title}'],
      block: '{text}',
      after: ['Take it under Tools → Tasks.'],
    },
    task_overdue: {
      subject: 'Task overdue: {title}',
      paragraphs: ['Task {taskId} of the {department} department was due by {dueAt} and is still not done.', 'Task {taskId}: {title}', 'Performer: {performer}'],
      block: '{text}',
    },
    balance_low: {
      subject: 'Low upstream balance: {module}',
      paragraphs: [
        'The upstream balance of processing module "{module}" is {balance}, below its minimal balance of {minimalBalance}.',
        "The module's license renewals wait until the balance is topped up. Top up the account at the upstream; task {taskId} closes itself once a balance check finds enough money.",
      ],
    },
    renewal_coming: {
      subject: 'License {licenseName} will be renewed automatically',
      paragraphs: [
        'Your ispmanager license {licenseName} for {ip} expires on {expiresOn} and will be renewed automatically for another {months}-month period.',
        'The renewal costs {amount}, and your balance covers it (available: {available}). You do not need to do anything.',
        'If you do not want to renew the license, turn its auto-renewal off before then.',
      ],
    },
    renewal_coming_topup: {
      subject: 'Top up your balance to renew license {licenseName}',
      paragraphs: [
        'Your ispmanager license {licenseName} for {ip} expires on {expiresOn}. It is set to renew automatically for another {months}-month period.',
        'The renewal costs {amount}, but only {available} is available on your balance. Top up your balance by at least {missing}, or the license will not be renewed.',
      ],
    },
    license_new_key: {
      subject: 'New key for license {licenseName}',
      paragraphs: ['Your ispmanager license {licenseName} for {ip} has a new key; the previous key no longer works.', 'Your new license key:'],
      block: '{licenseKey}',
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

// The client's contact details on the profile page: the e-mail address and the phone number (clientProfile.ru.ts has the same keys).
export const clientProfileEn = {
  emailTitle: 'E-mail address',
  current: 'Your address: {{email}}',
  confirmed: 'confirmed',
  unconfirmed: 'not confirmed yet',
  newEmail: 'New e-mail address',
  emailRequired: 'Enter the new e-mail address.',
  emailInvalid: 'Enter an e-mail address such as name@example.com.',
  sameEmail: 'This is your address already.',
  emailNote: 'You log in with the new address at once; we mail it a link to confirm it.',
  changeEmail: 'Change the e-mail address',
  emailChanged: 'Your address is now {{email}}: follow the link we mailed there to confirm it.',
  phone: 'Phone',
  phoneHint: 'Optional; such as +49 30 1234567',
  phoneInvalid: 'Enter a phone number such as +49 30 1234567: digits, spaces, dashes and brackets.',
};

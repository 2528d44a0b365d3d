// Контактные данные клиента на странице профиля: e-mail и телефон (те же ключи, что в clientProfile.en.ts).
export const clientProfileRu = {
  emailTitle: 'Адрес e-mail',
  current: 'Ваш адрес: {{email}}',
  confirmed: 'подтверждён',
  unconfirmed: 'ещё не подтверждён',
  newEmail: 'Новый адрес e-mail',
  emailRequired: 'Введите новый адрес e-mail.',
  emailInvalid: 'Введите адрес e-mail, например name@example.com.',
  sameEmail: 'Это уже ваш адрес.',
  emailNote: 'Входить нужно будет сразу с новым адресом; на него придёт ссылка для подтверждения.',
  changeEmail: 'Сменить адрес e-mail',
  emailChanged: 'Теперь ваш адрес {{email}}: перейдите по ссылке из письма, отправленного на него, чтобы подтвердить его.',
  phone: 'Телефон',
  phoneHint: 'Необязательно; например +49 30 1234567',
  phoneInvalid: 'Введите номер телефона, например +49 30 1234567: цифры, пробелы, дефисы и скобки.',
};

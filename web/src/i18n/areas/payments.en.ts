// Card payment gateways in English (payments.ru.ts has the same keys): the staff settings per provider
// and what the client sees when paying by card.
export const paymentsEn = {
  staff: {
    open: 'Payment gateways',
    openNamed: 'Payment gateways of {{name}}',
    title: 'Payment gateways: {{name}}',
    formLabel: '{{gateway}} settings',
    enabled: 'Clients may pay by card through {{gateway}}',
    secretKey: 'Secret key',
    secretKeySet: 'Set (ends with {{hint}}). Leave empty to keep it.',
    notSet: 'Not set.',
    secretKeyInvalid: 'A secret key starts with sk_ or rk_ (Stripe dashboard → Developers → API keys).',
    webhookSecret: 'Webhook signing secret',
    webhookSecretSet: 'Set. Leave empty to keep it.',
    webhookSecretInvalid: 'A signing secret starts with whsec_ (shown on the webhook endpoint in the Stripe dashboard).',
    webhookUrl: 'Webhook endpoint URL',
    webhookHint: 'Add this URL as a webhook endpoint in the Stripe dashboard, with the events:',
    save: 'Save',
    saved: '{{gateway}} settings saved',
  },
  client: {
    card: 'Card ({{gateway}})',
    pendingTitle: 'Waiting for the payment',
    pending: 'Payment {{reference}} is not confirmed yet; the balance grows as soon as it is. Amount:',
    cancelledTitle: 'Payment not completed',
    cancelled: 'Payment {{reference}} was not completed; nothing was charged. Amount:',
    bookedTitle: 'Your payment has arrived',
    booked: 'Payment {{reference}} is on your balance. Amount:',
  },
};

import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { PageTitle } from '../components/ui';

export function ComingSoonPage() {
  const { t } = useTranslation();
  const route = useLocation().pathname.replace(/^\/+|\/+$/g, '');
  const title = t(`menu.items.${route}` as never);
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <Text className="placeholder">{t('comingSoon', { title })}</Text>
    </>
  );
}

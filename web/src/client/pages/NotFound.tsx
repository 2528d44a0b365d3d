// What a client sees at a URL that is not theirs (a staff page typed by hand included), and at a menu entry
// whose page is not there yet.
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { AppLink, PageTitle } from '../../components/ui';
import { CLIENT_DEFAULT_ROUTE, CLIENT_MENU } from '../menu';

export function ClientNotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle>{t('clientArea.notFound.title')}</PageTitle>
      <Text>{t('clientArea.notFound.text')}</Text>
      <AppLink to={`/${CLIENT_DEFAULT_ROUTE}`}>{t('clientArea.notFound.home')}</AppLink>
    </>
  );
}

export function ClientComingPage() {
  const { t } = useTranslation();
  const path = useLocation().pathname.replace(/^\/+|\/+$/g, '');
  const route = CLIENT_MENU.find((r) => r === path) ?? CLIENT_DEFAULT_ROUTE;
  const title = t(`clientArea.menu.${route}`);
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <Text className="placeholder">{t('clientArea.coming', { title })}</Text>
    </>
  );
}

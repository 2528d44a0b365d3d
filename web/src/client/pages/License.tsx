import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/ui';

export function ClientLicensePage() {
  const { t } = useTranslation();
  return <PageTitle>{t('clientArea.menu.licenses')}</PageTitle>;
}

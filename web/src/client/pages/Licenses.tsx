import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/ui';

export function ClientLicensesPage() {
  const { t } = useTranslation();
  return <PageTitle>{t('clientArea.menu.licenses')}</PageTitle>;
}

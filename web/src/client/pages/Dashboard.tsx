import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/ui';

export function ClientDashboardPage() {
  const { t } = useTranslation();
  return <PageTitle>{t('clientArea.menu.dashboard')}</PageTitle>;
}

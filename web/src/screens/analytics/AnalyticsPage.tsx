import { Tabs } from '@mantine/core';
import { IconChartDots3, IconGridDots, IconMoodSmile, IconRefreshDot, IconUsersGroup } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { CsiScreen } from './csi/CsiScreen';
import { MatrixScreen } from './matrix/MatrixScreen';
import { RfmScreen } from './rfm/RfmScreen';
import { LifecycleScreen } from './lifecycle/LifecycleScreen';
import { RenewScreen } from './renew/RenewScreen';

export const ANALYTICS_TABS = ['rfm', 'matrix', 'csi', 'lifecycle', 'renew'] as const;
export type AnalyticsTab = (typeof ANALYTICS_TABS)[number];

const ICONS = { rfm: IconGridDots, matrix: IconChartDots3, csi: IconMoodSmile, lifecycle: IconUsersGroup, renew: IconRefreshDot } as const;

/** Tab names and subtitles: the first three are the analytics locale's, lifecycle and renew the manager one's. */
const isManagerTab = (tab: AnalyticsTab): tab is 'lifecycle' | 'renew' => tab === 'lifecycle' || tab === 'renew';

/** The analytics section: RFM, the matrix and CSI / NPS, each at its own address (/analytics/rfm, …). */
export function AnalyticsPage({ tab }: { tab: AnalyticsTab }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title={t('analytics.title')} description={isManagerTab(tab) ? t(`manager.${tab}.description`) : t(`analytics.subtitles.${tab}`)} />
      <Tabs value={tab} onChange={(value) => value && void navigate(`/analytics/${value}`)} keepMounted={false}>
        <Tabs.List mb="md" style={{ overflowX: 'auto', flexWrap: 'nowrap' }}>
          {ANALYTICS_TABS.map((key) => {
            const TabIcon = ICONS[key];
            return (
              <Tabs.Tab key={key} value={key} leftSection={<TabIcon size={16} />} data-testid={`analytics-tab-${key}`}>
                {isManagerTab(key) ? t(`manager.${key}.tab`) : t(`analytics.tabs.${key}`)}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
        <Tabs.Panel value="rfm">
          <RfmScreen />
        </Tabs.Panel>
        <Tabs.Panel value="matrix">
          <MatrixScreen />
        </Tabs.Panel>
        <Tabs.Panel value="csi">
          <CsiScreen />
        </Tabs.Panel>
        <Tabs.Panel value="lifecycle">
          <LifecycleScreen />
        </Tabs.Panel>
        <Tabs.Panel value="renew">
          <RenewScreen />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

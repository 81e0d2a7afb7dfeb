import { ScrollArea, Tabs } from '@mantine/core';
import { IconBan, IconCalculator, IconCalendarEvent, IconCurrencyRubel, IconDiscount, IconFileCertificate, IconHandStop, IconTable, IconTag, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { AgreementsPanel } from './agreements/AgreementsPanel';
import { BansPanel } from './bans/BansPanel';
import { CampaignsPanel } from './campaigns/CampaignsPanel';
import { DiscountsPanel } from './discounts/DiscountsPanel';
import { LimitsPanel } from './limits/LimitsPanel';
import { OrderTryOut } from './order/OrderTryOut';
import { PricesPanel } from './prices/PricesPanel';
import { PriceTypesPanel } from './prices/PriceTypesPanel';
import { TERMS_TABS, termsTabHref, type TermsTab } from './shared/links';
import { TablePage } from './tables/TablePage';
import { TablesPanel } from './tables/TablesPanel';

const ICONS: Record<TermsTab, Icon> = {
  order: IconCalculator,
  agreements: IconFileCertificate,
  priceTypes: IconTag,
  prices: IconCurrencyRubel,
  discounts: IconDiscount,
  tables: IconTable,
  bans: IconBan,
  limits: IconHandStop,
  campaigns: IconCalendarEvent,
};

const isTab = (value: string | undefined): value is TermsTab => (TERMS_TABS as readonly string[]).includes(value ?? '');

/**
 * The "Sales terms" section: a tab per kind of term (1C's Соглашения с клиентами, Скидки
 * (наценки), Запреты отгрузки, Ограничения ручных скидок…) and the order try-out that shows
 * what they give an order. `/sales-terms/<tab>`; a discount table at `/sales-terms/tables/<id>`.
 */
export function SalesTermsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tab: tabParam, tableId } = useParams();
  const tab: TermsTab | undefined = tableId !== undefined ? 'tables' : isTab(tabParam) ? tabParam : undefined;
  if (tab === undefined) return <Navigate to={termsTabHref('order')} replace />;

  return (
    <>
      <PageHeader title={t(`terms.tabs.${tab}.title`)} description={t(`terms.tabs.${tab}.description`)} />
      <Tabs value={tab} onChange={(next) => next && void navigate(termsTabHref(next as TermsTab))} mb="lg" variant="default">
        <ScrollArea type="auto" scrollbarSize={4} offsetScrollbars={false}>
          <Tabs.List style={{ flexWrap: 'nowrap' }}>
            {TERMS_TABS.map((name) => {
              const TabIcon = ICONS[name];
              return (
                <Tabs.Tab
                  key={name}
                  value={name}
                  leftSection={name === 'order' ? <TabIcon size={16} stroke={1.8} /> : undefined}
                  data-testid={`terms-tab-${name}`}
                  style={{ whiteSpace: 'nowrap' }}
                  px="sm"
                >
                  {t(`terms.tabs.${name}.tab`)}
                </Tabs.Tab>
              );
            })}
          </Tabs.List>
        </ScrollArea>
      </Tabs>
      {tab === 'order' && <OrderTryOut />}
      {tab === 'agreements' && <AgreementsPanel />}
      {tab === 'priceTypes' && <PriceTypesPanel />}
      {tab === 'prices' && <PricesPanel />}
      {tab === 'discounts' && <DiscountsPanel />}
      {tab === 'tables' && (tableId === undefined ? <TablesPanel /> : <TablePage key={tableId} tableId={tableId} />)}
      {tab === 'bans' && <BansPanel />}
      {tab === 'limits' && <LimitsPanel />}
      {tab === 'campaigns' && <CampaignsPanel />}
    </>
  );
}

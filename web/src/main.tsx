import '@mantine/core/styles.css';
import '@mantine/dates/styles.css';
import 'dayjs/locale/ru';
import './i18n';
import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { useTranslation } from 'react-i18next';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { shouldRetry } from './api/client';
import { App } from './app/App';
import { theme } from './app/theme';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: false },
  },
});

/** Date pickers speak the chosen language (month names, first day of the week). */
function LocalisedDates({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return <DatesProvider settings={{ locale: i18n.resolvedLanguage === 'en' ? 'en' : 'ru', firstDayOfWeek: 1 }}>{children}</DatesProvider>;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <LocalisedDates>
          <App />
        </LocalisedDates>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

import { SegmentedControl, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES } from '../i18n';

/** RU / EN: in the header, and on the login screen before anyone is signed in. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Tooltip label={t('language.label')} openDelay={400}>
      <SegmentedControl
        size="xs"
        radius="xl"
        aria-label={t('language.label')}
        value={currentLanguage()}
        onChange={(value) => void i18n.changeLanguage(value)}
        data={LANGUAGES.map((lng) => ({ value: lng, label: t(`language.${lng}`) }))}
        data-testid="language-switch"
      />
    </Tooltip>
  );
}

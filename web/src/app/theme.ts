import { createTheme } from '@mantine/core';

/** A calm business look: blue accents, rounded cards on a light grey background. */
export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif',
  headings: { fontWeight: '700' },
  components: {
    Paper: { defaultProps: { shadow: 'none' } },
  },
});

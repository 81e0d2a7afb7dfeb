/**
 * Driving the sales-terms screens in the browser, shared by the tests and the screenshots:
 * Mantine selects (their dropdowns render at the end of the page) and the order try-out.
 */
import type { Locator, Page } from 'playwright-core';

/**
 * Picks an option of a Mantine select, typing first to search. A row that renders again while
 * the dropdown opens (its data arriving on a loaded machine) closes the dropdown under the
 * click: then it is opened again, up to three times.
 */
export async function choose(page: Page, select: Locator, option: string | RegExp, type?: string): Promise<void> {
  const target = page.getByRole('option', { name: option, exact: typeof option === 'string' }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await select.click();
      if (type) await select.fill(type);
      await target.click({ timeout: attempt < 3 ? 10_000 : 30_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

export async function fillNumber(input: Locator, value: number | string): Promise<void> {
  await input.fill('');
  await input.fill(String(value));
}

export interface TryOutLine {
  product: { name: string; price: number };
  quantity: number;
}

/** Fills the try-out: the customer (found by typing a piece of the name), then a line per product. */
export async function fillOrder(page: Page, customer: { name: string }, lines: readonly TryOutLine[]): Promise<void> {
  await choose(page, page.getByTestId('order-partner'), customer.name, customer.name.replace(/^[^«]*«/, '').slice(0, 6));
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.getByTestId('order-add-line').click();
    const row = page.getByTestId('order-line').nth(i);
    await choose(page, row.getByTestId('order-line-product'), line.product.name, line.product.name.slice(0, 5));
    await fillNumber(row.getByTestId('order-line-quantity'), line.quantity);
    await fillNumber(row.getByTestId('order-line-price'), line.product.price);
  }
}

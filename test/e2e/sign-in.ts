/**
 * Signing in for the browser tests. `signIn` asks the API for a session inside the browser
 * context (its cookie jar is the browser's), so a test starts on its screen already signed in;
 * `signInThroughForm` is what a person does on the login screen.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { DemoUser } from './demo-server.js';

/** A session for the user in the context: the HttpOnly cookie the login sets, as a browser would keep it. */
export async function signIn(context: BrowserContext, user: Pick<DemoUser, 'login' | 'password'>): Promise<void> {
  const response = await context.request.post('/api/auth/login', { data: { login: user.login, password: user.password } });
  if (!response.ok()) throw new Error(`signing in as ${user.login}: HTTP ${response.status()} ${await response.text()}`);
}

/** Types the login and password on the login screen and presses Enter, as a person would. */
export async function signInThroughForm(page: Page, user: Pick<DemoUser, 'login' | 'password'>): Promise<void> {
  await page.getByTestId('login-name').fill(user.login);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-password').press('Enter');
}

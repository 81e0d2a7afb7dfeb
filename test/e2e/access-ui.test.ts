/**
 * Sign-in and roles in the browser: the login screen (Russian and English, a wrong password),
 * the admin with the administration screens (users, API keys shown once, the audit log), a
 * manager who sees only own partners and cannot change what is not theirs, signing out, and a
 * session that ends under the user bringing the login screen back at the same page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite, hasNoHorizontalScroll } from './browser-suite.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { DEMO_USERS, MANAGERS, PARTNERS } from './demo-server.js';
import { signInThroughForm } from './sign-in.js';

/** Waits for a value the page shows once its requests have answered. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });

const ADMIN = DEMO_USERS.admin;
const MANAGER = DEMO_USERS.manager;
const managerName = (id: string) => MANAGERS.find(([m]) => m === id)![1];
const OWN_PARTNERS = PARTNERS.filter((p) => (MANAGER.managerIds as readonly string[]).includes(p.manager));
const ADMIN_SECTIONS = ['admin/users', 'admin/keys', 'admin/sources', 'admin/audit'];

/** What the login screen says to a plain 401 (web/src/i18n/locales/access.*.ts). */
const WRONG_PASSWORD = { ru: 'Неверный логин или пароль', en: 'Wrong login or password' } as const;
const CYRILLIC = /[А-Яа-яЁё]/;

const navPaths = (page: Page) => page.locator('[data-nav]').evaluateAll((links) => links.map((link) => link.getAttribute('data-nav')));
const rowLinks = (page: Page, scope = 'body') => page.locator(`${scope} table tbody tr td a[href^="/partners/"]`).allInnerTexts();

describe.skipIf(shouldSkipBrowserSuite())('sign-in and roles in Chromium', () => {
  const suite = browserSuite();

  it('asks for sign-in first, signs the admin in on Enter, returns to the page asked for, and signs out', async () => {
    const page = await suite.open('/partners?q=ромаш', DESKTOP, 'ru', null);
    await page.getByTestId('login-form').waitFor();
    // The login field has the focus: type and press Enter.
    expect(await page.evaluate<string | null>('document.activeElement?.getAttribute("data-testid") ?? null')).toBe('login-name');
    expect(await page.getByRole('heading', { name: 'Вход в Segmenta' }).count()).toBe(1);
    await signInThroughForm(page, ADMIN);

    await eventually(() => page.getByTestId('partners-total').textContent()).toBe('Найдено: 1');
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/partners?q=${encodeURIComponent('ромаш')}`);
    expect(await page.getByTestId('user-login').innerText()).toBe(ADMIN.login);
    expect(await page.getByTestId('user-role').innerText()).toBe('Администратор');
    expect(await navPaths(page)).toEqual(expect.arrayContaining(ADMIN_SECTIONS));

    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // The session is gone on the server too, not only on the screen.
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);
    await page.reload();
    await page.getByTestId('login-form').waitFor();
  });

  it('says a wrong password is wrong, in the chosen language, and stays on the login screen', async () => {
    const page = await suite.open('/segments', DESKTOP, 'ru', null);
    await signInThroughForm(page, { login: ADMIN.login, password: 'not the password' });
    const error = page.getByTestId('login-error');
    await error.waitFor();
    const code = await error.getAttribute('data-error-code');
    const russian = (await error.innerText()).trim();
    // A plain 401 reads "wrong login or password"; a code of its own (a failed login, a lockout) is translated by code.
    if (code === 'UNAUTHENTICATED') expect(russian).toBe(WRONG_PASSWORD.ru);
    else expect(russian).toMatch(CYRILLIC);

    await page.getByTestId('language-switch').getByText('EN').click();
    // No such user: the same answer as a wrong password (and the admin is not pushed towards a lockout).
    await signInThroughForm(page, { login: 'nobody', password: 'still not the password' });
    await eventually(async () => CYRILLIC.test(await error.innerText())).toBe(false);
    const english = (await error.innerText()).trim();
    if (code === 'UNAUTHENTICATED') expect(english).toBe(WRONG_PASSWORD.en);
    else expect(english).not.toBe(russian);
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.getByTestId('user-menu').count()).toBe(0);
  });

  it('fits the login screen on a phone', async () => {
    const page = await suite.open('/segments', PHONE, 'ru', null);
    await page.getByTestId('login-form').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await signInThroughForm(page, ADMIN);
    await page.getByTestId('user-menu').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });

  it('shows a manager only own partners, in the list and in a segment, with no administration and nothing to change', async () => {
    const page = await suite.open('/partners', DESKTOP, 'ru', MANAGER);
    expect(await page.getByTestId('user-role').innerText()).toBe('Менеджер');
    await eventually(() => page.getByTestId('partners-total').textContent()).toBe(`Найдено: ${OWN_PARTNERS.length}`);
    expect((await rowLinks(page)).sort()).toEqual(OWN_PARTNERS.map((p) => p.name).sort());
    const nav = await navPaths(page);
    for (const section of ADMIN_SECTIONS) expect(nav).not.toContain(section);

    // Another manager's partner does not exist for this one.
    const other = PARTNERS.find((p) => p.manager === 'm2')!;
    await page.goto(`/partners/${other.id}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { name: other.name }).count()).toBe(0);

    // A segment's members: all the admin sees of it that are this manager's, and no others.
    const all = (await apiCall(suite.server, 'GET', '/segments/big-buyers/members?limit=1000')) as { items: { id: string }[] };
    const own = all.items.filter((m) => OWN_PARTNERS.some((p) => p.id === m.id));
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThan(all.items.length);
    await page.goto('/segments/big-buyers?tab=members');
    await eventually(() => page.getByTestId('members-total').innerText()).toBe(`В составе: ${own.length}`);
    expect((await rowLinks(page, '[data-testid="segment-members"]')).sort()).toEqual(own.map((m) => PARTNERS.find((p) => p.id === m.id)!.name).sort());
    // Someone else's periodic segment: read-only, nothing to save or generate.
    await page.goto('/segments/big-buyers');
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByTestId('segment-save').count()).toBe(0);
    expect(await page.getByTestId('segment-generate').count()).toBe(0);

    // A new segment can only be manual.
    await page.goto('/segments/new');
    const methods = page.getByTestId('segment-method');
    await methods.waitFor();
    expect(await methods.locator('input[value="manual"]').isChecked()).toBe(true);
    expect(await methods.locator('input[value="periodic"]').isDisabled()).toBe(true);

    // Sales terms are read, not made.
    await page.goto('/sales-terms/agreements');
    await page.getByTestId('agreements').waitFor();
    expect(await page.getByTestId('agreements-create').count()).toBe(0);

    // An administration page by its address: told there is no access, not a screen of errors.
    await page.goto('/admin/users');
    await page.getByTestId('no-access').waitFor();
    expect(await page.getByTestId('no-access').innerText()).toContain('Администратор');

    await page.getByTestId('user-menu').click();
    // The menu opens after a transition: wait for it.
    await eventually(() => page.getByText(managerName('m1')).count()).toBeGreaterThan(0);
  });

  it('lets the admin add a user with a role and managers, then disable them so they cannot sign in', async () => {
    const page = await suite.open('/admin/users', DESKTOP, 'ru');
    await page.getByRole('cell', { name: MANAGER.login }).waitFor();
    await page.getByTestId('user-add').click();
    const form = page.getByTestId('user-form');
    await form.getByTestId('user-login-input').fill('k.orlova');
    await form.getByTestId('user-role').getByText('Менеджер').click();
    await form.getByTestId('user-managers').click();
    await page.getByRole('option', { name: managerName('m3') }).click();
    await form.getByTestId('user-password').fill('Orlova-password-1');
    await form.getByTestId('user-save').click();
    await page.getByTestId('users-notice').waitFor();
    const row = page.locator('table tbody tr', { hasText: 'k.orlova' });
    await row.waitFor();
    expect(await row.innerText()).toContain(managerName('m3'));

    // Disabled: the user cannot sign in any more.
    await row.click();
    await page.getByTestId('user-disabled').click();
    await page.getByTestId('user-save').click();
    await eventually(() => row.getByTestId('user-state').getAttribute('data-state')).toBe('disabled');
    const login = await page.request.post('/api/auth/login', { data: { login: 'k.orlova', password: 'Orlova-password-1' } });
    expect(login.status()).toBeGreaterThanOrEqual(400);
  });

  it('makes an API key shown once, which works until it is revoked; every write carries the CSRF token', async () => {
    const page = await suite.open('/admin/keys', DESKTOP, 'ru');
    const writes: { url: string; csrf: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'GET' && request.url().includes('/api/') && !request.url().includes('/api/auth/')) writes.push({ url: request.url(), csrf: request.headers()['x-csrf-token'] });
    });
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('Выгрузка в 1С');
    await page.getByTestId('key-role').getByText('Аналитик').click();
    await page.getByTestId('key-save').click();
    const secret = (await page.getByTestId('key-secret').innerText()).trim();
    expect(secret).toMatch(/^sgk_/);
    expect(await page.getByTestId('key-created').innerText()).toContain('один раз');
    await page.getByTestId('key-done').click();
    expect(await page.getByText(secret).count()).toBe(0);

    const me = await fetch(new URL('/api/auth/me', page.url()), { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { kind: string; role: string }).role).toBe('analyst');

    const row = page.locator('table tbody tr', { hasText: 'Выгрузка в 1С' });
    await row.getByTestId('key-revoke').click();
    await page.getByTestId('key-revoke-confirm').click();
    await eventually(() => row.getByTestId('key-state').getAttribute('data-state')).toBe('revoked');
    expect((await fetch(new URL('/api/auth/me', page.url()), { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

    const token = ((await (await page.request.get('/api/auth/me')).json()) as { csrfToken: string }).csrfToken;
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (const write of writes) expect(write, write.url).toMatchObject({ csrf: token });
  });

  it('shows the audit log with who did what, filters it, and opens an entry before and after', async () => {
    const page = await suite.open('/admin/keys', DESKTOP, 'ru');
    // A write to find: a key made and revoked through the screen.
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('Аудит');
    await page.getByTestId('key-save').click();
    await page.getByTestId('key-done').click();

    await page.goto('/admin/audit');
    const rows = page.locator('table tbody tr');
    await eventually(() => rows.count()).toBeGreaterThan(0);
    const total = Number((await page.getByTestId('audit-total').innerText()).replace(/\D/g, ''));
    expect(total).toBeGreaterThan(0);
    await eventually(() => page.locator('table tbody').innerText()).toContain(ADMIN.login);

    await page.getByTestId('audit-filter-actor').fill(ADMIN.login);
    await eventually(() => new URL(page.url()).searchParams.get('actor')).toBe(ADMIN.login);
    await eventually(async () => (await rows.allInnerTexts()).every((text) => text.includes(ADMIN.login))).toBe(true);

    await rows.first().click();
    const entry = page.getByTestId('audit-entry');
    await entry.waitFor();
    await entry.getByTestId('audit-tab-json').click();
    expect(await entry.getByTestId('audit-json').innerText()).toContain('До');
    expect(await entry.getByTestId('audit-json').innerText()).toContain('После');
  });

  it('brings the login screen back when the session ends, and returns to the same page after signing in', async () => {
    const page = await suite.open('/partners', DESKTOP, 'ru');
    await page.getByTestId('partners-total').waitFor();
    // The session ends on the server (here: its cookie is gone); the next call answers 401.
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Сегменты' }).click();
    await page.getByTestId('login-expired').waitFor();
    expect(new URL(page.url()).pathname).toBe('/segments');
    await signInThroughForm(page, ADMIN);
    await page.getByTestId('segments-total').waitFor();
    expect(new URL(page.url()).pathname).toBe('/segments');
  });
});

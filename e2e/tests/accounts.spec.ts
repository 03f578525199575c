import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** Adds a paper spot account with 10 000 USDT on the Accounts page. */
async function addPaperSpotAccount(page: Page, name: string) {
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill(name);
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('spot');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-currency').first().fill('USDT');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  await expect(page.getByTestId('account-row').filter({ hasText: name })).toBeVisible();
}

test('deleting an account with a running bot: the dialog lists the bot, no plain delete, stop-and-delete removes both', async ({ page }) => {
  const ACCOUNT = 'E2E doomed paper';
  const BOT = 'E2E doomed grid';
  await login(page);
  await addPaperSpotAccount(page, ACCOUNT);

  // A grid bot on the account, started.
  await page.getByTestId('nav-bots').click();
  await page.getByTestId('bot-new').click();
  await page.getByTestId('bot-name').fill(BOT);
  const accountId = await page.getByTestId('bot-account').locator('option', { hasText: ACCOUNT }).getAttribute('value');
  await page.getByTestId('bot-account').selectOption(accountId!);
  await expect(page.getByTestId('bot-market-type')).toHaveAttribute('data-value', 'spot');
  await page.getByTestId('bot-grid-symbol').fill('BTC/USDT');
  await page.getByTestId('bot-grid-levels').fill('5');
  await page.getByTestId('bot-grid-spacingPct').fill('0.5');
  await page.getByTestId('bot-grid-sellOffsetPct').fill('0.5');
  await page.getByTestId('bot-save').click();
  const detail = page.getByTestId('bot-detail');
  await expect(detail).toBeVisible();
  await detail.getByTestId('bot-start').click();
  await expect(detail.getByTestId('bot-status')).toHaveAttribute('data-status', 'running');
  // Its buys are working at the (paper) venue.
  await expect.poll(async () => Number(await page.getByTestId('bot-detail-open-orders').textContent())).toBeGreaterThan(0);

  // Delete: the dialog first shows what is open.
  await page.getByTestId('nav-accounts').click();
  const row = page.getByTestId('account-row').filter({ hasText: ACCOUNT });
  await row.getByTestId('account-delete').click();
  const dialog = page.getByTestId('account-delete-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('data-account-id', accountId!);
  await expect(dialog.getByTestId('account-delete-blocked')).toBeVisible();
  await expect(dialog.getByTestId('account-delete-bot')).toHaveText([BOT]);
  await expect(dialog.getByTestId('account-delete-orders')).toContainText(/Open orders: [1-9]/);
  // What stays: a paper account takes everything with it.
  await expect(dialog.getByTestId('account-delete-stays')).toHaveAttribute('data-mode', 'paper');
  await expect(dialog.getByTestId('account-delete-stays')).toContainText('paper account');
  // The plain delete is not offered, and the server refuses it naming the bot.
  await expect(dialog.getByTestId('account-delete-confirm')).toHaveCount(0);
  const plain = await page.request.post('/trpc/accounts.remove', { data: { id: accountId } });
  expect(plain.status()).toBe(409);
  expect((await plain.json()).error.message).toContain(`1 bot running (${BOT})`);
  await expect(row).toBeVisible();

  // Stop the bots and cancel their orders, then delete.
  const stopAndDelete = dialog.getByTestId('account-delete-stop-confirm');
  await expect(stopAndDelete).toHaveText('Stop the bots and cancel their orders, then delete');
  await stopAndDelete.click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('toast').filter({ hasText: `Account ${ACCOUNT} deleted: 1 bot(s) stopped` })).toBeVisible();
  await expect(row).toHaveCount(0);

  // The bot went with the account.
  await page.getByTestId('nav-bots').click();
  await expect(page.getByTestId('bot-row').filter({ hasText: BOT })).toHaveCount(0);
  const bots = await page.request.get('/trpc/bots.list');
  expect(((await bots.json()).result.data as { name: string }[]).map((b) => b.name)).not.toContain(BOT);
});

test('deleting an account with nothing open: the dialog says so and Delete removes it', async ({ page }) => {
  const ACCOUNT = 'E2E empty paper';
  await login(page);
  await addPaperSpotAccount(page, ACCOUNT);
  const row = page.getByTestId('account-row').filter({ hasText: ACCOUNT });
  await row.getByTestId('account-delete').click();
  const dialog = page.getByTestId('account-delete-dialog');
  await expect(dialog.getByTestId('account-delete-nothing-open')).toHaveText('Delete this account and its history?');
  await expect(dialog.getByTestId('account-delete-stop-confirm')).toHaveCount(0);
  await dialog.getByTestId('account-delete-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(0);
});

import * as assert from 'node:assert/strict';
import { productVsix, Workbench } from './workbench';

describe('end-to-end: add a credential through the guided flow', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-add' });
    await workbench.openViewContainer('M365 Mail');
  });

  after(async () => {
    await workbench?.close();
  });

  it('refuses invalid fields as they are typed and saves nothing on Escape', async () => {
    await workbench.page.locator('.welcome-view-content').getByRole('button', { name: 'Add credential' }).click();
    await workbench.pick('Microsoft 365');
    await workbench.pick('Global');
    await workbench.expectValidation('contoso', /not a tenant ID/);
    await workbench.answer('contoso.onmicrosoft.com');
    await workbench.pick('Authorization code');
    await workbench.pick('request body');
    await workbench.expectValidation('my-app', /must be a GUID/);
    await workbench.answer('11111111-2222-3333-4444-555555555555');
    await workbench.expectValidation('2d3e4f50-1111-2222-3333-444455556666', /secret's ID/);
    await workbench.screenshot('add-credential-validation');
    await workbench.page.keyboard.press('Escape');
    // Nothing was stored: the welcome content is still there.
    await workbench.page.locator('.welcome-view-content', { hasText: 'No mail credentials yet' }).waitFor({ state: 'visible' });
  });

  it('adds a Microsoft 365 credential that shows up Unauthorized in the tree', async () => {
    await workbench.runCommand('M365 Mail: Add credential');
    await workbench.pick('Microsoft 365');
    await workbench.pick('Global');
    await workbench.answer('contoso.onmicrosoft.com');
    await workbench.pick('Authorization code');
    await workbench.pick('request body');
    await workbench.answer('11111111-2222-3333-4444-555555555555');
    await workbench.answer('e2e~SentinelClientSecret~0001');
    await workbench.expectValidation('adele', /not an email address/);
    await workbench.answer('adele@contoso.onmicrosoft.com');
    await workbench.answer('');
    await workbench.pick('IMAP and SMTP');
    // The global cloud has Microsoft Graph: the flow asks how mail goes, IMAP / SMTP first.
    await workbench.pick('IMAP / SMTP with XOAUTH2', { exact: true });
    await workbench.expectValidation('https://outlook.office.com/IMAP.AccessAsUser.Al offline_access', /Unknown scope/);
    await workbench.answer('https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access');
    await workbench.expectValidation('120', /from 3 to 90/);
    await workbench.answer('30');
    await workbench.pick('Use the default servers');
    await workbench.answer('Orders mailbox');
    await workbench.answer('Created by the end-to-end test');
    const row = workbench.credentialRow('Orders mailbox');
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /Unauthorized/);
    await workbench.page.locator('.notification-list-item', { hasText: 'Register the redirect URI http://localhost' }).first().waitFor({ state: 'visible' });
    await workbench.screenshot('credential-added');
  });

  // A preset: the same workbench, its own describe title for a targeted run.
  describe('a personal Microsoft account', () => {
    it('says what Microsoft does not allow personal accounts, offers no app-only grant and saves tenant consumers', async () => {
      await workbench.runCommand('M365 Mail: Add credential');
      await workbench.pick('Personal Microsoft account');
      // The notice comes as the preset is chosen, before any refusal.
      await workbench.page
        .locator('.notification-list-item', { hasText: 'Microsoft does not allow personal accounts client credentials' })
        .first()
        .waitFor({ state: 'visible' });
      // No tenant step: the next question is the grant, without client credentials.
      const rows = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'Authorization code' }).first().waitFor({ state: 'visible' });
      assert.equal(await rows.filter({ hasText: 'Client credentials' }).count(), 0);
      await workbench.pick('Authorization code');
      await workbench.pick('None: public client');
      await workbench.answer('11111111-2222-3333-4444-555555555555');
      await workbench.answer('adele@outlook.com');
      // No shared-mailbox step: straight to the purpose.
      await workbench.pick('IMAP and SMTP');
      await workbench.pick('IMAP / SMTP with XOAUTH2', { exact: true });
      await workbench.acceptDefault();
      await workbench.acceptDefault();
      const servers = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Use the default servers' }).first();
      await servers.waitFor({ state: 'visible' });
      assert.match((await servers.textContent()) ?? '', /outlook\.office365\.com:993 · SMTP smtp-mail\.outlook\.com:587/);
      await workbench.pick('Use the default servers');
      await workbench.answer('Personal mailbox');
      await workbench.answer('');
      const row = workbench.credentialRow('Personal mailbox');
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match((await row.textContent()) ?? '', /Unauthorized/);
      await workbench.screenshot('credential-added-personal');
    });
  });
});

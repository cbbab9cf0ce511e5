import * as assert from 'node:assert/strict';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { sandboxDescription } from '../harness/sandboxEnv';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

const STEPS = ['Add a credential', 'Register the app', 'Authorize it', 'Send a test mail', 'Preview the inbox', 'Test the connection'];

/**
 * The "Get started with M365 Mail" walkthrough as a first-time user meets it: it opens by itself
 * the first time the extension starts, lists its steps, and checks "Add a credential" and
 * "Authorize it" once a credential really was added and authorized (context keys the extension
 * sets), not when a button was merely clicked.
 */
describe('end-to-end: the Get started walkthrough', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;

  before(async () => {
    sandbox = sandboxDescription();
    // A user who has not told VS Code to keep walkthroughs closed (the harness does for other tests).
    workbench = await Workbench.open({
      vsixes: [productVsix()],
      name: 'e2e-walkthrough',
      settings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true }
    });
    flows = new SandboxFlows(workbench, sandbox);
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
  });

  const page = () => workbench.page.locator('.gettingStartedContainer');
  const step = (id: string) => page().locator(`.getting-started-step[data-step-id$="#${id}"]`);
  /** VS Code marks a done step with a filled check (and aria-checked on the step's button). */
  const isDone = (id: string) => step(id).evaluate((el) => el.getAttribute('aria-checked') === 'true' || el.querySelector('.codicon-pass-filled') !== null);

  it('opens by itself on first start and lists every step', async () => {
    await workbench.openViewContainer('M365 Mail');
    await page()
      .locator('.getting-started-category', { hasText: 'Get started with M365 Mail' })
      .or(page().getByText('Get started with M365 Mail'))
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    for (const title of STEPS) await page().locator('.getting-started-step', { hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await page().locator('.getting-started-step[data-step-id^="m365mail.m365-mail#getStarted#"]').count(), STEPS.length);
    for (const id of ['addCredential', 'authorize', 'sendTestMail']) assert.equal(await isDone(id), false, `${id} is not done yet`);
    // The Credentials welcome view links to it as well.
    const welcome = workbench.page.locator('.welcome-view-content', { hasText: 'No mail credentials yet' });
    assert.equal(
      await welcome
        .getByRole('link', { name: 'Get started' })
        .or(welcome.getByRole('button', { name: 'Get started' }))
        .count(),
      1
    );
  });

  it('checks "Add a credential" and "Authorize it" once a sandbox credential is added and authorized', async () => {
    // The user closes it and works in the Credentials view (a click into the walkthrough selects a
    // step, whose Markdown page then takes the focus, and the palette closes).
    // (Not Workbench.runCommand: its click into the editor area would land on a step.)
    await workbench.page.locator('.welcome-view-content', { hasText: 'No mail credentials yet' }).click({ position: { x: 5, y: 5 } });
    await workbench.page.keyboard.press('F1');
    await workbench.quickInput.locator('input.input').fill('>View: Close All Editors');
    await workbench.quickInput
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.page.keyboard.press('Enter');
    await page().waitFor({ state: 'detached', timeout: 30_000 });
    await flows.addAuthorized('Adele (walkthrough)', {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'adele@contoso.test'
    });
    await workbench.runCommand('M365 Mail: Get started');
    await step('authorize').waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.page.waitForFunction(
      () =>
        ['addCredential', 'authorize'].every((id) => {
          const el = document.querySelector(`.gettingStartedContainer .getting-started-step[data-step-id$="#${id}"]`);
          return el?.getAttribute('aria-checked') === 'true' || el?.querySelector('.codicon-pass-filled') !== null;
        }),
      undefined,
      { timeout: 30_000 }
    );
    // Steps whose event has not happened stay open: nothing was sent, previewed or tested.
    for (const id of ['sendTestMail', 'previewInbox', 'testConnection']) assert.equal(await isDone(id), false, `${id} is not done`);
    await workbench.clearNotifications();
    await workbench.screenshot('walkthrough'); // the README's media/screenshots/walkthrough.png
  });
});

import * as vscode from 'vscode';

/** Tells the user, once, that this window must reload before M365 Mail does anything here (windowCoherence.ts). */
export async function showStaleWindowNotice(): Promise<void> {
  const reload = vscode.l10n.t('Reload Window');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'M365 Mail credentials were changed in another window or browser tab, and this one cannot see the change. Reload this window before you use M365 Mail here: until then it changes and sends nothing, so nothing newer is overwritten.'
    ),
    reload
  );
  if (answer === reload) await vscode.commands.executeCommand('workbench.action.reloadWindow');
}

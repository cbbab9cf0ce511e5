import * as vscode from 'vscode';

/** `publisher.name#id` of the "Get started with M365 Mail" walkthrough in package.json. */
export const WALKTHROUGH_ID = 'm365mail.m365-mail#getStarted';

/**
 * Context keys the walkthrough's steps complete on (`completionEvents: onContext:…`). Each is set
 * by the owner of what it says happened, once it really did: the credential keys by
 * {@link CredentialContextKeys}, the others by the app registration, mail and diagnostics commands
 * after success. Never `onCommand:`: VS Code counts a command as run when it is invoked, so a
 * send the server refused, or a checklist with no credential to show, would check the step.
 * VS Code remembers a completed step (in its own storage, across windows and restarts), so the
 * keys need to hold only for the session.
 */
export const WalkthroughKeys = {
  hasCredential: 'm365mail.hasCredential',
  openedAppRegistration: 'm365mail.openedAppRegistration',
  hasAuthorizedCredential: 'm365mail.hasAuthorizedCredential',
  sentTestMail: 'm365mail.sentTestMail',
  previewedInbox: 'm365mail.previewedInbox',
  testedConnection: 'm365mail.testedConnection'
} as const;

export type WalkthroughKey = (typeof WalkthroughKeys)[keyof typeof WalkthroughKeys];

/** globalState flag: the walkthrough has been opened for this user once. */
const OPENED_ONCE_KEY = 'm365mail.walkthroughOpened';

export function setWalkthroughKey(key: WalkthroughKey, value = true): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

export function openWalkthrough(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/**
 * Opens the walkthrough for a first-time user: once per user (a globalState flag), only when there
 * is no credential yet, and not when the user told VS Code not to open walkthroughs on install
 * (`workbench.welcomePage.walkthroughs.openOnInstall`, which VS Code itself honours only for
 * extensions installed from the Extensions view).
 */
export function openWalkthroughOnFirstRun(globalState: vscode.Memento, hasCredentials: boolean): void {
  if (globalState.get<boolean>(OPENED_ONCE_KEY)) return;
  void globalState.update(OPENED_ONCE_KEY, true);
  if (hasCredentials) return;
  if (vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall') === false) return;
  void openWalkthrough();
}

/** Every command the extension contributes; package.json `contributes.commands` lists the same IDs. */
export const CommandIds = {
  showLog: 'm365mail.showLog',
  getStarted: 'm365mail.getStarted',
  addCredential: 'm365mail.addCredential',
  authorize: 'm365mail.authorize',
  refreshNow: 'm365mail.refreshNow',
  editCredential: 'm365mail.editCredential',
  duplicateCredential: 'm365mail.duplicateCredential',
  deleteCredential: 'm365mail.deleteCredential',
  signOut: 'm365mail.signOut',
  copyRedirectUri: 'm365mail.copyRedirectUri',
  showTokenDetails: 'm365mail.showTokenDetails',
  openAdminConsent: 'm365mail.openAdminConsent',
  showAppRegistration: 'm365mail.showAppRegistration',
  exportCredentials: 'm365mail.exportCredentials',
  importCredentials: 'm365mail.importCredentials',
  importWorkspaceCredentials: 'm365mail.importWorkspaceCredentials',
  sendTestMail: 'm365mail.sendTestMail',
  sendEml: 'm365mail.sendEml',
  previewInbox: 'm365mail.previewInbox',
  testConnection: 'm365mail.testConnection',
  decodeXoauth2: 'm365mail.decodeXoauth2',
  useIn: 'm365mail.useIn'
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

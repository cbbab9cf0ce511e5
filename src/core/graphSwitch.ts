/**
 * From SMTP to Microsoft Graph. SMTP AUTH is off by default in Microsoft 365 tenants created since
 * 2020, and Exchange Online then refuses XOAUTH2 with `535 5.7.139`; Microsoft's answer is to send
 * through Graph. This decides whether a failure qualifies for "Send through Microsoft Graph instead"
 * and what the credential becomes when the user takes it. The host shows the button, saves the new
 * definition through the credential store and signs in again (commands/graphSwitch.ts). No `vscode`
 * import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from './clouds';
import { transportsOf, type CredentialDefinition } from './model';

/** How `explainSmtpFailure` (mail/mailErrors.ts) codes a refusal for SMTP AUTH off: `smtp.535 5.7.139`. */
const SMTP_AUTH_DISABLED = /^smtp\.\d{3} 5\.7\.139$/;

export function isSmtpAuthDisabled(code: string | undefined): boolean {
  return SMTP_AUTH_DISABLED.test(code ?? '');
}

export type GraphSwitchVerdict =
  /** Offer the switch: `definition` is the credential as it will be stored, sending over Graph. */
  | { kind: 'offer'; definition: CredentialDefinition }
  /**
   * App-only (client credentials): Graph needs an application permission that only an admin can
   * consent to, so nothing is offered; `nextStep` says what to do instead.
   */
  | { kind: 'adminConsent'; nextStep: string }
  /** Not this failure, not a Microsoft credential, already on Graph, or a cloud without Graph. */
  | { kind: 'none' };

/** Whether a send that failed with `failureCode` may switch to Graph, and what the credential becomes. */
export function graphSwitchFor(def: CredentialDefinition, failureCode: string | undefined, clouds: CloudCatalog): GraphSwitchVerdict {
  if (!isSmtpAuthDisabled(failureCode) || !canSendOverGraph(def, clouds)) return { kind: 'none' };
  if (def.grant === 'clientCredentials') {
    return {
      kind: 'adminConsent',
      nextStep: l10n.t(
        'This credential is app-only, so M365 Mail cannot ask for the consent itself: an admin grants the app the Microsoft Graph application permission Mail.Send with admin consent (an application access policy can limit it to some mailboxes); then choose Microsoft Graph under Edit credential → Transport.'
      )
    };
  }
  return { kind: 'offer', definition: sendingOverGraph(def, clouds) };
}

/** The same decision from a connection test's reports: SMTP AUTH off is a failed SMTP step coded 5.7.139. */
export function graphSwitchForReports(
  def: CredentialDefinition,
  reports: ReadonlyArray<{ protocol: string; steps: ReadonlyArray<{ error?: { code: string } }> }>,
  clouds: CloudCatalog
): GraphSwitchVerdict {
  const code = reports
    .filter((r) => r.protocol === 'smtp')
    .flatMap((r) => r.steps)
    .map((s) => s.error?.code)
    .find(isSmtpAuthDisabled);
  return graphSwitchFor(def, code, clouds);
}

function canSendOverGraph(def: CredentialDefinition, clouds: CloudCatalog): boolean {
  if (def.provider !== 'microsoft' || def.purpose === 'imap' || transportsOf(def).send === 'graph') return false;
  const cloud = clouds.get(def.cloud);
  return Boolean(cloud?.graphEndpoint && cloud.graphScopePrefix);
}

/**
 * The credential sending over Graph: `sendTransport` is `graph`; the scopes lose SMTP.Send and gain
 * Graph's Mail.Send (Mail.Send.Shared for a shared mailbox) and User.Read, and keep everything the
 * credential reads with. The Graph scopes come first because a sign-in asks for the resource of the
 * first scope (CloudCatalog.signInResource): the browser then asks for the consent to Graph that
 * the switch needs, and the IMAP token comes from the same refresh token, as before.
 */
export function sendingOverGraph(def: CredentialDefinition, clouds: CloudCatalog): CredentialDefinition {
  const cloud = clouds.require(def.cloud);
  const graphSend = clouds
    .defaultScopes(cloud.id, def.grant, 'smtp', { send: 'graph', sharedMailbox: Boolean(def.sharedMailbox) })
    .filter((s) => clouds.resourceOfScope(cloud.id, s) === 'graph');
  const readsOverImap = def.purpose !== 'smtp' && transportsOf(def).read === 'imap';
  const smtpSend = `${cloud.scopePrefix}SMTP.Send`;
  const kept = def.scopes.filter((scope) => {
    const resource = clouds.resourceOfScope(cloud.id, scope);
    // Exchange's scopes stay only for reading over IMAP; SMTP.Send is not needed any more.
    if (resource === 'exchange') return readsOverImap && scope !== smtpSend;
    return !graphSend.includes(scope);
  });
  if (readsOverImap && !kept.some((s) => clouds.resourceOfScope(cloud.id, s) === 'exchange')) {
    kept.unshift(...clouds.defaultScopes(cloud.id, def.grant, 'imap').filter((s) => clouds.resourceOfScope(cloud.id, s) === 'exchange'));
  }
  return { ...def, sendTransport: 'graph', scopes: [...graphSend, ...kept] };
}

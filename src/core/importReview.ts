/**
 * The review an import shows before anything is saved: every endpoint and host of every credential
 * in the file, and which mail servers are not their provider's own (those get a token only after a
 * confirmation on first use, see tokenDestinations.ts). A definition file decides where sign-ins,
 * codes, secrets and tokens go, so the user reads that before accepting it. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from './clouds';
import type { CredentialDefinition, MailEndpoint } from './model';
import { GENERIC_PRESETS } from './clouds';
import { assessDestinations } from './endpointTrust';
import { microsoftPresetOf, presetLabel } from './presets';
import { classifyDestination, describeVerdict, serverLabel } from './tokenDestinations';

export interface ImportReview {
  /** The modal's question. */
  message: string;
  /** Everything the file points at, one credential after another. */
  detail: string;
  /** How many mail servers are not their provider's own. */
  foreignServers: number;
}

export interface ImportReviewOptions {
  /** How the file is named to the user (a workspace-relative path or a file name). */
  source: string;
  /** The file is in a workspace the user has not trusted. */
  fromUntrustedWorkspace: boolean;
}

export function buildImportReview(definitions: readonly CredentialDefinition[], clouds: CloudCatalog, options: ImportReviewOptions): ImportReview {
  let foreignServers = 0;
  let foreignEndpoints = 0;
  const blocks = definitions.map((def, index) => {
    const lines = [`${index + 1}. ${def.name}${def.userName ? ` (${def.userName})` : ''}`];
    const field = (label: string, value: string | undefined) => {
      if (value) lines.push(`   ${label}: ${value}`);
    };
    if (def.provider === 'microsoft') {
      const cloud = clouds.get(def.cloud);
      field(l10n.t('Microsoft cloud'), cloud?.label ?? l10n.t('"{0}" (unknown)', def.cloud ?? ''));
      field(l10n.t('Tenant'), def.tenant);
      const preset = microsoftPresetOf(def);
      if (preset) field(l10n.t('Preset'), presetLabel(preset.id));
      if (cloud) field(l10n.t('Sign-in'), clouds.authority(def.cloud, def.tenant));
    } else {
      field(l10n.t('Authorization URL'), def.authorizationUrl);
      // What the file can decide here is where the code, the secret and refresh tokens go: say so
      // for an endpoint that is not on the sign-in page's site (the issuer's metadata, read on
      // first use, may still vouch for it; otherwise the user is asked then).
      const vouched = new Map(assessDestinations(def, { known: Object.values(GENERIC_PRESETS), confirmedOrigins: [] }).map((d) => [d.url, !!d.vouchedBy]));
      const endpoint = (label: string, url: string | undefined) => {
        if (!url) return;
        if (vouched.get(url)) field(label, url);
        else {
          foreignEndpoints++;
          lines.push(
            `   ⚠ ${label}: ${url}, ${l10n.t("not on the sign-in page's site: unless the issuer's metadata names it, you are asked before anything is sent there")}`
          );
        }
      };
      endpoint(l10n.t('Token URL'), def.tokenUrl);
      endpoint(l10n.t('Device authorization URL'), def.deviceAuthorizationUrl);
      field(l10n.t('Issuer'), def.issuer);
      const extra = Object.entries(def.extraAuthorizationParameters ?? {});
      if (extra.length) field(l10n.t('Extra authorization parameters'), extra.map(([k, v]) => `${k}=${String(v)}`).join(', '));
    }
    field(l10n.t('Client ID'), def.clientId);
    field(l10n.t('Redirect URI'), def.grant === 'authorizationCode' ? def.redirectUri : undefined);
    const server = (label: string, endpoint: MailEndpoint) => {
      const verdict = classifyDestination(def, clouds, endpoint);
      const own = verdict.kind === 'own';
      if (!own) foreignServers++;
      const security = endpoint.security === 'tls' ? 'TLS' : 'STARTTLS';
      lines.push(`   ${own ? '' : '⚠ '}${label}: ${serverLabel(endpoint)} (${security}), ${describeVerdict(verdict)}`);
    };
    server('IMAP', def.imap);
    server('SMTP', def.smtp);
    return lines.join('\n');
  });

  const intro: string[] = [];
  if (options.fromUntrustedWorkspace) {
    intro.push(l10n.t('This file is in a workspace you have not trusted (Restricted Mode). Import it only if you know who wrote it.'));
  }
  intro.push(
    foreignServers
      ? l10n.t(
          "{0} mail server(s) below (marked ⚠) are not their provider's own: no token is sent to one of them until you confirm it on first use.",
          foreignServers
        )
      : l10n.t("Every mail server below is its provider's own.")
  );
  if (foreignEndpoints) {
    intro.push(l10n.t("{0} token or device endpoint(s) below (marked ⚠) are not on their sign-in page's site.", foreignEndpoints));
  }
  return {
    message: l10n.t('Import {0} credential(s) from {1}?', definitions.length, options.source),
    detail: [...intro, '', ...blocks.flatMap((b) => [b, '']), l10n.t('Nothing is saved unless you choose Import; then all of them are saved.')].join('\n'),
    foreignServers
  };
}

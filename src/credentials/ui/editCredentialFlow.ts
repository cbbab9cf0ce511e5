import * as vscode from 'vscode';
import { askCertificate } from './askCertificate';
import type { CloudCatalog } from '../../core/clouds';
import type { CredentialSecrets, CredentialStore } from '../credentialStore';
import { describeTransports, type CredentialDefinition } from '../../core/model';
import * as v from '../../core/validation';
import { askIssuer, splitHostPort, type DiscoverIssuer } from './addCredentialFlow';
import { askChoice, askText, type Step } from './prompts';
import { applyTransports, askTransports } from './transportChoices';

type Field =
  | 'name'
  | 'description'
  | 'tenant'
  | 'issuer'
  | 'authorizationUrl'
  | 'tokenUrl'
  | 'clientId'
  | 'secret'
  | 'userName'
  | 'sharedMailbox'
  | 'scopes'
  | 'transport'
  | 'refreshTokenExpiryDays'
  | 'redirectUri'
  | 'imap'
  | 'smtp';

/** Fields whose change makes existing tokens meaningless (another app, tenant, user or permission set). */
const TOKEN_BOUND: ReadonlySet<Field> = new Set(['tenant', 'issuer', 'authorizationUrl', 'tokenUrl', 'clientId', 'scopes', 'transport', 'userName']);

/**
 * Fields that decide which server receives the client secret: when one changes, the secret is asked
 * again, so the stored one is never sent to a server it was not entered for.
 */
const SECRET_BOUND: ReadonlySet<Field> = new Set(['issuer', 'tokenUrl']);

/** "Edit credential": pick a field, change it (validated as it is typed), save. Repeats until the user is done. */
export class EditCredentialFlow {
  constructor(
    private readonly store: CredentialStore,
    private readonly clouds: CloudCatalog,
    private readonly discover: DiscoverIssuer
  ) {}

  async run(original: CredentialDefinition): Promise<{ definition: CredentialDefinition; tokensInvalidated: boolean }> {
    const def = structuredClone(original);
    const step: Step = { title: vscode.l10n.t('Edit "{0}"', original.name), step: 1, totalSteps: 2 };
    const fields: Array<{ label: string; description: string; value: Field; show: boolean }> = [
      { label: vscode.l10n.t('Name'), description: def.name, value: 'name', show: true },
      { label: vscode.l10n.t('Description'), description: def.description ?? '', value: 'description', show: true },
      { label: vscode.l10n.t('Tenant'), description: def.tenant ?? '', value: 'tenant', show: def.provider === 'microsoft' },
      { label: vscode.l10n.t('Issuer'), description: def.issuer ?? vscode.l10n.t('none'), value: 'issuer', show: def.provider === 'generic' },
      { label: vscode.l10n.t('Authorization URL'), description: def.authorizationUrl ?? '', value: 'authorizationUrl', show: def.provider === 'generic' },
      { label: vscode.l10n.t('Token URL'), description: def.tokenUrl ?? '', value: 'tokenUrl', show: def.provider === 'generic' },
      { label: vscode.l10n.t('Client ID'), description: def.clientId, value: 'clientId', show: true },
      {
        label: def.clientAuth === 'certificate' ? vscode.l10n.t('Certificate and private key') : vscode.l10n.t('Client secret'),
        description: vscode.l10n.t('replace (stored in secret storage)'),
        value: 'secret',
        show: def.clientAuth !== 'none'
      },
      { label: vscode.l10n.t('User name'), description: def.userName ?? '', value: 'userName', show: true },
      {
        label: vscode.l10n.t('Shared mailbox'),
        description: def.sharedMailbox ?? vscode.l10n.t('none'),
        value: 'sharedMailbox',
        show: def.grant !== 'clientCredentials'
      },
      { label: vscode.l10n.t('Scopes'), description: def.scopes.join(' '), value: 'scopes', show: true },
      {
        label: vscode.l10n.t('Transport'),
        description: describeTransports(def) || vscode.l10n.t('IMAP / SMTP'),
        value: 'transport',
        show: def.provider === 'microsoft' && !!this.clouds.get(def.cloud)?.graphEndpoint
      },
      {
        label: vscode.l10n.t('Refresh token expiry (days)'),
        description: String(def.refreshTokenExpiryDays),
        value: 'refreshTokenExpiryDays',
        show: def.grant !== 'clientCredentials'
      },
      { label: vscode.l10n.t('Redirect URI'), description: def.redirectUri, value: 'redirectUri', show: def.grant === 'authorizationCode' },
      { label: vscode.l10n.t('IMAP server'), description: `${def.imap.host}:${def.imap.port}`, value: 'imap', show: true },
      { label: vscode.l10n.t('SMTP server'), description: `${def.smtp.host}:${def.smtp.port}`, value: 'smtp', show: true }
    ];
    const field = await askChoice(
      step,
      vscode.l10n.t('Field to change'),
      fields.filter((f) => f.show)
    );
    step.step = 2;
    const secrets: CredentialSecrets = {};
    switch (field) {
      case 'name':
        def.name = await askText(step, { prompt: vscode.l10n.t('Name'), value: def.name, validate: (x) => v.validateName(x, this.store.names(def.id)) });
        break;
      case 'description':
        def.description = (await askText(step, { prompt: vscode.l10n.t('Description'), value: def.description })) || undefined;
        break;
      case 'tenant':
        def.tenant = await askText(step, { prompt: vscode.l10n.t('Tenant'), value: def.tenant, validate: v.validateTenant });
        break;
      case 'issuer':
        def.issuer = (await askIssuer(step, this.discover, def.issuer)).issuer;
        break;
      case 'authorizationUrl':
      case 'tokenUrl': {
        const [prompt, what] =
          field === 'authorizationUrl'
            ? [vscode.l10n.t('Authorization URL'), vscode.l10n.t('The authorization URL')]
            : [vscode.l10n.t('Token URL'), vscode.l10n.t('The token URL')];
        def[field] = await askText(step, { prompt, value: def[field], validate: (x) => v.validateEndpointUrl(x, what) });
        break;
      }
      case 'clientId':
        def.clientId = await askText(step, { prompt: vscode.l10n.t('Client ID'), value: def.clientId, validate: (x) => v.validateClientId(x, def.provider) });
        break;
      case 'secret':
        Object.assign(secrets, await this.askSecret(step, def));
        break;
      case 'userName':
        def.userName = await askText(step, {
          prompt: vscode.l10n.t('User name'),
          value: def.userName,
          validate: (x) => v.validateMailbox(x, vscode.l10n.t('the user name'), true)
        });
        break;
      case 'sharedMailbox':
        def.sharedMailbox =
          (await askText(step, {
            prompt: vscode.l10n.t('Shared mailbox (empty for none)'),
            value: def.sharedMailbox,
            validate: (x) => v.validateMailbox(x, vscode.l10n.t('the shared mailbox'), false)
          })) || undefined;
        break;
      case 'scopes':
        def.scopes = (
          await askText(step, {
            prompt: vscode.l10n.t('Scopes, separated by spaces'),
            value: def.scopes.join(' '),
            validate: (x) => v.validateScopes(x.split(/\s+/).filter(Boolean), def, this.clouds)
          })
        )
          .split(/\s+/)
          .filter(Boolean);
        break;
      case 'transport': {
        applyTransports(def, await askTransports(step, def.purpose));
        // Other transports need other permissions: the scopes are prefilled for them, and editable.
        const prefilled = this.clouds.defaultScopes(def.cloud ?? 'global', def.grant, def.purpose, {
          send: def.sendTransport,
          read: def.readTransport,
          sharedMailbox: !!def.sharedMailbox
        });
        def.scopes = (
          await askText(step, {
            prompt: vscode.l10n.t('Scopes for the new transport, separated by spaces'),
            value: prefilled.join(' '),
            validate: (x) => v.validateScopes(x.split(/\s+/).filter(Boolean), def, this.clouds)
          })
        )
          .split(/\s+/)
          .filter(Boolean);
        break;
      }
      case 'refreshTokenExpiryDays':
        def.refreshTokenExpiryDays = Number(
          await askText(step, {
            prompt: vscode.l10n.t('Refresh token expiry in days (3 to 90)'),
            value: String(def.refreshTokenExpiryDays),
            validate: v.validateRefreshTokenExpiryDays
          })
        );
        break;
      case 'redirectUri':
        def.redirectUri = await askText(step, {
          prompt: vscode.l10n.t('Redirect URI registered with the app'),
          value: def.redirectUri,
          validate: v.validateRedirectUri
        });
        break;
      case 'imap':
      case 'smtp': {
        const kind = field === 'imap' ? 'IMAP' : 'SMTP';
        const value = await askText(step, {
          prompt: vscode.l10n.t('{0} server as host:port', kind),
          value: `${def[field].host}:${def[field].port}`,
          validate: (x) => {
            const [host, port] = splitHostPort(x);
            return v.validateHost(host, vscode.l10n.t('the {0} host', kind)) ?? v.validatePort(port ?? '', vscode.l10n.t('The {0} port', kind));
          }
        });
        const [host, port] = splitHostPort(value);
        def[field] = { host, port: Number(port), security: field === 'imap' || Number(port) === 465 ? 'tls' : 'starttls' };
        break;
      }
    }
    const compared = (d: CredentialDefinition) =>
      field === 'transport' ? [d.sendTransport, d.readTransport, d.scopes] : d[field as keyof CredentialDefinition];
    const changed = JSON.stringify(compared(def)) !== JSON.stringify(compared(original));
    if (changed && SECRET_BOUND.has(field) && (def.clientAuth === 'secretPost' || def.clientAuth === 'secretBasic')) {
      Object.assign(secrets, await this.askSecret(step, def, field === 'issuer' ? vscode.l10n.t('issuer') : vscode.l10n.t('token URL')));
    }
    await this.store.save(def, secrets);
    return { definition: def, tokensInvalidated: TOKEN_BOUND.has(field) && changed };
  }

  /** `changedField`: the endpoint whose change makes the stored secret unusable there. */
  private async askSecret(step: Step, def: CredentialDefinition, changedField?: string): Promise<CredentialSecrets> {
    if (def.clientAuth === 'certificate') {
      return askCertificate();
    }
    const clientSecret = await askText(step, {
      prompt: changedField
        ? vscode.l10n.t('The {0} changed: enter the client secret VALUE again (the stored secret is not sent to a new endpoint).', changedField)
        : vscode.l10n.t('New client secret VALUE (not its Secret ID)'),
      password: true,
      validate: (x) => (x.trim() ? undefined : vscode.l10n.t('Enter the client secret.'))
    });
    return { clientSecret };
  }
}

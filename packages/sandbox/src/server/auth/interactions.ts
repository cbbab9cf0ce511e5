/**
 * The sign-in and consent pages (`/{tenant}/login/{uid}`), completing oidc-provider interactions:
 * a login with the sandbox password, a consent with Accept / Deny, and faults injected at the
 * authorization stage. Selectors are listed in pages.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { SANDBOX_PASSWORD, SANDBOX_TENANT } from '../fixtures';
import { findApp, findUser } from './directory';
import { entraError } from './entraErrors';
import { readForm, sendHtml } from './http';
import { consentPage, errorPage, loginPage } from './pages';
import type { SandboxState } from './state';

interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, string | undefined>;
  session?: { accountId?: string };
  grantId?: string;
}

export class InteractionPages {
  constructor(
    private readonly provider: Provider,
    private readonly state: SandboxState
  ) {}

  /** Handles `/login/{uid}[/login|/consent]` (path after the tenant segment). Returns false if not ours. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const match = /^\/login\/([A-Za-z0-9_-]+)(?:\/(login|consent))?$/.exec(path);
    if (!match) return false;
    const [, uid, action] = match;
    let details: InteractionDetails;
    try {
      details = (await this.provider.interactionDetails(req, res)) as InteractionDetails;
    } catch {
      sendHtml(
        res,
        400,
        errorPage({ code: 90014, error: 'invalid_request', message: 'The sign-in session was not found or has expired. Start the sign-in again from the app.' })
      );
      return true;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage({ code: 90014, error: 'invalid_request', message: 'The sign-in page does not belong to the current sign-in session.' }));
      return true;
    }
    const base = `/${SANDBOX_TENANT.id}/login/${uid}`;
    const app = findApp(details.params.client_id);
    const appName = app?.name ?? details.params.client_id ?? 'the app';

    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'login') {
        // A fault for the app (any user) strikes before sign-in.
        if (await this.applyFault(req, res, details, undefined, true)) return true;
        sendHtml(res, 200, loginPage({ action: `${base}/login`, appName, loginHint: details.params.login_hint }));
        return true;
      }
      const user = findUser(details.session?.accountId);
      if (await this.applyFault(req, res, details, user?.upn, false)) return true;
      sendHtml(res, 200, consentPage({ action: `${base}/consent`, appName, user: user?.upn ?? '', permissions: describePermissions(details) }));
      return true;
    }

    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const user = findUser(form.user);
      if (!user || user.shared || form.password !== SANDBOX_PASSWORD) {
        const e = entraError(user && !user.shared ? 50126 : 50034);
        sendHtml(res, 200, loginPage({ action: `${base}/login`, appName, loginHint: form.user, error: `AADSTS${e.code}: ${e.message}` }));
        return true;
      }
      if (await this.applyFault(req, res, details, user.upn, false)) return true;
      await this.provider.interactionFinished(req, res, { login: { accountId: user.oid } }, { mergeWithLastSubmission: false });
      return true;
    }

    if (req.method === 'POST' && action === 'consent') {
      const form = await readForm(req);
      if (form.decision !== 'accept') {
        const e = entraError(65004);
        await this.provider.interactionFinished(
          req,
          res,
          { error: e.error, error_description: `AADSTS${e.code}: ${e.message}` },
          { mergeWithLastSubmission: false }
        );
        return true;
      }
      const grantId = await this.saveConsent(details);
      await this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return true;
    }

    sendHtml(res, 405, errorPage({ code: 9002313, error: 'invalid_request', message: 'Invalid request. Request is malformed or invalid.' }));
    return true;
  }

  /** Ends the interaction with an injected authorization-stage fault, if one matches. */
  private async applyFault(
    req: IncomingMessage,
    res: ServerResponse,
    details: InteractionDetails,
    user: string | undefined,
    anyUserOnly: boolean
  ): Promise<boolean> {
    const clientId = details.params.client_id;
    const fault = anyUserOnly ? this.peekAnyUserFault(clientId) : this.state.takeFault('authorize', { clientId, user });
    if (!fault) return false;
    const app = findApp(clientId);
    const e = entraError(fault.code, { clientId, clientName: app?.name });
    // At the authorization endpoint Entra names a missing consent `consent_required`.
    const error = fault.code === 65001 ? 'consent_required' : fault.code === 50076 || fault.code === 50079 ? 'interaction_required' : e.error;
    await this.provider.interactionFinished(req, res, { error, error_description: `AADSTS${e.code}: ${e.message}` }, { mergeWithLastSubmission: false });
    return true;
  }

  private peekAnyUserFault(clientId: string | undefined) {
    const userless = this.state.listFaults().find((f) => f.stage === 'authorize' && !f.user && (!f.clientId || f.clientId === clientId));
    return userless ? this.state.takeFault('authorize', { clientId }) : undefined;
  }

  private async saveConsent(details: InteractionDetails): Promise<string> {
    const accountId = details.session?.accountId;
    const clientId = details.params.client_id!;
    const Grant = this.provider.Grant;
    const grant = details.grantId ? await Grant.find(details.grantId) : new Grant({ accountId, clientId });
    const d = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId: string = await grant.save();
    if (accountId) this.state.consents.set(`${accountId}|${clientId}`, grantId);
    return grantId;
  }
}

function describePermissions(details: InteractionDetails): string[] {
  const d = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  const names: Record<string, string> = {
    openid: 'Sign you in',
    profile: 'View your basic profile',
    email: 'View your email address',
    offline_access: 'Maintain access to data you have given it access to'
  };
  const out = (d.missingOIDCScope ?? []).map((s) => names[s] ?? s);
  for (const scopes of Object.values(d.missingResourceScopes ?? {})) out.push(...scopes);
  return out.length ? out : ['Sign you in'];
}

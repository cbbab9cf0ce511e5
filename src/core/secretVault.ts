/**
 * Where secrets are kept: an interface we own, implemented over VS Code's SecretStorage by the
 * credential store, and by an in-memory map in plain-Node tests. No `vscode` import.
 */
export interface SecretVault {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Calls `listener` with each key another window (or this one) changed; returns how to stop. */
  onDidChange?(listener: (key: string) => void): { dispose(): void };
}

/** The SecretStorage keys of one credential's secrets. */
export function secretKeys(credentialId: string): {
  clientSecret: string;
  privateKey: string;
  certificate: string;
  tokens: string;
  msalCache: string;
  refreshLease: string;
  confirmedEndpoints: string;
} {
  const prefix = `m365mail/${credentialId}/`;
  return {
    clientSecret: `${prefix}clientSecret`,
    privateKey: `${prefix}privateKey`,
    certificate: `${prefix}certificate`,
    tokens: `${prefix}tokens`,
    msalCache: `${prefix}msalCache`,
    // Not a secret: which window is refreshing. It lives here because SecretStorage is what all windows share.
    refreshLease: `${prefix}refreshLease`,
    // Not a secret, but per credential, never exported, and deleted with the credential.
    confirmedEndpoints: `${prefix}confirmedEndpoints`
  };
}

/** The credential id and secret name of a key written by `secretKeys`, if it is one. */
export function parseSecretKey(key: string): { credentialId: string; name: string } | undefined {
  const match = /^m365mail\/([^/]+)\/([A-Za-z]+)$/.exec(key);
  return match ? { credentialId: match[1], name: match[2] } : undefined;
}

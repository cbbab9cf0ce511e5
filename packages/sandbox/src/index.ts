/**
 * `@m365-mail/sandbox` for callers in another process than the sandbox: start it as a supervised
 * child (launcher), drive it (control API client, sign-in and token helpers), put mail in its
 * mailboxes (seeder, doveadm), and the fixtures it is built from. Importing this starts nothing and
 * loads no server code; `@m365-mail/sandbox/server` runs the servers in process (Node 22 LTS or later).
 */
export { SANDBOX_CLOUD_ID, type SandboxDescription } from './description';
export { SANDBOX_NODE_ENV, sandboxCommand, startSandboxProcess, type SandboxProcess, type SandboxProcessOptions } from './launcher';
export { SandboxControlClient, type Fault, type FaultSpec, type SandboxSettings, type TokenStats } from './controlClient';
export * from './client/signIn';
export * from './server/fixtures';
export {
  buildHostileMessage,
  buildMessage,
  doveadm,
  HOSTILE_CANARY_HOST,
  HOSTILE_SUBJECTS,
  seedFolder,
  seedHostileMessages,
  type HostileKind,
  type SeedOptions,
  type SeedResult
} from './server/seeder';
export { canConnect, freePort } from './ports';
export * from './processes';

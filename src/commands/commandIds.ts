/** Every command the extension contributes; package.json `contributes.commands` lists the same IDs. */
export const CommandIds = {
  showLog: 'm365mail.showLog'
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

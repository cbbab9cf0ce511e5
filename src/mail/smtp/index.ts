/** The `smtp` chunk (nodemailer, mailparser, .eml handling: also the Graph draft of a large .eml), loaded on first send. */
export { sendMail, type OutgoingMessage, type SendResult, type SmtpConnection } from './smtpClient';
export { checkEmlSize, summarizeEml, type EmlSummary } from '../eml/emlSummary';
export { planDraft, type DraftPlan, type DraftPlanner } from '../eml/graphDraft';

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../../core/localization';

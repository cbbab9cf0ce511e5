/** The `smtp` chunk (nodemailer, mailparser), loaded on first send. */
export { sendMail, type OutgoingMessage, type SendResult, type SmtpConnection } from './smtpClient';
export { checkEmlSize, summarizeEml, type EmlSummary } from '../eml/emlSummary';

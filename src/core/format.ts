/**
 * Small formatting helpers shared by the host and the webview bundle (no DOM, no Node).
 */
import { formatLocale } from './localization';

/**
 * "512 bytes", "3.4 kB", "12.0 MB" in the display language, 1024 to a step: small attachments must
 * not read "0 kB". Bytes are spelled out because `Intl`'s short form of a byte is "byte" in English.
 */
export function formatSize(bytes: number): string {
  const [value, unit, digits] = bytes < 1024 ? [bytes, 'byte', 0] : bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte', 1] : [bytes / 1048576, 'megabyte', 1];
  const display = unit === 'byte' ? 'long' : 'short';
  return new Intl.NumberFormat(formatLocale(), {
    style: 'unit',
    unit,
    unitDisplay: display,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  }).format(value);
}

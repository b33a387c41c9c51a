// The report as a file: the model itself, pretty-printed, ending with a newline.
import type { Report } from './model.ts';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// `readiness-gate init`: writes a starter manifest, never over an existing one unless forced.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suggest } from '../manifest/suggest.ts';
import { DJANGO_TEMPLATE } from './templates/django.ts';
import { GENERIC_TEMPLATE } from './templates/generic.ts';

export const TEMPLATES: Record<string, string> = {
  generic: GENERIC_TEMPLATE,
  django: DJANGO_TEMPLATE,
};

export interface InitOptions {
  template: string;
  path: string;
  force: boolean;
}

export async function runInit(options: InitOptions): Promise<{ ok: boolean; message: string }> {
  const text = TEMPLATES[options.template];
  if (text === undefined) {
    const names = Object.keys(TEMPLATES);
    const guess = suggest(options.template, names);
    return { ok: false, message: `unknown template "${options.template}"${guess ? `; did you mean "${guess}"?` : ''} (templates: ${names.join(', ')})` };
  }
  await mkdir(dirname(options.path), { recursive: true });
  try {
    // "wx" fails if the file exists, so a concurrent writer cannot be overwritten either.
    await writeFile(options.path, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { ok: false, message: `${options.path} already exists; pass --force to overwrite it` };
    throw error;
  }
  return { ok: true, message: `wrote ${options.path} from the ${options.template} template; check it with "readiness-gate validate ${options.path}"` };
}

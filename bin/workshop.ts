#!/usr/bin/env node
/**
 * `npm run workshop -- check <N>` verifies module N's change of the workshop (docs/workshop/) in the templates the local
 * cloud serves: the cloud assembly `npm start` synthesized (again after each saved edit, while it watches).
 * `npm run workshop -- list` lists the modules. Exits 0 when the change is in place, 1 with what is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stageStackNames } from './stack-outputs';
import { type StageTemplates, WORKSHOP_CHECKS } from './workshop/checks';

const ROOT = resolve(__dirname, '..');

/** Both stacks' templates of `stage` from a cloud assembly, merged (their logical ids do not clash). */
export function readStageTemplates(cdkOut: string, stage: string): StageTemplates {
  const resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> = {};
  for (const stack of stageStackNames(stage)) {
    const file = join(cdkOut, `${stack}.template.json`);
    if (!existsSync(file)) {
      throw new Error(
        `${file} does not exist: start the local cloud with \`npm start\` (it synthesizes the app), then check again`,
      );
    }
    Object.assign(
      resources,
      (JSON.parse(readFileSync(file, 'utf8')) as { Resources?: object }).Resources ?? {},
    );
  }
  return { resources };
}

/** Runs `workshop <argv>`; resolves with the exit code, writing to `out`. */
export function runWorkshop(argv: readonly string[], out: NodeJS.WritableStream = process.stdout): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'cdk-out': { type: 'string', default: join(ROOT, 'cdk.out') },
      stage: { type: 'string', default: 'sandbox' },
    },
  });
  const [command, which] = positionals;
  if (command === 'list' || command === undefined) {
    for (const check of WORKSHOP_CHECKS) out.write(`${check.module}. ${check.title} — ${check.change}\n`);
    out.write('\nnpm run workshop -- check <N>   (docs/workshop/ has each module)\n');
    return 0;
  }
  if (command !== 'check') throw new Error(`unknown command '${command}': use list or check <N>`);
  const check = WORKSHOP_CHECKS.find((candidate) => String(candidate.module) === which);
  if (check === undefined)
    throw new Error(`check needs a module number from 1 to ${WORKSHOP_CHECKS.length}, not '${which ?? ''}'`);
  const problems = check.verify(readStageTemplates(values['cdk-out'], values.stage));
  out.write(`module ${check.module}, ${check.title}: ${check.change}\n`);
  if (problems.length === 0) {
    out.write('✓ the change is in the template the local cloud serves\n');
    return 0;
  }
  for (const problem of problems) out.write(`✗ ${problem}\n`);
  out.write(
    `\nnot yet: see docs/workshop/${String(check.module).padStart(2, '0')}-${check.slug}.md (npm start re-synthesizes on save)\n`,
  );
  return 1;
}

if (require.main === module) {
  try {
    process.exit(runWorkshop(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

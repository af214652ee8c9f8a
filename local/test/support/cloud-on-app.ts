import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../local-cloud';

/** A local cloud serving a small CDK app of a test's own, synthesized into a folder of its own. */
export interface CloudOnApp {
  readonly cloud: LocalCloud;
  /** The test's temporary folder. */
  readonly work: string;
  /** The cloud assembly the app was synthesized into: `<work>/cdk.out`. */
  readonly cdkOut: string;
  /** The URL of the first endpoint of this kind (`'DynamoDB'`, `'SQS'`, `'REST API'`, …); `''` when none. */
  endpoint(kind: string): string;
  /** Stops the cloud and removes the folder. */
  close(): Promise<void>;
}

/**
 * Synthesizes a test's CDK app (`synth` writes the cloud assembly to the `cdkOut` it is given) in a fresh
 * temporary folder and starts the local cloud on it, on free ports and with a quiet log unless `options` say
 * otherwise. The folder is removed by `close`, or at once when the cloud does not start.
 */
export async function startCloudOnApp(
  name: string,
  synth: (cdkOut: string, work: string) => void,
  options: Partial<LocalCloudOptions> = {},
): Promise<CloudOnApp> {
  const work = mkdtempSync(join(tmpdir(), `${name}-`));
  try {
    const cdkOut = join(work, 'cdk.out');
    synth(cdkOut, work);
    const cloud = await startLocalCloud({ cdkOut, port: 0, log: { write: () => true }, ...options });
    return {
      cloud,
      work,
      cdkOut,
      endpoint: (kind) => cloud.endpoints.find((e) => e.kind === kind)?.url ?? '',
      close: async () => {
        try {
          await cloud.close();
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

import { createInterface } from 'node:readline/promises';

/** A secret from the environment (scripts) or typed at a prompt (people); never from the command line. */
export async function secret(variable: string, question: string): Promise<string> {
  const fromEnvironment = process.env[variable];
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) throw new Error(`set ${variable}: there is no terminal to ask for it`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}

import { render } from 'preact';
import type { ConsoleConfig } from '../console-config';
import { App } from './app';
import './styles.css';

/** Everything the console calls comes from `/config.json`, written from the stacks' outputs. */
async function start(root: HTMLElement): Promise<void> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json: ${response.status}`);
  render(<App config={(await response.json()) as ConsoleConfig} />, root);
}

const root = document.getElementById('app');
if (root !== null) {
  start(root).catch((error: Error) => {
    root.textContent = `The console could not start: ${error.message}`;
  });
}

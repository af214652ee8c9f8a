import { useCallback, useState } from 'preact/hooks';

/**
 * Runs an action for a form or button: `busy` while it runs, `error` with the API's message when it fails (shown in
 * the panel's alert region), so every panel reports failures the same way.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

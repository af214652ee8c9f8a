/** What the live-updates WebSocket API pushes (services/broadcaster): one change of an order or a job. */
export interface LiveChange {
  readonly type: 'order' | 'job';
  readonly id: string;
  readonly status: string;
  readonly version: number;
  readonly at: string;
}

/** The socket's state, for the status line. */
export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * Keeps one socket to the WebSocket API (the ID token in `?token=`, as browsers cannot set headers on a
 * WebSocket), reconnecting after a drop with a token asked for then (renewed if it expired); returns a function that
 * closes it for good.
 */
export function connectLive(
  url: string,
  token: () => Promise<string>,
  onChange: (change: LiveChange) => void,
  onState: (state: LiveState) => void,
): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = async () => {
    onState('connecting');
    let current: string;
    try {
      current = await token();
    } catch {
      onState('offline');
      return;
    }
    if (closed) return;
    socket = new WebSocket(`${url}?token=${encodeURIComponent(current)}`);
    socket.onopen = () => onState('live');
    socket.onmessage = (event) => {
      const change = JSON.parse(String(event.data)) as LiveChange;
      if (change.type === 'order' || change.type === 'job') onChange(change);
    };
    socket.onclose = () => {
      onState('offline');
      if (!closed) retry = setTimeout(() => void open(), 3000);
    };
  };
  void open();
  return () => {
    closed = true;
    clearTimeout(retry);
    socket?.close(1000);
  };
}

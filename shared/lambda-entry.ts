/**
 * A Lambda entry point that builds its handler on the first invocation and reuses it for the life of the
 * execution environment. The handler module then reads its config exactly once without doing so at import,
 * so tests import the same module's factory and call it with explicit config instead of a global environment.
 * A config error fails every invocation (the environment is retried, as for an init error), never silently.
 */
export function onFirstInvocation<A extends unknown[], R>(
  create: () => (...args: A) => R,
): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args) => {
    built ??= create();
    return built(...args);
  };
}

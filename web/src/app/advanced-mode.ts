import { useCallback, useSyncExternalStore } from 'react';
import { useAuth } from './auth-context';

/**
 * The "advanced" switch (issue 21): the rule as JSON, rule parameters and the API link are for
 * analysts; a manager works without them unless they turn them on. Remembered per user in this
 * browser (a preference of the screen, not a right: the server decides what each role may do).
 */
const storageKey = (user: string) => `segmenta.advanced.${user}`;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('storage', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}

/** Whether the advanced parts are shown to the signed-in user, and a way to switch them. */
export function useAdvancedMode(): [boolean, (on: boolean) => void] {
  const { me } = useAuth();
  const key = storageKey(me.name);
  const stored = useSyncExternalStore(subscribe, () => localStorage.getItem(key));
  // Until the user chooses: on for analysts and admins, off for managers.
  const on = stored === null ? me.role !== 'manager' : stored === 'on';
  const set = useCallback(
    (next: boolean) => {
      localStorage.setItem(key, next ? 'on' : 'off');
      listeners.forEach((listener) => listener());
    },
    [key],
  );
  return [on, set];
}

import { createContext, useContext } from 'react';
import type { Me } from '../api/auth';
import type { Permissions } from './permissions';

export interface Auth {
  readonly me: Me;
  readonly permissions: Permissions;
  /** Ends the session and shows the login screen. */
  signOut(): Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

/** The signed-in user: every screen is rendered inside the AuthGate, so there always is one. */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside the AuthGate');
  return auth;
}

export const usePermissions = (): Permissions => useAuth().permissions;

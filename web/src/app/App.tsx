import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { NotFoundPage } from '../screens/NotFoundPage';
import { AuthGate } from './AuthGate';
import { Layout } from './Layout';
import { RequireAccess } from './RequireAccess';
import { useAuth } from './auth-context';
import { HOME_PATH, MANAGER_HOME_PATH, SECTIONS } from './screens';

/** `/`: a manager's tasks, everyone else's segments. */
function Home() {
  const { me } = useAuth();
  return <Navigate to={me.role === 'manager' ? MANAGER_HOME_PATH : HOME_PATH} replace />;
}

const router = createBrowserRouter([
  {
    path: '/',
    // Every screen is behind sign-in; the login screen shows at whatever address was asked for.
    element: (
      <AuthGate>
        <Layout />
      </AuthGate>
    ),
    children: [
      { index: true, element: <Home /> },
      ...SECTIONS.map((section) => ({
        path: section.path,
        children: section.pages.map((page) => {
          const element = section.access ? <RequireAccess access={section.access}>{page.element}</RequireAccess> : page.element;
          return page.path === '' ? { index: true, element } : { path: page.path, element };
        }),
      })),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}

import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { NotFoundPage } from '../screens/NotFoundPage';
import { AuthGate } from './AuthGate';
import { Layout } from './Layout';
import { RequireAccess } from './RequireAccess';
import { HOME_PATH, SECTIONS } from './screens';

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
      { index: true, element: <Navigate to={HOME_PATH} replace /> },
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

import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { NotFoundPage } from '../screens/NotFoundPage';
import { Layout } from './Layout';
import { HOME_PATH, SECTIONS } from './screens';

const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to={HOME_PATH} replace /> },
      ...SECTIONS.map((section) => ({
        path: section.path,
        children: section.pages.map((page) => (page.path === '' ? { index: true, element: page.element } : { path: page.path, element: page.element })),
      })),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}

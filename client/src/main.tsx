import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from './lib/i18n.js';
import { ApiProvider } from './lib/trpc.js';
import { Toaster } from './lib/toast.js';
import { App } from './App.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');

createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <ApiProvider>
        <App />
      </ApiProvider>
      <Toaster />
    </I18nProvider>
  </StrictMode>,
);

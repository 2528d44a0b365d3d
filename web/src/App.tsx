import { useEffect, useState } from 'react';
import { api, setUnauthorizedHandler, type Me } from './api';
import { DEFAULT_ROUTE, findItem, MENU } from './menu';
import { ComingSoonPage } from './pages/ComingSoon';
import { DashboardPage } from './pages/Dashboard';
import { DatacentersPage } from './pages/Datacenters';
import { LicensesPage } from './pages/Licenses';
import { LocalizationsPage } from './pages/Localizations';
import { LoginPage } from './pages/Login';
import { OperationsPage } from './pages/Operations';
import { ProcessingModulesPage } from './pages/ProcessingModules';
import { TasksPage } from './pages/Tasks';
import { href, navigate, useRoute } from './router';

type Auth = { state: 'checking' } | { state: 'anonymous' } | { state: 'in'; me: Me };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => {
    setUnauthorizedHandler(() => setAuth({ state: 'anonymous' }));
    api.me().then(
      (me) => setAuth({ state: 'in', me }),
      () => setAuth({ state: 'anonymous' }),
    );
  }, []);

  if (auth.state === 'checking') return <div className="splash">Loading…</div>;
  if (auth.state === 'anonymous') return <LoginPage onLoggedIn={(me) => setAuth({ state: 'in', me })} />;
  return <Shell me={auth.me} onLoggedOut={() => setAuth({ state: 'anonymous' })} />;
}

function Shell({ me, onLoggedOut }: { me: Me; onLoggedOut: () => void }) {
  const route = useRoute();
  const item = findItem(route);

  useEffect(() => {
    if (!item) navigate(DEFAULT_ROUTE);
  }, [item]);

  useEffect(() => {
    document.title = item ? `${item.label} — billrelay` : 'billrelay';
  }, [item]);

  const logout = async () => {
    // Whatever the server answers, this tab forgets the session.
    await api.logout().catch(() => undefined);
    onLoggedOut();
  };

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">billrelay</span>
        <span className="spacer" />
        <span className="user" title={me.email}>
          {me.name || me.email}
          {me.isAdmin && <span className="badge">admin</span>}
        </span>
        <button type="button" className="link-button" onClick={logout}>
          Log out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main menu">
        {MENU.map((group) => (
          <section key={group.group}>
            <h2>{group.group}</h2>
            <ul>
              {group.items.map((i) => (
                <li key={i.route}>
                  <a
                    href={href(i.route)}
                    aria-current={i.route === route ? 'page' : undefined}
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                      e.preventDefault();
                      navigate(i.route);
                    }}
                  >
                    {i.label}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <main className="content">{item && <Page route={item.route} title={item.label} me={me} />}</main>
    </div>
  );
}

function Page({ route, title, me }: { route: string; title: string; me: Me }) {
  switch (route) {
    case 'dashboard':
      return <DashboardPage canEdit={me.isAdmin} />;
    case 'processing-modules':
      return <ProcessingModulesPage canEdit={me.isAdmin} />;
    case 'datacenters':
      return <DatacentersPage canEdit={me.isAdmin} />;
    case 'localizations':
      return <LocalizationsPage />;
    case 'licenses':
      return <LicensesPage />;
    case 'operations':
      return <OperationsPage />;
    case 'tasks':
      return <TasksPage me={me} />;
    default:
      return <ComingSoonPage title={title} />;
  }
}

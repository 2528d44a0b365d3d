// The "Add processing module" wizard, in the API's steps: product type → module type → integration settings → parameters.
// The upstream password lives only in this form's state and in the requests; it is never shown back.
import { useEffect, useState, type FormEvent } from 'react';
import {
  ApiError,
  api,
  messageOf,
  type ConnectionCheck,
  type Datacenter,
  type Department,
  type Localization,
  type ModuleTypes,
  type Page,
  type ProcessingModule,
} from '../api';
import { Field, LocalizedNameInputs, Message } from '../ui';

type Step = 'product' | 'module' | 'connection' | 'parameters';
const STEP_TITLES: Record<Step, string> = {
  product: 'Product type',
  module: 'Module type',
  connection: 'Integration settings',
  parameters: 'Parameters',
};

interface Choices {
  datacenters: Datacenter[];
  departments: Department[];
  locales: Localization[];
}

export function ModuleWizard({ onCancel, onCreated }: { onCancel: () => void; onCreated: (m: ProcessingModule) => void }) {
  const [types, setTypes] = useState<ModuleTypes | null>(null);
  const [choices, setChoices] = useState<Choices | null>(null);
  const [step, setStep] = useState<Step>('product');
  const [productType, setProductType] = useState('licenses');
  const [moduleType, setModuleType] = useState('billmanager');
  const [connection, setConnection] = useState({ url: '', username: '', password: '', currency: '' });
  const [checked, setChecked] = useState<ConnectionCheck | null>(null);
  /** Set once the upstream could not tell the account currency: the currencies it holds, if it listed several. */
  const [currencyChoice, setCurrencyChoice] = useState<string[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [params, setParams] = useState({ datacenterId: '', departmentId: '', sort: '', minimalBalance: '0' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      api.get<ModuleTypes>('/processing-modules/types'),
      api.get<Page<Datacenter>>('/datacenters?perPage=500'),
      api.get<Page<Department>>('/departments?perPage=500'),
      api.get<{ items: Localization[] }>('/localizations'),
    ]).then(([t, dcs, deps, locs]) => {
      setTypes(t);
      const url = t.productTypes.flatMap((p) => p.moduleTypes).flatMap((m) => m.connectionFields).find((f) => f.name === 'url')?.default;
      setConnection((c) => ({ ...c, url: c.url || url || '' }));
      setChoices({
        datacenters: dcs.items,
        departments: deps.items,
        locales: locs.items.filter((l) => l.enabled).sort((a, b) => Number(b.isDefault) - Number(a.isDefault)),
      });
    }, (err) => setError(messageOf(err)));
  }, []);

  const product = types?.productTypes.find((p) => p.id === productType);
  const module = product?.moduleTypes.find((m) => m.id === moduleType);
  const needsConnection = (module?.connectionFields.length ?? 0) > 0;
  const steps: Step[] = needsConnection ? ['product', 'module', 'connection', 'parameters'] : ['product', 'module', 'parameters'];
  const at = steps.indexOf(step);
  const go = (to: Step | undefined) => {
    setError(null);
    if (to) setStep(to);
  };

  /** Runs one call of the wizard; the API's message stays on screen when it fails. */
  const call = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const editConnection = (field: keyof typeof connection, value: string) => {
    setConnection({ ...connection, [field]: value });
    setChecked(null); // a changed setting must be checked again
  };

  /** What is sent: the currency only once it was asked for and given. */
  const connectionInput = () => {
    const { currency, ...rest } = connection;
    return currency.trim() ? { ...rest, currency: currency.trim().toUpperCase() } : rest;
  };

  const checkConnection = () =>
    call(async () => {
      try {
        const answer = await api.post<ConnectionCheck>('/processing-modules/check-connection', { moduleType, connection: connectionInput() });
        // Keep the URL that answered (a path found for a bare address), so the module is saved with it.
        setConnection((c) => ({ ...c, url: answer.url }));
        setChecked(answer);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'upstream_currency_unknown') {
          const candidates = err.details?.candidates;
          setCurrencyChoice(Array.isArray(candidates) ? candidates.map(String) : []);
        }
        throw err;
      }
    });

  const finish = (e: FormEvent) => {
    e.preventDefault();
    const name = Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
    void call(async () => {
      const created = await api.post<ProcessingModule>('/processing-modules', {
        productType,
        moduleType,
        ...(needsConnection ? { connection: connectionInput() } : {}),
        name,
        datacenterId: params.datacenterId ? Number(params.datacenterId) : null,
        departmentId: params.departmentId ? Number(params.departmentId) : null,
        ...(params.sort.trim() ? { sort: Number(params.sort) } : {}),
        minimalBalance: params.minimalBalance.trim() || '0',
      });
      setConnection({ url: '', username: '', password: '', currency: '' });
      onCreated(created);
    });
  };

  const next = (e: FormEvent) => {
    e.preventDefault();
    go(steps[at + 1]);
  };

  return (
    <section className="card wizard" aria-label="Add processing module">
      <h2>Add processing module</h2>
      <ol className="steps">
        {steps.map((s, i) => (
          <li key={s} aria-current={s === step ? 'step' : undefined} className={i < at ? 'done' : undefined}>
            {STEP_TITLES[s]}
          </li>
        ))}
      </ol>
      <Message error={error} />
      {!types || !choices ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <form onSubmit={step === 'parameters' ? finish : next} aria-label={STEP_TITLES[step]}>
          {step === 'product' && (
            <fieldset>
              <legend>What does the module sell?</legend>
              {types.productTypes.map((p) => (
                <label key={p.id} className="choice">
                  <input type="radio" name="productType" value={p.id} checked={productType === p.id} onChange={() => setProductType(p.id)} />
                  {p.name}
                </label>
              ))}
            </fieldset>
          )}

          {step === 'module' && product && (
            <fieldset>
              <legend>How are {product.name.toLowerCase()} processed?</legend>
              {product.moduleTypes.map((m) => (
                <label key={m.id} className="choice">
                  <input type="radio" name="moduleType" value={m.id} checked={moduleType === m.id} onChange={() => (setModuleType(m.id), setChecked(null))} />
                  <strong>{m.name}</strong>
                  <span className="hint">{m.description}</span>
                </label>
              ))}
            </fieldset>
          )}

          {step === 'connection' && module && (
            <>
              {module.connectionFields.filter((f) => f.name !== 'currency').map((f) => (
                <Field key={f.name} label={`${fieldLabel(f.name)}${f.required ? ' *' : ''}`} hint={f.description}>
                  {(props) => (
                    f.type === 'password' ? (
                      // Uncontrolled, so the typed password never becomes a value attribute; coming back, it is kept but not shown.
                      <input
                        {...props}
                        name={f.name}
                        type="password"
                        autoComplete="new-password"
                        required={f.required && !connection.password}
                        placeholder={connection.password ? 'kept; type to change' : undefined}
                        onChange={(e) => editConnection('password', e.target.value)}
                      />
                    ) : (
                      <input
                        {...props}
                        name={f.name}
                        type={f.type === 'url' ? 'url' : 'text'}
                        autoComplete="off"
                        required={f.required}
                        value={connection[f.name as 'url' | 'username'] ?? ''}
                        onChange={(e) => editConnection(f.name as 'url' | 'username', e.target.value)}
                      />
                    )
                  )}
                </Field>
              ))}
              {currencyChoice && (
                <Field label="Currency *" hint="The upstream does not say which currency the account is in: choose the one this module sells in">
                  {(props) =>
                    currencyChoice.length > 1 ? (
                      <select {...props} name="currency" required value={connection.currency} onChange={(e) => editConnection('currency', e.target.value)}>
                        <option value="">— choose —</option>
                        {currencyChoice.map((c) => (
                          <option key={c} value={c}>
                            {c}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        {...props}
                        name="currency"
                        required
                        maxLength={3}
                        placeholder="EUR"
                        autoComplete="off"
                        value={connection.currency}
                        onChange={(e) => editConnection('currency', e.target.value.toUpperCase())}
                      />
                    )
                  }
                </Field>
              )}
              <button type="button" className="secondary" disabled={busy || !connection.url || !connection.username || !connection.password} onClick={checkConnection}>
                {busy ? 'Checking…' : 'Check connection'}
              </button>
              {checked && (
                <p className="notice" role="status">
                  Connection works: balance {checked.balance} {checked.currency} (account {checked.account})
                </p>
              )}
            </>
          )}

          {step === 'parameters' && (
            <>
              <label>
                Data center
                <select value={params.datacenterId} onChange={(e) => setParams({ ...params, datacenterId: e.target.value })}>
                  <option value="">— none —</option>
                  {choices.datacenters.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.displayName}
                    </option>
                  ))}
                </select>
              </label>
              <LocalizedNameInputs locales={choices.locales} names={names} onChange={setNames} />
              <label>
                Department
                <select value={params.departmentId} onChange={(e) => setParams({ ...params, departmentId: e.target.value })}>
                  <option value="">— none —</option>
                  {choices.departments.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.displayName}
                    </option>
                  ))}
                </select>
              </label>
              <Field label="Sort" hint="Priority; the lowest number is chosen first">
                {(props) => (
                  <input {...props} name="sort" type="number" min={1} placeholder="last" value={params.sort} onChange={(e) => setParams({ ...params, sort: e.target.value })} />
                )}
              </Field>
              {needsConnection && (
                <Field label={`Minimal balance${checked ? ` (${checked.currency})` : ''}`} hint="Renewals wait while the upstream balance is below it">
                  {(props) => (
                    <input
                      {...props}
                      name="minimalBalance"
                      inputMode="decimal"
                      value={params.minimalBalance}
                      onChange={(e) => setParams({ ...params, minimalBalance: e.target.value })}
                    />
                  )}
                </Field>
              )}
            </>
          )}

          <div className="wizard-buttons">
            <button type="button" className="secondary" onClick={onCancel}>
              Cancel
            </button>
            {at > 0 && (
              <button type="button" className="secondary" disabled={busy} onClick={() => go(steps[at - 1])}>
                Back
              </button>
            )}
            {step === 'parameters' ? (
              <button type="submit" disabled={busy}>
                Finish
              </button>
            ) : (
              <button type="submit" disabled={busy || (step === 'connection' && !checked)} title={step === 'connection' && !checked ? 'Check the connection first' : undefined}>
                Next
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

function fieldLabel(name: string): string {
  return ({ url: 'URL', username: 'Username', password: 'Password' } as Record<string, string>)[name] ?? name;
}

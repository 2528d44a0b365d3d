import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { offsetOf, type Page, type PageQuery } from '../../platform/db/paging.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { notFound, appError } from '../../platform/errors.js';
import { commaList } from '../../platform/i18n/messages.js';
import type { LocaleCatalog } from '../../platform/i18n/localized.js';
import type { LocalizationCreate, LocalizationUpdate, LocalizationView } from './schemas.js';
import { LocalizationRepository, type LocalizationRow } from './repository.js';

const CATALOG_TTL_MS = 2000;

function toView(row: LocalizationRow): LocalizationView {
  return { code: row.code, name: row.name, enabled: !!row.enabled, isDefault: !!row.isDefault };
}

export class LocalizationService {
  private readonly repo = new LocalizationRepository();
  // Read on every request that shows a localized name; other processes' changes show up within the TTL.
  private cached?: { catalog: LocaleCatalog; at: number };

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async catalog(db: Executor = this.db.kysely): Promise<LocaleCatalog> {
    const now = Date.now();
    if (db === this.db.kysely && this.cached && now - this.cached.at < CATALOG_TTL_MS) return this.cached.catalog;
    const rows = await this.repo.list(db);
    const catalog: LocaleCatalog = {
      defaultCode: rows.find((r) => r.isDefault)?.code ?? 'en',
      known: new Set(rows.map((r) => r.code)),
      enabled: rows.filter((r) => r.enabled).map((r) => r.code),
    };
    if (db === this.db.kysely) this.cached = { catalog, at: now };
    return catalog;
  }

  async list(): Promise<LocalizationView[]> {
    return (await this.repo.list(this.db.kysely)).map(toView);
  }

  /** A page of the list: there are only ever a handful, so the page is cut from the whole list. */
  async page(page: PageQuery): Promise<Page<LocalizationView>> {
    const all = await this.list();
    return { items: all.slice(offsetOf(page), offsetOf(page) + page.perPage), total: all.length, page: page.page, perPage: page.perPage };
  }

  async get(code: string): Promise<LocalizationView> {
    const row = await this.repo.find(this.db.kysely, code);
    if (!row) throw notFound('Localization', code);
    return toView(row);
  }

  /** The two localizations that exist from the start; English is the default. */
  async seed(): Promise<void> {
    await this.db.transaction(async (trx) => {
      if ((await this.repo.list(trx)).length > 0) return;
      const createdAt = this.clock.now().toISOString();
      await this.repo.insert(trx, { code: 'en', name: 'English', enabled: 1, isDefault: 1, createdAt });
      await this.repo.insert(trx, { code: 'ru', name: 'Русский', enabled: 1, isDefault: 0, createdAt });
    });
  }

  async create(input: LocalizationCreate, actor: Actor): Promise<LocalizationView> {
    const view = await this.db.transaction(async (trx) => {
      const row: LocalizationRow = {
        code: input.code,
        name: input.name,
        enabled: input.enabled ? 1 : 0,
        isDefault: 0,
        createdAt: this.clock.now().toISOString(),
      };
      try {
        await this.repo.insert(trx, row);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw appError('conflict', 'localization.exists', { code: input.code }, { field: 'code' });
        }
        throw error;
      }
      await this.audit.record(trx, actor, 'localization.create', 'localization', row.code, null, toView(row));
      return toView(row);
    });
    this.cached = undefined;
    return view;
  }

  async update(code: string, input: LocalizationUpdate, actor: Actor): Promise<LocalizationView> {
    const view = await this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, code);
      if (!before) throw notFound('Localization', code);
      const enabled = input.enabled ?? !!before.enabled;
      const willBeDefault = input.isDefault ?? !!before.isDefault;
      if (willBeDefault && !enabled) {
        throw appError('conflict', 'localization.defaultDisabled', { code }, { field: 'enabled' });
      }
      if (input.isDefault && !before.isDefault) await this.repo.clearDefault(trx);
      await this.repo.update(trx, code, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        enabled: enabled ? 1 : 0,
        isDefault: willBeDefault ? 1 : 0,
      });
      const after = (await this.repo.find(trx, code))!;
      await this.audit.record(trx, actor, 'localization.update', 'localization', code, toView(before), toView(after));
      return toView(after);
    });
    this.cached = undefined;
    return view;
  }

  async remove(code: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, code);
      if (!before) throw notFound('Localization', code);
      if (before.isDefault) {
        throw appError('conflict', 'localization.defaultDeleted', { code }, { field: 'code' });
      }
      const departments = await this.repo.departmentsUsing(trx, code);
      const employees = await this.repo.employeesUsing(trx, code);
      if (departments || employees) {
        const users = [
          ...(departments ? [{ key: 'localization.usedByDepartments', params: { n: departments } }] : []),
          ...(employees ? [{ key: 'localization.usedByEmployees', params: { n: employees } }] : []),
        ];
        throw appError('conflict', 'localization.inUse', { code, users: commaList(users) }, { field: 'code', details: { departments, employees } });
      }
      await this.repo.remove(trx, code);
      await this.audit.record(trx, actor, 'localization.delete', 'localization', code, toView(before), null);
    });
    this.cached = undefined;
  }
}

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chooseModule, type ModuleCandidate } from './module-choice.js';

const m = (id: number, over: Partial<ModuleCandidate> = {}): ModuleCandidate => ({
  id, sort: id, enabled: true, hasError: false, runningOperations: 0, operationLimit: null, datacenterId: null, ...over,
});

describe('choosing a processing module (BILLmanager order)', () => {
  test('a module held for a low upstream balance comes last, even after one with errors; alone it is still returned (the caller refuses)', () => {
    expect(chooseModule([m(1, { held: true }), m(2, { hasError: true, sort: 99 })])?.id).toBe(2);
    expect(chooseModule([m(1, { held: true })])).toMatchObject({ id: 1, held: true });
  });

  test('a module without errors wins over one with errors, whatever its sort', () => {
    expect(chooseModule([m(1, { hasError: true }), m(2, { sort: 99 })])?.id).toBe(2);
  });

  test('then one under its running-operation limit', () => {
    expect(chooseModule([m(1, { operationLimit: 2, runningOperations: 2 }), m(2, { sort: 5 })])?.id).toBe(2);
    // A full module is still chosen when every module is full: the operation waits for it.
    expect(chooseModule([m(1, { operationLimit: 1, runningOperations: 1 })])?.id).toBe(1);
  });

  test('then the module the license is already bound to', () => {
    expect(chooseModule([m(1), m(2, { sort: 9 })], { boundModuleId: 2 })?.id).toBe(2);
    // ... but not over a healthy module when the bound one has errors.
    expect(chooseModule([m(1), m(2, { hasError: true })], { boundModuleId: 2 })?.id).toBe(1);
  });

  test('then the lowest sort, then the lowest id', () => {
    expect(chooseModule([m(3, { sort: 2 }), m(2, { sort: 1 }), m(1, { sort: 3 })])?.id).toBe(2);
    expect(chooseModule([m(5, { sort: 1 }), m(4, { sort: 1 })])?.id).toBe(4);
  });

  test('limited to the chosen data center, never a disabled module', () => {
    const modules = [m(1, { datacenterId: 10 }), m(2, { datacenterId: 20 }), m(3, { datacenterId: 20, enabled: false, sort: 0 })];
    expect(chooseModule(modules, { datacenterId: 20 })?.id).toBe(2);
    expect(chooseModule(modules, { datacenterId: 30 })).toBeUndefined();
    expect(chooseModule([m(1, { enabled: false })])).toBeUndefined();
  });

  test('the choice never depends on the order the candidates are listed in', () => {
    const candidate = fc.record({
      id: fc.integer({ min: 1, max: 50 }), sort: fc.integer({ min: 1, max: 5 }), enabled: fc.boolean(), hasError: fc.boolean(),
      runningOperations: fc.integer({ min: 0, max: 3 }), operationLimit: fc.option(fc.integer({ min: 1, max: 3 })),
      datacenterId: fc.option(fc.integer({ min: 1, max: 2 })),
    });
    fc.assert(
      fc.property(fc.uniqueArray(candidate, { selector: (c) => c.id, maxLength: 8 }), fc.option(fc.integer({ min: 1, max: 50 })), (list, bound) => {
        const a = chooseModule(list, { boundModuleId: bound });
        const b = chooseModule([...list].reverse(), { boundModuleId: bound });
        expect(a?.id).toBe(b?.id);
      }),
    );
  });
});

import { AppError } from '../errors/app-error.js';
import type { ConnectorDriver } from './driver.js';
import { amoDriver } from './amocrm/amo-driver.js';
import { oneCDriver } from './onec/onec-driver.js';

/** The connector kinds this version knows. A new kind (Bitrix24, amoCRM) is one more driver here. */
export const CONNECTOR_DRIVERS: readonly ConnectorDriver[] = [oneCDriver, amoDriver];

export function driverOf(kind: string, drivers: readonly ConnectorDriver[] = CONNECTOR_DRIVERS): ConnectorDriver {
  const driver = drivers.find((d) => d.kind === kind);
  if (!driver) throw new AppError('CONNECTOR_KIND_UNKNOWN', { kind, known: drivers.map((d) => d.kind) });
  return driver;
}

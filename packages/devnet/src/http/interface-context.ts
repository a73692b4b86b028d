import type { ExecutionEnvironment } from '../execution/types';
import type { Certifier } from '../state/certifier';

/** What every endpoint handler works with. */
export interface InterfaceContext {
  readonly env: ExecutionEnvironment;
  readonly certifier: Certifier;
}

import type { ExecutionEnvironment } from '../execution/types';
import type { Certifier } from '../state/certifier';
import type { IngressRounds } from '../state/ingress-rounds';

/** What every endpoint handler works with. */
export interface InterfaceContext {
  readonly env: ExecutionEnvironment;
  readonly certifier: Certifier;
  /** Runs ingress executions in rounds. */
  readonly rounds: IngressRounds;
}

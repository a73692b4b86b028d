/** bench/certificate-stages.bench.ts's Node side, in a process of its own (so its cold start is a real one). */
import { measureStages, type StagesInput } from './certificate-stages-page';

process.once('message', (input: StagesInput) => {
  measureStages(input).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});

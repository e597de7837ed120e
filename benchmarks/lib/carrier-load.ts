/**
 * Runs many simultaneous simulated calls against an agent server from a second process
 * (carrier-load-client.ts), so the callers' traffic does not take the server's CPU, and returns
 * what the carrier side saw.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CarrierLoadConfig, CarrierLoadReport } from './carrier-load-client.js';

export type { CarrierCallReport, CarrierLoadConfig, CarrierLoadReport } from './carrier-load-client.js';

const clientScript = fileURLToPath(new URL('./carrier-load-client.ts', import.meta.url));

/** Forks the carrier process, runs `config`, and resolves with its report. */
export function runCarrierLoad(config: CarrierLoadConfig): Promise<CarrierLoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(clientScript, [], {
      execArgv: ['--conditions=@voxline/source', '--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: CarrierLoadReport | undefined;
    child.once('message', (message) => {
      report = message as CarrierLoadReport;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report !== undefined) resolve(report);
      else reject(new Error(`the carrier process exited with code ${code} before reporting`));
    });
    child.send(config);
  });
}

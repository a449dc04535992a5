/** Tracker backed by an MLflow tracking server over its REST API. */
import { readFileSync } from 'node:fs';
import { restMetricValue } from './batch';
import { checkedRunContext } from './context';
import { MlflowApiError, type RetryOptions } from './http';
import { MlflowRestClient } from './rest-client';
import { BaseRun, type ArtifactSource, type PrimitiveBatch } from './base-run';
import type { EndStatus, Run, StartRunOptions, Tracker } from './types';
import { checkExperimentName } from './validate';

class RestRun extends BaseRun {
  constructor(
    private readonly client: MlflowRestClient,
    runId: string,
    experimentId: string,
    runName: string,
    private readonly artifactUri: string,
  ) {
    super(runId, experimentId, runName);
  }

  protected async writeBatch(b: PrimitiveBatch): Promise<void> {
    await this.client.logBatch(this.runId, {
      params: b.params,
      tags: b.tags,
      metrics: b.metrics.map((m) => ({ key: m.key, value: restMetricValue(m.value), timestamp: m.timestamp, step: m.step })),
    });
  }
  protected async writeArtifact(dest: string, source: ArtifactSource): Promise<void> {
    const data = 'file' in source ? readFileSync(source.file) : source.data;
    await this.client.uploadArtifact(this.artifactUri, dest, data);
  }
  protected async writeEnd(status: EndStatus, endTime: number): Promise<void> {
    await this.client.updateRun(this.runId, status, endTime);
  }
}

export class RestTracker implements Tracker {
  readonly kind = 'rest' as const;
  readonly client: MlflowRestClient;

  constructor(baseUrl: string, retry: RetryOptions = {}) {
    this.client = new MlflowRestClient(baseUrl, retry);
  }
  get uri(): string {
    return this.client.baseUrl;
  }

  /** Id of the named experiment, created when missing (tolerates a concurrent creation). */
  async experimentId(name: string): Promise<string> {
    checkExperimentName(name);
    const found = await this.client.getExperimentByName(name);
    if (found) {
      if (found.lifecycle_stage === 'deleted') {
        throw new Error(
          `Experiment '${name}' exists on ${this.uri} but is deleted: restore it (mlflow experiments restore) ` +
            `or use another experiment name.`,
        );
      }
      return found.experiment_id;
    }
    try {
      return await this.client.createExperiment(name);
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.client.getExperimentByName(name);
        if (again) return again.experiment_id;
      }
      throw err;
    }
  }

  async startRun(opts: StartRunOptions): Promise<Run> {
    const ctx = checkedRunContext(opts.runName, opts.tags);
    const experimentId = await this.experimentId(opts.experiment);
    const run = await this.client.createRun({
      experimentId,
      runName: ctx.runName,
      userId: ctx.user,
      startTime: Date.now(),
      tags: ctx.tags,
    });
    return new RestRun(this.client, run.info.run_id, experimentId, ctx.runName, run.info.artifact_uri);
  }
}

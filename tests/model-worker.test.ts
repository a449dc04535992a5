import { describe, expect, it } from 'vitest';
import { encoderFactoryOn, type StartedRuntime } from '../src/extension/model/worker';
import type { createEncoder } from '../src/runtime/encoder';

const opts = { localModelPath: '/models/', modelId: 'all-MiniLM-L6-v2', maxLength: 256 };

describe("the model worker's encoder runtime (one per worker; a failed encoder stops it)", () => {
  function setup(outcomes: ('ok' | 'fail')[]) {
    let starts = 0;
    let stops = 0;
    const start = async (): Promise<StartedRuntime> => {
      const n = ++starts;
      return { runtime: { name: `runtime ${n}`, createSession: async () => Promise.reject(new Error('unused')) }, stop: () => void stops++ };
    };
    const runtimes: string[] = [];
    const build = (async (o: { runtime: { name: string } }) => {
      runtimes.push(o.runtime.name);
      if (outcomes.shift() === 'fail') throw new Error('cannot load model: the runtime did not start');
      return { runtime: o.runtime.name, embed: async () => [] };
    }) as unknown as typeof createEncoder;
    return { factory: encoderFactoryOn(start, build), runtimes, counts: () => ({ starts, stops }) };
  }

  it('reuses the runtime across loads that succeed or fail elsewhere', async () => {
    const { factory, runtimes, counts } = setup(['ok', 'ok']);
    await factory(opts);
    await factory(opts);
    expect(runtimes).toEqual(['runtime 1', 'runtime 1']);
    expect(counts()).toEqual({ starts: 1, stops: 0 });
  });

  it('stops the runtime whose encoder failed to build, and starts a new one for the next load', async () => {
    const { factory, runtimes, counts } = setup(['fail', 'ok', 'ok']);
    await expect(factory(opts)).rejects.toThrow(/did not start/);
    expect(counts()).toEqual({ starts: 1, stops: 1 });
    await factory(opts);
    await factory(opts);
    expect(runtimes).toEqual(['runtime 1', 'runtime 2', 'runtime 2']);
    expect(counts()).toEqual({ starts: 2, stops: 1 });
  });

  it('keeps a runtime that cannot be stopped (Firefox: onnxruntime-web in the model worker itself)', async () => {
    let starts = 0;
    const factory = encoderFactoryOn(
      async () => ({ runtime: { name: `runtime ${++starts}`, createSession: async () => Promise.reject(new Error('unused')) } }),
      (async () => {
        throw new Error('failed');
      }) as unknown as typeof createEncoder,
    );
    await expect(factory(opts)).rejects.toThrow('failed');
    await expect(factory(opts)).rejects.toThrow('failed');
    expect(starts).toBe(1);
  });
});

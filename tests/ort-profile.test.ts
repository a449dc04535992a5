import { describe, expect, it } from 'vitest';
import { opGroup, opProfile, parseProfileLines, type OrtTraceEvent } from '../scripts/lib/ort-profile';

const run = (ts: number, dur: number): OrtTraceEvent => ({ cat: 'Session', name: 'model_run', ts, dur });
const kernel = (name: string, op: string, ts: number, dur: number): OrtTraceEvent => ({ cat: 'Node', name: `${name}_kernel_time`, ts, dur, args: { op_name: op } });

describe('onnxruntime profile per operator type (bench:ops)', () => {
  it('sums kernel time per operator within each run, warm-up runs left out', () => {
    const events = [
      run(0, 100), kernel('/a/MatMul', 'MatMul', 10, 50), kernel('/a/Add', 'Add', 70, 5), // warm-up
      run(200, 40), kernel('/a/MatMul', 'MatMul', 205, 20), kernel('/b/MatMul', 'MatMul', 226, 7), kernel('/a/Add', 'Add', 234, 3),
      { cat: 'Node', name: '/a/MatMul_fence_before', ts: 206, dur: 1, args: { op_name: 'MatMul' } }, // not a kernel time
      run(300, 30), kernel('/a/Gelu', 'Gelu', 301, 9),
    ];
    const p = opProfile(events, 1);
    expect(p.runs).toBe(2);
    expect(p.runUs).toEqual([40, 30]);
    expect(p.byOp).toEqual({ MatMul: [27, 0], Add: [3, 0], Gelu: [0, 9] });
  });

  it('refuses a profile with no run left after the warm-up', () => {
    expect(() => opProfile([run(0, 10)], 1)).toThrow(/1 model runs, 1 to drop/);
  });

  it("reads onnxruntime-web's printed lines (the format it printed in Node), skipping other output", () => {
    const lines = [
      'some other log line',
      '[',
      '{"cat" : "Node","pid" :42,"tid" :1,"dur" :31927,"ts" :554288,"ph" : "X","name" :"/Cast_kernel_time","args" : {"op_name" : "Cast"}},',
      '{"cat" : "Session","pid" :42,"tid" :1,"dur" :129934,"ts" :2483003,"ph" : "X","name" :"model_run","args" : {}}',
      ']',
    ];
    const events = parseProfileLines(lines);
    expect(events.map((e) => e.name)).toEqual(['/Cast_kernel_time', 'model_run']);
    expect(events[0]).toMatchObject({ cat: 'Node', dur: 31927, ts: 554288, args: { op_name: 'Cast' } });
  });

  it('groups the operators of the int8 encoder', () => {
    expect(opGroup('DynamicQuantizeMatMul')).toMatch(/^int8/);
    expect(opGroup('Softmax')).toMatch(/^attention/);
    expect(opGroup('Gelu')).toBe('GELU');
    expect(opGroup('SkipLayerNormalization')).toMatch(/^layer norms/);
    expect(opGroup('Gather')).toBe('other');
  });
});

/**
 * The committed demo (docs/demo.webm, docs/img/demo.gif, recorded by `npm run demo:video`) checked
 * with ffprobe: VP9 at least 1280 px wide and 30-60 s long, a GIF of at most 8 MB. And the check
 * itself rejects files that miss those limits (made here with ffmpeg's test source).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_GIF, DEMO_WEBM, demoProblems, LIMITS, probe } from '../scripts/demo/probe';

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo video', () => {
  it('docs/demo.webm and docs/img/demo.gif are within the limits', () => {
    expect(demoProblems()).toEqual([]);
    const webm = probe(DEMO_WEBM);
    expect(webm.codec).toBe('vp9');
    expect(webm.width).toBeGreaterThanOrEqual(1280);
    expect(probe(DEMO_GIF).codec).toBe('gif');
  });

  it('the check reports a narrow, short, non-VP9 video, an oversized GIF and a missing file', () => {
    const small = join(dir, 'small.webm');
    const gif = join(dir, 'small.gif');
    const src = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=5:duration=2'];
    execFileSync('ffmpeg', [...src, '-c:v', 'libvpx', small]); // VP8
    execFileSync('ffmpeg', [...src, gif]);
    const problems = demoProblems(small, gif, { ...LIMITS, maxGifBytes: 1000 });
    expect(problems).toEqual([
      expect.stringMatching(/codec vp8, expected vp9/),
      expect.stringMatching(/320 px wide, expected at least 1280/),
      expect.stringMatching(/2\.0 s long, expected 30-60 s/),
      expect.stringMatching(/small\.gif: .* MB, expected at most/),
    ]);
    expect(() => demoProblems(join(dir, 'none.webm'), gif)).toThrow(/does not exist: record it with `npm run demo:video`/);
  });
});

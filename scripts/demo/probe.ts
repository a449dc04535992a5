/**
 * What the demo video must be, checked with Debian's ffprobe: docs/demo.webm is VP9, at least
 * 1280 px wide and 30-60 s long; docs/img/demo.gif is a GIF of at most 8 MB. Used by
 * scripts/demo/video.ts after encoding and by tests/demo-video.test.ts on the committed files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT as REPO } from '../../src/node/paths';

export const DEMO_WEBM = join(REPO, 'docs/demo.webm');
export const DEMO_GIF = join(REPO, 'docs/img/demo.gif');

export const LIMITS = { minWidth: 1280, minSeconds: 30, maxSeconds: 60, maxGifBytes: 8 * 1024 * 1024 };

export interface Probe {
  codec: string;
  width: number;
  height: number;
  seconds: number;
  bytes: number;
}

export function probe(file: string): Probe {
  if (!existsSync(file)) throw new Error(`${file} does not exist: record it with \`npm run demo:video\``);
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const json = JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[]; format: { duration?: string } };
  const stream = json.streams[0];
  if (!stream) throw new Error(`${file} has no video stream`);
  return { codec: stream.codec_name, width: stream.width, height: stream.height, seconds: Number(json.format.duration ?? NaN), bytes: statSync(file).size };
}

/** Every way the two files miss the limits, in words ([] when both are right). */
export function demoProblems(webm = DEMO_WEBM, gif = DEMO_GIF, limits = LIMITS): string[] {
  const problems: string[] = [];
  const v = probe(webm);
  if (v.codec !== 'vp9') problems.push(`${webm}: codec ${v.codec}, expected vp9`);
  if (v.width < limits.minWidth) problems.push(`${webm}: ${v.width} px wide, expected at least ${limits.minWidth}`);
  if (!(v.seconds >= limits.minSeconds && v.seconds <= limits.maxSeconds)) problems.push(`${webm}: ${v.seconds.toFixed(1)} s long, expected ${limits.minSeconds}-${limits.maxSeconds} s`);
  const g = probe(gif);
  if (g.codec !== 'gif') problems.push(`${gif}: codec ${g.codec}, expected gif`);
  if (g.bytes > limits.maxGifBytes) problems.push(`${gif}: ${(g.bytes / 2 ** 20).toFixed(1)} MB, expected at most ${limits.maxGifBytes / 2 ** 20} MB (lower the GIF's fps or width in scripts/demo/video.ts)`);
  return problems;
}

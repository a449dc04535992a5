import { describe, expect, it } from 'vitest';
import { barChart, renderSvg, svgToPng } from '../src/charts/render';

describe('charts', () => {
  it('draws one bar per datum with its value label, and no external reference', async () => {
    const svg = await barChart({
      title: 'F1 micro by run',
      valueTitle: 'F1 micro',
      domain: [0, 1],
      data: [
        { label: 'tfidf', value: 0.57 },
        { label: 'hybrid', value: 0.6 },
        { label: 'embeddings', value: 0.58 },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    // vega draws bars as paths inside the mark-rect group.
    const bars = svg.match(/class="mark-rect[^"]*"[\s\S]*?<\/g>/)?.[0] ?? '';
    expect((bars.match(/<path/g) ?? []).length).toBe(3);
    for (const label of ['tfidf', 'hybrid', 'embeddings', '0.600', '0.570', 'F1 micro by run']) expect(svg).toContain(label);
    expect(svg.replace(/xmlns(:xlink)?="[^"]+"/g, '')).not.toMatch(/https?:/);
  });

  it('rasterises to a PNG of the SVG size times the scale', async () => {
    const svg = await renderSvg({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } });
    const w = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const png = svgToPng(svg, 2);
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBe(w * 2);
  });
});

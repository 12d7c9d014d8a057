import type { Page } from 'playwright-core';

/**
 * The WCAG contrast ratio of the first element matching each selector against the
 * first opaque background behind it (0 when nothing matches).
 */
export function contrastRatios(page: Page, selectors: string[]): Promise<{ selector: string; ratio: number }[]> {
  return page.evaluate((selectors) => {
    const channel = (v: number) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = (el: Element | null): number[] => {
      for (let node = el; node; node = node.parentElement) {
        const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
        if (a > 0 && r !== undefined) return [r, g ?? 0, b ?? 0];
      }
      return [255, 255, 255];
    };
    return selectors.map((selector) => {
      const el = document.querySelector(selector);
      if (!el) return { selector, ratio: 0 };
      const [fg, bg] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))];
      return { selector, ratio: Math.round(((Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)) * 100) / 100 };
    });
  }, selectors);
}

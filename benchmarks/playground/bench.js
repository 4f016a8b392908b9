// The playground's speed in Debian's Chromium: node bench.js URL [RUNS]
// First loads (a fresh browser context each, no cache): time to the compiler, the editor and the first diagnostics,
// and the bytes transferred. Then keystrokes on the course's CNNs and on ResNet-50 written out: from each key's event to
// its diagnostics and shapes in place; and the ResNet-50 diagram, drawn after a pause. Medians of the runs.
'use strict';
const { launch } = require('../../tests/browser/browser');

const [url, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const sorted = values => [...values].sort((a, b) => a - b);
const median = values => { const s = sorted(values); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const percentile = (values, p) => { const s = sorted(values); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const ms = value => value.toFixed(1) + ' ms';

async function keystrokes(page, example, lineStart, keys) {
  await page.select('#examples', example);
  await page.waitForFunction(file => document.getElementById('examples').value === file && window.playground.current.models.length > 0, {}, example);
  await sleep(500);
  await page.evaluate(target => {
    const e = window.playground.editor; const m = e.getModel();
    const line = m.getLinesContent().findIndex(l => l.trim().startsWith(target)) + 1;
    e.setPosition({ lineNumber: line, column: m.getLineMaxColumn(line) }); e.focus();
    window.playground.stats.keystrokes.length = 0;
  }, lineStart);
  for (const key of keys) {
    await page.keyboard.press(key);
    await sleep(30);
  }
  return page.evaluate(() => [...window.playground.stats.keystrokes]);
}

(async () => {
  const browser = await launch();
  try {
    const loads = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setCacheEnabled(false);
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => window.playground?.stats.firstDiagnosticsMs != null, { timeout: 60000 });
      loads.push(await page.evaluate(() => ({
        ...window.playground.stats,
        transferred: performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0) + performance.getEntriesByType('navigation')[0].transferSize,
      })));
      await context.close();
    }
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 860 });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.playground?.stats.firstDiagnosticsMs != null, { timeout: 60000 });
    const alternate = (a, b, n) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b));
    const course = await keystrokes(page, 'course.cnn', 'dense 1000', alternate('Backspace', 'Digit0', 100));
    const resnetClassifier = await keystrokes(page, 'resnet50.cnn', 'fc: dense', alternate('Backspace', 'Digit0', 100));
    const resnetBlock = await keystrokes(page, 'resnet50.cnn', 'conv1: conv2d width', alternate('Backspace', 'KeyE', 100));
    const diagram = await page.evaluate(() => {
      const api = window.playground.compiler;
      const line = window.playground.editor.getModel().getLinesContent().findIndex(l => l.startsWith('model ResNet50'));
      const time = expand => { const t = []; for (let i = 0; i < 5; i++) { const s = performance.now(); api.Diagram(line, 0, expand); t.push(performance.now() - s); } return t; };
      return { collapsed: time(false), expanded: time(true) };
    });
    // Each summary after a changed text, as typing leaves it.
    const summary = await page.evaluate(() => {
      const api = window.playground.compiler; const text = window.playground.editor.getModel().getValue(); const t = [];
      for (let i = 0; i < 20; i++) { api.Update(text + ' '.repeat(i % 2)); const s = performance.now(); api.Summaries(); t.push(performance.now() - s); }
      api.Update(text);
      return t;
    });

    console.log(`Chromium ${await browser.version()}, ${runs} first loads, no cache:`);
    console.log(`  compiler started    median ${ms(median(loads.map(l => l.compilerReadyMs)))}`);
    console.log(`  editor ready        median ${ms(median(loads.map(l => l.editorReadyMs)))}`);
    console.log(`  first diagnostics   median ${ms(median(loads.map(l => l.firstDiagnosticsMs)))} (min ${ms(Math.min(...loads.map(l => l.firstDiagnosticsMs)))}, max ${ms(Math.max(...loads.map(l => l.firstDiagnosticsMs)))})`);
    console.log(`  first check         median ${ms(median(loads.map(l => l.checks[0])))}`);
    console.log(`  transferred         median ${(median(loads.map(l => l.transferred)) / 1e6).toFixed(2)} MB`);
    for (const [name, values] of [['course CNNs, classifier line', course], ['ResNet-50, classifier line', resnetClassifier], ['ResNet-50, inside the block', resnetBlock]])
      console.log(`Keystrokes, ${name}: ${values.length} keys, median ${ms(median(values))}, p95 ${ms(percentile(values, 0.95))}, max ${ms(Math.max(...values))}`);
    console.log(`ResNet-50 summary: median ${ms(median(summary))}`);
    console.log(`ResNet-50 diagram: collapsed median ${ms(median(diagram.collapsed))}, expanded median ${ms(median(diagram.expanded))}`);
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.stack || String(e)); process.exit(1); });

// The playground in a real browser: node playground-page.js URL CASES.json OUTPUT_FOLDER
// Types a model with a mistake as a user would, reads the squiggle and its hover, applies the quick fix, reads the
// shapes, the summary, a completion list and the diagram, opens the shared link in a second tab, downloads the ONNX
// file and the PyTorch export, times keystrokes on ResNet-50, and reports what the page shows for every text of the
// corpus (CASES.json: [{ name, text }]). Prints one JSON line; the .NET test compares it with the build.
'use strict';
const fs = require('fs');
const path = require('path');
const { run } = require('./browser');

const [url, casesFile, output] = process.argv.slice(2);
if (!url || !casesFile || !output) {
  console.error('usage: node playground-page.js URL CASES.json OUTPUT_FOLDER');
  process.exit(2);
}
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
fs.mkdirSync(output, { recursive: true });

const TYPED = [
  'model Typed',
  '  input 1x28x28',
  '  conv2d 32, kernel=5, padding=same, activation=relu',
  '  maxpool2d 2',
  '  dense 10',
];

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const median = values => { const s = [...values].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : null; };
const percentile = (values, p) => { const s = [...values].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : null; };

async function waitForFile(file, timeout = 30000) {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    if (fs.existsSync(file) && fs.statSync(file).size > 0 && !fs.existsSync(file + '.crdownload'))
      return fs.statSync(file).size;
    await sleep(100);
  }
  throw new Error('no download ' + file);
}

// What the page shows now: Monaco's markers (1-based, as the editor holds them, turned to the protocol's 0-based
// positions), the shapes the inlay hints show, and each model's summary.
const shown = () => {
  const { monaco, editor, current } = window.playground;
  const markers = monaco.editor.getModelMarkers({ resource: editor.getModel().uri }).map(m => ({
    code: typeof m.code === 'object' ? m.code.value : m.code, message: m.message, severity: m.severity,
    range: { start: { line: m.startLineNumber - 1, character: m.startColumn - 1 }, end: { line: m.endLineNumber - 1, character: m.endColumn - 1 } },
  }));
  const models = window.playground.summaries().map(m => ({ name: m.name, summary: m.summary ?? null, acceptedSizes: m.acceptedSizes ?? null }));
  return { markers, hints: current.hints, models };
};

run(async page => {
  const result = {};
  await page.setViewport({ width: 1400, height: 860 });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: path.resolve(output) });

  // First load: download and start, to the first diagnostics on the page.
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.playground?.stats.firstDiagnosticsMs != null, { timeout: 60000 });
  result.load = await page.evaluate(() => {
    const resources = performance.getEntriesByType('resource');
    const navigation = performance.getEntriesByType('navigation')[0];
    return {
      ...window.playground.stats, checks: undefined, keystrokes: undefined, firstCheckMs: window.playground.stats.checks[0],
      transferredBytes: resources.reduce((sum, r) => sum + r.transferSize, 0) + navigation.transferSize,
      decodedBytes: resources.reduce((sum, r) => sum + r.decodedBodySize, 0) + navigation.decodedBodySize,
      requests: resources.length + 1,
    };
  });
  await sleep(500);
  await page.screenshot({ path: path.join(output, 'start.png') });

  // The extension's TextMate grammar colours the page: the scope of each token of a line, as Monaco's tokenizer gives it.
  result.tokens = await page.evaluate(() => {
    const line = '  conv2d 32, kernel=5, activation=relu  # a comment';
    const [tokens] = window.playground.monaco.editor.tokenize(line, 'cnn');
    return tokens.map((t, i) => ({ text: line.substring(t.offset, tokens[i + 1]?.offset ?? line.length), type: t.type }));
  });

  // Typing a model with a mistake, line by line, as a user types it (Monaco's own indenting off so the typed spaces stay).
  await page.evaluate(() => window.playground.editor.updateOptions({ autoIndent: 'none', autoClosingBrackets: 'never', quickSuggestions: false }));
  await page.click('#editor .view-lines');
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  for (const [i, line] of TYPED.entries()) {
    await page.keyboard.type(line);
    // A suggestion list opened by a trigger character would take the Enter, as it would from a user.
    await page.keyboard.press('Escape');
    if (i < TYPED.length - 1)
      await page.keyboard.press('Enter');
  }
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.playground.editor.getModel().getValue().endsWith('dense 10'));
  result.typed = await page.evaluate(shown);
  result.typedText = await page.evaluate(() => window.playground.editor.getModel().getValue());
  await page.waitForSelector('#editor .squiggly-error', { timeout: 5000 });
  result.squiggles = await page.$$eval('#editor .squiggly-error', e => e.length);

  // The hover over the squiggle shows the compiler's message and ID.
  const error = result.typed.markers[0];
  const spot = await page.evaluate(({ line, character }) => {
    const editor = window.playground.editor;
    const position = editor.getScrolledVisiblePosition({ lineNumber: line + 1, column: character + 3 });
    const box = editor.getDomNode().getBoundingClientRect();
    return { x: box.left + position.left, y: box.top + position.top + position.height / 2 };
  }, error.range.start);
  await page.mouse.move(spot.x, spot.y);
  await page.waitForSelector('.monaco-hover .hover-row', { visible: true, timeout: 10000 });
  await sleep(300);
  result.hoverText = await page.$eval('.monaco-hover', e => e.innerText);
  await page.screenshot({ path: path.join(output, 'mistake.png') });
  await page.mouse.move(5, 5);

  // The quick fix, from the keyboard: Ctrl+. on the line, then Enter on the first action.
  await page.evaluate(line => { const e = window.playground.editor; e.setPosition({ lineNumber: line + 1, column: 4 }); e.focus(); }, error.range.start.line);
  await page.keyboard.down('Control');
  await page.keyboard.press('Period');
  await page.keyboard.up('Control');
  await page.waitForSelector('.action-widget .monaco-list-row.action', { visible: true, timeout: 10000 });
  result.quickFixes = await page.$$eval('.action-widget .monaco-list-row.action', rows => rows.map(r => r.innerText.trim()).filter(t => t));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.playground.current.diagnostics.length === 0, { timeout: 10000 });
  result.fixedText = await page.evaluate(() => window.playground.editor.getModel().getValue());
  result.fixed = await page.evaluate(shown);
  // Monaco draws inlay hints after its own short delay; they are text in the lines (its spaces non-breaking).
  await page.waitForFunction(() => document.querySelector('#editor .view-lines').innerText.split('->').length - 1 === window.playground.current.hints.length, { timeout: 10000 });
  result.linesShown = await page.$eval('#editor .view-lines', e => e.innerText.replace(/\u00a0/g, ' '));
  await page.waitForFunction(() => document.getElementById('summary').innerText.includes('Total params'), { timeout: 10000 });
  result.summaryShown = await page.$eval('#summary', e => e.innerText);

  // Completion of layer kinds on a new line.
  await page.evaluate(() => { const e = window.playground.editor; const m = e.getModel(); e.setPosition({ lineNumber: m.getLineCount(), column: m.getLineMaxColumn(m.getLineCount()) }); e.focus(); });
  await page.keyboard.press('Enter');
  await page.keyboard.type('  conv');
  await page.keyboard.down('Control');
  await page.keyboard.press('Space');
  await page.keyboard.up('Control');
  await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { visible: true, timeout: 10000 });
  await sleep(200);
  result.completions = await page.$$eval('.suggest-widget.visible .monaco-list-row .label-name', e => e.map(x => x.textContent));
  await page.keyboard.press('Escape');
  await page.evaluate(text => window.playground.editor.getModel().setValue(text), result.fixedText);

  // The diagram of the model at the cursor.
  await page.click('aside nav button[data-panel="diagram"]');
  await page.waitForSelector('#diagram-picture svg', { timeout: 20000 });
  result.diagram = await page.$eval('#diagram-picture', e => ({ model: e.dataset.model, text: e.querySelector('svg').textContent, boxes: e.querySelectorAll('svg rect').length }));
  await page.screenshot({ path: path.join(output, 'diagram.png') });
  await page.click('aside nav button[data-panel="summary"]');

  // The shared link opens the same text in a new tab.
  await sleep(800);
  result.link = await page.evaluate(() => location.href);
  const second = await page.browser().newPage();
  await second.goto(result.link, { waitUntil: 'load' });
  await second.waitForFunction(() => window.playground?.stats.firstDiagnosticsMs != null, { timeout: 60000 });
  result.linkText = await second.evaluate(() => window.playground.editor.getModel().getValue());
  result.linkExample = await second.$eval('#examples', e => e.options[e.selectedIndex].textContent);
  // Another link pasted into the open tab's address bar changes only the fragment; the page opens its text.
  const pasted = 'model Pasted\n  input 1x8x8\n  flatten\n  dense 2\n';
  await second.evaluate(async text => { location.hash = new URL(await window.playground.linkFor(text)).hash; }, pasted);
  await second.waitForFunction(text => window.playground.editor.getModel().getValue() === text, { timeout: 10000 }, pasted);
  result.pastedModels = await second.evaluate(() => window.playground.current.models.map(m => m.name));
  // A link that inflates past the page's limit (8 MB of text in a few kilobytes), or one cut short, is refused with the
  // reason in the status line; the text stays as it was.
  result.refusedLinks = [];
  for (const kind of ['bomb', 'cut']) {
    await second.evaluate(async kind => {
      document.getElementById('status').classList.remove('failed');
      const link = await window.playground.linkFor(kind === 'bomb' ? 'a'.repeat(8 * 1024 * 1024) : 'model Cut\n  input 1x8x8\n  flatten\n  dense 2\n');
      const hash = new URL(link).hash;
      location.hash = kind === 'bomb' ? hash : hash.slice(0, hash.length - 7);
    }, kind);
    await second.waitForFunction(() => document.getElementById('status').classList.contains('failed'), { timeout: 20000 });
    result.refusedLinks.push({ kind, status: await second.$eval('#status', e => e.textContent), text: await second.evaluate(() => window.playground.editor.getModel().getValue()) });
  }
  await second.close();

  // Downloads: the ONNX file and the PyTorch export of the checked model.
  await page.select('#models', 'Typed');
  await page.click('#onnx');
  result.onnxBytes = await waitForFile(path.join(output, 'Typed.onnx'));
  result.onnxStatus = await page.$eval('#status', e => e.textContent);
  await page.click('#pytorch');
  result.pytorchBytes = await waitForFile(path.join(output, 'Typed-pytorch.zip'));

  // Keystrokes on ResNet-50 (about 170 layers): 20 on the classifier's line, 20 inside the block that 16 lines use.
  await page.select('#examples', 'resnet50.cnn');
  await page.waitForFunction(() => window.playground.current.models[0]?.name === 'ResNet50' && window.playground.current.models[0].checked, { timeout: 20000 });
  await page.evaluate(() => { window.playground.stats.keystrokes.length = 0; window.playground.stats.checks.length = 0; });
  const typeAt = async (lineText, keys) => {
    await page.evaluate(target => {
      const e = window.playground.editor; const m = e.getModel();
      const line = m.getLinesContent().findIndex(l => l.trim().startsWith(target)) + 1;
      e.setPosition({ lineNumber: line, column: m.getLineMaxColumn(line) }); e.focus();
    }, lineText);
    for (const key of keys) {
      await page.keyboard.press(key);
      await sleep(20);
    }
  };
  const rounds = n => Array.from({ length: n }, (_, i) => ['Backspace', 'Digit' + (i % 2 === 0 ? '1' : '0')]).flat();
  await typeAt('fc: dense', rounds(10));
  await typeAt('conv1: conv2d width', [...Array(10)].flatMap(() => ['Backspace', 'KeyE']));
  const keystrokes = await page.evaluate(() => ({ keys: [...window.playground.stats.keystrokes], checks: [...window.playground.stats.checks],
    models: window.playground.current.models.map(m => m.name), errors: window.playground.current.diagnostics.length }));
  result.keystrokes = { count: keystrokes.keys.length, medianMs: median(keystrokes.keys), p95Ms: percentile(keystrokes.keys, 0.95), maxMs: Math.max(...keystrokes.keys),
    checkMedianMs: median(keystrokes.checks), errorsAfter: keystrokes.errors };
  await sleep(800);
  await page.click('aside nav button[data-panel="diagram"]');
  await page.waitForFunction(() => document.querySelector('#diagram-picture')?.dataset.model === 'ResNet50', { timeout: 20000 });
  result.resnetDiagramMs = await page.evaluate(() => { const t = performance.now(); document.getElementById('expand').click(); const expanded = performance.now() - t;
    const s = performance.now(); document.getElementById('expand').click(); return { expanded, collapsed: performance.now() - s }; });
  await page.screenshot({ path: path.join(output, 'resnet50.png') });

  // A long text (800 models, about 300 KB) whose check is slow is checked once typing pauses: five keys typed at once
  // bring one check, with what they typed.
  await page.evaluate(() => {
    const models = Array.from({ length: 800 }, (_, i) => `model Net${i}\n  input 1x28x28\n  conv2d 32, kernel=5, padding=same, activation=relu\n  maxpool2d 2\n  conv2d 64, kernel=5, padding=same, activation=relu\n  maxpool2d 2\n  flatten\n  dense 1000, activation=relu\n  dense 10\n`);
    window.playground.editor.getModel().setValue(models.join('\n'));
    window.playground.editor.setPosition({ lineNumber: 9, column: 11 });
    window.playground.editor.focus();
  });
  const before = await page.evaluate(() => ({ checks: window.playground.stats.checks.length, lastMs: window.playground.stats.checks.at(-1), status: document.getElementById('status').textContent }));
  await page.keyboard.type('12345');
  const during = await page.evaluate(() => ({ checks: window.playground.stats.checks.length, pending: window.playground.checkPending }));
  await page.waitForFunction(() => !window.playground.checkPending, { timeout: 30000 });
  const after = await page.evaluate(() => ({ checks: window.playground.stats.checks.length, hint: window.playground.current.hints.find(h => h.line === 8)?.label, status: document.getElementById('status').textContent }));
  result.longText = { before, during, after };

  // Every text of the corpus through the editor: what the page shows, compared by the test with the build.
  await page.evaluate(`window.playgroundShown = ${shown.toString()};`);
  result.corpus = await page.evaluate(texts => texts.map(c => {
    const model = window.playground.editor.getModel();
    model.setValue(c.text);
    window.playground.checkNow();
    return { name: c.name, textKept: model.getValue() === c.text, ...window.playgroundShown() };
  }), cases);
  return result;
}).catch(e => { console.error(e.stack || String(e)); process.exit(1); });

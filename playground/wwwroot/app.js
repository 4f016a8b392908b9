// The playground page: Monaco for the text, the CnnDsl compiler (.NET on WebAssembly) for every answer. Each edit is
// checked at once (diagnostics, shapes and counts, and the summaries when their panel is open); the diagram follows
// after a pause in typing.
import { dotnet } from './_framework/dotnet.js';

const FILE = 'model.cnn';
const EXAMPLES = [
  { file: 'course.cnn', title: "The course's CNNs (MNIST, Fashion-MNIST, CIFAR-10)" },
  { file: 'residual.cnn', title: 'A ResNet block with if and repeat' },
  { file: 'zoo.cnn', title: 'A zoo model: ResNet-18 for 3xHxW images' },
  { file: 'resnet50.cnn', title: 'ResNet-50, written out' },
  { file: 'mistake.cnn', title: 'A model with a mistake' },
];
const DIAGRAM_PAUSE_MS = 300;
// A long text whose check takes longer than this (hundreds of kilobytes) is checked after a pause instead, so typing
// stays fluid; a short text is always checked at once (its first, cold check may be slow, the next ones are not).
const SLOW_CHECK_MS = 150;
const LONG_TEXT_CHARS = 20000;
const SLOW_TEXT_PAUSE_MS = 300;
const URL_PAUSE_MS = 400;

// What the tests and the curious read: timings of the start and of every check.
const stats = { compilerReadyMs: null, editorReadyMs: null, firstDiagnosticsMs: null, checks: [], keystrokes: [] };
const page = { stats, ready: null };
window.playground = page;

const $ = id => document.getElementById(id);
const status = (text, failed = false) => { $('status').textContent = text; $('status').classList.toggle('failed', failed); };

// Monaco, vscode-textmate and vscode-oniguruma are AMD modules under lib/ (copied from npm by the build).
function loadEditorModules() {
  return new Promise((resolve, reject) => {
    require.config({ paths: { vs: 'lib/monaco/vs', 'vscode-textmate': 'lib/vscode-textmate/main', 'vscode-oniguruma': 'lib/vscode-oniguruma/main' } });
    require(['vs/editor/editor.main', 'vscode-textmate', 'vscode-oniguruma'], (monaco, textmate, oniguruma) => resolve({ monaco: window.monaco ?? monaco, textmate, oniguruma }), reject);
  });
}

async function startCompiler() {
  const runtime = await dotnet.create();
  const exports = await runtime.getAssemblyExports(runtime.getConfig().mainAssemblyName);
  stats.compilerReadyMs = performance.now();
  return exports.CnnDsl.Playground.PlaygroundApi;
}

// The text in the address, deflated and base64url-encoded, so that a model is shared as a link.
async function encodeText(text) {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// A link holds at most this much text once inflated: a few kilobytes of link can inflate to gigabytes.
const MAX_LINK_TEXT_BYTES = 4 * 1024 * 1024;

async function decodeText(encoded) {
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, c => c.charCodeAt(0));
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let length = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.length;
    if (length > MAX_LINK_TEXT_BYTES) {
      await reader.cancel();
      throw new Error(`its text is longer than ${MAX_LINK_TEXT_BYTES / 1024 / 1024} MB`);
    }
    chunks.push(read.value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(chunks).arrayBuffer());
}

// The text of a #code= link in the address: { text } or { problem } (a mangled or oversized link), or nothing to open.
async function textFromAddress() {
  const match = /^#code=([A-Za-z0-9_-]*)$/.exec(location.hash);
  if (!match)
    return { text: null };
  try {
    return { text: await decodeText(match[1]) };
  } catch (e) {
    return { text: null, problem: `The link holds no readable model text (${e.message.replace(/\.$/, '')})` };
  }
}

async function fetchExample(file) {
  const response = await fetch('examples/' + file);
  if (!response.ok)
    throw new Error(`examples/${file}: ${response.status} ${response.statusText}`);
  return response.text();
}

// vscode-textmate's grammar of the VS Code extension, as Monaco's tokenizer: each token takes its innermost scope,
// which the theme's rules match by prefix (keyword.control.cnn by "keyword").
async function installGrammar(monaco, textmate, oniguruma) {
  await oniguruma.loadWASM(await (await fetch('lib/vscode-oniguruma/onig.wasm')).arrayBuffer());
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: p => new oniguruma.OnigScanner(p), createOnigString: s => new oniguruma.OnigString(s) }),
    loadGrammar: async scope => scope === 'source.cnn' ? textmate.parseRawGrammar(await (await fetch('lib/grammar/cnn.tmLanguage.json')).text(), 'cnn.tmLanguage.json') : null,
  });
  const grammar = await registry.loadGrammar('source.cnn');
  class State {
    constructor(stack) { this.stack = stack; }
    clone() { return new State(this.stack); }
    equals(other) { return other instanceof State && (other.stack === this.stack || other.stack.equals(this.stack)); }
  }
  monaco.languages.register({ id: 'cnn', extensions: ['.cnn'] });
  monaco.languages.setLanguageConfiguration('cnn', {
    comments: { lineComment: '#' },
    brackets: [['(', ')'], ['{', '}']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '{', close: '}' }],
    indentationRules: { increaseIndentPattern: /^\s*(model|block|group|if|else|repeat)\b.*$/, decreaseIndentPattern: /^\s*(end|else)\b.*$/ },
  });
  monaco.languages.setTokensProvider('cnn', {
    getInitialState: () => new State(textmate.INITIAL),
    tokenize(line, state) {
      const result = grammar.tokenizeLine(line, state.stack);
      return { endState: new State(result.ruleStack), tokens: result.tokens.map(t => ({ startIndex: t.startIndex, scopes: t.scopes[t.scopes.length - 1] })) };
    },
  });
  monaco.editor.defineTheme('cnn-light', {
    base: 'vs', inherit: true, colors: {},
    rules: [
      { token: 'comment', foreground: '6a737d', fontStyle: 'italic' },
      { token: 'keyword', foreground: '8f3f9f' },
      { token: 'keyword.operator', foreground: '4d5560' },
      { token: 'support.function', foreground: '005cc5' },
      { token: 'entity.name', foreground: '22863a', fontStyle: 'bold' },
      { token: 'entity.name.tag', foreground: '6f42c1', fontStyle: '' },
      { token: 'constant.numeric', foreground: 'b35900' },
      { token: 'constant.language', foreground: 'b35900' },
      { token: 'variable.parameter', foreground: '24292e' },
    ],
  });
}

const SEVERITY = monaco => ({ 1: monaco.MarkerSeverity.Error, 2: monaco.MarkerSeverity.Warning });
const toMonacoRange = r => ({ startLineNumber: r.start.line + 1, startColumn: r.start.character + 1, endLineNumber: r.end.line + 1, endColumn: r.end.character + 1 });
const toProtocol = position => ({ line: position.lineNumber - 1, character: position.column - 1 });
const COMPLETION_KIND = monaco => ({ 7: monaco.languages.CompletionItemKind.Class, 10: monaco.languages.CompletionItemKind.Property,
  12: monaco.languages.CompletionItemKind.Value, 14: monaco.languages.CompletionItemKind.Keyword, 18: monaco.languages.CompletionItemKind.Reference });

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

async function main() {
  const [modules, api] = await Promise.all([loadEditorModules(), startCompiler()]);
  const { monaco, textmate, oniguruma } = modules;
  page.monaco = monaco;
  page.compiler = api;
  await installGrammar(monaco, textmate, oniguruma);

  const select = $('examples');
  for (const example of EXAMPLES)
    select.append(new Option(example.title, example.file));
  // The examples list names a text opened from a link as such.
  const showShared = () => {
    if (![...select.options].some(o => o.value === ''))
      select.append(new Option('The shared link', ''));
    select.value = '';
  };
  const link = await textFromAddress();
  if (link.text === null)
    select.value = EXAMPLES[0].file;
  else
    showShared();
  const initial = link.text ?? await fetchExample(EXAMPLES[0].file);

  const model = monaco.editor.createModel(initial, 'cnn', monaco.Uri.parse('file:///' + FILE));
  const editor = monaco.editor.create($('editor'), {
    model, theme: 'cnn-light', automaticLayout: true, fontSize: 14, minimap: { enabled: false }, tabSize: 2, insertSpaces: true,
    inlayHints: { enabled: 'on' }, scrollBeyondLastLine: false, renderWhitespace: 'none', fixedOverflowWidgets: true,
  });
  page.editor = editor;
  stats.editorReadyMs = performance.now();

  let current = { diagnostics: [], hints: [], models: [] };
  Object.defineProperty(page, 'current', { get: () => current });
  const hintsChanged = new monaco.Emitter();
  // A keystroke's latency: from the key's event to its diagnostics, shapes and summaries in place (for a text checked
  // after a pause, from the first key since the last check).
  let keyDownAt = null;
  let editKeyAt = null;
  window.addEventListener('keydown', () => { keyDownAt = performance.now(); }, true);
  window.addEventListener('keyup', () => { keyDownAt = null; }, true);

  function check() {
    checkPending = false;
    const started = performance.now();
    const text = model.getValue();
    current = JSON.parse(api.Update(text));
    const severity = SEVERITY(monaco);
    monaco.editor.setModelMarkers(model, 'cnn', current.diagnostics.map(d => ({
      ...toMonacoRange(d.range), severity: severity[d.severity] ?? monaco.MarkerSeverity.Info, message: d.message, code: d.code, source: 'cnn',
    })));
    hintsChanged.fire();
    summaryStale = true;
    if (!$('summary').hidden)
      showSummary();
    showProblems();
    showModels();
    const finished = performance.now();
    const elapsed = finished - started;
    lastCheckMs = elapsed;
    stats.checks.push(elapsed);
    if (editKeyAt !== null) {
      stats.keystrokes.push(finished - editKeyAt);
      editKeyAt = null;
    }
    if (stats.firstDiagnosticsMs === null)
      stats.firstDiagnosticsMs = performance.now();
    const errors = current.diagnostics.filter(d => d.severity === 1).length;
    status(`Checked in ${elapsed.toFixed(1)} ms: ${current.models.length} model${current.models.length === 1 ? '' : 's'}, `
      + `${errors} error${errors === 1 ? '' : 's'}, ${current.diagnostics.length - errors} warning${current.diagnostics.length - errors === 1 ? '' : 's'}.`
      + (elapsed > SLOW_CHECK_MS && text.length > LONG_TEXT_CHARS ? ' A text this long is checked when typing pauses.' : ''));
  }

  let summaries = [];
  let summaryStale = true;
  // The summaries of the text as it is, whichever panel is open (the tests read them).
  page.summaries = () => { if (summaryStale) showSummary(); return summaries; };

  function showSummary() {
    summaries = JSON.parse(api.Summaries());
    summaryStale = false;
    const parts = summaries.map((m, i) => m.summary
      ? `<h2>${escapeHtml(m.name)}</h2><pre>${escapeHtml(m.summary)}</pre>`
        + (m.acceptedSizes ? `<p class="note">Input ${escapeHtml(m.input)}; sizes accepted: ${escapeHtml(m.acceptedSizes)}</p>` : '')
      : `<h2>${escapeHtml(m.name)}</h2>${errorsOf(i)}`);
    $('summary').innerHTML = parts.length ? parts.join('') : '<p class="note">No model in the text yet: write <code>model Name</code>, an <code>input</code> line and layers.</p>';
  }

  // The errors written inside a model's lines (up to the next model), for the summary it cannot show.
  function errorsOf(index) {
    const model = current.models[index];
    const end = current.models[index + 1]?.line ?? Infinity;
    const inside = current.diagnostics.filter(d => d.severity === 1 && d.range.start.line >= (model?.line ?? 0) && d.range.start.line < end);
    const listed = inside.slice(0, 3).map(d => `<li><b>${escapeHtml(d.code)}</b> line ${d.range.start.line + 1}: ${escapeHtml(d.message)}</li>`).join('');
    const more = inside.length > 3 ? `<li>and ${inside.length - 3} more under Problems</li>` : '';
    return inside.length
      ? `<p class="note">No summary while it has errors:</p><ul class="errors">${listed}${more}</ul>`
      : '<p class="note">No summary while it has errors (in a block it uses: see Problems).</p>';
  }

  function showProblems() {
    $('problem-count').textContent = current.diagnostics.length ? `(${current.diagnostics.length})` : '';
    const items = current.diagnostics.map((d, i) =>
      `<li class="${d.severity === 1 ? 'error' : 'warning'}" data-index="${i}"><span class="where">${FILE}(${d.range.start.line + 1},${d.range.start.character + 1})</span>`
      + `<span class="code">${escapeHtml(d.code)}</span>${escapeHtml(d.message)}</li>`);
    $('problems').innerHTML = items.length ? `<ol>${items.join('')}</ol>` : '<p class="note">No problems.</p>';
  }

  function showModels() {
    const models = $('models');
    const names = current.models.filter(m => m.checked).map(m => m.name);
    const chosen = models.value;
    models.replaceChildren(...names.map(n => new Option(n, n)));
    if (names.includes(chosen))
      models.value = chosen;
    const blocked = current.diagnostics.some(d => d.severity === 1) || names.length === 0;
    models.disabled = names.length === 0;
    $('onnx').disabled = $('pytorch').disabled = blocked;
    const reason = names.length === 0 ? 'No model checks yet.' : blocked ? 'Fix the errors first (see Problems).' : '';
    $('onnx').title = reason || 'cnn export --onnx, with untrained weights (seed 0)';
    $('pytorch').title = reason || 'cnn export --pytorch: the module and a torchrun training script, zipped';
  }

  $('problems').addEventListener('click', e => {
    const item = e.target.closest('li[data-index]');
    if (!item)
      return;
    const range = toMonacoRange(current.diagnostics[Number(item.dataset.index)].range);
    editor.setSelection(range);
    editor.revealRangeInCenter(range);
    editor.focus();
  });

  monaco.languages.registerInlayHintsProvider('cnn', {
    onDidChangeInlayHints: hintsChanged.event,
    provideInlayHints(_, range) {
      const hints = current.hints
        .filter(h => h.line + 1 >= range.startLineNumber && h.line + 1 <= range.endLineNumber)
        .map(h => ({ position: { lineNumber: h.line + 1, column: h.character + 1 }, label: h.label, kind: monaco.languages.InlayHintKind.Type, paddingLeft: true }));
      return { hints, dispose() {} };
    },
  });

  monaco.languages.registerHoverProvider('cnn', {
    provideHover(_, position) {
      const hover = JSON.parse(api.Hover(position.lineNumber - 1, position.column - 1));
      return hover ? { contents: [{ value: hover.contents.value }], range: toMonacoRange(hover.range) } : null;
    },
  });

  monaco.languages.registerCompletionItemProvider('cnn', {
    triggerCharacters: ['=', ',', ' '],
    provideCompletionItems(_, position) {
      const list = JSON.parse(api.Complete(position.lineNumber - 1, position.column - 1));
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const kinds = COMPLETION_KIND(monaco);
      return {
        incomplete: list.isIncomplete,
        suggestions: list.items.map(item => ({
          label: item.label, kind: kinds[item.kind] ?? monaco.languages.CompletionItemKind.Text, detail: item.detail ?? undefined,
          documentation: item.documentation ? { value: item.documentation.value } : undefined,
          insertText: item.insertText ?? item.label, sortText: item.sortText ?? undefined, range,
        })),
      };
    },
  });

  monaco.languages.registerSignatureHelpProvider('cnn', {
    signatureHelpTriggerCharacters: [' ', ','],
    provideSignatureHelp(_, position) {
      const help = JSON.parse(api.Signature(position.lineNumber - 1, position.column - 1));
      if (!help)
        return null;
      return {
        value: {
          activeSignature: help.activeSignature, activeParameter: help.activeParameter,
          signatures: help.signatures.map(s => ({ label: s.label, documentation: s.documentation ?? undefined,
            parameters: s.parameters.map(p => ({ label: p.label, documentation: p.documentation ?? undefined })) })),
        },
        dispose() {},
      };
    },
  });

  monaco.languages.registerCodeActionProvider('cnn', {
    provideCodeActions(_, range, context) {
      const r = toProtocol({ lineNumber: range.startLineNumber, column: range.startColumn });
      const e = toProtocol({ lineNumber: range.endLineNumber, column: range.endColumn });
      const actions = JSON.parse(api.CodeActions(r.line, r.character, e.line, e.character));
      return {
        actions: actions.map(a => ({
          title: a.title, kind: 'quickfix', isPreferred: true,
          diagnostics: context.markers.filter(m => a.fixes.includes(typeof m.code === 'object' ? m.code.value : m.code)),
          edit: { edits: a.edits.map(edit => ({ resource: model.uri, textEdit: { range: toMonacoRange(edit.range), text: edit.newText }, versionId: undefined })) },
        })),
        dispose() {},
      };
    },
  });

  // The diagram of the model at the cursor, drawn after a pause in typing or moving.
  let diagramTimer = 0;
  function drawDiagram() {
    const position = toProtocol(editor.getPosition() ?? { lineNumber: 1, column: 1 });
    const result = JSON.parse(api.Diagram(position.line, position.character, $('expand').checked));
    const picture = $('diagram-picture');
    if (result?.svg) {
      picture.innerHTML = result.svg;
      picture.dataset.model = result.model;
    } else {
      picture.innerHTML = `<p class="note">${escapeHtml(result?.message ?? 'Nothing to draw.')}</p>`;
      picture.dataset.model = '';
    }
  }
  const diagramSoon = () => { clearTimeout(diagramTimer); diagramTimer = setTimeout(drawDiagram, DIAGRAM_PAUSE_MS); };
  $('expand').addEventListener('change', drawDiagram);

  let addressTimer = 0;
  const rememberInAddress = () => {
    clearTimeout(addressTimer);
    addressTimer = setTimeout(async () => history.replaceState(null, '', '#code=' + await encodeText(model.getValue())), URL_PAUSE_MS);
  };
  page.linkFor = async text => location.origin + location.pathname + '#code=' + await encodeText(text);
  // A link pasted into the address bar of an open page changes only the fragment: open its text.
  window.addEventListener('hashchange', async () => {
    const pasted = await textFromAddress();
    if (pasted.problem)
      status(pasted.problem + '; the text is unchanged.', true);
    else if (pasted.text !== null && pasted.text !== model.getValue()) {
      model.setValue(pasted.text);
      showShared();
    }
  });

  let lastCheckMs = 0;
  let checkTimer = 0;
  let checkPending = false;
  model.onDidChangeContent(() => {
    editKeyAt ??= keyDownAt;
    clearTimeout(checkTimer);
    if (lastCheckMs > SLOW_CHECK_MS && model.getValueLength() > LONG_TEXT_CHARS) {
      checkPending = true;
      checkTimer = setTimeout(check, SLOW_TEXT_PAUSE_MS);
    } else
      check();
    diagramSoon();
    rememberInAddress();
  });
  // The check a pause would bring, now (the tests read what the page shows for each text).
  page.checkNow = () => { if (checkPending) { clearTimeout(checkTimer); check(); } };
  Object.defineProperty(page, 'checkPending', { get: () => checkPending });
  editor.onDidChangeCursorPosition(diagramSoon);

  select.addEventListener('change', async () => {
    if (!select.value)
      return;
    model.setValue(await fetchExample(select.value));
    editor.setPosition({ lineNumber: 1, column: 1 });
  });

  $('share').addEventListener('click', async () => {
    clearTimeout(addressTimer);
    const link = location.origin + location.pathname + '#code=' + await encodeText(model.getValue());
    history.replaceState(null, '', link);
    try {
      await navigator.clipboard.writeText(link);
      status('Link copied: it opens this text.');
    } catch {
      status('The link to this text is in the address bar.');
    }
  });

  function download(bytes, name, type) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const anchor = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  async function exportWith(method, name, type, what) {
    const chosen = $('models').value;
    // Drawing a large model's weights takes a while in the interpreter: say so before the page is busy.
    status(`Writing the ${what} of ${chosen}...`);
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve)));
    try {
      const started = performance.now();
      const bytes = api[method](chosen);
      download(bytes, name(chosen), type);
      status(`The ${what} of ${chosen}: ${bytes.length.toLocaleString('en')} bytes, written in ${(performance.now() - started).toFixed(0)} ms.`);
    } catch (e) {
      status(`Cannot export ${chosen}: ${e.message}`, true);
    }
  }
  $('onnx').addEventListener('click', () => exportWith('ExportOnnx', n => n + '.onnx', 'application/octet-stream', 'ONNX file (untrained weights, seed 0)'));
  $('pytorch').addEventListener('click', () => exportWith('ExportPyTorch', n => n + '-pytorch.zip', 'application/zip', 'PyTorch module and training script'));

  for (const tab of document.querySelectorAll('aside nav button'))
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll('aside nav button')) {
        other.classList.toggle('selected', other === tab);
        $(other.dataset.panel).hidden = other !== tab;
      }
      if (tab.dataset.panel === 'diagram')
        drawDiagram();
      if (tab.dataset.panel === 'summary' && summaryStale)
        showSummary();
    });

  check();
  drawDiagram();
  if (link.problem)
    status(link.problem + '; showing an example instead.', true);
}

page.ready = main().catch(e => {
  status('The playground could not start: ' + (e?.message ?? e), true);
  throw e;
});

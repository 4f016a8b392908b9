// Speaks LSP to the real CnnDsl language server with Microsoft's client library (vscode-languageserver-protocol),
// started with the command the VS Code extension uses. Usage: node protocol-test.js <workspace folder>
// The folder holds blocks.cnn and net.cnn as the xunit test writes them; every check is an assertion here, and the
// last line printed is "protocol checks passed: N".
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node');
const { serverCommand } = require('../../../editors/vscode/server-command');

const workspace = path.resolve(process.argv[2]);
const netPath = path.join(workspace, 'net.cnn');
const blocksPath = path.join(workspace, 'blocks.cnn');
const netUri = pathToFileURL(netPath).href;
const blocksUri = pathToFileURL(blocksPath).href;
let checks = 0;
const check = (what, fn) => { fn(); checks++; console.log('ok ' + what); };

// Applies LSP text edits to a text, last first so earlier offsets stay valid.
function applyEdits(text, edits) {
  const lines = text.split('\n');
  const offset = p => lines.slice(0, p.line).reduce((sum, l) => sum + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

async function main() {
  const { command, args } = serverCommand(path.resolve(__dirname, '../../../editors/vscode'));
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const diagnostics = new Map();
  const waiters = [];
  const messages = [];
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, p => {
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  connection.onNotification(rpc.ShowMessageNotification.type, p => messages.push(p.message));
  connection.listen();
  // Resolves when a publish for uri satisfies the predicate (or has already).
  const published = (uri, predicate) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no diagnostics for ' + uri + ' matched; last: ' + JSON.stringify(diagnostics.get(uri)))), 20000);
    const test = () => {
      const list = diagnostics.get(uri);
      if (list && predicate(list)) { clearTimeout(timer); resolve(list); } else waiters.push(test);
    };
    test();
  });

  const init = await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(workspace).href, capabilities: {}, workspaceFolders: null,
    initializationOptions: { rootNamespace: 'Models' },
  });
  check('initialize announces the features', () => {
    const c = init.capabilities;
    for (const feature of ['hoverProvider', 'inlayHintProvider', 'completionProvider', 'definitionProvider', 'referencesProvider',
      'renameProvider', 'documentSymbolProvider', 'foldingRangeProvider', 'codeActionProvider', 'signatureHelpProvider'])
      assert.ok(c[feature], feature + ' missing');
  });
  connection.sendNotification(rpc.InitializedNotification.type, {});

  // Files the editor never opened are loaded from disk: the block file's checks come without a didOpen.
  await published(blocksUri, list => list.length === 0);
  await published(netUri, list => list.length === 0);
  check('unopened files are checked from disk', () => {});

  let text = fs.readFileSync(netPath, 'utf8');
  connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri: netUri, languageId: 'cnn', version: 1, text } });

  // Type a mistake: "kernel" becomes "kernal" by replacing one character.
  const line = text.split('\n').findIndex(l => l.includes('conv2d 32, kernel=5'));
  const column = text.split('\n')[line].indexOf('kernel') + 4;
  connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: netUri, version: 2 },
    contentChanges: [{ range: { start: { line, character: column }, end: { line, character: column + 1 } }, text: 'a' }],
  });
  text = text.split('\n').map((l, i) => i === line ? l.replace('kernel', 'kernal') : l).join('\n');
  const typo = (await published(netUri, list => list.length > 0))[0];
  check('a typed mistake gives the build\'s diagnostic at its span', () => {
    assert.equal(typo.code, 'CNN2002');
    assert.equal(typo.severity, 1);
    assert.equal(typo.message, "Layer 'c1' has no argument 'kernal'; did you mean 'kernel'?");
    assert.deepEqual(typo.range, { start: { line, character: column - 4 }, end: { line, character: column + 2 } });
  });

  const broken = await connection.sendRequest('cnndsl/diagram', { textDocument: { uri: netUri }, position: { line, character: 4 } });
  check('the diagram of a model with errors says why there is none', () => {
    assert.equal(broken.model, 'Net');
    assert.ok(!broken.svg, 'no picture');
    assert.ok(broken.message.startsWith('Net has errors; fix them'), broken.message);
  });

  const actions = await connection.sendRequest(rpc.CodeActionRequest.type, {
    textDocument: { uri: netUri }, range: typo.range, context: { diagnostics: [typo] },
  });
  const fix = actions.find(a => a.title === "Change to 'kernel'");
  check('the code action fixes the misspelt name', () => {
    assert.ok(fix, 'actions: ' + JSON.stringify(actions.map(a => a.title)));
    const edited = applyEdits(text, fix.edit.changes[netUri]);
    assert.equal(edited.split('\n')[line], '  c1: conv2d 32, kernel=5, padding=same, activation=relu');
    text = edited;
  });
  connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri: netUri, version: 3 }, contentChanges: [{ text }] });
  await published(netUri, list => list.length === 0);
  check('applying the fix clears the diagnostic', () => {});

  const hints = await connection.sendRequest(rpc.InlayHintRequest.type, {
    textDocument: { uri: netUri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
  });
  check('inlay hints show each layer\'s output shape and parameters', () => {
    const labels = hints.map(h => h.position.line + ':' + h.label);
    assert.ok(labels.includes(line + ':-> 32x28x28 · 832'), JSON.stringify(labels));
    assert.ok(labels.some(l => l.endsWith(':-> 32x14x14')), JSON.stringify(labels));
    assert.ok(labels.some(l => l.endsWith(':-> 10 · 62,730')), JSON.stringify(labels));
    const hint = hints.find(h => h.position.line === line);
    assert.equal(hint.position.character, text.split('\n')[line].length);
  });

  const diagram = await connection.sendRequest('cnndsl/diagram', { textDocument: { uri: netUri }, position: { line, character: 4 } });
  const expanded = await connection.sendRequest('cnndsl/diagram', { textDocument: { uri: netUri }, model: 'Net', expand: true });
  const blocksOnly = await connection.sendRequest('cnndsl/diagram', { textDocument: { uri: blocksUri } });
  check('cnndsl/diagram answers the model\'s diagram as the compiler draws it, collapsed or expanded', () => {
    assert.equal(diagram.model, 'Net');
    assert.deepEqual(diagram.models, ['Net']);
    assert.ok(diagram.svg.startsWith('<svg'), diagram.svg.slice(0, 80));
    const texts = [...diagram.svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1]);
    for (const expected of ['c1', 'res', '32 × 28 × 28', '832 params']) assert.ok(texts.includes(expected), expected + ' not in ' + JSON.stringify(texts));
    const boxes = svg => (svg.match(/<rect [^>]*rx=/g) || []).length;
    assert.ok(boxes(expanded.svg) > boxes(diagram.svg), boxes(expanded.svg) + ' boxes expanded, ' + boxes(diagram.svg) + ' collapsed');
    assert.ok(!blocksOnly.svg, 'no picture');
    assert.ok(blocksOnly.message.includes('defines no model'), blocksOnly.message);
  });

  const hover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri: netUri }, position: { line, character: 7 } });
  check('hover shows kind, resolved arguments with defaults, shapes and parameters', () => {
    const value = hover.contents.value;
    for (const part of ['**conv2d**', '`c1`', '`kernel = 5`', '`stride = 1` (default)', 'Input `1x28x28`', 'output `32x28x28`', 'Parameters: 832'])
      assert.ok(value.includes(part), part + ' not in ' + value);
  });

  const completion = await connection.sendRequest(rpc.CompletionRequest.type, { textDocument: { uri: netUri }, position: { line, character: 16 } });
  check('completion offers argument names', () => {
    const labels = completion.items.map(i => i.label);
    for (const name of ['kernel', 'stride', 'padding', 'activation', 'from']) assert.ok(labels.includes(name), name + ' in ' + labels);
  });

  const useLine = text.split('\n').findIndex(l => l.includes('Residual'));
  const useColumn = text.split('\n')[useLine].indexOf('Residual') + 2;
  const definition = await connection.sendRequest(rpc.DefinitionRequest.type, { textDocument: { uri: netUri }, position: { line: useLine, character: useColumn } });
  check('go to definition jumps to the block in the other file', () => {
    const target = Array.isArray(definition) ? definition[0] : definition;
    assert.equal(target.uri, blocksUri);
    assert.deepEqual(target.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 14 } });
  });

  const edit = await connection.sendRequest(rpc.RenameRequest.type, { textDocument: { uri: netUri }, position: { line: useLine, character: useColumn }, newName: 'ResidualUnit' });
  check('rename edits the block and its uses across files', () => {
    const blocksText = applyEdits(fs.readFileSync(blocksPath, 'utf8'), edit.changes[blocksUri]);
    assert.ok(blocksText.includes('block ResidualUnit(channels)'), blocksText);
    const netText = applyEdits(text, edit.changes[netUri]);
    assert.ok(netText.includes('res: ResidualUnit 32'), netText);
    assert.ok(!netText.includes('Residual '), netText);
    assert.ok(messages.some(m => m.includes('Base = "...')), JSON.stringify(messages));
  });

  // A file written by another tool (not opened in the editor) is picked up from disk.
  const extraPath = path.join(workspace, 'extra.cnn');
  const extraUri = pathToFileURL(extraPath).href;
  fs.writeFileSync(extraPath, 'model Extra\n  input 1x28x28\n  conv2d 8, kernel=3\n  dens 10\n');
  const extra = await published(extraUri, list => list.length > 0);
  check('a file created on disk is watched and checked', () => {
    assert.equal(extra[0].code, 'CNN2001');
    assert.equal(extra[0].message, "Unknown layer 'dens'; did you mean 'dense'?");
    assert.deepEqual(extra[0].range, { start: { line: 3, character: 2 }, end: { line: 3, character: 6 } });
  });

  await connection.sendRequest(rpc.ShutdownRequest.type);
  connection.sendNotification(rpc.ExitNotification.type);
  await new Promise(resolve => server.on('exit', resolve));
  console.log('protocol checks passed: ' + checks);
  connection.dispose();
}

main().catch(error => { console.error(error.stack || String(error)); process.exit(1); });

// Keystroke latency of the real server through Microsoft's LSP client: from sending didChange to receiving that
// version's published diagnostics, and to the answer of an inlay-hint request sent right after the change (as an
// editor sends it). Usage: node latency-bench.js <repo root> <scratch folder> [keystrokes per scenario]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { performance } = require('node:perf_hooks');
const rpc = require('vscode-languageserver-protocol/node');
const { serverCommand } = require('../../../editors/vscode/server-command');

const repo = path.resolve(process.argv[2]);
const scratch = path.resolve(process.argv[3]);
const keystrokes = Number(process.argv[4] || 200);

// The zoo's ResNet file as a project file: its blocks renamed (zoo names are taken) and a ResNet-50 model using them.
function resnetProject(folder) {
  let text = fs.readFileSync(path.join(repo, 'src/Dsl/Zoo/resnet.cnn'), 'utf8');
  const names = [...text.matchAll(/^block (\w+)/gm)].map(m => m[1]);
  for (const name of names) text = text.replace(new RegExp('\\b' + name + '\\b', 'g'), 'my_' + name);
  text += '\nmodel ResNet50 = my_resnet50 classes=1000\n  input 3x224x224\n';
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'resnet.cnn'), text);
  return { file: path.join(folder, 'resnet.cnn'), text, marker: 'classes=1000' };
}

// 100 models in 100 files, each using a block of a shared file, as a large project has them.
function hundredModels(folder) {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'blocks.cnn'), 'block ConvBn(c, k=3)\n  conv2d c, k, padding=same, bias=false\n  batchnorm2d\n  relu\n');
  let first;
  for (let i = 0; i < 100; i++) {
    const text = `model Net${i}\n  input 3x64x64\n  ConvBn ${16 + i}\n  maxpool2d 2\n  ConvBn ${32 + i}\n  maxpool2d 2\n  conv2d 64, kernel=3, padding=same, activation=relu\n  global_avgpool2d\n  dense 10\n`;
    const file = path.join(folder, `net${String(i).padStart(3, '0')}.cnn`);
    fs.writeFileSync(file, text);
    if (i === 50) first = { file, text, marker: 'dense 10' };
  }
  return first;
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p90 = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.9)]; };

async function scenario(name, folder, target) {
  const { command, args } = serverCommand(path.resolve(__dirname, '../../../editors/vscode'));
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const uri = pathToFileURL(target.file).href;
  const pending = new Map();
  let loaded = 0;
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, p => {
    if (p.uri === uri && pending.has(p.version)) { pending.get(p.version)(p.diagnostics); pending.delete(p.version); }
    loaded++;
  });
  connection.listen();
  await connection.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(folder).href, capabilities: {}, workspaceFolders: null });
  const started = performance.now();
  connection.sendNotification(rpc.InitializedNotification.type, {});
  await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
  const loadMs = performance.now() - started;
  connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version: 1, text: target.text } });

  const lines = target.text.split('\n');
  const line = lines.findIndex(l => l.includes(target.marker));
  const character = lines[line].indexOf(target.marker) + target.marker.length;
  const toDiagnostics = [], toHints = [];
  let errors = 0;
  for (let i = 0; i < keystrokes + 20; i++) {
    const version = i + 2;
    // Type a digit, then delete it: every other keystroke leaves the model changed.
    const typing = i % 2 === 0;
    const change = typing
      ? { range: { start: { line, character }, end: { line, character } }, text: '1' }
      : { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' };
    const diagnostics = new Promise(resolve => pending.set(version, resolve));
    const sent = performance.now();
    connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
    const hints = connection.sendRequest(rpc.InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } })
      .then(h => { if (i >= 20) toHints.push(performance.now() - sent); return h; });
    const published = await diagnostics;
    if (i >= 20) toDiagnostics.push(performance.now() - sent);
    const answered = await hints;
    if (published.length > 0) errors++;
    if (i === 0 && answered.length === 0) throw new Error('no inlay hints in ' + name);
  }
  await connection.sendRequest(rpc.ShutdownRequest.type);
  connection.sendNotification(rpc.ExitNotification.type);
  connection.dispose();
  const round = x => Math.round(x * 100) / 100;
  return {
    scenario: name, keystrokes, loadMs: round(loadMs),
    diagnosticsMedianMs: round(median(toDiagnostics)), diagnosticsP90Ms: round(p90(toDiagnostics)),
    inlayHintsMedianMs: round(median(toHints)), inlayHintsP90Ms: round(p90(toHints)), versionsWithDiagnostics: errors,
  };
}

// A block edit that breaks (then mends) every model that uses it: the time until all 100 files have their new
// diagnostics, which the server publishes as it checks them between messages.
async function wholeProject(folder, repetitions) {
  hundredModels(folder);
  const blocksFile = path.join(folder, 'blocks.cnn');
  const text = fs.readFileSync(blocksFile, 'utf8');
  const uri = pathToFileURL(blocksFile).href;
  const { command, args } = serverCommand(path.resolve(__dirname, '../../../editors/vscode'));
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  let onPublish = () => {};
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, p => onPublish(p));
  connection.listen();
  await connection.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(folder).href, capabilities: {}, workspaceFolders: null });
  connection.sendNotification(rpc.InitializedNotification.type, {});
  await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
  connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version: 1, text } });
  const line = 0, character = text.split('\n')[0].indexOf('k=3') + 2;
  const times = [];
  for (let i = 0; i < repetitions; i++) {
    const broken = i % 2 === 0;
    const done = new Promise(resolve => {
      const seen = new Set();
      onPublish = p => {
        if (p.uri !== uri && (p.diagnostics.length > 0) === broken) seen.add(p.uri);
        if (seen.size === 100) resolve();
      };
    });
    const sent = performance.now();
    connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: i + 2 }, contentChanges: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: broken ? '0' : '3' }],
    });
    await done;
    times.push(performance.now() - sent);
  }
  await connection.sendRequest(rpc.ShutdownRequest.type);
  connection.sendNotification(rpc.ExitNotification.type);
  connection.dispose();
  return { scenario: '100-model project (a block edit that changes all 100 files\' diagnostics)', repetitions,
    allFilesMedianMs: Math.round(median(times) * 100) / 100, allFilesP90Ms: Math.round(p90(times) * 100) / 100 };
}

async function main() {
  fs.rmSync(scratch, { recursive: true, force: true });
  const results = [];
  results.push(await scenario('ResNet-50 file (edit the model line)', path.join(scratch, 'resnet'), resnetProject(path.join(scratch, 'resnet'))));
  const resnetBlock = resnetProject(path.join(scratch, 'resnet-block'));
  // A comment above the blocks: every block moves, so the whole project is bound again.
  results.push(await scenario('ResNet-50 file (edit above its blocks)', path.join(scratch, 'resnet-block'), { ...resnetBlock, marker: "# torchvision's" }));
  results.push(await scenario('100-model project (edit one model)', path.join(scratch, 'hundred'), hundredModels(path.join(scratch, 'hundred'))));
  const shared = hundredModels(path.join(scratch, 'hundred-block'));
  results.push(await scenario('100-model project (edit the shared block)', path.join(scratch, 'hundred-block'),
    { file: path.join(scratch, 'hundred-block', 'blocks.cnn'), text: fs.readFileSync(path.join(scratch, 'hundred-block', 'blocks.cnn'), 'utf8'), marker: 'block ConvBn(c, k=3' }));
  results.push(await wholeProject(path.join(scratch, 'hundred-whole'), 20));
  for (const r of results) console.log(JSON.stringify(r));
}

main().catch(error => { console.error(error.stack || String(error)); process.exit(1); });

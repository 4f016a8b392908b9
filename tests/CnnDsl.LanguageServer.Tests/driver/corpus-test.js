// Opens each case of a diagnostic corpus in the real server, one at a time as model.cnn, and compares the published
// diagnostics with the build's (written by the xunit test from the generator's output).
// Usage: node corpus-test.js <cases.json> <workspace folder>; prints "corpus cases matched: N of M".
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node');
const { serverCommand } = require('../../../editors/vscode/server-command');

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const workspace = path.resolve(process.argv[3]);
const uri = pathToFileURL(path.join(workspace, 'model.cnn')).href;

async function main() {
  const { command, args } = serverCommand(path.resolve(__dirname, '../../../editors/vscode'));
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const waiting = new Map();
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, p => {
    if (p.uri === uri && waiting.has(p.version)) { waiting.get(p.version)(p.diagnostics); waiting.delete(p.version); }
  });
  connection.listen();
  await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(workspace).href, capabilities: {}, workspaceFolders: null,
    initializationOptions: { rootNamespace: 'Models' },
  });
  connection.sendNotification(rpc.InitializedNotification.type, {});

  let matched = 0;
  let version = 1;
  for (const item of cases) {
    const published = new Promise(resolve => waiting.set(version, resolve));
    connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version, text: item.text } });
    const actual = (await published).map(d => ({ code: d.code, message: d.message, range: d.range }));
    version++;
    const order = (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character
      || a.code.localeCompare(b.code) || a.message.localeCompare(b.message);
    assert.deepEqual(actual.sort(order), [...item.expected].sort(order), 'case ' + item.name + ':\n' + item.text);
    connection.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    matched++;
  }
  await connection.sendRequest(rpc.ShutdownRequest.type);
  connection.sendNotification(rpc.ExitNotification.type);
  console.log('corpus cases matched: ' + matched + ' of ' + cases.length);
  connection.dispose();
}

main().catch(error => { console.error(error.stack || String(error)); process.exit(1); });

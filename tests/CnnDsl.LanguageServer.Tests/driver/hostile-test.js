// Sends the hostile inputs of the compiler's hostile-input tests to the real server and checks that it answers a
// request after each: deep nesting, huge files, huge labels, chains of blocks. Usage: node hostile-test.js <folder>
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node');
const { serverCommand } = require('../../../editors/vscode/server-command');

const workspace = path.resolve(process.argv[2]);
const repeat = (s, n) => s.repeat(n);
const head = 'model M\n  input 1x8x8\n';
const hostile = {
  'parentheses 50,000 deep': head + '  conv2d 4, kernel=' + repeat('(', 50000) + '3' + repeat(')', 50000) + '\n',
  'a label of 30,000 parts': head + '  ' + Array.from({ length: 30000 }, (_, i) => 'p' + i).join('.') + ': relu\n',
  'groups 40 deep': head + Array.from({ length: 40 }, (_, i) => '  group g' + i + '\n').join('') + '  relu\n',
  'ifs 40 deep': 'block B(c)\n' + repeat('  if c > 1\n', 40) + '  relu\n' + repeat('  end\n', 40) + 'model M\n  input 1x8x8\n  B 2\n',
  'blocks each using the next twice': Array.from({ length: 22 }, (_, i) => 'block B' + i + '(c)\n  ' + (i === 21 ? 'relu\n' : 'B' + (i + 1) + ' c\n  B' + (i + 1) + ' c\n')).join('') + head + '  B0 1\n',
  'a 4 MB file of 570,000 layers': head + repeat('  relu\n', 570_000),
  'a 5 MB line': head + '  dense ' + repeat('1', 5_000_000) + '\n',
  'sizes past 2^63': 'model M\n  input 2x3037000500x3037000500\n  flatten\n  dense 10\n',
  'binary noise': Buffer.from(Array.from({ length: 200000 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
};

async function main() {
  const { command, args } = serverCommand(path.resolve(__dirname, '../../../editors/vscode'));
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let exited = false;
  server.on('exit', () => { exited = true; });
  server.stderr.on('data', () => {});
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, () => {});
  connection.listen();
  await connection.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(workspace).href, capabilities: {}, workspaceFolders: null });
  connection.sendNotification(rpc.InitializedNotification.type, {});

  let survived = 0;
  let version = 1;
  for (const [name, text] of Object.entries(hostile)) {
    const uri = pathToFileURL(path.join(workspace, 'hostile' + survived + '.cnn')).href;
    const started = Date.now();
    connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version: version++, text } });
    // Every feature on the hostile text, then an edit: each must answer (null or a list), none may end the server.
    await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 4 } });
    await connection.sendRequest(rpc.InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 50, character: 0 } } });
    await connection.sendRequest(rpc.CompletionRequest.type, { textDocument: { uri }, position: { line: 2, character: 10 } });
    await connection.sendRequest(rpc.DocumentSymbolRequest.type, { textDocument: { uri } });
    await connection.sendRequest(rpc.FoldingRangeRequest.type, { textDocument: { uri } });
    await connection.sendRequest(rpc.DefinitionRequest.type, { textDocument: { uri }, position: { line: 2, character: 4 } });
    connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: version++ }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }],
    });
    const symbols = await connection.sendRequest(rpc.DocumentSymbolRequest.type, { textDocument: { uri } });
    connection.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    assert.ok(!exited, 'the server died on ' + name);
    assert.ok(symbols === null || Array.isArray(symbols), name);
    survived++;
    console.log('ok ' + name + ' (' + (Date.now() - started) + ' ms)');
  }
  await connection.sendRequest(rpc.ShutdownRequest.type);
  connection.sendNotification(rpc.ExitNotification.type);
  console.log('hostile inputs survived: ' + survived + ' of ' + Object.keys(hostile).length);
  connection.dispose();
  if (survived !== Object.keys(hostile).length) process.exit(1);
}

main().catch(error => { console.error(error.stack || String(error)); process.exit(1); });

// A thin client: it starts the CnnDsl language server for .cnn files; every feature is the server's.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverCommand } = require('./server-command');

let client;

function activate(context) {
  const configured = vscode.workspace.getConfiguration('cnndsl').get('server.path');
  const { command, args } = serverCommand(context.extensionPath, configured);
  client = new LanguageClient('cnndsl', 'CnnDsl', { command, args }, {
    documentSelector: [{ scheme: 'file', language: 'cnn' }],
  });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

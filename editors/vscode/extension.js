// A thin client: it starts the CnnDsl language server for .cnn files; every feature is the server's. The one view of
// its own is the model diagram beside the editor (command "CnnDsl: Show Model Diagram"), drawn by the server.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverCommand } = require('./server-command');
const { DiagramFollower, panelHtml } = require('./diagram-panel');

let client;

function activate(context) {
  const configured = vscode.workspace.getConfiguration('cnndsl').get('server.path');
  const { command, args } = serverCommand(context.extensionPath, configured);
  client = new LanguageClient('cnndsl', 'CnnDsl', { command, args }, {
    documentSelector: [{ scheme: 'file', language: 'cnn' }],
  });
  context.subscriptions.push(vscode.commands.registerCommand('cnndsl.showDiagram', () => showDiagram(context)));
  return client.start();
}

let panel;

function showDiagram(context) {
  if (panel) {
    panel.reveal(vscode.ViewColumn.Beside, true);
    return;
  }
  panel = vscode.window.createWebviewPanel('cnndsl.diagram', 'Model diagram', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
  const follower = new DiagramFollower(
    (uri, position) => client.sendRequest('cnndsl/diagram', { textDocument: { uri }, position }),
    html => { if (panel) panel.webview.html = html; });
  const follow = (editor, force) => {
    if (editor && editor.document.languageId === 'cnn') {
      const position = editor.selection.active;
      follower.changed(editor.document.uri.toString(), { line: position.line, character: position.character }, editor.document.version, force);
    }
  };
  panel.webview.html = panelHtml(null);
  follow(vscode.window.activeTextEditor, true);
  const subscriptions = [
    vscode.workspace.onDidChangeTextDocument(e => {
      const editor = vscode.window.activeTextEditor;
      if (editor && e.document === editor.document)
        follow(editor, false);
    }),
    vscode.window.onDidChangeTextEditorSelection(e => follow(e.textEditor, false)),
    vscode.window.onDidChangeActiveTextEditor(editor => follow(editor, true)),
  ];
  panel.onDidDispose(() => {
    follower.dispose();
    subscriptions.forEach(s => s.dispose());
    panel = undefined;
  }, null, context.subscriptions);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

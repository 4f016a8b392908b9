// How the extension starts the language server. The protocol tests launch the server through this same function,
// so the command the editor runs is the one that is tested.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * @param {string} extensionRoot the folder of this extension (editors/vscode in the repository)
 * @param {string} [configuredPath] the cnndsl.server.path setting: an executable, or a .dll to run with dotnet
 * @returns {{ command: string, args: string[] }}
 */
function serverCommand(extensionRoot, configuredPath) {
  if (configuredPath) {
    return configuredPath.endsWith('.dll')
      ? { command: 'dotnet', args: [configuredPath, '--stdio'] }
      : { command: configuredPath, args: ['--stdio'] };
  }
  // Inside the repository: the server built by `dotnet build src/LanguageServer`, the newest configuration first.
  const bin = path.resolve(extensionRoot, '..', '..', 'src', 'LanguageServer', 'bin');
  const candidates = ['Release', 'Debug']
    .map(configuration => path.join(bin, configuration, 'net10.0', 'CnnDsl.LanguageServer.dll'))
    .filter(file => fs.existsSync(file))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error('CnnDsl language server not found: build it with `dotnet build src/LanguageServer` or set cnndsl.server.path');
  }
  return { command: 'dotnet', args: [candidates[0], '--stdio'] };
}

module.exports = { serverCommand };

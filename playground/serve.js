#!/usr/bin/env node
// Serves the published playground (a static site) on 127.0.0.1: `node playground/serve.js [folder] [--port N]`.
// The folder defaults to the output of `dotnet publish playground -c Release`; port 0 takes a free one. Prints the
// address as its first line, which the browser tests read.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : 5080;
const root = path.resolve(args[0] ?? path.join(__dirname, 'bin', 'Release', 'net10.0', 'publish', 'wwwroot'));
if (!fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`No playground in ${root}: publish it first with dotnet publish ${__dirname} -c Release, or name the folder that holds index.html.`);
  process.exit(2);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ttf': 'font/ttf', '.dat': 'application/octet-stream', '.cnn': 'text/plain; charset=utf-8', '.map': 'application/json',
};

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://localhost');
  const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('Not found: ' + url.pathname);
    return;
  }
  const headers = { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
  // The publish step writes Brotli copies beside each file; a browser that accepts them gets those.
  let body = file;
  if (/\bbr\b/.test(request.headers['accept-encoding'] ?? '') && fs.existsSync(file + '.br')) {
    body = file + '.br';
    headers['Content-Encoding'] = 'br';
    headers['Vary'] = 'Accept-Encoding';
  }
  headers['Content-Length'] = fs.statSync(body).size;
  response.writeHead(200, headers);
  fs.createReadStream(body).pipe(response);
});
server.listen(port, '127.0.0.1', () => console.log(`Serving ${root} at http://127.0.0.1:${server.address().port}/`));

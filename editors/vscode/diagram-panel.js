// The model diagram beside the editor: the page shown in the panel, and what keeps it following the edited model.
// No 'vscode' here, so that Node can test it (test/diagram-panel.test.js); extension.js connects it to VS Code.
'use strict';

function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// The panel's page for an answer of the server's cnndsl/diagram request: the SVG the compiler drew, or why there is
// none. No scripts run in it (the content security policy forbids them); styles are inline.
function panelHtml(answer) {
  const title = answer && answer.model ? answer.model : 'Model diagram';
  let body;
  if (!answer)
    body = '<p class="message">Open a .cnn file to see its model\'s diagram.</p>';
  else if (answer.svg)
    body = '<div class="diagram">' + answer.svg + '</div>';
  else
    body = '<p class="message">' + escapeHtml(answer.message || 'No diagram.') + '</p>';
  const others = answer && answer.models && answer.models.length > 1
    ? '<p class="models">Models in this file: ' + answer.models.map(escapeHtml).join(', ') + ' (put the cursor in one to draw it)</p>'
    : '';
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    + '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:;">'
    + '<title>' + escapeHtml(title) + '</title>'
    + '<style>body{margin:0;padding:12px;background:#fff;color:#1f2328;font-family:sans-serif}'
    + '.diagram svg{max-width:100%;height:auto}.message{color:#57606a}.models{font-size:12px;color:#57606a}</style>'
    + '</head><body>' + others + body + '</body></html>';
}

// Asks for the diagram after each change, once typing pauses (delayMs), and shows only the newest answer: an answer
// to an older request that arrives late is dropped. request(uri, position) returns a promise of the server's answer;
// show(html) puts a page in the panel. Timers are injectable for tests.
class DiagramFollower {
  constructor(request, show, delayMs = 300, timers = { set: setTimeout, clear: clearTimeout }) {
    this.request = request;
    this.show = show;
    this.delayMs = delayMs;
    this.timers = timers;
    this.pending = null;
    this.sequence = 0;
    this.lastKey = null;
  }

  // The edited document or the cursor changed; force asks even when nothing seems to have changed (the panel opened).
  changed(uri, position, version, force = false) {
    const key = uri + '@' + version + ':' + (position ? position.line : '');
    if (!force && key === this.lastKey)
      return;
    this.lastKey = key;
    if (this.pending)
      this.timers.clear(this.pending);
    this.pending = this.timers.set(() => this.ask(uri, position), force ? 0 : this.delayMs);
  }

  async ask(uri, position) {
    this.pending = null;
    const mine = ++this.sequence;
    let answer;
    try {
      answer = await this.request(uri, position);
    } catch (error) {
      answer = { message: 'The language server could not draw the diagram: ' + (error && error.message ? error.message : error) };
    }
    if (mine === this.sequence)
      this.show(panelHtml(answer));
  }

  dispose() {
    if (this.pending)
      this.timers.clear(this.pending);
    this.sequence++;
  }
}

module.exports = { panelHtml, DiagramFollower, escapeHtml };

// The diagram panel's logic under Node: the page it shows for each kind of answer, and how it follows typing.
'use strict';
const assert = require('node:assert/strict');
const { panelHtml, DiagramFollower } = require('../diagram-panel');

let passed = 0;
async function check(name, body) {
  await body();
  passed++;
  console.log('ok ' + name);
}

// Timers the test advances by hand.
function manualTimers() {
  let now = 0, next = 1;
  const due = new Map();
  return {
    set(fn, ms) { const id = next++; due.set(id, { at: now + ms, fn }); return id; },
    clear(id) { due.delete(id); },
    async advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at))
        if (t.at <= now) { due.delete(id); t.fn(); await new Promise(r => setImmediate(r)); }
    },
  };
}

(async () => {
  await check('the page shows the svg, and scripts cannot run in it', () => {
    const html = panelHtml({ model: 'Net', svg: '<svg width="10" height="10"><text>c1</text></svg>', models: ['Net'] });
    assert.ok(html.includes('<div class="diagram"><svg width="10" height="10"><text>c1</text></svg></div>'));
    assert.ok(html.includes("default-src 'none'"));
    assert.ok(!/<script/i.test(html));
    assert.ok(html.includes('<title>Net</title>'));
  });

  await check('without a picture the page says why, escaped', () => {
    const html = panelHtml({ model: 'Net', message: 'Net has errors; fix <them>', models: ['Net', 'Other'] });
    assert.ok(html.includes('Net has errors; fix &lt;them&gt;'));
    assert.ok(html.includes('Models in this file: Net, Other'));
    assert.ok(!html.includes('class="diagram"'));
    assert.ok(panelHtml(null).includes('Open a .cnn file'));
  });

  await check('typing asks once after the pause, for the newest text', async () => {
    const timers = manualTimers();
    const asked = [];
    const shown = [];
    const follower = new DiagramFollower(async (uri, position) => { asked.push(uri + ':' + position.line); return { model: 'Net', svg: '<svg>' + asked.length + '</svg>' }; },
      html => shown.push(html), 300, timers);
    for (let version = 1; version <= 5; version++) {
      follower.changed('file:///net.cnn', { line: 3, character: version }, version);
      await timers.advance(100);
    }
    assert.deepEqual(asked, []);
    await timers.advance(300);
    assert.deepEqual(asked, ['file:///net.cnn:3']);
    assert.equal(shown.length, 1);
    assert.ok(shown[0].includes('<svg>1</svg>'));
    // The same version and line again asks nothing; a forced change (the panel opened) asks at once.
    follower.changed('file:///net.cnn', { line: 3, character: 9 }, 5);
    await timers.advance(1000);
    assert.equal(asked.length, 1);
    follower.changed('file:///net.cnn', { line: 3, character: 9 }, 5, true);
    await timers.advance(0);
    assert.equal(asked.length, 2);
  });

  await check('a late answer to an older request is dropped', async () => {
    const timers = manualTimers();
    const resolvers = [];
    const shown = [];
    const follower = new DiagramFollower(() => new Promise(resolve => resolvers.push(resolve)), html => shown.push(html), 300, timers);
    follower.changed('file:///net.cnn', { line: 1 }, 1);
    await timers.advance(300);
    follower.changed('file:///net.cnn', { line: 1 }, 2);
    await timers.advance(300);
    resolvers[1]({ model: 'Net', svg: '<svg>new</svg>' });
    await new Promise(r => setImmediate(r));
    resolvers[0]({ model: 'Net', svg: '<svg>old</svg>' });
    await new Promise(r => setImmediate(r));
    assert.equal(shown.length, 1);
    assert.ok(shown[0].includes('<svg>new</svg>'));
  });

  await check('a failed request shows the reason in the panel', async () => {
    const timers = manualTimers();
    const shown = [];
    const follower = new DiagramFollower(async () => { throw new Error('server stopped'); }, html => shown.push(html), 300, timers);
    follower.changed('file:///net.cnn', { line: 1 }, 1, true);
    await timers.advance(0);
    await new Promise(r => setImmediate(r));
    assert.ok(shown[0].includes('could not draw the diagram: server stopped'));
  });

  console.log('diagram panel checks passed: ' + passed);
})().catch(error => { console.error(error); process.exit(1); });

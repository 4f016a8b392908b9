// The one way the tests start a browser: Debian's Chromium (or CHROMIUM_PATH), headless, driven by puppeteer-core.
'use strict';
const fs = require('fs');
const puppeteer = require('puppeteer-core');

function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  const found = candidates.find(p => fs.existsSync(p));
  if (!found)
    throw new Error('No Chromium found (tried ' + candidates.join(', ') + '); apt-get install chromium, or set CHROMIUM_PATH.');
  return found;
}

async function launch() {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // As root in a container Chromium's sandbox cannot start; the pages under test are the repository's own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// Runs a scenario with a fresh page; prints its result as one JSON line; exits non-zero with the error otherwise.
async function run(scenario) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', e => consoleErrors.push(String(e)));
    const result = await scenario(page);
    process.stdout.write(JSON.stringify({ ...result, consoleErrors }) + '\n');
  } finally {
    await browser.close();
  }
}

module.exports = { launch, run, chromiumPath };

if (require.main === module && process.argv[2] === '--version') {
  launch().then(async b => { console.log(await b.version()); await b.close(); }).catch(e => { console.error(e.message); process.exit(1); });
}

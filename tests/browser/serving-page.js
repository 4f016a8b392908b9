// The model service's page in a real browser: node serving-page.js URL IMAGE [SCREENSHOT.png]
// Opens the page, waits for the model's description, chooses the image in the file input as a user would, and reports
// what the page then shows: the classes and their percentages, or the error.
'use strict';
const { run } = require('./browser');

const [url, image, screenshot] = process.argv.slice(2);
if (!url || !image) {
  console.error('usage: node serving-page.js URL IMAGE [SCREENSHOT.png]');
  process.exit(2);
}

run(async page => {
  await page.setViewport({ width: 800, height: 700 });
  await page.goto(url, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => !document.getElementById('about').textContent.startsWith('Loading'), { timeout: 10000 });
  const about = await page.$eval('#about', e => e.textContent);
  const input = await page.$('#image');
  await input.uploadFile(image);
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('result').dataset.state), { timeout: 20000 });
  const shown = await page.evaluate(() => ({
    state: document.getElementById('result').dataset.state,
    classes: [...document.querySelectorAll('#result tr.class')].map(r => ({ name: r.cells[0].textContent, percent: r.cells[1].textContent })),
    error: document.getElementById('error').textContent,
    previewWidth: document.getElementById('preview').naturalWidth,
  }));
  if (screenshot)
    await page.screenshot({ path: screenshot });
  return { about, ...shown };
}).catch(e => { console.error(e.stack || String(e)); process.exit(1); });

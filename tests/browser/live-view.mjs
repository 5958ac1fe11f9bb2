// Opens the worker's live page in headless chromium, waits for a camera tile with a preview and for
// the counters to change, takes a screenshot, and prints what it saw as one JSON line.
// With "report" as the fourth argument it also waits for the report view to show an hour, and reads it.
// usage: node live-view.mjs <page url> <screenshot.png> <timeout seconds> [report]
import { chromium } from 'playwright-core';

const [url, screenshot, timeoutArg, withReport] = process.argv.slice(2);
const timeout = Number(timeoutArg ?? 60) * 1000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-gpu'],
});
const result = { url };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url, { timeout });
  await page.waitForSelector('.tile[data-camera] img', { timeout });
  result.cameras = await page.$$eval('.tile[data-camera]', tiles => tiles.map(t => t.dataset.camera));
  const counters = () => page.evaluate(() => ({
    peopleNow: document.getElementById('people-now').textContent,
    lastHour: document.getElementById('last-hour').textContent,
  }));
  result.initial = await counters();
  // The counters change as people come and leave; keep the history to show it.
  result.seen = [result.initial];
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const now = await counters();
    const last = result.seen[result.seen.length - 1];
    if (now.peopleNow !== last.peopleNow || now.lastHour !== last.lastHour) result.seen.push(now);
    if (result.seen.length >= 3 && Number(now.lastHour) > 0) break;
    await page.waitForTimeout(250);
  }
  // A preview that has loaded (a decoded JPEG, not a broken image).
  await page.waitForFunction(() => [...document.querySelectorAll('.tile img')].some(i => i.complete && i.naturalWidth > 0), null, { timeout });
  result.previewWidth = await page.$eval('.tile img', i => i.naturalWidth);
  result.stateText = await page.$eval('.tile .state', s => s.textContent);
  if (withReport === 'report') {
    // An hour in which someone left (windows are stored as they end, the first ones may hold nobody yet).
    await page.waitForFunction(() => [...document.querySelectorAll('#report tbody tr')].some(r => Number(r.children[1].textContent) > 0), null,
      { timeout });
    result.report = await page.$$eval('#report tbody tr', rows => rows.map(r => [...r.children].map(c => c.textContent)));
    result.reportBars = await page.$$eval('#report-plot rect.people', bars => bars.length);
    result.reportMaleShares = await page.$$eval('#report-plot circle.male-share', dots => dots.length);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  result.screenshot = screenshot;
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);

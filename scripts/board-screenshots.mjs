// board-screenshots.mjs BASE_URL OUT_DIR [CHROMIUM]: pictures of the public
// board of a running `tokenfab serve --arena`, taken in headless Chromium
// (playwright-core from tests/tools: `make deps`): one real battle in the
// arena (its answers, anonymous; then the vote revealing the models) and the
// leaderboard. Writes OUT_DIR/arena.png, arena-revealed.png and leaderboard.png.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { chromium } = createRequire(new URL('../tests/tools/package.json', import.meta.url))('playwright-core');
const [baseUrl, outDir, executable = '/usr/bin/chromium'] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${baseUrl}/arena`);
  await page.fill('#prompt', 'What is the capital of Korea? Answer in one sentence.');
  await page.click('#send');
  await page.waitForFunction(() => !document.getElementById('vote').disabled, null, { timeout: 120000 });
  await page.screenshot({ path: join(outDir, 'arena.png'), fullPage: true });
  await page.click('button[data-winner="model_a"]');
  await page.waitForFunction(() => document.getElementById('reveal').textContent.includes(' was '));
  await page.screenshot({ path: join(outDir, 'arena-revealed.png'), fullPage: true });
  await page.goto(`${baseUrl}/leaderboard`);
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0, null, { timeout: 15000 });
  await page.screenshot({ path: join(outDir, 'leaderboard.png'), fullPage: true });
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
}

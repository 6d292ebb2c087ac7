// The arena and leaderboard pages in headless Chromium (Debian's, driven by
// playwright-core), against a live `tokenfab serve --arena` of two models:
//   node arena_browser.mjs BASE_URL SCREENSHOT_DIR MODEL_A,MODEL_B [CHROMIUM]
// 1. a full vote cycle with the mouse: both answers stream (each panel's text
//    grows in several steps), the vote reveals two different served models;
// 2. the leaderboard, open in another tab, counts the new vote by itself;
// 3. keyboard only: Tab to the prompt, type, Ctrl+Enter, the vote buttons
//    take focus when the answers are in, Tab + Enter votes, Enter on "New
//    battle" returns to an empty prompt;
// 4. an empty prompt is refused on the page.
// Screenshots of each stage go to SCREENSHOT_DIR. Prints
// {"passed": [...], "failed": [...]} and exits 1 when anything failed.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// playwright-core lives in tests/tools/node_modules.
const { chromium } = createRequire(new URL('../tools/package.json', import.meta.url))('playwright-core');

const [baseUrl, shotDir, modelList, executable = '/usr/bin/chromium'] = process.argv.slice(2);
const models = modelList.split(',');
mkdirSync(shotDir, { recursive: true });
const passed = [];
const failed = [];

function check(name, condition, detail = '') {
  (condition ? passed : failed).push(condition ? name : `${name}: ${detail}`);
}

// Counts, per answer panel, how many times its text changed (a streamed
// answer changes many times; one written at once, once).
async function watchPanels(page) {
  await page.evaluate(() => {
    window.__changes = { a: 0, b: 0 };
    window.__streamingSeen = { a: false, b: false };
    for (const side of ['a', 'b']) {
      new MutationObserver(() => { window.__changes[side] += 1; })
        .observe(document.getElementById(`text-${side}`), { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => {
        if (document.getElementById(`answer-${side}`).dataset.state === 'streaming') window.__streamingSeen[side] = true;
      }).observe(document.getElementById(`answer-${side}`), { attributes: true });
    }
  });
}

async function votesOnBoard(page) {
  const text = await page.locator('#summary').textContent();
  const match = /^(\d+) votes/.exec(text || '');
  return match ? Number(match[1]) : -1;
}

async function mouseVoteCycle(context) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/arena`);
  await watchPanels(page);
  await page.fill('#prompt', 'Write a short poem about the sea.');
  await page.screenshot({ path: join(shotDir, 'arena-1-prompt.png'), fullPage: true });
  await page.click('#send');
  await page.waitForFunction(() => !document.getElementById('vote').disabled, null, { timeout: 60000 });
  const changes = await page.evaluate(() => window.__changes);
  const streaming = await page.evaluate(() => window.__streamingSeen);
  // Several text changes per panel: the answer arrived in pieces (how many depends on how the reads fall).
  check('both answers streamed in several steps', changes.a >= 2 && changes.b >= 2, JSON.stringify(changes));
  check('both panels showed that they were answering', streaming.a && streaming.b, JSON.stringify(streaming));
  const textA = await page.locator('#text-a').textContent();
  const textB = await page.locator('#text-b').textContent();
  check('both answers have text', textA.length > 0 && textB.length > 0, `${textA.length} ${textB.length}`);
  const titlesBefore = [await page.locator('#title-a').textContent(), await page.locator('#title-b').textContent()];
  check('the models are anonymous before the vote', titlesBefore[0] === 'Model A' && titlesBefore[1] === 'Model B',
        titlesBefore.join(' / '));
  const html = await page.content();
  check('no model name is on the page before the vote', models.every((m) => !html.includes(`>${m}<`)));
  await page.screenshot({ path: join(shotDir, 'arena-2-answers.png'), fullPage: true });
  await page.click('button[data-winner="model_a"]');
  await page.waitForFunction(() => document.getElementById('reveal').textContent.includes(' was '), null,
                             { timeout: 15000 });
  const names = await page.locator('#reveal strong').allTextContents();
  check('the vote reveals two different served models',
        names.length === 2 && names[0] !== names[1] && names.every((n) => models.includes(n)), JSON.stringify(names));
  const titleA = await page.locator('#title-a').textContent();
  check('panel A is titled with its model', titleA === `Model A: ${names[0]}`, titleA);
  await page.screenshot({ path: join(shotDir, 'arena-3-revealed.png'), fullPage: true });
  return page;
}

async function leaderboardUpdates(context, arenaPage) {
  const board = await context.newPage();
  await board.goto(`${baseUrl}/leaderboard`);
  await board.waitForFunction(() => /^\d+ votes/.test(document.getElementById('summary').textContent), null,
                              { timeout: 15000 });
  const before = await votesOnBoard(board);
  const rowsBefore = await board.locator('#rows tr').count();
  check('the leaderboard lists the rated models', rowsBefore >= 2, `${rowsBefore} rows`);
  // Another battle and vote in the arena tab, while the board stays open.
  await arenaPage.click('#again');
  await arenaPage.fill('#prompt', 'Name three colours.');
  await arenaPage.click('#send');
  await arenaPage.waitForFunction(() => !document.getElementById('vote').disabled, null, { timeout: 60000 });
  await arenaPage.click('button[data-winner="tie"]');
  await arenaPage.waitForFunction(() => document.getElementById('reveal').textContent.includes(' was '), null,
                                  { timeout: 15000 });
  await board.waitForFunction((n) => {
    const match = /^(\d+) votes/.exec(document.getElementById('summary').textContent);
    return match && Number(match[1]) === n + 1;
  }, before, { timeout: 15000 }).catch(() => {});
  const after = await votesOnBoard(board);
  check('the open leaderboard counts the new vote by itself', after === before + 1, `${before} → ${after}`);
  const battles = await board.locator('#rows tr td:nth-child(5)').allTextContents();
  const total = battles.reduce((sum, text) => sum + Number(text), 0);
  check('each vote counts one battle for each of its two models', total === 2 * after, `${total} for ${after} votes`);
  const costs = await board.locator('#rows tr td.cost').allTextContents();
  check('the leaderboard shows each model\'s cost from the ledger', costs.every((c) => c !== '–' && Number(c) > 0),
        JSON.stringify(costs));
  await board.screenshot({ path: join(shotDir, 'leaderboard.png'), fullPage: true });
}

async function keyboardOnly(context) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/arena`);
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'prompt'; ++i) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement.id);
  }
  check('Tab reaches the prompt', focused === 'prompt', focused);
  await page.keyboard.type('Count from one to five.');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => !document.getElementById('vote').disabled, null, { timeout: 60000 });
  await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.winner === 'model_a',
                             null, { timeout: 5000 }).catch(() => {});
  const first = await page.evaluate(() => document.activeElement.dataset.winner);
  check('the first vote button takes focus when the answers are in', first === 'model_a', String(first));
  await page.keyboard.press('Tab');
  const second = await page.evaluate(() => document.activeElement.dataset.winner);
  check('Tab moves to the next vote button', second === 'model_b', String(second));
  await page.screenshot({ path: join(shotDir, 'arena-keyboard-focus.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('reveal').textContent.includes(' was '), null,
                             { timeout: 15000 });
  const reveal = await page.locator('#reveal').textContent();
  check('Enter on a vote button votes', reveal.includes('B is better'), reveal);
  const again = await page.evaluate(() => document.activeElement.id);
  check('"New battle" takes focus after the vote', again === 'again', again);
  await page.keyboard.press('Enter');
  const afterAgain = await page.evaluate(() => ({
    focus: document.activeElement.id,
    prompt: document.getElementById('prompt').value,
    a: document.getElementById('text-a').textContent,
  }));
  check('Enter on "New battle" returns to an empty prompt', afterAgain.focus === 'prompt' && afterAgain.prompt === '' &&
        afterAgain.a === '', JSON.stringify(afterAgain));
}

async function emptyPromptRefused(context) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/arena`);
  await page.fill('#prompt', '   ');
  await page.click('#send');
  const status = await page.locator('#status').textContent();
  const voteDisabled = await page.evaluate(() => document.getElementById('vote').disabled);
  check('an empty prompt is refused on the page', /prompt/i.test(status) && voteDisabled,
        status);
}

const browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  context.on('page', (page) => page.on('pageerror', (error) => errors.push(String(error))));
  const arenaPage = await mouseVoteCycle(context);
  await leaderboardUpdates(context, arenaPage);
  await keyboardOnly(context);
  await emptyPromptRefused(context);
  check('no script error on any page', errors.length === 0, errors.join('; '));
} catch (error) {
  failed.push(`threw: ${error.stack || error}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify({ passed, failed }));
process.exit(failed.length === 0 ? 0 : 1);

// The leaderboard page: GET /api/leaderboard (src/arena/leaderboard_report.h)
// rendered as a table, refreshed every few seconds. Plain JavaScript.
'use strict';

const $ = (id) => document.getElementById(id);
const kRefreshMs = 3000;

// The one metric a task shows: acc, else exact_match, else its first.
function taskScore(metrics) {
  if (!metrics) return null;
  for (const name of ['acc', 'exact_match']) if (typeof metrics[name] === 'number') return [name, metrics[name]];
  const first = Object.keys(metrics)[0];
  return first && typeof metrics[first] === 'number' ? [first, metrics[first]] : null;
}

function fixed(value, digits) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function significant(value, digits) {
  return typeof value === 'number' && Number.isFinite(value) ? Number(value.toPrecision(digits)).toString() : '–';
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
}

function render(board) {
  const models = board.models || [];
  const tasks = [];
  for (const model of models.concat(board.unrated || [])) {
    for (const task of Object.keys(model.eval || {})) if (!tasks.includes(task)) tasks.push(task);
  }
  tasks.sort();
  const head = $('head');
  head.textContent = '';
  // Each task shows one metric, named in its header.
  const metricOf = {};
  for (const task of tasks) {
    for (const model of models) {
      const score = taskScore((model.eval || {})[task]);
      if (score) { metricOf[task] = score[0]; break; }
    }
  }
  const columns = ['Rank', 'Model', 'Rating', '95% CI', 'Battles', 'Wins', '$/Mtok', 'J/token', 'Median TPOT (ms)'];
  // A zero-width space after each '_' lets long task names wrap.
  const wrappable = (name) => name.replaceAll('_', '_\u200b');
  for (const task of tasks) columns.push(wrappable(metricOf[task] ? `${task} (${metricOf[task]})` : task));
  for (const name of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    head.append(th);
  }
  const rows = $('rows');
  rows.textContent = '';
  for (const model of models) {
    const row = document.createElement('tr');
    row.dataset.model = model.model;
    cell(row, String(model.rank));
    cell(row, model.model, 'model');
    cell(row, fixed(model.rating, 1));
    cell(row, `${fixed(model.ci_low, 1)} – ${fixed(model.ci_high, 1)}`);
    cell(row, String(model.battles));
    cell(row, String(model.wins));
    cell(row, significant(model.cost_per_mtok, 3), 'cost');
    cell(row, significant(model.joules_per_token, 3), 'joules');
    cell(row, typeof model.median_tpot_s === 'number' ? (model.median_tpot_s * 1e3).toFixed(2) : '–', 'tpot');
    for (const task of tasks) {
      const value = ((model.eval || {})[task] || {})[metricOf[task]];
      cell(row, fixed(value, 3), 'score');
    }
    rows.append(row);
  }
  const fit = board.fit === 'maximum likelihood' ? 'maximum-likelihood fit' : `fit with an L2 prior (${board.note})`;
  $('summary').textContent =
    `${board.votes} votes, ${models.length} rated models, ${fit}, ${board.bootstrap} bootstrap resamples.`;
  const unrated = (board.unrated || []).map((model) => model.model);
  $('unrated').textContent = unrated.length ? `Served but not yet voted on: ${unrated.join(', ')}.` : '';
}

async function refresh() {
  try {
    const response = await fetch('/api/leaderboard', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    $('summary').textContent = `The leaderboard could not be loaded: ${error.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, kRefreshMs);
});

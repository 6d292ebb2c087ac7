// The arena page: start a battle, stream both anonymous answers at once,
// take the vote, show who was who. Plain JavaScript; the API is described in
// src/arena/arena_service.h.
'use strict';

const $ = (id) => document.getElementById(id);
let battleId = null;

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (ignored) { /* not JSON */ }
  return `HTTP ${response.status}`;
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await errorOf(response));
  return response.json();
}

// Streams one side's answer into its panel; resolves with its finish reason.
async function streamAnswer(side) {
  const panel = $(`answer-${side}`);
  const text = $(`text-${side}`);
  panel.dataset.state = 'streaming';
  const response = await fetch(`/api/arena/battles/${encodeURIComponent(battleId)}/answers/${side}`, {
    method: 'POST',
  });
  if (!response.ok) throw new Error(await errorOf(response));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let finish = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') continue;
        const message = JSON.parse(data);
        if (message.text) text.textContent += message.text;
        if (message.finish_reason) finish = message.finish_reason;
        if (message.error) throw new Error(message.error);
      }
    }
  }
  panel.dataset.state = 'done';
  if (!finish) throw new Error('the answer ended early');
  return finish;
}

function reset() {
  battleId = null;
  for (const side of ['a', 'b']) {
    $(`text-${side}`).textContent = '';
    $(`title-${side}`).textContent = `Model ${side.toUpperCase()}`;
    $(`answer-${side}`).dataset.state = 'idle';
  }
  $('vote').disabled = true;
  $('reveal').textContent = '';
  $('again').hidden = true;
}

async function startBattle(event) {
  event.preventDefault();
  const prompt = $('prompt').value;
  if (!prompt.trim()) {
    setStatus('Write a prompt first.', true);
    $('prompt').focus();
    return;
  }
  reset();
  $('send').disabled = true;
  $('prompt').readOnly = true;
  setStatus('Both models are answering…');
  try {
    const battle = await postJson('/api/arena/battles', { prompt });
    battleId = battle.battle_id;
    if (battle.prompt_kept) setStatus('Both models are answering… (this arena keeps prompts with their votes)');
    await Promise.all([streamAnswer('a'), streamAnswer('b')]);
    setStatus('Both answers are in. Which is better?');
    $('vote').disabled = false;
    $('vote').querySelector('button').focus();
  } catch (error) {
    setStatus(`The battle failed: ${error.message}`, true);
    $('again').hidden = false;
    $('again').focus();
  } finally {
    $('send').disabled = false;
    $('prompt').readOnly = false;
  }
}

async function vote(winner) {
  $('vote').disabled = true;
  try {
    const result = await postJson(`/api/arena/battles/${encodeURIComponent(battleId)}/vote`, { winner });
    $('title-a').textContent = `Model A: ${result.model_a}`;
    $('title-b').textContent = `Model B: ${result.model_b}`;
    const said = { model_a: 'A is better', model_b: 'B is better', tie: 'a tie', 'tie (bothbad)': 'both are bad' }[winner];
    const reveal = $('reveal');
    reveal.textContent = '';
    reveal.append('Thank you. You voted ', said, '. A was ');
    reveal.append(Object.assign(document.createElement('strong'), { textContent: result.model_a }));
    reveal.append(' and B was ');
    reveal.append(Object.assign(document.createElement('strong'), { textContent: result.model_b }));
    reveal.append('.');
    setStatus('Your vote is in the books.');
  } catch (error) {
    setStatus(`The vote failed: ${error.message}`, true);
  }
  $('again').hidden = false;
  $('again').focus();
}

document.addEventListener('DOMContentLoaded', () => {
  $('prompt-form').addEventListener('submit', startBattle);
  $('prompt').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('prompt-form').requestSubmit();
  });
  for (const button of $('vote').querySelectorAll('button')) {
    button.addEventListener('click', () => vote(button.dataset.winner));
  }
  $('again').addEventListener('click', () => {
    reset();
    setStatus('');
    $('prompt').value = '';
    $('prompt').focus();
  });
});

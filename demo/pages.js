// SPDX-License-Identifier: GPL-3.0-or-later
// The demo site's pages: a small community site that added OnAir with one script tag and a few
// buttons. Everything OnAir-specific on a page is in `onairScript()` and the `data-onair` buttons.
import { users } from './users.js';

const text = {
    en: {
        brand: 'Sosedi',
        tagline: 'a small community of neighbours',
        members: 'Members',
        myPage: 'My page',
        openMode: 'Open mode',
        youAre: 'You are',
        newWindow: 'Open as another visitor in a new window',
        pageOf: (of) => `${of} page`,
        profileOf: (of, viewer) => `${of} profile, viewed by ${viewer}`,
        goLive: 'Go live',
        endLive: 'End broadcast',
        watch: 'Watch',
        profile: 'Profile',
        you: 'you',
        notLive: (name) => `The Watch button appears when ${name} goes live.`,
        broadcastHint: (link) =>
            `Press <b>Go live</b> and allow the camera. Then open ${link} in another window as ` +
            'another visitor and press <b>Watch</b>: you will be asked here whether to let them in.',
        profileHint: 'The button shows only while the broadcast is on. The broadcaster decides who may watch.',
        membersHint: 'Watch buttons appear on the cards of members who are live right now.',
        activity: 'Activity',
        activityEmpty: 'Events from the OnAir buttons on this page appear here.',
        markup: 'What this page adds for OnAir',
        openTitle: 'Open mode: the minimal integration',
        openHint:
            'Site <code>demo-open</code> trusts user ids as given: no tokens, just the script tag and the ' +
            'buttons. Fine for demos and trusted intranets; real sites use signed mode.',
        footer:
            'A demo site for OnAir. Its backend signs each visitor\'s token in <code>demo/token.js</code> ' +
            'with node:crypto, a dozen lines.',
        notFound: 'No such page.',
    },
    ru: {
        brand: 'Соседи',
        tagline: 'небольшое сообщество соседей',
        members: 'Участники',
        myPage: 'Моя страница',
        openMode: 'Открытый режим',
        youAre: 'Вы —',
        newWindow: 'Открыть в новом окне от имени другого посетителя',
        pageOf: (of) => `Страница ${of}`,
        profileOf: (of, viewer) => `Профиль ${of} — смотрит ${viewer}`,
        goLive: 'Выйти в эфир',
        endLive: 'Завершить эфир',
        watch: 'Смотреть',
        profile: 'Профиль',
        you: 'вы',
        notLive: (name) => `Кнопка «Смотреть» появится, когда ${name} выйдет в эфир.`,
        broadcastHint: (link) =>
            'Нажмите <b>Выйти в эфир</b> и разрешите доступ к камере. Затем откройте ' +
            `${link} в другом окне от имени другого посетителя и нажмите <b>Смотреть</b>: здесь ` +
            'появится вопрос, пускать ли зрителя.',
        profileHint: 'Кнопка видна, только пока идёт эфир. Кого пустить, решает автор эфира.',
        membersHint: 'Кнопки «Смотреть» появляются на карточках тех, кто сейчас в эфире.',
        activity: 'События',
        activityEmpty: 'Здесь появятся события кнопок OnAir на этой странице.',
        markup: 'Что эта страница добавила ради OnAir',
        openTitle: 'Открытый режим: минимальная интеграция',
        openHint:
            'Сайт <code>demo-open</code> доверяет идентификаторам как есть: без токенов, только тег ' +
            'script и кнопки. Годится для демо и внутренних сетей; настоящие сайты используют режим ' +
            'с подписью.',
        footer:
            'Демо-сайт OnAir. Его сервер подписывает токен каждого посетителя в ' +
            '<code>demo/token.js</code> средствами node:crypto — около десятка строк.',
        notFound: 'Такой страницы нет.',
    },
};

export const languages = Object.keys(text);

const escapeHtml = (value) =>
    String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// Attributes from an object; values are escaped, undefined ones left out.
const attrs = (map) =>
    Object.entries(map)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
        .join('');

// ctx: { lang, viewer, path, config, tokenFor(user, site) }
const href = (ctx, path, as = ctx.viewer.slug) => `${path}?as=${as}&lang=${ctx.lang}`;

function onairScript(ctx, site) {
    const { onairUrl, serverUrl } = ctx.config;
    return `<script src="${escapeHtml(onairUrl)}/onair.js"${attrs({ 'data-site': site, 'data-server': serverUrl })} async></script>`;
}

function broadcastButton(ctx, site) {
    const { viewer, lang } = ctx;
    return `<button class="btn btn-live"${attrs({
        'data-onair': 'broadcast',
        'data-onair-user': viewer.id,
        'data-onair-name': site === ctx.config.openSite ? viewer.name[lang] : undefined,
        'data-onair-token': site === ctx.config.openSite ? undefined : ctx.tokenFor(viewer, site),
    })}><span class="label-off">${text[lang].goLive}</span><span class="label-on">${text[lang].endLive}</span></button>`;
}

function watchButton(ctx, target, site) {
    const { viewer, lang } = ctx;
    const t = text[lang];
    return `<button class="btn btn-watch"${attrs({
        'data-onair': 'watch',
        'data-onair-target': target.id,
        'data-onair-user': viewer.id,
        'data-onair-name': target.name[lang],
        'data-onair-token': site === ctx.config.openSite ? undefined : ctx.tokenFor(viewer, site),
    })}>${t.watch}</button><span class="offline-note">${escapeHtml(t.notLive(target.name[lang]))}</span>`;
}

const avatar = (user, lang) =>
    `<span class="avatar" style="--accent:${user.accent}">${escapeHtml(user.name[lang][0])}</span>`;

// Where "open as another visitor" leads: from your own page to your profile as seen by someone
// else; from a profile to the same profile as a third visitor.
function newWindowHref(ctx) {
    const { viewer, owner, path } = ctx;
    const other = users.find((u) => u !== viewer && u !== owner);
    return path === '/me' ? href(ctx, `/u/${viewer.slug}`, other.slug) : href(ctx, path, other.slug);
}

function header(ctx) {
    const { lang, viewer, path } = ctx;
    const t = text[lang];
    const switcher = users
        .map((u) => `<a${attrs({ href: href(ctx, path, u.slug), class: u === viewer ? 'current' : undefined })}>${avatar(u, lang)}${escapeHtml(u.name[lang])}</a>`)
        .join('');
    const languagesLinks = languages
        .map((l) => `<a${attrs({ href: `${path}?as=${viewer.slug}&lang=${l}`, class: l === lang ? 'current' : undefined, hreflang: l })}>${l.toUpperCase()}</a>`)
        .join('');
    return `<header class="top">
  <div class="wrap top-row">
    <a class="brand" href="${href(ctx, '/')}"><span class="brand-mark">◉</span> ${t.brand}<small>${t.tagline}</small></a>
    <nav class="main-nav">
      <a href="${href(ctx, '/')}">${t.members}</a>
      <a href="${href(ctx, '/me')}">${t.myPage}</a>
      <a href="${href(ctx, '/open')}">${t.openMode}</a>
    </nav>
    <nav class="lang">${languagesLinks}</nav>
  </div>
  <div class="wrap switcher">
    <span>${t.youAre}</span>${switcher}
    <a class="new-window" target="_blank" href="${newWindowHref(ctx)}">${t.newWindow} ↗</a>
  </div>
</header>`;
}

function activityPanel(ctx) {
    const t = text[ctx.lang];
    return `<aside class="card activity">
  <h3>${t.activity}</h3>
  <ul id="activity"><li class="muted">${t.activityEmpty}</li></ul>
</aside>
<script>
  // Sites can follow OnAir with ordinary DOM events: onair:<state> bubbles from each button.
  (function () {
    var list = document.getElementById('activity');
    ['offline', 'live', 'requesting', 'watching', 'declined', 'ended', 'error'].forEach(function (state) {
      document.addEventListener('onair:' + state, function (event) {
        if (list.querySelector('.muted')) list.textContent = '';
        var item = document.createElement('li');
        var who = event.target.getAttribute('data-onair-target') || event.target.getAttribute('data-onair-user');
        item.textContent = new Date().toLocaleTimeString() + '  ' + event.target.getAttribute('data-onair') +
          ' ' + who + ' → ' + state + (event.detail && event.detail.message ? ' (' + event.detail.message + ')' : '');
        list.prepend(item);
      });
    });
  })();
</script>`;
}

function layout(ctx, { title, site, body }) {
    const t = text[ctx.lang];
    return `<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${t.brand}</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%23c2410c'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/style.css">
${site ? onairScript(ctx, site) : ''}
</head>
<body>
${header(ctx)}
<main class="wrap">
${body}
</main>
<footer class="wrap foot">${t.footer}</footer>
</body>
</html>
`;
}

const markupBox = (ctx, html) => `<details class="markup"><summary>${text[ctx.lang].markup}</summary><pre><code>${escapeHtml(html)}</code></pre></details>`;

export function homePage(ctx) {
    const { lang, viewer } = ctx;
    const t = text[lang];
    const site = ctx.config.site;
    const cards = users
        .map((u) => `<article class="card member" style="--accent:${u.accent}">
  <div class="member-head">${avatar(u, lang)}<div><h3><a href="${href(ctx, u === viewer ? '/me' : `/u/${u.slug}`)}">${escapeHtml(u.name[lang])}</a>${u === viewer ? ` <span class="tag">${t.you}</span>` : ''}</h3><p class="muted">${escapeHtml(u.city[lang])}</p></div></div>
  <p>${escapeHtml(u.about[lang])}</p>
  <div class="actions">${u === viewer ? broadcastButton(ctx, site) : watchButton(ctx, u, site)}</div>
</article>`)
        .join('\n');
    return layout(ctx, {
        title: t.members,
        site,
        body: `<h1>${t.members}</h1><p class="lead">${t.membersHint}</p>
<section class="grid">${cards}</section>
${activityPanel(ctx)}`,
    });
}

export function myPage(ctx) {
    const { lang, viewer } = ctx;
    const t = text[lang];
    const site = ctx.config.site;
    const other = users.find((u) => u !== viewer);
    const profileLink = `<a target="_blank" href="${href(ctx, `/u/${viewer.slug}`, other.slug)}">${escapeHtml(t.profileOf(viewer.of[lang], other.name[lang]))}</a>`;
    const button = broadcastButton(ctx, site);
    return layout(ctx, {
        title: t.pageOf(viewer.of[lang]),
        site,
        body: `<section class="card hero" style="--accent:${viewer.accent}">
  ${avatar(viewer, lang)}
  <div class="hero-text">
    <h1>${escapeHtml(t.pageOf(viewer.of[lang]))}</h1>
    <p class="muted">${escapeHtml(viewer.city[lang])} · ${escapeHtml(viewer.about[lang])}</p>
    <div class="actions">${button}</div>
    <p class="hint">${t.broadcastHint(profileLink)}</p>
  </div>
</section>
${markupBox(ctx, `${onairScript(ctx, site)}\n${button}`)}
${activityPanel(ctx)}`,
    });
}

export function profilePage(ctx, owner) {
    ctx.owner = owner;
    const { lang, viewer } = ctx;
    const t = text[lang];
    const site = ctx.config.site;
    const button = watchButton(ctx, owner, site);
    return layout(ctx, {
        title: t.profileOf(owner.of[lang], viewer.name[lang]),
        site,
        body: `<section class="card hero" style="--accent:${owner.accent}">
  ${avatar(owner, lang)}
  <div class="hero-text">
    <h1>${escapeHtml(t.profileOf(owner.of[lang], viewer.name[lang]))}</h1>
    <p class="muted">${escapeHtml(owner.city[lang])} · ${escapeHtml(owner.about[lang])}</p>
    <div class="actions">${button}</div>
    <p class="hint">${t.profileHint}</p>
  </div>
</section>
${markupBox(ctx, `${onairScript(ctx, site)}\n${button.replace(/<span class="offline-note">.*$/, '')}`)}
${activityPanel(ctx)}`,
    });
}

export function openPage(ctx) {
    const { lang, viewer } = ctx;
    const t = text[lang];
    const site = ctx.config.openSite;
    const others = users.filter((u) => u !== viewer);
    const buttons = `${broadcastButton(ctx, site)}\n${others.map((u) => watchButton(ctx, u, site)).join('\n')}`;
    return layout(ctx, {
        title: t.openMode,
        site,
        body: `<section class="card">
  <h1>${t.openTitle}</h1>
  <p>${t.openHint}</p>
  <div class="actions stack">${buttons}</div>
</section>
${markupBox(ctx, `${onairScript(ctx, site)}\n${buttons.replace(/<span class="offline-note">[^<]*<\/span>/g, '')}`)}
${activityPanel(ctx)}`,
    });
}

export function notFoundPage(ctx) {
    const t = text[ctx.lang];
    return layout(ctx, { title: '404', body: `<h1>404</h1><p>${t.notFound}</p>` });
}

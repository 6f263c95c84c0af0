// SPDX-License-Identifier: GPL-3.0-or-later
// Widget texts. The language follows <html lang> (its primary subtag); English is the fallback.

const en = {
  live: 'LIVE',
  notLive: 'Not live',
  broadcastEnded: 'Broadcast ended',
  starting: 'Starting…',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  stop: 'Stop',
  close: 'Close',
  cancel: 'Cancel',
  allow: 'Allow',
  deny: 'Deny',
  unmute: 'Unmute',
  retry: 'Try again',
  preview: 'Your camera',
  broadcastOf: '{name}',
  wantsToWatch: '{name} wants to watch you',
  selfDeclaredName: 'calls themselves “{name}” (unverified)',
  secondsLeft: '{s} s',
  waitingApproval: 'Waiting for {name} to let you in…',
  declinedDenied: '{name} declined your request.',
  declinedTimeout: '{name} did not answer in time.',
  declinedEnded: 'The broadcast has ended.',
  interrupted: 'The broadcaster’s connection dropped. Waiting for them to come back…',
  endedStopped: 'The broadcast has ended.',
  endedRemoved: 'The broadcaster removed you from the broadcast.',
  endedAdmin: 'The broadcast was stopped by the service.',
  endedHangup: 'The broadcaster’s connection was lost.',
  endedPublishTimeout: 'The broadcast did not start.',
  endedTakenOver: 'Your broadcast continues in another tab or window.',
  endedWatchTakenOver: 'You are watching this broadcast in another tab or window.',
  endedStartTimeout: 'The video did not start in time. Try again.',
  cameraStopped: 'The camera stopped. The broadcast has ended.',
  mediaFailed: 'The video connection failed. Check your network and try again.',
  mediaUnavailable: 'The video part of OnAir could not be loaded. Check your connection and try again.',
  mediaOutdated: 'OnAir has just been updated. Reload the page to continue.',
  serverUnreachable: 'Cannot reach the broadcasting server. Check your connection and try again.',
  serverMisconfigured: 'The broadcasting server is not set up for OnAir (its plugin is not loaded).',
  connectionGone: 'The connection to the broadcasting server was lost. Try again later.',
  webrtcUnsupported: 'This browser cannot stream video (WebRTC is not available).',
  camNotAllowed: 'Camera access was denied. Allow the camera for this site in the browser settings and try again.',
  camNotFound: 'No camera was found. Connect a camera and try again.',
  camNotReadable: 'The camera is busy or cannot be started. Close other apps that use it and try again.',
  camOverconstrained: 'The camera does not support the required video settings.',
  camSecurity: 'The browser does not allow camera access on this page (a secure https:// page is required).',
  camOther: 'Could not start the camera: {detail}',
  err545: 'This site is not registered with the broadcasting service.',
  err546: 'Your sign-in is invalid or has expired. Reload the page and try again.',
  err547: 'This action is not allowed right now.',
  err548: '{name} is not live right now.',
  err549: 'This request is no longer valid.',
  err550: 'The broadcast is full. Try again later.',
  err551: 'Too many requests. Wait a minute and try again.',
  err552: 'Your browser’s video format is not supported by the server.',
  err553: 'The request was too large.',
  err554: 'The server had a problem. Try again.',
  errOther: 'Error: {detail}',
  configMissingSite: 'onair.js: the script tag has no data-site attribute.',
  viewerFallback: 'Viewer {id}',
  userFallback: 'User {id}',
};

export type Strings = typeof en;
export type StringKey = keyof Strings;

const ru: Strings = {
  live: 'В ЭФИРЕ',
  notLive: 'Не в эфире',
  broadcastEnded: 'Эфир завершён',
  starting: 'Запуск…',
  connecting: 'Подключение…',
  reconnecting: 'Восстанавливаем связь…',
  stop: 'Завершить',
  close: 'Закрыть',
  cancel: 'Отмена',
  allow: 'Разрешить',
  deny: 'Отклонить',
  unmute: 'Включить звук',
  retry: 'Повторить',
  preview: 'Ваша камера',
  broadcastOf: '{name}',
  wantsToWatch: '{name} хочет вас посмотреть',
  selfDeclaredName: 'называет себя «{name}» (не подтверждено)',
  secondsLeft: '{s} с',
  waitingApproval: 'Ждём, пока {name} разрешит просмотр…',
  declinedDenied: '{name} отклонил(а) ваш запрос.',
  declinedTimeout: '{name} не ответил(а) вовремя.',
  declinedEnded: 'Трансляция завершилась.',
  interrupted: 'Связь с автором трансляции прервалась. Ждём восстановления…',
  endedStopped: 'Трансляция завершилась.',
  endedRemoved: 'Автор трансляции отключил вас.',
  endedAdmin: 'Трансляция остановлена сервисом.',
  endedHangup: 'Связь с автором трансляции потеряна.',
  endedPublishTimeout: 'Трансляция не началась.',
  endedTakenOver: 'Ваша трансляция продолжается в другой вкладке или окне.',
  endedWatchTakenOver: 'Вы смотрите эту трансляцию в другой вкладке или окне.',
  endedStartTimeout: 'Видео не запустилось вовремя. Попробуйте ещё раз.',
  cameraStopped: 'Камера отключилась. Трансляция завершена.',
  mediaFailed: 'Не удалось установить видеосвязь. Проверьте сеть и попробуйте ещё раз.',
  mediaUnavailable: 'Не удалось загрузить видеомодуль OnAir. Проверьте подключение и попробуйте ещё раз.',
  mediaOutdated: 'OnAir только что обновился. Обновите страницу, чтобы продолжить.',
  serverUnreachable: 'Сервер трансляций недоступен. Проверьте подключение и попробуйте ещё раз.',
  serverMisconfigured: 'Сервер трансляций не настроен для OnAir (его модуль не загружен).',
  connectionGone: 'Связь с сервером трансляций потеряна. Попробуйте позже.',
  webrtcUnsupported: 'Этот браузер не поддерживает видеотрансляции (нет WebRTC).',
  camNotAllowed: 'Доступ к камере запрещён. Разрешите камеру для этого сайта в настройках браузера и попробуйте снова.',
  camNotFound: 'Камера не найдена. Подключите камеру и попробуйте снова.',
  camNotReadable: 'Камера занята или не запускается. Закройте другие программы, которые её используют, и попробуйте снова.',
  camOverconstrained: 'Камера не поддерживает нужные параметры видео.',
  camSecurity: 'Браузер не разрешает доступ к камере на этой странице (нужна защищённая страница https://).',
  camOther: 'Не удалось включить камеру: {detail}',
  err545: 'Этот сайт не зарегистрирован в сервисе трансляций.',
  err546: 'Ваш вход недействителен или устарел. Обновите страницу и попробуйте снова.',
  err547: 'Сейчас это действие недоступно.',
  err548: '{name} сейчас не в эфире.',
  err549: 'Этот запрос уже недействителен.',
  err550: 'Трансляция переполнена. Попробуйте позже.',
  err551: 'Слишком много запросов. Подождите минуту и попробуйте снова.',
  err552: 'Формат видео вашего браузера не поддерживается сервером.',
  err553: 'Слишком большой запрос.',
  err554: 'Ошибка на сервере. Попробуйте ещё раз.',
  errOther: 'Ошибка: {detail}',
  configMissingSite: 'onair.js: у тега script нет атрибута data-site.',
  viewerFallback: 'Зритель {id}',
  userFallback: 'Пользователь {id}',
};

const tables: Record<string, Strings> = { en, ru };

function pageLanguage(): string {
  const lang = (document.documentElement.getAttribute('lang') || '').trim().toLowerCase();
  const primary = lang.split(/[-_]/)[0] ?? '';
  return primary in tables ? primary : 'en';
}

/** Translates `key`, filling `{placeholders}` from `vars`. Re-reads <html lang> on each call, so a
 * single-page app that switches language gets new texts on the next render. */
export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  const table = tables[pageLanguage()] ?? en;
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

/** "3 viewers" / "3 зрителя", with the language's plural rules. */
export function viewersLabel(count: number): string {
  const lang = pageLanguage();
  const rule = new Intl.PluralRules(lang).select(count);
  if (lang === 'ru') {
    const word = rule === 'one' ? 'зритель' : rule === 'few' ? 'зрителя' : 'зрителей';
    return `${count} ${word}`;
  }
  return `${count} ${rule === 'one' ? 'viewer' : 'viewers'}`;
}

/** The page language, for `lang` on the widget root (screen readers, hyphenation). */
export function widgetLanguage(): string {
  return pageLanguage();
}

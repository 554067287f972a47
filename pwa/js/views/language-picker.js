/**
 * The language picker, on the sign-in screen and in Settings. Each language is named in its own script (a
 * person who cannot read the current language still finds theirs), and a translation no fluent speaker has
 * checked yet says so, politely, with where to send corrections.
 */
import { h } from '../dom.js';
import { LANGUAGES, language, reviewed, t } from '../i18n.js';

export function languagePicker(ctx, { id = 'language' } = {}) {
  const picker = h(
    'select',
    {
      id,
      name: 'language',
      onchange: (event) => ctx.changeLanguage(event.target.value),
    },
    LANGUAGES.map((choice) =>
      h('option', { value: choice.code, lang: choice.code, dir: choice.dir, selected: choice.code === language(), text: choice.name }),
    ),
  );
  // The label keeps the English word beside the translated one: someone stuck in a language they cannot read
  // still finds the way back.
  const label = t('language.label');
  return h(
    'div',
    { class: 'field language-picker' },
    h('label', { for: id }, label, label === 'Language' ? null : h('span', { lang: 'en', dir: 'ltr', text: ' · Language' })),
    picker,
    reviewed() ? null : h('p', { class: 'hint', id: `${id}-unreviewed`, text: t('language.unreviewed') }),
  );
}

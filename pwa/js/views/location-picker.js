/**
 * Choosing a location. Radio buttons in a fold rather than a <select>: a phone's <select> cuts long names
 * ("Lock Keeper's Court › Floor 1 › Stairwell") to what fits on one line, and here the end of the name is the
 * part that matters. Labels wrap instead.
 */
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';

/** Returns `{node, value}`; `value` is the chosen location's id, '' for "somewhere on the estate". */
export function locationPicker({ locations, selected = '', label = t('report.location'), onchange = null, name = 'location' }) {
  const id = uid('location');
  const choices = [['', t('report.location_none')], ...locations.map((l) => [l.id, l.label])];
  const labelOf = new Map(choices);
  const current = h('span', { class: 'picker-value', id: `${id}-value`, text: labelOf.get(selected) ?? labelOf.get('') });
  const details = h(
    'details',
    { class: 'location-picker field', id: `${name}-picker` },
    h('summary', { 'aria-describedby': `${id}-value` }, h('span', { class: 'picker-label', text: label }), current),
    h(
      'fieldset',
      { class: 'choices' },
      h('legend', { class: 'visually-hidden', text: label }),
      choices.map(([value, text], i) =>
        h(
          'div',
          { class: 'check' },
          h('input', {
            type: 'radio',
            name,
            id: `${id}-${i}`,
            value,
            checked: value === (labelOf.has(selected) ? selected : ''),
            onchange: () => {
              current.textContent = text;
              picker.value = value;
              onchange?.(value);
            },
            onclick: (event) => {
              // Tapped: fold the list away so the form stays short. Not for arrow keys (a click with detail 0),
              // which move through the choices one by one.
              if (event.detail > 0) {
                details.open = false;
                details.querySelector('summary').focus();
              }
            },
          }),
          h('label', { for: `${id}-${i}`, text }),
        ),
      ),
    ),
  );
  const picker = { node: details, value: labelOf.has(selected) ? selected : '' };
  return picker;
}

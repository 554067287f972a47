/** A tiny render helper: enough to build views from plain functions, without a framework. */

const BOOLEAN_ATTRIBUTES = new Set(['checked', 'disabled', 'required', 'multiple', 'selected', 'hidden', 'open']);

/**
 * Create an element. `attrs` keys starting with "on" add listeners; `text` sets textContent; booleans toggle
 * boolean attributes; everything else becomes an attribute. Children may be nodes, strings, arrays or null.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'text') {
      element.textContent = value;
    } else if (name === 'value') {
      element.value = value;
    } else if (BOOLEAN_ATTRIBUTES.has(name)) {
      element[name] = Boolean(value);
      if (value) element.setAttribute(name, '');
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `parent`. */
export function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

let uniqueCounter = 0;
/** An id for pairing a label with its control. */
export function uid(prefix = 'f') {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A labelled form field; the label is always visible, since placeholders vanish while typing. */
export function field(labelText, control, hint) {
  const id = control.id || uid();
  control.id = id;
  const hintNode = hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { for: id, text: labelText }), hintNode, control);
}

/** A <select> from [value, label] pairs. */
export function select(options, selected, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map(([value, label]) => h('option', { value, selected: value === selected, text: label })),
  );
}

/**
 * A fieldset of checkboxes or radio buttons, each with its visible label (and an optional hint read with it).
 * `options` are `{ value, label, id, checked, hint }`; a label may be text or nodes.
 */
export function choices(legend, type, name, options, attrs = {}) {
  return h(
    'fieldset',
    { class: 'choices', ...attrs },
    h('legend', { text: legend }),
    options.map(({ value, label, id, checked = false, hint = null }) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type, name, id, value, checked, 'aria-describedby': hint ? `${id}-hint` : null }),
        h('label', { for: id }, label, hint ? h('span', { class: 'hint', id: `${id}-hint`, text: hint }) : null),
      ),
    ),
  );
}

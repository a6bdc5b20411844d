// A small renderer of the APL subset the coach's document uses (skill/screen/documents/coach.json),
// so the simulator shows the screen an Echo Show would, from the same document and datasources.
//
//   const screen = APL.render(host, document, datasources, {viewport, onSendEvent, now});
//   screen.warnings  // everything it met and does not support; screen.destroy() to remove it
//
// How it works: the document is inflated once into DOM elements (one per APL component); every
// property whose value is a data-binding expression becomes a "binding" that is evaluated again
// every tick and when a TouchWrapper is pressed, and writes to the DOM only when its value
// changed. APL's layout (Yoga) is flexbox, so components map to CSS flex boxes.
//
// To support something new: a component goes in COMPONENTS (its builder and its properties), a
// command in runCommand, an expression operator in the parser below. Anything not supported is
// reported in screen.warnings (and on the console), never silently dropped.
(function () {
  'use strict';

  const TICK_MS = 100; // elapsedTime is re-read this often: countdowns move with no request
  const THEMES = {
    dark: { background: '#000000', text: '#fafafa' },
    light: { background: '#ffffff', text: '#1e2222' },
  };
  const FONT_FAMILY = "'Amazon Ember Display', 'Liberation Sans', 'DejaVu Sans', sans-serif";

  // ---- Expressions: ${...} parsed by a tokenizer and a recursive-descent parser (no eval) ----

  const TOKEN = new RegExp(
    '\\s*(?:(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|\\.\\d+)' + // number
      '|(\'(?:[^\'\\\\]|\\\\.)*\'|"(?:[^"\\\\]|\\\\.)*")' + // 'string' or "string"
      '|(@?[A-Za-z_$][\\w$]*)' + // name, or @resource
      '|(===|!==|==|!=|<=|>=|&&|\\|\\||[-+*/%!<>?:.,()\\[\\]]))', // operator
    'y');

  function tokenize(source) {
    const tokens = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < source.length) {
      const at = TOKEN.lastIndex;
      const m = TOKEN.exec(source);
      if (!m) {
        if (/^\s*$/.test(source.slice(at))) break;
        throw new Error(`unexpected "${source.slice(at).trim()[0]}" at ${at}`);
      }
      if (m[1] !== undefined) tokens.push({ kind: 'literal', value: Number(m[1]) });
      else if (m[2] !== undefined) tokens.push({ kind: 'literal', value: unquote(m[2]) });
      else if (m[3] !== undefined) tokens.push(word(m[3]));
      else tokens.push({ kind: 'op', value: m[4] });
    }
    return tokens;
  }

  function unquote(text) {
    return text.slice(1, -1).replace(/\\(.)/g, '$1');
  }

  function word(name) {
    const constants = { true: true, false: false, null: null };
    if (hasOwn(constants, name)) return { kind: 'literal', value: constants[name] };
    return { kind: 'name', value: name };
  }

  // Operator precedence, loosest first; each level is left-associative.
  const BINARY_LEVELS = [
    ['||'], ['&&'], ['==', '!=', '===', '!=='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%'],
  ];

  function parse(source) {
    const tokens = tokenize(source);
    let pos = 0;
    const peek = (value) => pos < tokens.length && tokens[pos].kind === 'op' && tokens[pos].value === value;
    const expect = (value) => {
      if (!peek(value)) throw new Error(`expected "${value}"`);
      pos++;
    };
    function conditional() {
      const test = binary(0);
      if (!peek('?')) return test;
      pos++;
      const yes = conditional();
      expect(':');
      return { kind: 'if', test, yes, no: conditional() };
    }
    function binary(level) {
      if (level === BINARY_LEVELS.length) return unary();
      let left = binary(level + 1);
      while (pos < tokens.length && tokens[pos].kind === 'op' && BINARY_LEVELS[level].includes(tokens[pos].value)) {
        const op = tokens[pos++].value;
        left = { kind: 'binary', op, left, right: binary(level + 1) };
      }
      return left;
    }
    function unary() {
      for (const op of ['!', '-', '+']) {
        if (peek(op)) {
          pos++;
          return { kind: 'unary', op, operand: unary() };
        }
      }
      return postfix(primary());
    }
    function postfix(node) {
      for (;;) {
        if (peek('.')) {
          pos++;
          const name = tokens[pos++];
          if (!name || name.kind !== 'name') throw new Error('expected a property name after "."');
          node = { kind: 'member', object: node, key: { kind: 'literal', value: name.value } };
        } else if (peek('[')) {
          pos++;
          const key = conditional();
          expect(']');
          node = { kind: 'member', object: node, key };
        } else if (peek('(')) {
          pos++;
          const args = [];
          while (!peek(')')) {
            if (args.length) expect(',');
            args.push(conditional());
          }
          pos++;
          node = { kind: 'call', callee: node, args };
        } else return node;
      }
    }
    function primary() {
      const token = tokens[pos++];
      if (!token) throw new Error('unexpected end');
      if (token.kind === 'literal') return { kind: 'literal', value: token.value };
      if (token.kind === 'name') return { kind: 'name', name: token.value };
      if (token.value === '(') {
        const inner = conditional();
        expect(')');
        return inner;
      }
      throw new Error(`unexpected "${token.value}"`);
    }
    const tree = conditional();
    if (pos < tokens.length) throw new Error(`unexpected "${tokens[pos].value}"`);
    return tree;
  }

  // The only functions an expression may call.
  const MATH = Object.freeze({
    min: Math.min, max: Math.max, ceil: Math.ceil, floor: Math.floor, round: Math.round, abs: Math.abs,
  });
  const CALLABLE = new Set(Object.values(MATH));
  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

  // APL reads a missing name or property as null, and reaches only data: no prototypes.
  function member(object, key) {
    if (object === null || object === undefined) return null;
    if (typeof object === 'string' || Array.isArray(object)) {
      if (key === 'length' || (Number.isInteger(key) && key >= 0)) return object[key] ?? null;
      return null;
    }
    if (typeof object === 'object' && hasOwn(object, key)) return object[key] ?? null;
    return null;
  }

  function lookup(context, name) {
    return name in context ? context[name] ?? null : null;
  }

  const BINARY = {
    '+': (a, b) => (typeof a === 'string' || typeof b === 'string' ? text(a) + text(b) : a + b),
    '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '%': (a, b) => a % b,
    '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
    // APL compares without JavaScript's type coercion: == is ===.
    '==': (a, b) => a === b, '===': (a, b) => a === b, '!=': (a, b) => a !== b, '!==': (a, b) => a !== b,
  };

  function evaluateNode(node, context) {
    switch (node.kind) {
      case 'literal': return node.value;
      case 'name':
        // As on a device: `event` exists only while a command runs (an onPress), never in a
        // property; a property reading it is refused, not quietly null.
        if (node.name === 'event' && !('event' in context)) throw new Error('event.* is defined only inside commands');
        return lookup(context, node.name);
      case 'member': return member(evaluateNode(node.object, context), evaluateNode(node.key, context));
      case 'if': return evaluateNode(evaluateNode(node.test, context) ? node.yes : node.no, context);
      case 'unary': {
        const value = evaluateNode(node.operand, context);
        return node.op === '!' ? !value : node.op === '-' ? -value : +value;
      }
      case 'binary': {
        const left = evaluateNode(node.left, context);
        if (node.op === '&&') return left ? evaluateNode(node.right, context) : left;
        if (node.op === '||') return left ? left : evaluateNode(node.right, context);
        return BINARY[node.op](left, evaluateNode(node.right, context));
      }
      case 'call': {
        const fn = evaluateNode(node.callee, context);
        if (!CALLABLE.has(fn)) throw new Error('only Math.min/max/ceil/floor/round/abs can be called');
        return fn(...node.args.map((arg) => evaluateNode(arg, context)));
      }
    }
    throw new Error(`unknown node ${node.kind}`);
  }

  // How a value reads inside text: null is nothing.
  function text(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  // "Rest ${a} of ${b}" -> ['Rest ', {source: 'a'}, ' of ', {source: 'b'}]. The closing brace is
  // found by counting braces outside quotes, so '}' inside a string literal is fine.
  function splitTemplate(raw) {
    const parts = [];
    let at = 0;
    for (let start = raw.indexOf('${'); start >= 0; start = raw.indexOf('${', at)) {
      let depth = 1, quote = null, i = start + 2;
      for (; i < raw.length && depth > 0; i++) {
        const c = raw[i];
        if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; }
        else if (c === "'" || c === '"') quote = c;
        else if (c === '{') depth++;
        else if (c === '}') depth--;
      }
      if (depth > 0) throw new Error(`no closing "}" in ${raw}`);
      if (start > at) parts.push(raw.slice(at, start));
      parts.push({ source: raw.slice(start + 2, i - 1) });
      at = i;
    }
    if (at < raw.length) parts.push(raw.slice(at));
    return parts;
  }

  const parsed = new Map(); // expression text -> syntax tree (or the parse error)
  function compiled(source) {
    if (!parsed.has(source)) {
      try { parsed.set(source, parse(source)); } catch (error) { parsed.set(source, error); }
    }
    return parsed.get(source);
  }

  // A property value as APL reads it: "@name" is a resource; a string that is one ${...} keeps
  // the value's type; any other string with ${...} is text. A bad expression warns and is null.
  function evaluateValue(raw, context, warn) {
    if (raw !== null && typeof raw === 'object' && raw[STYLED]) return evaluateValue(raw[STYLED](), context, warn);
    if (typeof raw !== 'string') return raw;
    if (/^@[\w$]+$/.test(raw)) {
      if (raw in context) return context[raw];
      warn(`unknown resource ${raw}`);
      return null;
    }
    if (!raw.includes('${')) return raw;
    let parts;
    try { parts = splitTemplate(raw); } catch (error) { warn(error.message); return null; }
    const values = parts.map((part) => {
      if (typeof part === 'string') return part;
      const tree = compiled(part.source);
      try {
        if (tree instanceof Error) throw tree;
        return evaluateNode(tree, context);
      } catch (error) {
        warn(`cannot evaluate \${${part.source}}: ${error.message}`);
        return null;
      }
    });
    return values.length === 1 && typeof parts[0] !== 'string' ? values[0] : values.map(text).join('');
  }

  function rootContext(names) {
    return Object.assign(Object.create(null), { Math: MATH }, names);
  }

  // A child scope: the parent's names plus `names`; a getter stays live (layout parameters).
  function childContext(parent, names = {}) {
    return Object.defineProperties(Object.create(parent), Object.getOwnPropertyDescriptors(names));
  }

  // ---- Values to CSS -------------------------------------------------------------------------

  // dp and plain numbers are CSS px (the viewport div is sized in dp); px are device pixels.
  function cssDimension(value, screen) {
    if (value === null || value === undefined || value === '') return '';
    if (typeof value === 'number') return `${value}px`;
    const m = /^\s*(-?\d*\.?\d+)\s*(dp|px|vw|vh|%)?\s*$/.exec(String(value));
    if (String(value).trim() === 'auto') return 'auto';
    if (!m) { screen.warn(`not a dimension: ${JSON.stringify(value)}`); return ''; }
    const n = Number(m[1]), vp = screen.viewport;
    switch (m[2]) {
      case 'px': return `${(n * 160) / vp.dpi}px`;
      case 'vw': return `${(n * vp.width) / 100}px`;
      case 'vh': return `${(n * vp.height) / 100}px`;
      case '%': return `${n}%`;
      default: return `${n}px`;
    }
  }

  const FLEX_ALIGN = { start: 'flex-start', end: 'flex-end', center: 'center', baseline: 'baseline', stretch: 'stretch', auto: 'auto' };
  const FLEX_JUSTIFY = { start: 'flex-start', end: 'flex-end', center: 'center', spaceBetween: 'space-between', spaceAround: 'space-around', spaceEvenly: 'space-evenly' };
  const FONT_WEIGHT = { normal: '400', bold: '700' };

  function fromTable(table, name) {
    return (value, screen) => {
      if (value in table) return table[value];
      screen.warn(`${name}: unsupported value ${JSON.stringify(value)}`);
      return '';
    };
  }

  const style = (cssName, convert = (v) => text(v)) => (el, value, screen) => {
    el.style[cssName] = convert(value, screen);
  };
  const dimension = (cssName) => style(cssName, cssDimension);

  // Properties every component takes, and how each lands on the element.
  const COMMON = {
    width: dimension('width'), height: dimension('height'),
    minWidth: dimension('minWidth'), maxWidth: dimension('maxWidth'),
    minHeight: dimension('minHeight'), maxHeight: dimension('maxHeight'),
    padding: (el, value, screen) => {
      const sides = (Array.isArray(value) ? value : [value]).map((v) => cssDimension(v, screen) || '0px');
      const [l, t = l, r = l, b = t] = sides; // APL's order is left, top, right, bottom
      el.style.padding = `${t} ${r} ${b} ${l}`;
    },
    paddingLeft: dimension('paddingLeft'), paddingRight: dimension('paddingRight'),
    paddingTop: dimension('paddingTop'), paddingBottom: dimension('paddingBottom'),
    paddingStart: dimension('paddingInlineStart'), paddingEnd: dimension('paddingInlineEnd'),
    grow: style('flexGrow'), shrink: style('flexShrink'),
    alignSelf: style('alignSelf', fromTable(FLEX_ALIGN, 'alignSelf')),
    opacity: style('opacity'),
    display: (el, value, screen) => {
      if (!['normal', 'none', 'invisible'].includes(value)) screen.warn(`display: unsupported value ${JSON.stringify(value)}`);
      el.style.display = value === 'none' ? 'none' : '';
      el.style.visibility = value === 'invisible' ? 'hidden' : '';
    },
    accessibilityLabel: (el, value) => el.setAttribute('aria-label', text(value)),
    id: (el, value) => { el.dataset.id = text(value); },
  };
  // Read during inflation, not bound to the element.
  // `spacing` is a margin before the child (not the first), set by buildChildren.
  const STRUCTURAL = new Set(['type', 'description', 'when', 'item', 'items', 'data', 'onPress', 'style', 'inheritParentState']);

  // ---- Components ----------------------------------------------------------------------------

  function buildContainer(component, context, screen) {
    const el = box('apl-container');
    const direction = evaluateValue(component.direction ?? 'column', context, screen.warn);
    if (!['row', 'column'].includes(direction)) screen.warn(`Container: direction ${JSON.stringify(direction)} is not supported`);
    el.style.flexDirection = direction === 'row' ? 'row' : 'column';
    buildChildren(el, component, context, screen, direction === 'row' ? 'marginLeft' : 'marginTop');
    return el;
  }

  function buildFrame(component, context, screen) {
    const el = box('apl-frame');
    buildChildren(el, component, context, screen, 'marginTop');
    return el;
  }

  function buildText(component, context, screen) {
    const el = box('apl-text');
    el.appendChild(document.createElement('div')).className = 'apl-text-content';
    el.style.color = screen.theme.text;
    return el;
  }

  function buildTouchWrapper(component, context, screen, state) {
    const el = box('apl-touch');
    const setPressed = (value) => {
      state.pressed = value;
      el.classList.toggle('apl-pressed', value);
      screen.refresh(); // state.pressed changed: styles follow at once
    };
    // `event` is defined for the commands a press runs, and nowhere else.
    const touchContext = childContext(context, { event: { source: { type: 'TouchWrapper', get pressed() { return state.pressed; } } } });
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.addEventListener('pointerdown', (e) => { el.setPointerCapture(e.pointerId); setPressed(true); });
    el.addEventListener('pointercancel', () => setPressed(false));
    el.addEventListener('pointerup', (e) => {
      const r = el.getBoundingClientRect();
      const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
      const wasPressed = state.pressed;
      setPressed(false);
      if (wasPressed && inside) runCommands(component.onPress, touchContext, screen);
    });
    el.addEventListener('keydown', (e) => { // a keyboard press, as a remote's select button
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); runCommands(component.onPress, touchContext, screen); }
    });
    checkCommands(component.onPress, screen);
    buildChildren(el, component, context, screen, 'marginTop');
    return el;
  }

  // ---- Vector graphics (AVG): a VectorGraphic draws a graphic of the document's `graphics` as
  // SVG. The graphic's parameters are the component's properties of the same names (else their
  // defaults), live: a parameter bound to elapsedTime moves the drawing with no request.

  const SVG = 'http://www.w3.org/2000/svg';
  const ALIGN = { center: 'xMidYMid', top: 'xMidYMin', bottom: 'xMidYMax', left: 'xMinYMid', right: 'xMaxYMid',
    'top-left': 'xMinYMin', 'top-right': 'xMaxYMin', 'bottom-left': 'xMinYMax', 'bottom-right': 'xMaxYMax' };
  const GRAPHIC_KEYS = new Set(['type', 'version', 'description', 'width', 'height', 'viewportWidth', 'viewportHeight', 'parameters', 'items', 'item']);

  function buildVectorGraphic(component, context, screen, state, properties) {
    const el = box('apl-vector');
    const read = (name, fallback) => (properties.has(name) ? evaluateValue(properties.get(name).raw, properties.get(name).context, screen.warn) : fallback);
    const name = read('source', null);
    const graphic = screen.graphics[name];
    for (const consumed of ['source', 'scale', 'align']) properties.delete(consumed);
    if (!graphic || graphic.type !== 'AVG') { screen.warn(`VectorGraphic: no graphic ${JSON.stringify(name)} in the document's graphics`); return el; }
    for (const key of Object.keys(graphic)) if (!GRAPHIC_KEYS.has(key)) screen.warn(`graphic ${name}: "${key}" is not supported`);
    const svg = document.createElementNS(SVG, 'svg');
    const width = graphic.viewportWidth ?? graphic.width, height = graphic.viewportHeight ?? graphic.height;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const scale = read('scale', 'none'), align = read('align', 'center');
    if (!['none', 'best-fit'].includes(scale)) screen.warn(`VectorGraphic: scale ${JSON.stringify(scale)} is not supported`);
    svg.setAttribute('preserveAspectRatio', scale === 'best-fit' ? `${ALIGN[align] ?? 'xMidYMid'} meet` : 'none');
    svg.setAttribute('class', 'apl-svg');
    const names = {};
    for (const param of graphic.parameters ?? []) {
      const p = typeof param === 'string' ? { name: param } : param;
      const entry = properties.get(p.name);
      properties.delete(p.name); // the graphic's, not the component's
      Object.defineProperty(names, p.name, {
        enumerable: true,
        get: () => (entry ? evaluateValue(entry.raw, entry.context, screen.warn) : p.default ?? null),
      });
    }
    const scope = childContext(context, names);
    for (const item of candidates(graphic)) drawItem(svg, item, scope, screen);
    el.appendChild(svg);
    return el;
  }

  const PATH_ATTRIBUTES = {
    pathData: 'd', fill: 'fill', stroke: 'stroke', strokeWidth: 'stroke-width', fillOpacity: 'fill-opacity',
    strokeOpacity: 'stroke-opacity', strokeLineCap: 'stroke-linecap', strokeLineJoin: 'stroke-linejoin',
  };
  const TRANSFORM = ['translateX', 'translateY', 'rotation', 'pivotX', 'pivotY', 'scaleX', 'scaleY'];

  function drawItem(parent, item, scope, screen) {
    if (item.when !== undefined && !evaluateValue(item.when, scope, screen.warn)) return;
    const bindRaw = (raw, write) => screen.bind(() => evaluateValue(raw, scope, screen.warn), write, raw);
    if (item.type === 'path') {
      const el = parent.appendChild(document.createElementNS(SVG, 'path'));
      el.setAttribute('fill', 'none'); // AVG's default: transparent
      for (const [key, raw] of Object.entries(item)) {
        if (key === 'type' || key === 'description') continue;
        const attribute = PATH_ATTRIBUTES[key];
        if (!attribute) { screen.warn(`AVG path: "${key}" is not supported`); continue; }
        bindRaw(raw, (value) => el.setAttribute(attribute, text(value)));
      }
      return;
    }
    if (item.type === 'group') {
      const el = parent.appendChild(document.createElementNS(SVG, 'g'));
      const moving = {};
      for (const [key, raw] of Object.entries(item)) {
        if (['type', 'description', 'item', 'items'].includes(key)) continue;
        if (TRANSFORM.includes(key)) moving[key] = raw;
        else if (key === 'opacity') bindRaw(raw, (value) => el.setAttribute('opacity', text(value)));
        else screen.warn(`AVG group: "${key}" is not supported`);
      }
      // AVG: the translation, then about the pivot the rotation and the scale.
      const number = (key, fallback) => (key in moving ? Number(evaluateValue(moving[key], scope, screen.warn)) : fallback);
      screen.bind(
        () => {
          const [px, py] = [number('pivotX', 0), number('pivotY', 0)];
          return `translate(${number('translateX', 0) + px} ${number('translateY', 0) + py}) rotate(${number('rotation', 0)}) ` +
            `scale(${number('scaleX', 1)} ${number('scaleY', 1)}) translate(${-px} ${-py})`;
        },
        (value) => el.setAttribute('transform', value),
        JSON.stringify(moving),
      );
      for (const child of candidates(item)) drawItem(el, child, scope, screen);
      return;
    }
    screen.warn(`AVG item type ${JSON.stringify(item.type)} is not supported`);
  }

  const textContent = (el) => el.firstChild;
  const COMPONENTS = {
    Container: {
      build: buildContainer,
      properties: {
        direction: () => {}, // read once by buildContainer
        alignItems: style('alignItems', fromTable(FLEX_ALIGN, 'alignItems')),
        justifyContent: style('justifyContent', fromTable(FLEX_JUSTIFY, 'justifyContent')),
        backgroundColor: style('backgroundColor'),
      },
    },
    Frame: {
      build: buildFrame,
      properties: {
        backgroundColor: style('backgroundColor'), borderRadius: dimension('borderRadius'),
        borderColor: style('borderColor'),
        borderWidth: (el, value, screen) => { el.style.border = `${cssDimension(value, screen)} solid`; },
      },
    },
    Text: {
      build: buildText,
      properties: {
        text: (el, value) => setMarkup(textContent(el), text(value)),
        color: style('color'), fontSize: dimension('fontSize'),
        fontWeight: style('fontWeight', (v) => FONT_WEIGHT[v] || text(v)),
        fontStyle: style('fontStyle'),
        fontFamily: style('fontFamily', (v) => `${text(v)}, ${FONT_FAMILY}`),
        lineHeight: style('lineHeight'), letterSpacing: dimension('letterSpacing'),
        textAlign: (el, value) => { textContent(el).style.textAlign = value === 'auto' ? '' : text(value); },
        textAlignVertical: style('justifyContent', fromTable({ auto: 'flex-start', top: 'flex-start', center: 'center', bottom: 'flex-end' }, 'textAlignVertical')),
        maxLines: (el, value) => { // a line clamp, with an ellipsis as on the device
          const content = textContent(el);
          content.classList.toggle('apl-clamped', value > 0);
          content.style.webkitLineClamp = value > 0 ? String(value) : '';
        },
      },
    },
    TouchWrapper: { build: buildTouchWrapper, properties: {} },
    VectorGraphic: { build: buildVectorGraphic, properties: {} },
  };

  function box(className) {
    const el = document.createElement('div');
    el.className = `apl-component ${className}`;
    return el;
  }

  // Text markup: <b>, <i>, <u>, <em>, <strong> and <br> become elements; the rest stays text.
  function setMarkup(el, markup) {
    el.replaceChildren();
    const open = [el];
    const tag = /<(\/?)(b|i|u|em|strong|br)\s*\/?>/gi;
    let at = 0;
    for (let m = tag.exec(markup); m; m = tag.exec(markup)) {
      open[open.length - 1].append(decodeEntities(markup.slice(at, m.index)));
      const name = m[2].toLowerCase();
      if (name === 'br') open[open.length - 1].append(document.createElement('br'));
      else if (!m[1]) open.push(open[open.length - 1].appendChild(document.createElement(name)));
      else if (open.length > 1 && open[open.length - 1].localName === name) open.pop();
      at = tag.lastIndex;
    }
    open[open.length - 1].append(decodeEntities(markup.slice(at)));
  }

  function decodeEntities(s) {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
    return s.replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_, name) => named[name]);
  }

  // ---- Inflation: a component description (or a layout instance) to a live element ----------

  // The first of `item`/`items` whose `when` holds, as APL picks a single child.
  function candidates(holder) {
    const list = holder.items ?? holder.item ?? [];
    return Array.isArray(list) ? list : [list];
  }

  function firstShown(list, context, screen) {
    return list.find((c) => c && (c.when === undefined || evaluateValue(c.when, context, screen.warn)));
  }

  function buildChildren(el, component, context, screen, spacingSide) {
    const add = (child, scope) => {
      const built = inflate(child, scope, screen);
      if (!built) return;
      if (el.childElementCount > 0 && built.spacing) built.element.style[spacingSide] = built.spacing;
      el.appendChild(built.element);
    };
    if (component.data !== undefined) { // one child per element, bound as `data` and `index`
      const data = evaluateValue(component.data, context, screen.warn);
      if (!Array.isArray(data)) { screen.warn(`${component.type}: data is not an array`); return; }
      data.forEach((element, index) => {
        const scope = childContext(context, { data: element, index, length: data.length });
        const child = firstShown(candidates(component), scope, screen);
        if (child) add(child, scope);
      });
      return;
    }
    const list = candidates(component);
    if (component.type !== 'Container') { // Frame and TouchWrapper hold one child
      const child = firstShown(list, context, screen);
      if (child) add(child, context);
      return;
    }
    for (const child of list) add(child, context);
  }

  // A layout instance: its parameters (given as properties) become names in a new scope, live
  // (a getter re-evaluates the instance's expression). Its other properties are passed to the
  // layout's item, each evaluated in the scope it was written in.
  function expandLayout(instance, layout, context, passed, screen) {
    const params = (layout.parameters ?? []).map((p) => (typeof p === 'string' ? { name: p } : p));
    const names = {};
    for (const param of params) {
      const raw = param.name in instance ? instance[param.name] : param.default ?? null;
      Object.defineProperty(names, param.name, {
        enumerable: true, get: () => evaluateValue(raw, context, screen.warn),
      });
    }
    const scope = childContext(context, names);
    const item = firstShown(candidates(layout), scope, screen);
    if (!item) return null;
    const toItem = new Map();
    for (const [name, raw] of Object.entries(instance)) {
      if (name !== 'type' && name !== 'when' && !params.some((p) => p.name === name)) toItem.set(name, { raw, context });
    }
    for (const [name, entry] of passed) toItem.set(name, entry); // from an enclosing instance
    return { item, scope, passed: toItem };
  }

  // A component (or layout instance) written in `context` to {element, spacing}; null when its
  // `when` is false or it is not supported. `passed`: properties from a layout instance.
  function inflate(component, context, screen, passed = new Map(), depth = 0) {
    if (depth > 20) { screen.warn(`layouts nested too deep at ${component.type}`); return null; }
    if (component.when !== undefined && !evaluateValue(component.when, context, screen.warn)) return null;
    const layout = screen.layouts[component.type];
    if (layout) {
      const expanded = expandLayout(component, layout, context, passed, screen);
      return expanded && inflate(expanded.item, expanded.scope, screen, expanded.passed, depth + 1);
    }
    const kind = COMPONENTS[component.type];
    if (!kind) { screen.warn(`component type ${JSON.stringify(component.type)} is not supported`); return null; }
    const properties = new Map(Object.entries(component).map(([name, raw]) => [name, { raw, context }]));
    for (const [name, entry] of passed) properties.set(name, entry);
    const given = (name) => properties.has(name) && evaluateValue(properties.get(name).raw, properties.get(name).context, screen.warn);
    // The component's state (pressed, ...): its parent's when it inherits it, else its own.
    const state = given('inheritParentState') && screen.parentState ? screen.parentState : newState();
    const outer = screen.parentState;
    screen.parentState = state; // while its children are built: theirs to inherit
    let element;
    try { element = kind.build(component, context, screen, state, properties); } finally { screen.parentState = outer; }
    if (properties.has('style')) {
      const { raw, context: scope } = properties.get('style');
      for (const [name, entry] of styled(evaluateValue(raw, scope, screen.warn), state, scope, screen)) {
        if (!properties.has(name)) properties.set(name, entry);
      }
    }
    let spacing = '';
    for (const [name, { raw, context: scope }] of properties) {
      if (STRUCTURAL.has(name)) continue;
      if (name === 'spacing') { spacing = cssDimension(evaluateValue(raw, scope, screen.warn), screen); continue; }
      const apply = kind.properties[name] ?? COMMON[name];
      if (!apply) { screen.warn(`${component.type}: property "${name}" is not supported`); continue; }
      screen.bind(() => evaluateValue(raw, scope, screen.warn), (value) => apply(element, value, screen), raw);
    }
    return { element, spacing };
  }

  function newState() {
    return { pressed: false, disabled: false, checked: false, focused: false, karaoke: false };
  }

  // ---- Styles: a named list of values, each applied while its `when` holds (later wins) --------

  // The properties a style sets, each as a live entry: the value of the last block whose `when`
  // holds for the component's state (state.pressed, ...), read again at every refresh.
  function styled(name, state, context, screen, seen = new Set()) {
    const style = screen.styles[name];
    if (!style) { screen.warn(`unknown style ${JSON.stringify(name)}`); return new Map(); }
    if (seen.has(name)) { screen.warn(`style ${JSON.stringify(name)} extends itself`); return new Map(); }
    seen.add(name);
    const found = new Map();
    for (const base of [].concat(style.extend ?? [])) {
      for (const [key, entry] of styled(base, state, context, screen, seen)) found.set(key, entry);
    }
    const blocks = [].concat(style.values ?? []);
    const scope = childContext(context, { state });
    for (const key of new Set(blocks.flatMap((block) => Object.keys(block)))) {
      if (key === 'when' || key === 'description') continue;
      const holding = blocks.filter((block) => key in block);
      const inherited = found.get(key);
      const pick = (() => { // a marker the bindings below read: the value, evaluated live
        for (let i = holding.length - 1; i >= 0; i--) {
          const block = holding[i];
          if (block.when === undefined || evaluateValue(block.when, scope, screen.warn)) return block[key];
        }
        return inherited ? inherited.raw : null;
      });
      found.set(key, { raw: { [STYLED]: pick }, context: inherited ? inherited.context : context });
    }
    return found;
  }
  const STYLED = Symbol('styled');

  // ---- Commands ------------------------------------------------------------------------------

  const COMMANDS = {
    SendEvent(command, context, screen) {
      const args = (command.arguments ?? []).map((arg) => evaluateValue(arg, context, screen.warn));
      screen.onSendEvent(args);
    },
  };

  function commandList(commands) {
    return commands === undefined ? [] : Array.isArray(commands) ? commands : [commands];
  }

  function checkCommands(commands, screen) {
    for (const command of commandList(commands)) {
      if (!COMMANDS[command.type]) screen.warn(`command ${JSON.stringify(command.type)} is not supported`);
    }
  }

  function runCommands(commands, context, screen) {
    for (const command of commandList(commands)) {
      if (command.when !== undefined && !evaluateValue(command.when, context, screen.warn)) continue;
      if (COMMANDS[command.type]) COMMANDS[command.type](command, context, screen);
    }
  }

  // ---- The document --------------------------------------------------------------------------

  const DOCUMENT_KEYS = new Set(['type', 'version', 'description', 'theme', 'resources', 'styles', 'graphics', 'layouts', 'mainTemplate', 'license']);
  const RESOURCE_KINDS = ['dimensions', 'colors', 'strings', 'numbers', 'booleans'];

  // Resource blocks in order: a later block whose `when` holds overrides earlier values.
  function resources(blocks, context, warn) {
    const found = {};
    for (const block of blocks ?? []) {
      if (block.when !== undefined && !evaluateValue(block.when, context, warn)) continue;
      for (const [kind, values] of Object.entries(block)) {
        if (kind === 'when' || kind === 'description') continue;
        if (!RESOURCE_KINDS.includes(kind)) { warn(`resources: "${kind}" is not supported`); continue; }
        for (const [name, value] of Object.entries(values)) found[`@${name}`] = value;
      }
    }
    return found;
  }

  function createScreen(host, doc, options) {
    const now = options.now ?? (() => performance.now());
    const viewport = { width: 1024, height: 600, shape: 'rectangle', dpi: 160, ...options.viewport };
    const warnings = [];
    const seen = new Set();
    const bindings = [];
    const started = now();
    const screen = {
      viewport, warnings, layouts: doc.layouts ?? {}, styles: doc.styles ?? {}, graphics: doc.graphics ?? {}, parentState: null,
      theme: THEMES[doc.theme] ?? THEMES.dark,
      onSendEvent: options.onSendEvent ?? (() => {}),
      warn(message) { // once per message: a bad expression is evaluated every tick
        if (seen.has(message)) return;
        seen.add(message);
        warnings.push(message);
        console.warn(`APL: ${message}`);
      },
      elapsedTime: () => now() - started,
      // A dynamic property: evaluated now and at every refresh, written only when it changed.
      bind(read, write, raw) {
        const binding = { read, write, last: undefined };
        write((binding.last = read()));
        if ((typeof raw === 'string' && raw.includes('${')) || (raw && raw[STYLED])) bindings.push(binding);
      },
      refresh() {
        for (const b of bindings) {
          const value = b.read();
          if (!sameValue(value, b.last)) b.write((b.last = value));
        }
      },
    };
    return screen;
  }

  function sameValue(a, b) {
    return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
  }

  function render(host, doc, datasources, options = {}) {
    const screen = createScreen(host, doc, options);
    for (const key of Object.keys(doc)) {
      if (!DOCUMENT_KEYS.has(key)) screen.warn(`document: "${key}" is not supported`);
    }
    if (doc.theme && !THEMES[doc.theme]) screen.warn(`theme ${JSON.stringify(doc.theme)} is not supported`);
    const vp = screen.viewport;
    const base = rootContext({
      viewport: { width: vp.width, height: vp.height, shape: vp.shape, dpi: vp.dpi, theme: doc.theme ?? 'dark' },
    });
    Object.defineProperty(base, 'elapsedTime', { get: screen.elapsedTime });
    const context = childContext(base, resources(doc.resources, base, screen.warn));
    const main = doc.mainTemplate ?? {};
    const names = {};
    for (const param of main.parameters ?? []) { // bound to the datasource of the same name
      const name = typeof param === 'string' ? param : param.name;
      names[name] = name in (datasources ?? {}) ? datasources[name] : name === 'payload' ? datasources : null;
    }
    const scope = childContext(context, names);

    const viewportEl = document.createElement('div');
    viewportEl.className = `apl-viewport apl-${vp.shape}`;
    Object.assign(viewportEl.style, {
      width: `${vp.width}px`, height: `${vp.height}px`,
      background: screen.theme.background, color: screen.theme.text,
      borderRadius: vp.shape === 'round' ? '50%' : '',
    });
    host.appendChild(viewportEl);
    const top = firstShown(candidates(main), scope, screen);
    const built = top && inflate(top, scope, screen);
    if (built) viewportEl.appendChild(built.element);

    const timer = setInterval(screen.refresh, TICK_MS);
    return {
      warnings: screen.warnings,
      elapsedTime: screen.elapsedTime,
      refresh: screen.refresh, // what the next tick would do, now (tests that move the clock)
      destroy() { clearInterval(timer); viewportEl.remove(); },
    };
  }

  // The layout rules every component shares: Yoga's defaults where CSS's differ.
  const CSS = `
    .apl-viewport { position: relative; overflow: hidden; display: flex; flex-direction: column;
      box-sizing: border-box; font-family: ${FONT_FAMILY}; }
    .apl-viewport > .apl-component { width: 100%; height: 100%; }
    .apl-component { display: flex; flex-direction: column; flex: 0 0 auto; box-sizing: border-box;
      position: relative; min-width: 0; min-height: 0; }
    .apl-container, .apl-frame { overflow: hidden; }
    .apl-text { font-size: 40px; line-height: 1.25; }
    .apl-text-content { overflow-wrap: break-word; }
    .apl-text-content.apl-clamped { display: -webkit-box; -webkit-box-orient: vertical; overflow: hidden; }
    .apl-vector { overflow: hidden; }
    .apl-svg { width: 100%; height: 100%; display: block; }
    .apl-touch { cursor: pointer; user-select: none; touch-action: none; }
    .apl-touch:focus-visible { outline: 3px solid #5fa8ff; }
  `;

  function installStyles() {
    if (document.getElementById('apl-styles')) return;
    const el = document.createElement('style');
    el.id = 'apl-styles';
    el.textContent = CSS;
    document.head.appendChild(el);
  }

  // APL.evaluate('${1 + 2}', {names}, warnings): a property string evaluated as a document's are;
  // problems go into `warnings` (if given) and make the value null.
  function evaluate(expression, names = {}, warnings = []) {
    return evaluateValue(expression, rootContext(names), (message) => warnings.push(message));
  }

  window.APL = {
    render(host, doc, datasources, options) { installStyles(); return render(host, doc, datasources, options); },
    evaluate,
  };
})();
